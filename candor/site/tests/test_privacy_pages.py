"""The privacy page of a person and the DPO's desk: the gate's answers with reasons, consents,
objections, restrictions and the retention date, each change effective at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail

from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy import gate
from candor.privacy.consents import consents_expiring, daily_job
from candor.privacy.models import Consent, Objection, Restriction
from candor.privacy.services import consent_give, objection_record, restriction_start

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def person(consultant_actor: Actor) -> Person:
    return make_candidate(
        consultant_actor,
        first_name="Lotte",
        last_name="Verbruggen",
        desired_function="Magazijnier",
        birth_date=dt.date(1985, 2, 14),
    )


@pytest.mark.req("R3.1")
def test_the_privacy_page_answers_every_purpose_with_its_reason(
    staff_client: Any, consultant: Any, person: Person
) -> None:
    page = staff_client(consultant).get(f"/people/{person.pk}/privacy/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mediation: matching candidates and vacancies" in html
    assert "legitimate interest" in html
    assert "has not given it" in html  # consent purposes without consent
    assert AuditEvent.objects.filter(
        subject=str(person.pseudonym), action="view", detail__where="backoffice:privacy"
    ).exists()


@pytest.mark.req("R3.1")
def test_the_dossier_loads_the_purpose_summary(
    staff_client: Any, consultant: Any, person: Person
) -> None:
    client = staff_client(consultant)
    dossier = client.get(f"/candidates/{person.pk}/").content.decode()
    assert f"/people/{person.pk}/privacy/?summary=1" in dossier
    summary = client.get(f"/people/{person.pk}/privacy/?summary=1", HTTP_HX_REQUEST="true")
    assert "Legal basis: the agency&#x27;s legitimate interest." in summary.content.decode()


def test_the_gate_answers_every_purpose_in_three_queries(
    person: Person, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        answers = gate.overview(person)
    assert len(answers) >= 7


@pytest.mark.req("R3.3")
def test_consent_by_phone_needs_evidence_and_the_form_keeps_what_was_typed(
    staff_client: Any, consultant: Any, person: Person
) -> None:
    client = staff_client(consultant)
    refused = client.post(
        f"/people/{person.pk}/consents/",
        {"purpose": "job_alerts", "via": "phone", "language": "fr", "evidence": ""},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Say how the consent was obtained" in html
    assert 'value="fr" selected' in html
    assert not Consent.objects.filter(person=person).exists()

    saved = client.post(
        f"/people/{person.pk}/consents/",
        {
            "purpose": "job_alerts",
            "via": "phone",
            "language": "fr",
            "evidence": "Call with An Peeters, 30/11, confirmed twice.",
        },
    )
    assert saved.status_code == 302
    consent = Consent.objects.get(person=person)
    assert consent.text_shown.startswith("Je souhaite recevoir")
    assert gate.may(person, "job_alerts").allowed


@pytest.mark.req("R3.3", "R6.10")
def test_withdrawing_consent_takes_one_step_and_stops_the_purpose_at_once(
    staff_client: Any, consultant: Any, consultant_actor: Actor, person: Person
) -> None:
    consent_give(actor=consultant_actor, person=person, purpose="job_alerts", via="portal")
    response = staff_client(consultant).post(
        f"/people/{person.pk}/consents/withdraw/", {"purpose": "job_alerts", "via": "email"}
    )
    assert response.status_code == 302
    assert gate.may(person, "job_alerts").code == "consent_withdrawn"
    assert Consent.objects.get(person=person).withdrawn_via == "email"


def test_the_consents_and_objections_name_their_purpose_in_words(
    staff_client: Any, consultant: Any, consultant_actor: Actor, person: Person
) -> None:
    consent_give(actor=consultant_actor, person=person, purpose="job_alerts", via="portal")
    objection_record(actor=consultant_actor, person=person, purpose="mediation", via="letter")
    html = staff_client(consultant).get(f"/people/{person.pk}/privacy/").content.decode()
    assert "<td>Vacancies by e-mail</td>" in html
    assert "<td>job_alerts</td>" not in html
    assert "<strong>mediation</strong>" not in html


@pytest.mark.req("R6.8")
def test_an_objection_recorded_on_the_page_removes_the_candidate_from_the_list(
    staff_client: Any, consultant: Any, person: Person
) -> None:
    client = staff_client(consultant)
    assert "Verbruggen" in client.get("/candidates/?function=magazijnier").content.decode()
    client.post(
        f"/people/{person.pk}/objections/",
        {"purpose": "mediation", "via": "letter", "reason": "Ik zoek niet meer."},
    )
    assert Objection.objects.filter(person=person, status="active").exists()
    assert "Verbruggen" not in client.get("/candidates/?function=magazijnier").content.decode()
    assert "Verbruggen" not in client.get("/candidates/").content.decode()


@pytest.mark.req("R6.8")
def test_only_the_dpo_documents_compelling_grounds_and_they_must_be_stated(
    staff_client: Any, consultant: Any, dpo: Any, consultant_actor: Actor, person: Person
) -> None:
    objection = objection_record(
        actor=consultant_actor, person=person, purpose="mediation", via="email"
    )
    url = f"/objections/{objection.pk}/override/"
    assert staff_client(consultant).post(url, {"grounds": "x" * 40}).status_code == 403
    short = staff_client(dpo).post(url, {"grounds": "Needed."})
    assert short.status_code == 400
    assert "at least a full sentence" in short.content.decode()
    done = staff_client(dpo).post(
        url, {"grounds": "The file is evidence in the fee dispute with the client (case 2026/14)."}
    )
    assert done.status_code == 302
    assert gate.may(person, "mediation").allowed


@pytest.mark.req("R6.7")
def test_a_restriction_is_lifted_by_the_dpo_with_a_reason(
    staff_client: Any, dpo: Any, consultant: Any, person: Person
) -> None:
    staff_client(consultant).post(
        f"/people/{person.pk}/restrictions/", {"ground": "accuracy", "via": "email", "note": ""}
    )
    restriction = Restriction.objects.get(person=person)
    assert gate.may(person, "mediation").code == "restricted"
    url = f"/restrictions/{restriction.pk}/lift/"
    assert staff_client(dpo).post(url, {"reason": ""}).status_code == 400
    assert staff_client(dpo).post(url, {"reason": "Birth date checked."}).status_code == 302
    assert gate.may(person, "mediation").allowed


@pytest.mark.req("R5.1")
def test_recording_a_career_end_moves_the_retention_date(
    staff_client: Any, consultant: Any, person: Person
) -> None:
    client = staff_client(consultant)
    before = client.get(f"/people/{person.pk}/privacy/").content.decode()
    assert "end of the active career" in before
    client.post(f"/people/{person.pk}/career-end/", {"ended_on": "2026-06-30"})
    person.refresh_from_db()
    assert person.career_ended_on == dt.date(2026, 6, 30)
    assert person.kept_until == dt.date(2026, 6, 30)
    far = client.post(f"/people/{person.pk}/career-end/", {"ended_on": "2031-01-01"})
    assert far.status_code == 400
    assert "more than a year ahead" in far.content.decode()


@pytest.mark.req("R3.3", "R6.7", "R6.8")
def test_the_desk_shows_expiring_consents_objections_and_restrictions(
    staff_client: Any, dpo: Any, consultant: Any, consultant_actor: Actor, person: Person
) -> None:
    consent_give(
        actor=consultant_actor,
        person=person,
        purpose="job_alerts",
        via="portal",
        given_at=clock.now() - dt.timedelta(days=720),
    )
    other = make_candidate(consultant_actor, last_name="Lambrechts")
    objection_record(actor=consultant_actor, person=other, purpose="mediation", via="email")
    restriction_start(actor=consultant_actor, person=other, ground="unlawful", via="letter")
    assert staff_client(consultant).get("/privacy/").status_code == 403
    html = staff_client(dpo).get("/privacy/").content.decode()
    assert "Verbruggen" in html
    assert html.count("Lambrechts") == 2


@pytest.mark.req("R3.3")
def test_renewal_is_asked_ahead_of_expiry_once_in_the_persons_language(
    consultant_actor: Actor,
) -> None:
    person = make_candidate(
        consultant_actor, first_name="<b>Zoë</b>", last_name="Dupont", preferred_language="fr"
    )
    consent = consent_give(
        actor=consultant_actor, person=person, purpose="job_alerts", via="portal", language="fr"
    )
    assert consent.expires_on is not None
    too_early = consent.expires_on - dt.timedelta(days=45)
    assert daily_job(today=too_early) == {"asked": 0, "no_address": 0}
    in_window = consent.expires_on - dt.timedelta(days=20)
    with time_machine.travel(in_window, tick=False):
        assert list(consents_expiring(in_window)) == [consent]
        assert daily_job(today=in_window) == {"asked": 1, "no_address": 0}
        assert daily_job(today=in_window) == {"asked": 0, "no_address": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Je souhaite recevoir" in message.body
    html = message.alternatives[0][0]
    assert "&lt;b&gt;Zoë&lt;/b&gt;" in html
    assert "<b>Zoë</b>" not in html
    assert AuditEvent.objects.filter(action="consent.renewal_ask").count() == 1
