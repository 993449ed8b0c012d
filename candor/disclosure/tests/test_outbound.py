"""Every outbound path writes a ledger entry (R4.5, DESIGN invariant 3).

The paths by which personal data leaves Candor after the disclosure work: the anonymous mailing
e-mails (``candor worker``), a profile downloaded for a client (back office), a profile printed
for a client (``candor profile --to``), a transfer to a processor (service and back office), a
profile opened by a client's user in a supervised in-house session, and a trajectory report
e-mailed to the organisation paying for the trajectory.
Each is run for real; the test compares what went out with what the ledger holds, and checks
that when the gate refuses the person — even when that changes between choosing the person and
sending — nothing goes out and nothing is recorded. A new outbound path belongs in ``PATHS``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from candor.accounts.models import Role, User
from candor.api.tests.factories import make_candidate, make_client, make_vacancy
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.mailings import mailing_prepare, mailing_queue, queued_job
from candor.disclosure.models import Disclosure
from candor.disclosure.processors import agreement_add, processor_save, processor_transfer
from candor.disclosure.services import DisclosureRefused, sha256
from candor.guidance.sharing import trajectory_report_share
from candor.guidance.tests.factories import make_trajectory
from candor.inhouse.services import posting_create, session_open, session_search
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.privacy.services import restriction_start
from candor.relations.services import contact_person_create

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.5")]

# Each path sends a person's data somewhere and returns the texts that went out; it calls
# ``before_sending`` after choosing the person and just before sending.
Path = Callable[[Actor, Any, Person, Callable[[], None]], list[str]]


def _mailing(
    actor: Actor, user: Any, person: Person, before_sending: Callable[[], None]
) -> list[str]:
    client = make_client(actor)
    contact_person_create(
        actor=actor,
        organisation=client,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Ria",
        last_name="Ontvanger",
        email="ria@client.example.com",
    )
    prepared = mailing_prepare(
        actor=actor, subject="Profielen", person_ids=[person.pk], organisation_ids=[client.pk]
    )
    mailing_queue(actor=actor, mailing=prepared.mailing)
    before_sending()
    queued_job()
    return [m.body for m in mail.outbox] + [m.alternatives[0].content for m in mail.outbox]


def _download(
    actor: Actor, user: Any, person: Person, before_sending: Callable[[], None]
) -> list[str]:
    browser = Client()
    browser.force_login(user)
    before_sending()
    response = browser.post(
        f"/disclosure/profiles/{person.pk}/download/",
        {"client": make_client(actor).pk, "format": "html"},
    )
    return [response.content.decode()] if response.get("Content-Disposition") else []


def _command(
    actor: Actor, user: Any, person: Person, before_sending: Callable[[], None]
) -> list[str]:
    out = io.StringIO()
    before_sending()
    try:
        call_command("profile", str(person.pk), "--to", str(make_client(actor).pk), stdout=out)
    except CommandError:
        return []
    return [out.getvalue()] if out.getvalue() else []


def _processor(
    actor: Actor, user: Any, person: Person, before_sending: Callable[[], None]
) -> list[str]:
    processor = processor_save(
        actor=actor,
        data={
            "name": "Extern Assessment BV",
            "service": "consultant",
            "categories": ["career", "education"],
            "country": "BE",
            "review_on": clock.today(),
        },
    )
    agreement_add(actor=actor, processor=processor, signed_on=clock.today())
    before_sending()
    try:
        sent = processor_transfer(
            actor=actor,
            processor=processor,
            person_ids=[person.pk],
            categories=["career", "education"],
            purpose="mediation",
        )
    except DisclosureRefused:
        return []
    return list(sent.values())


def _processor_page(
    actor: Actor, user: Any, person: Person, before_sending: Callable[[], None]
) -> list[str]:
    processor = processor_save(
        actor=actor,
        data={
            "name": "Dossier Archief NV",
            "service": "storage",
            "categories": ["career"],
            "country": "BE",
            "review_on": clock.today(),
        },
    )
    agreement_add(actor=actor, processor=processor, signed_on=clock.today())
    browser = Client()
    browser.force_login(user)
    before_sending()
    response = browser.post(
        f"/disclosure/processors/{processor.pk}/transfer/",
        {"candidates": str(person.pk), "categories": ["career"], "purpose": "mediation"},
    )
    return [response.content.decode()] if response.get("Content-Disposition") else []


def _inhouse(
    actor: Actor, user: Any, person: Person, before_sending: Callable[[], None]
) -> list[str]:
    client = make_client(actor)
    posting_create(actor=actor, consultant=user, organisation=client, starts_on=clock.today())
    client_user = User.objects.create_user(
        username="hr.outbound", role=Role.INHOUSE_CLIENT, client=client, language="en"
    )
    session = session_open(
        actor=actor,
        consultant=user,
        client_user=client_user,
        vacancy_ids=[make_vacancy(actor, client).pk],
    )
    session_search(
        session=session, user=client_user, vacancy_id=session.vacancies.get().pk, filters={}
    )
    browser = Client()
    browser.force_login(client_user)
    before_sending()
    response = browser.get(f"/inhouse/candidates/{person.pk}/")
    return [response.content.decode()] if response.status_code == 200 else []


def _trajectory_report(
    actor: Actor, user: Any, person: Person, before_sending: Callable[[], None]
) -> list[str]:
    sponsor = make_client(actor)
    contact_person_create(
        actor=actor,
        organisation=sponsor,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Wim",
        last_name="Werkgever",
        email="wim@sponsor.example.com",
    )
    trajectory = make_trajectory(actor, person, sponsor=sponsor)
    before_sending()
    try:
        trajectory_report_share(actor=actor, trajectory=trajectory, text="Stand van zaken.")
    except DisclosureRefused:
        return []
    return [m.body for m in mail.outbox]


PATHS: dict[str, Path] = {
    "mailing e-mail": _mailing,
    "profile download": _download,
    "candor profile --to": _command,
    "processor transfer": _processor,
    "processor transfer page": _processor_page,
    "in-house dossier view": _inhouse,
    "trajectory report": _trajectory_report,
}
# The purpose and legal basis each path records; mediation on legitimate interest unless named.
BASIS = {"trajectory report": ("guidance", "legal_obligation")}

_restrict_before_sending: list[Person] = []


def restriction_later(person: Person) -> None:
    """For the mailing: the restriction comes after queueing, just before the worker sends."""
    if person in _restrict_before_sending:
        restriction_start(actor=Actor.system("test"), person=person, ground="accuracy", via="email")


@pytest.mark.parametrize("name", PATHS)
def test_what_goes_out_is_what_the_ledger_holds(name: str, actor: Actor, consultant: Any) -> None:
    person = make_candidate(actor, desired_function="Elektricien", skills=["PLC"])

    sent = PATHS[name](actor, consultant, person, lambda: None)

    assert sent, f"{name}: nothing went out"
    rows = list(Disclosure.objects.filter(person=person))
    assert rows, f"{name}: no ledger entry"
    for row in rows:
        assert row.content_sha256 == sha256(row.content)
        assert any(row.content in text for text in sent), f"{name}: ledger copy not what was sent"
        expected = BASIS.get(name, ("mediation", "legitimate_interest"))
        assert (row.purpose, row.legal_basis) == expected


@pytest.mark.parametrize("name", PATHS)
def test_nothing_goes_out_when_the_gate_refuses(name: str, actor: Actor, consultant: Any) -> None:
    person = make_candidate(actor)

    def restrict() -> None:
        restriction_start(actor=actor, person=person, ground="accuracy", via="email")

    sent = PATHS[name](actor, consultant, person, restrict)

    assert sent == [], f"{name}: data went out for a restricted person"
    assert not Disclosure.objects.filter(person=person).exists()
