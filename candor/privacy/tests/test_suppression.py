"""Suppression (R6.11): after erasure on request or an objection to mediation, the person's
identifiers are kept only as keyed hashes, and every intake path refuses to collect them again
until the person comes back by themselves."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candor.api.tests.factories import candidate_record, make_candidate, unique_email
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.importer.formats.base import Item
from candor.importer.services import import_items
from candor.people.models import ContactPoint, Person
from candor.people.services import ProvenanceSpec
from candor.privacy.erasure import person_erase
from candor.privacy.models import Suppression, SuppressionLift, SuppressionReason
from candor.privacy.services import objection_override, objection_record, objection_withdraw
from candor.privacy.suppression import (
    SUPPRESSED,
    digest,
    suppress_person,
    suppression_lift_by_self,
    suppression_matches,
)
from candor.recruitment.intake import CREATED, REJECTED, candidates_write
from candor.recruitment.records import clean_candidate

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.11")]

PHONE = "+32470123456"


def _suppressed_person(actor: Actor, **extra: Any) -> tuple[Person, str]:
    email = unique_email("weg")
    person = make_candidate(actor, emails=[email], mobiles=["0470 12 34 56"], **extra)
    suppress_person(actor=actor, person=person, reason=SuppressionReason.ERASURE)
    person_erase(actor=actor, person=person, reason="request")
    return person, email


def _write(actor: Actor, **fields: Any) -> Any:
    record = clean_candidate(candidate_record(**fields), today=clock.today())
    source = ProvenanceSpec.parse("medium:Jobat", channel="import")
    return candidates_write(actor=actor, source=source, records=[record])[0]


def test_only_keyed_hashes_are_stored_never_the_identifier(actor: Actor) -> None:
    person, email = _suppressed_person(actor)
    rows = list(Suppression.objects.values("digest", "kind", "reason"))
    assert {r["kind"] for r in rows} == {"email", "phone"}
    assert all(r["reason"] == "erasure" for r in rows)
    stored = " ".join(r["digest"] for r in rows)
    assert email not in stored
    assert "470123456" not in stored
    assert digest("email", email) in stored
    events = AuditEvent.objects.filter(action="suppression.add")
    assert [e.subject for e in events] == [str(person.pseudonym)]
    assert email not in str(events[0].detail)


def test_the_digest_depends_on_the_key(settings: Any) -> None:
    before = digest("email", "jan@example.com")
    settings.SUPPRESSION_KEY = "another-secret-key"
    assert digest("email", "jan@example.com") != before


def test_without_a_key_in_production_the_list_refuses_to_work(settings: Any) -> None:
    settings.SUPPRESSION_KEY = ""
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="CANDOR_SUPPRESSION_KEY"):
        digest("email", "jan@example.com")


def test_matches_are_found_in_one_query_for_a_whole_batch(
    actor: Actor, django_assert_num_queries: Any
) -> None:
    _person, email = _suppressed_person(actor)
    emails = [unique_email() for _ in range(2000)] + [email]
    with django_assert_num_queries(1):
        found = suppression_matches(emails=emails, phones=[PHONE, "+32470999999"])
    assert found == {("email", email), ("phone", PHONE)}


def test_intake_asks_the_list_once_per_batch_whatever_its_size(actor: Actor) -> None:
    _person, email = _suppressed_person(actor)
    records = [
        clean_candidate(candidate_record(mobiles=[f"+3247{i:07d}"]), today=clock.today())
        for i in range(600)
    ]
    records.append(clean_candidate(candidate_record(emails=[email]), today=clock.today()))
    source = ProvenanceSpec.parse("medium:Jobat", channel="import")
    with CaptureQueriesContext(connection) as queries:
        outcomes = candidates_write(actor=actor, source=source, records=records)
    asked = [q for q in queries.captured_queries if "privacy_suppression" in q["sql"]]
    assert len(asked) == 1
    assert [o.message for o in outcomes].count(SUPPRESSED) == 1
    assert [o.status for o in outcomes].count(CREATED) == 600


def test_a_suppressed_record_is_not_stored_reported_and_logged_without_the_value(
    actor: Actor,
) -> None:
    _person, email = _suppressed_person(actor)
    people = Person.objects.count()
    outcome = _write(actor, emails=[email], first_name="Other", last_name="Name")
    assert (outcome.status, outcome.message) == (REJECTED, SUPPRESSED)
    assert Person.objects.count() == people
    assert not ContactPoint.objects.filter(normalised=email).exists()
    blocked = AuditEvent.objects.get(action="suppression.blocked")
    assert blocked.detail["kinds"] == ["email"]
    assert email not in str(blocked.detail)
    assert blocked.subject == ""


def test_a_phone_alone_is_enough_to_block(actor: Actor) -> None:
    _suppressed_person(actor)
    outcome = _write(actor, emails=[unique_email()], phones=["+32 470 12 34 56"])
    assert outcome.message == SUPPRESSED


def test_the_import_report_lists_the_suppressed_row_and_keeps_the_others(actor: Actor) -> None:
    _person, email = _suppressed_person(actor)
    items = [
        Item("row 2", candidate_record(emails=[unique_email()])),
        Item("row 3", candidate_record(emails=[email])),
        Item("row 4", candidate_record(emails=[unique_email()])),
    ]
    source = ProvenanceSpec.parse("medium:Jobat", channel="import")
    summary = import_items(items, actor=actor, source=source)
    assert summary.created == 2
    assert [(r.where, r.reason) for r in summary.rejected] == [("row 3", SUPPRESSED)]


def test_the_api_refuses_a_suppressed_candidate(
    actor: Actor, api_client: Any, consultant: Any
) -> None:
    _person, email = _suppressed_person(actor)
    response = api_client(consultant).post(
        "/api/v1/candidates",
        {"first_name": "Noor", "last_name": "Claes", "emails": [email], "source": "self"},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["detail"] == SUPPRESSED


def test_the_candidate_form_refuses_a_suppressed_candidate(
    actor: Actor, client: Any, consultant: Any
) -> None:
    _person, email = _suppressed_person(actor)
    client.force_login(consultant)
    people = Person.objects.count()
    response = client.post(
        reverse("site:candidate_new"),
        {"first_name": "Noor", "last_name": "Claes", "email": email, "source": "self"},
    )
    assert response.status_code == 200
    assert "may not be collected again" in response.content.decode()
    assert Person.objects.count() == people


def test_the_person_coming_back_by_themselves_lifts_it_with_consent(actor: Actor) -> None:
    _person, email = _suppressed_person(actor)
    with pytest.raises(ValidationError):
        suppression_lift_by_self(actor=actor, email=email, consent_evidence=" ")
    portal = Actor(ref="portal:registration")
    lifted = suppression_lift_by_self(
        actor=portal, email=email.upper(), phones=["0470123456"], consent_evidence="consent:42"
    )
    assert lifted == 2
    assert Suppression.objects.filter(lifted_at=None).count() == 0
    entry = Suppression.objects.get(kind="email")
    assert (entry.lifted_how, entry.lifted_reference) == ("self_registration", "consent:42")
    assert AuditEvent.objects.filter(action="suppression.lift").count() == 2
    assert _write(actor, emails=[email]).status == CREATED


def test_an_objection_to_mediation_suppresses_until_it_is_withdrawn(actor: Actor) -> None:
    email = unique_email()
    person = make_candidate(actor, emails=[email])
    objection = objection_record(actor=actor, person=person, purpose="mediation", via="email")
    assert Suppression.objects.get().reason == "objection"
    assert _write(actor, emails=[email]).message == SUPPRESSED
    objection_withdraw(actor=actor, objection=objection)
    assert Suppression.objects.get().lifted_how == SuppressionLift.OBJECTION_WITHDRAWN
    assert suppression_matches(emails=[email]) == set()


def test_overriding_an_objection_lifts_its_suppression(actor: Actor) -> None:
    email = unique_email()
    person = make_candidate(actor, emails=[email])
    objection = objection_record(actor=actor, person=person, purpose="mediation", via="email")
    objection_override(
        actor=actor, objection=objection, grounds="A court case about this placement is pending."
    )
    assert suppression_matches(emails=[email]) == set()


def test_an_objection_to_direct_marketing_does_not_suppress(actor: Actor) -> None:
    person = make_candidate(actor)
    objection_record(actor=actor, person=person, purpose="marketing", via="email")
    assert not Suppression.objects.exists()


def test_retention_erasure_does_not_suppress(actor: Actor) -> None:
    email = unique_email()
    person = make_candidate(actor, emails=[email])
    person_erase(actor=actor, person=person, reason="retention:candidate")
    assert suppression_matches(emails=[email]) == set()
    assert _write(actor, emails=[email]).status == CREATED


def test_suppressing_twice_adds_no_second_entry(actor: Actor) -> None:
    person = make_candidate(actor, emails=[unique_email()])
    assert suppress_person(actor=actor, person=person, reason="objection") == 1
    assert suppress_person(actor=actor, person=person, reason="erasure") == 0
    assert Suppression.objects.count() == 1


def test_a_profile_url_is_suppressed_in_its_normalised_form(actor: Actor) -> None:
    person = make_candidate(actor, urls=["https://www.linkedin.com/in/weg-123/"])
    suppress_person(actor=actor, person=person, reason=SuppressionReason.ERASURE)
    assert Suppression.objects.filter(kind="url").count() == 1
    outcome = _write(actor, emails=[unique_email()], urls=["linkedin.com/in/weg-123"])
    assert outcome.message == SUPPRESSED
