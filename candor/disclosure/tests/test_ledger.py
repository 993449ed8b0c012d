"""The disclosure ledger (R4.5): one service records every disclosure, asks the gate first, and
the recipients of a person are read back from it."""

from __future__ import annotations

from typing import Any

import pytest

from candor.api.tests.factories import make_candidate, make_client
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.disclosure.models import Disclosure, RecipientKind
from candor.disclosure.selectors import recipients
from candor.disclosure.services import DisclosureRefused, Recipient, disclose, sha256
from candor.privacy.erasure import person_erase
from candor.privacy.services import restriction_start

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.5")]

GROUND = "accuracy"


@pytest.fixture
def actor(consultant: Any) -> Actor:
    return Actor.for_user(consultant)


def test_a_disclosure_is_recorded_with_its_copy_hash_and_audit_event(actor: Actor) -> None:
    person = make_candidate(actor)
    client = make_client(actor)
    to_client = Recipient(RecipientKind.CLIENT, client.name, client.pk)

    (row,) = disclose(
        actor=actor,
        recipient=to_client,
        contents={person.pk: "Profile C-0001: accountant, Dutch C2"},
        categories=["career", "education"],
        purpose="mediation",
        channel="email",
        reference="mailing:1",
    )

    assert row.organisation_id == client.pk
    assert row.legal_basis == "legitimate_interest"
    assert row.content_sha256 == sha256("Profile C-0001: accountant, Dutch C2")
    event = AuditEvent.objects.get(action="disclosure.record")
    assert event.subject == str(person.pseudonym)
    assert event.detail["categories"] == ["career", "education"]
    (summary,) = recipients(person.pk)
    assert (summary.name, summary.times, sorted(summary.categories)) == (
        client.name,
        1,
        ["career", "education"],
    )


def test_the_gate_refuses_a_restricted_person_and_nothing_is_recorded(actor: Actor) -> None:
    free, restricted = make_candidate(actor), make_candidate(actor)
    restriction_start(actor=actor, person=restricted, ground=GROUND, via="email")
    client = make_client(actor)

    with pytest.raises(DisclosureRefused) as refused:
        disclose(
            actor=actor,
            recipient=Recipient(RecipientKind.CLIENT, client.name, client.pk),
            contents={free.pk: "profile A", restricted.pk: "profile B"},
            categories=["career"],
            purpose="mediation",
            channel="email",
        )

    assert list(refused.value.refused) == [restricted.pk]
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="disclosure.record").exists()


def test_the_person_receives_their_own_data_on_their_right_not_a_purpose(actor: Actor) -> None:
    person = make_candidate(actor)
    restriction_start(actor=actor, person=person, ground=GROUND, via="email")

    (row,) = disclose(
        actor=actor,
        recipient=Recipient.person(),
        contents={person.pk: "{}"},
        categories=["identity"],
        purpose="",
        channel="download",
    )

    assert row.legal_basis == "data_subject_right"
    assert recipients(person.pk) == []
    assert len(recipients(person.pk, include_person=True)) == 1


def test_bad_disclosures_are_refused_before_anything_is_written(actor: Actor) -> None:
    person = make_candidate(actor)
    client = Recipient(RecipientKind.CLIENT, "Acme")
    bad: list[tuple[str, dict[str, Any]]] = [
        ("known data categories", {"categories": [], "channel": "email", "recipient": client}),
        (
            "known data categories",
            {"categories": ["shoe"], "channel": "email", "recipient": client},
        ),
        ("unknown channel", {"categories": ["career"], "channel": "pigeon", "recipient": client}),
        (
            "recipient's name",
            {"categories": ["career"], "channel": "email", "recipient": Recipient("client", " ")},
        ),
        (
            "unknown recipient kind",
            {"categories": ["career"], "channel": "email", "recipient": Recipient("friend", "Bob")},
        ),
    ]
    for message, case in bad:
        with pytest.raises(ValueError, match=message):
            disclose(actor=actor, contents={person.pk: "x"}, purpose="mediation", **case)
    assert not Disclosure.objects.exists()


def test_erasure_keeps_the_ledger_row_but_not_the_copy(actor: Actor) -> None:
    person = make_candidate(actor)
    client = make_client(actor)
    disclose(
        actor=actor,
        recipient=Recipient(RecipientKind.CLIENT, client.name, client.pk),
        contents={person.pk: f"Profile of {person.first_name}"},
        categories=["career"],
        purpose="mediation",
        channel="email",
    )

    person_erase(actor=actor, person=person, reason="request")

    row = Disclosure.objects.get(person=person)
    assert row.content == ""
    assert row.content_sha256
    assert row.recipient == client.name
    assert [r.name for r in recipients(person.pk)] == [client.name]
