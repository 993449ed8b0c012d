"""The purpose gate (R3.1, R6.7, R6.8, R6.10): one answer per person and purpose, with reasons,
and the same rules applied in SQL for every feature that selects people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from candor.api.tests.factories import make_candidate, make_client
from candor.core import clock
from candor.core.actor import Actor
from candor.guidance.tests.factories import make_trajectory
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.privacy import gate
from candor.privacy.models import Objection
from candor.privacy.policy import policy
from candor.privacy.selectors import audience, mailing_recipients
from candor.privacy.services import (
    consent_give,
    consent_withdraw,
    objection_override,
    objection_record,
    objection_withdraw,
    restriction_lift,
    restriction_start,
)
from candor.relations.services import contact_person_create
from candor.search.services import CandidateSearch, search_candidates

pytestmark = [pytest.mark.django_db, pytest.mark.req("R3.1")]


@pytest.fixture
def actor(consultant: Any) -> Actor:
    return Actor.for_user(consultant)


def test_a_candidate_is_matched_on_legitimate_interest(actor: Actor) -> None:
    person = make_candidate(actor)
    decision = gate.may(person, "mediation")
    assert decision.allowed
    assert decision.code == "basis"
    assert "legitimate interest" in decision.reasons[0]


@pytest.mark.req("R6.7")
def test_restriction_stops_every_use_until_lifted(actor: Actor) -> None:
    person = make_candidate(actor)
    consent_give(actor=actor, person=person, purpose="job_alerts", via="portal")
    restriction = restriction_start(actor=actor, person=person, ground="accuracy", via="email")
    for purpose in policy().purposes:
        decision = gate.may(person, purpose)
        assert not decision.allowed, purpose
    assert gate.may(person, "mediation").code == "restricted"
    restriction_lift(actor=actor, restriction=restriction, reason="Birth date verified.")
    assert gate.may(person, "mediation").allowed
    assert gate.may(person, "job_alerts").allowed


@pytest.mark.req("R6.8")
def test_objection_to_matching_stops_it_until_compelling_grounds_are_documented(
    actor: Actor,
) -> None:
    person = make_candidate(actor)
    objection = objection_record(actor=actor, person=person, purpose="mediation", via="letter")
    assert gate.may(person, "mediation").code == "objection"
    with pytest.raises(ValidationError):
        objection_override(actor=actor, objection=objection, grounds="Because.")
    objection_override(
        actor=actor,
        objection=objection,
        grounds="Ongoing legal claim about the placement fee requires the procedure file.",
    )
    decision = gate.may(person, "mediation")
    assert decision.allowed
    assert any("compelling" in reason for reason in decision.reasons)


@pytest.mark.req("R6.8")
def test_objection_to_direct_marketing_always_wins(actor: Actor) -> None:
    person = make_candidate(actor)
    objection = objection_record(actor=actor, person=person, purpose="marketing", via="email")
    with pytest.raises(ValidationError, match="cannot be overridden"):
        objection_override(
            actor=actor,
            objection=objection,
            grounds="Our newsletter is important for every candidate in the database.",
        )
    decision = gate.may(person, "marketing")
    assert not decision.allowed
    assert "always" in decision.reasons[0]
    objection_withdraw(actor=actor, objection=Objection.objects.get(pk=objection.pk))
    assert gate.may(person, "marketing").allowed


def test_purposes_on_contract_need_the_contract(actor: Actor) -> None:
    person = make_candidate(actor)
    assert gate.may(person, "guidance").code == "no_contract"
    make_trajectory(actor, person)
    assert gate.may(person, "guidance").allowed
    assert gate.may(person, "contract").code == "not_concerned"


def test_contract_parties_are_processed_for_the_contract(actor: Actor) -> None:
    client = make_client(actor)
    contact = contact_person_create(
        actor=actor,
        organisation=client,
        source=ProvenanceSpec.parse("self", channel="form"),
        first_name="Sofie",
        last_name="Wouters",
        email="sofie.wouters@client.example.com",
    )
    assert gate.may(contact.person, "contract").allowed
    assert gate.may(contact.person, "mediation").code == "not_concerned"


@pytest.mark.req("R3.3", "R6.10")
def test_consent_purposes_follow_the_consent_given_withdrawn_and_expired(actor: Actor) -> None:
    person = make_candidate(actor)
    assert gate.may(person, "job_alerts").code == "consent_missing"
    consent = consent_give(actor=actor, person=person, purpose="job_alerts", via="portal")
    assert consent.text_version == policy().purpose("job_alerts").consent.version  # type: ignore[union-attr]
    assert gate.may(person, "job_alerts").allowed
    assert consent_withdraw(actor=actor, person=person, purpose="job_alerts", via="email") == 1
    assert gate.may(person, "job_alerts").code == "consent_withdrawn"
    consent_give(actor=actor, person=person, purpose="job_alerts", via="portal")
    assert consent.expires_on is not None
    with time_machine.travel(consent.expires_on + dt.timedelta(days=2), tick=False):
        assert gate.may(person, "job_alerts").code == "consent_expired"


def test_erased_people_are_refused_everything(actor: Actor) -> None:
    person = make_candidate(actor)
    Person.objects.filter(pk=person.pk).update(erased_at=clock.now())
    assert {gate.may(person, p).code for p in policy().purposes} == {"erased"}


def _people_in_every_state(actor: Actor) -> list[Person]:
    plain = make_candidate(actor)
    restricted = make_candidate(actor)
    restriction_start(actor=actor, person=restricted, ground="objection", via="phone")
    objecting = make_candidate(actor)
    objection_record(actor=actor, person=objecting, purpose="mediation", via="email")
    objection_record(actor=actor, person=objecting, purpose="marketing", via="email")
    overridden = make_candidate(actor)
    objection_override(
        actor=actor,
        objection=objection_record(
            actor=actor, person=overridden, purpose="mediation", via="email"
        ),
        grounds="The candidate's file is evidence in a pending dispute with the client.",
    )
    consenting = make_candidate(actor)
    consent_give(actor=actor, person=consenting, purpose="job_alerts", via="portal")
    consent_give(actor=actor, person=consenting, purpose="talent_pool", via="email")
    withdrawn = make_candidate(actor)
    consent_give(actor=actor, person=withdrawn, purpose="job_alerts", via="portal")
    consent_withdraw(actor=actor, person=withdrawn, purpose="job_alerts", via="portal")
    guided = make_candidate(actor)
    make_trajectory(actor, guided)
    erased = make_candidate(actor)
    Person.objects.filter(pk=erased.pk).update(erased_at=clock.now())
    client = make_client(actor)
    contact = contact_person_create(
        actor=actor,
        organisation=client,
        source=ProvenanceSpec.parse("self", channel="form"),
        first_name="Jan",
        last_name="Claes",
        email="jan.claes@client.example.com",
    ).person
    return [
        plain,
        restricted,
        objecting,
        overridden,
        consenting,
        withdrawn,
        guided,
        erased,
        contact,
    ]


def test_the_sql_scope_agrees_with_may_for_every_purpose_and_state(actor: Actor) -> None:
    people = _people_in_every_state(actor)
    ids = [p.pk for p in people]
    for purpose in policy().purposes:
        in_sql = set(
            gate.scope(Person.objects.filter(pk__in=ids), purpose=purpose).values_list(
                "pk", flat=True
            )
        )
        one_by_one = {p.pk for p in people if gate.may(p, purpose).allowed}
        assert in_sql == one_by_one, purpose
        assert gate.allowed_ids(reversed(ids), purpose=purpose) == [
            pk for pk in reversed(ids) if pk in one_by_one
        ]
        # what the search index holds: live candidates only
        live = set(
            Person.objects.filter(is_candidate=True, erased_at=None).values_list("pk", flat=True)
        )
        indexed = [pk for pk in ids if pk in live]
        assert gate.allowed_ids(indexed, purpose=purpose, indexed=True) == [
            pk for pk in indexed if pk in one_by_one
        ], purpose


@pytest.mark.req("R6.7", "R6.8")
def test_restricted_and_objecting_candidates_never_appear_in_search(actor: Actor) -> None:
    people = [make_candidate(actor, desired_function="Boekhouder") for _ in range(4)]
    restriction_start(actor=actor, person=people[1], ground="accuracy", via="email")
    objection_record(actor=actor, person=people[2], purpose="mediation", via="letter")
    for query in (CandidateSearch(function="boekhouder"), CandidateSearch()):
        shown = {p.pk for p in search_candidates(query).people}
        assert people[0].pk in shown
        assert people[3].pk in shown
        assert people[1].pk not in shown
        assert people[2].pk not in shown
    assert search_candidates(CandidateSearch(function="boekhouder")).total == 2


@pytest.mark.req("R6.8", "R6.10")
def test_mailings_and_profiling_reach_only_whom_the_gate_allows(actor: Actor) -> None:
    people = _people_in_every_state(actor)
    plain, restricted, objecting, _o, consenting, withdrawn, *_rest = people
    alerts = set(mailing_recipients("candidate_mailing").values_list("pk", flat=True))
    assert alerts == {consenting.pk}
    profiled = set(audience("profiling").values_list("pk", flat=True))
    assert plain.pk in profiled
    assert objecting.pk not in profiled
    assert restricted.pk not in profiled
    assert withdrawn.pk in profiled  # withdrawing job alerts is not an objection to marketing
    shared = set(audience("client_sharing").values_list("pk", flat=True))
    assert objecting.pk not in shared
    assert restricted.pk not in shared
    assert plain.pk in shared


def test_the_dossier_overview_answers_every_purpose(actor: Actor) -> None:
    person = make_candidate(actor)
    answers = gate.overview(person)
    assert [d.purpose.key for d in answers] == list(policy().purposes)
    assert all(d.reasons for d in answers)


@pytest.mark.req("R6.7")
def test_the_candidate_count_never_counts_refused_people(
    actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from candor.search import services

    monkeypatch.setattr(services, "COUNT_CAP", 3)
    people = [make_candidate(actor) for _ in range(5)]
    restriction_start(actor=actor, person=people[0], ground="accuracy", via="email")
    objection_record(actor=actor, person=people[1], purpose="mediation", via="email")
    assert search_candidates(CandidateSearch()).total == 3  # three left: "3 or more"
    restriction_start(actor=actor, person=people[2], ground="accuracy", via="email")
    page = search_candidates(CandidateSearch())
    assert page.total == 2
    assert {p.pk for p in page.people} == {people[3].pk, people[4].pk}


def test_refusals_count_live_restrictions_and_objections_to_the_purpose(actor: Actor) -> None:
    restricted, objecting, lifted = (make_candidate(actor) for _ in range(3))
    assert gate.refusals(feature="search") == 0
    restriction_start(actor=actor, person=restricted, ground="accuracy", via="email")
    objection_record(
        actor=actor, person=objecting, purpose="mediation", via="email", reason="Geen vacatures."
    )
    done = restriction_start(actor=actor, person=lifted, ground="accuracy", via="email")
    restriction_lift(actor=actor, restriction=done, reason="Nagekeken.")

    assert gate.refusals(feature="search") == 2  # mediation can be objected to
    assert gate.refusals(purpose="job_alerts") is None  # consent decides, not refusals alone
    assert gate.refusals(purpose="contract") is None  # so does a running contract
