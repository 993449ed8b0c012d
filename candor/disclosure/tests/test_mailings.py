"""Anonymous mailings to clients (R4.1) and the ledger entries of every e-mail (R4.5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from candor.api.tests.factories import make_candidate, make_candidates, make_client, make_vacancy
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.disclosure import mailings
from candor.disclosure.mailings import (
    mailing_clear_pitch,
    mailing_prepare,
    mailing_queue,
    queued_job,
)
from candor.disclosure.models import (
    DeliveryStatus,
    Disclosure,
    Mailing,
    MailingCandidate,
    MailingRecipient,
    MailingStatus,
)
from candor.disclosure.profiles import profile_code
from candor.disclosure.selectors import NotSentToClient, received_profile, received_profiles
from candor.disclosure.services import sha256
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.privacy.services import objection_record, restriction_start
from candor.relations.models import Organisation
from candor.relations.services import contact_person_create

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.1")]

_serial = iter(range(1, 10_000))


def _client_with_contact(actor: Actor, *, email: bool = True, language: str = "") -> Organisation:
    client = make_client(actor)
    n = next(_serial)
    contact = contact_person_create(
        actor=actor,
        organisation=client,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Contact",
        last_name=f"Persoon{n}",
        email=f"contact{n}@client.example.com" if email else "",
        phone="" if email else f"+3232{n:06d}",
    )
    if language:
        Person.objects.filter(pk=contact.person_id).update(preferred_language=language)
    return client


def _prepare(actor: Actor, people: list[Person], clients: list[Organisation], **kw: Any) -> Any:
    return mailing_prepare(
        actor=actor,
        subject="Profielen voor u",
        person_ids=[p.pk for p in people],
        organisation_ids=[c.pk for c in clients],
        **kw,
    )


def test_the_gate_leaves_out_restricted_and_objecting_candidates_and_says_how_many(
    actor: Actor,
) -> None:
    free, restricted, objecting = make_candidates(actor, 3)
    restriction_start(actor=actor, person=restricted, ground="accuracy", via="email")
    objection_record(actor=actor, person=objecting, purpose="mediation", via="email")
    reachable, mute = _client_with_contact(actor), _client_with_contact(actor, email=False)

    prepared = _prepare(actor, [free, restricted, objecting], [reachable, mute])

    assert (prepared.candidates, prepared.left_out) == (1, 2)
    assert (prepared.recipients, prepared.contacts_left_out) == (1, 1)
    assert list(prepared.mailing.candidates.values_list("person_id", flat=True)) == [free.pk]
    assert prepared.mailing.left_out == 2
    assert prepared.mailing.status == MailingStatus.DRAFT


def test_bad_selections_are_refused_and_nothing_is_written(actor: Actor) -> None:
    person = make_candidate(actor)
    restricted = make_candidate(actor)
    restriction_start(actor=actor, person=restricted, ground="accuracy", via="email")
    client = _client_with_contact(actor)
    supplier = make_client(actor, kind="supplier")
    vacancy = make_vacancy(actor, _client_with_contact(actor))
    cases = [
        ({"person_ids": [], "organisation_ids": [client.pk]}, "candidates"),
        ({"person_ids": [person.pk], "organisation_ids": []}, "clients"),
        ({"person_ids": [person.pk], "organisation_ids": [supplier.pk]}, "clients"),
        ({"person_ids": [999_999], "organisation_ids": [client.pk]}, "candidates"),
        ({"person_ids": [restricted.pk], "organisation_ids": [client.pk]}, "candidates"),
        ({"person_ids": [person.pk], "organisation_ids": [client.pk], "subject": " "}, "subject"),
        (
            {
                "person_ids": [person.pk],
                "organisation_ids": [client.pk, vacancy.client_id],
                "vacancy": vacancy,
            },
            "clients",
        ),
    ]
    for kwargs, field in cases:
        kwargs.setdefault("subject", "Profielen")
        with pytest.raises(ValidationError) as refused:
            mailing_prepare(actor=actor, **kwargs)
        assert field in refused.value.message_dict, kwargs
    assert not Mailing.objects.exists()


def test_a_pitch_naming_the_candidate_is_refused_and_a_clean_one_is_kept_with_who_cleared_it(
    actor: Actor,
) -> None:
    person = make_candidate(actor, first_name="Wannes", last_name="Verhaeghe")
    mailing = _prepare(actor, [person], [_client_with_contact(actor)]).mailing

    with pytest.raises(ValidationError, match="names the candidate"):
        mailing_clear_pitch(
            actor=actor, mailing=mailing, person_id=person.pk, text="Wannes is top."
        )
    mailing_clear_pitch(
        actor=actor, mailing=mailing, person_id=person.pk, text="Sterke planner, rijbewijs C."
    )

    row = MailingCandidate.objects.get(mailing=mailing)
    assert (row.pitch, row.cleared_by_id) == ("Sterke planner, rijbewijs C.", actor.user_id)
    mailing_queue(actor=actor, mailing=mailing)
    with pytest.raises(ValidationError, match="already queued"):
        mailing_clear_pitch(actor=actor, mailing=mailing, person_id=person.pk, text="Later.")


@pytest.mark.req("R4.5")
def test_the_worker_sends_each_contact_every_profile_and_the_ledger_holds_what_was_sent(
    actor: Actor,
) -> None:
    people = make_candidates(actor, 3, desired_function="Boekhouder")
    clients = [_client_with_contact(actor), _client_with_contact(actor, language="fr")]
    mailing = _prepare(actor, people, clients).mailing
    mailing_clear_pitch(
        actor=actor, mailing=mailing, person_id=people[0].pk, text="Ervaren met SAP."
    )
    mailing_queue(actor=actor, mailing=mailing)

    counts = queued_job()

    assert counts == {"mailings": 1, "sent": 2, "skipped": 0, "failed": 0}
    assert len(mail.outbox) == 2
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent, mailing.total, mailing.percent) == ("done", 2, 2, 100)
    rows = Disclosure.objects.filter(reference=f"mailing:{mailing.pk}")
    assert rows.count() == 6
    for message in mail.outbox:
        (recipient,) = MailingRecipient.objects.filter(address=message.to[0])
        html = message.alternatives[0].content
        for person in people:
            row = rows.get(person=person, organisation=recipient.organisation)
            assert row.content in message.body  # what the ledger holds is what was sent
            assert row.content_sha256 == sha256(row.content)
            assert profile_code(person.pseudonym) in html
            assert person.last_name not in message.body
            assert person.last_name not in html
        assert "Ervaren met SAP." in message.body
        assert recipient.sha256
        assert recipient.status == DeliveryStatus.SENT
    languages = dict(MailingRecipient.objects.values_list("organisation_id", "language"))
    assert languages[clients[1].pk] == "fr"  # each contact is written to in their language
    assert queued_job() == {"mailings": 0, "sent": 0, "skipped": 0, "failed": 0}
    assert len(mail.outbox) == 2
    assert mail.outbox[0].reply_to == ["an.peeters@candor.example.com"]  # the consultant


def test_a_draft_is_not_sent(actor: Actor) -> None:
    mailing = _prepare(actor, [make_candidate(actor)], [_client_with_contact(actor)]).mailing

    with pytest.raises(ValueError, match="queued first"):
        mailings.mailing_send(actor=actor, mailing=mailing)
    assert queued_job()["mailings"] == 0
    assert not mail.outbox


def test_a_candidate_restricted_after_queueing_is_not_sent_nor_recorded(actor: Actor) -> None:
    kept, later = make_candidates(actor, 2)
    mailing = _prepare(actor, [kept, later], [_client_with_contact(actor)]).mailing
    mailing_queue(actor=actor, mailing=mailing)
    restriction_start(actor=actor, person=later, ground="accuracy", via="email")

    queued_job()

    (message,) = mail.outbox
    assert profile_code(later.pseudonym) not in message.body
    assert list(Disclosure.objects.values_list("person_id", flat=True)) == [kept.pk]


def test_a_refused_message_records_nothing_and_the_others_go(
    actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = make_candidate(actor)
    good, bad = _client_with_contact(actor), _client_with_contact(actor)
    mailing = _prepare(actor, [person], [good, bad]).mailing
    mailing_queue(actor=actor, mailing=mailing)
    real = mailings._Renderer.email

    def email(self: Any, language: str, profiles: Any, organisation: str) -> Any:
        if organisation == bad.name:
            raise OSError("connection refused")
        return real(self, language, profiles, organisation)

    monkeypatch.setattr(mailings._Renderer, "email", email)

    counts = queued_job()

    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert list(Disclosure.objects.values_list("organisation_id", flat=True)) == [good.pk]
    failed = MailingRecipient.objects.get(organisation=bad)
    assert (failed.status, failed.error) == (DeliveryStatus.FAILED, "OSError")
    assert not AuditEvent.objects.filter(action="mailing.send", object_id=str(failed.pk))


def test_a_client_sees_what_it_received_and_is_refused_a_candidate_it_was_not_sent(
    actor: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    sent, other = make_candidates(actor, 2)
    client = _client_with_contact(actor)
    mailing = _prepare(actor, [sent], [client]).mailing
    mailing_queue(actor=actor, mailing=mailing)
    queued_job()

    (received,) = received_profiles(client.pk)
    assert received.code == profile_code(sent.pseudonym)
    assert received_profile(client.pk, received.code.lower()).content == received.content
    with pytest.raises(NotSentToClient, match="was not sent to this client"):
        received_profile(client.pk, profile_code(other.pseudonym))
    assert "not sent" in caplog.text
    assert Disclosure.objects.count() == 1


def test_a_mailing_about_a_vacancy_goes_to_its_client(actor: Actor) -> None:
    person = make_candidate(actor)
    client = _client_with_contact(actor)
    vacancy = make_vacancy(actor, client)

    prepared = mailing_prepare(
        actor=actor,
        subject="Voor uw vacature",
        person_ids=[person.pk],
        organisation_ids=[],
        vacancy=vacancy,
    )
    mailing_queue(actor=actor, mailing=prepared.mailing)
    queued_job()

    (message,) = mail.outbox
    assert vacancy.reference in message.body
    assert list(Disclosure.objects.values_list("organisation_id", flat=True)) == [client.pk]


def test_an_e_mail_claimed_by_another_worker_is_left_to_it(actor: Actor) -> None:
    person = make_candidate(actor)
    mailing = _prepare(actor, [person], [_client_with_contact(actor), _client_with_contact(actor)])
    mailing_queue(actor=actor, mailing=mailing.mailing)
    first, second = MailingRecipient.objects.order_by("pk")
    # What another worker's claim looks like while its transaction runs (then committed).
    MailingRecipient.objects.filter(pk=first.pk).update(sent_at=first.mailing.created_at)

    counts = queued_job()

    assert (counts["sent"], len(mail.outbox)) == (1, 1)
    assert mail.outbox[0].to == [MailingRecipient.objects.get(pk=second.pk).address]
    assert Mailing.objects.get().status == MailingStatus.SENDING  # not done: one is elsewhere
