"""Supervised in-house sessions (R4.2): who may open one, its time box, its scope, the gate, and
that every search and every dossier view is recorded with both names, in the trail and the
ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from candor.accounts.models import Role
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.disclosure.models import Disclosure
from candor.inhouse.models import SessionView, ViewKind
from candor.inhouse.services import (
    InhouseRefused,
    NoSession,
    open_session_of,
    require_session,
    session_close,
    session_dossier,
    session_open,
    session_search,
)
from candor.privacy.services import restriction_start

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.2")]

SEARCH = {"function": "heftruckchauffeur"}


def _open(world, consultant, **overrides):
    data = {
        "actor": Actor.for_user(consultant),
        "consultant": consultant,
        "client_user": world.client_user,
        "vacancy_ids": [world.vacancy.pk],
        "filters": ["function", "skills"],
    }
    data.update(overrides)
    return session_open(**data)


def test_a_session_opens_for_the_posted_consultant_and_lasts_the_policy_hours(
    world, consultant, time_machine
):
    time_machine.move_to(dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC), tick=False)

    session = _open(world, consultant)

    assert session.ends_at - session.opened_at == dt.timedelta(hours=2)
    assert open_session_of(world.client_user) == session
    event = AuditEvent.objects.get(action="inhouse.session_open")
    assert event.detail["consultant"] == f"staff:{consultant.pk}"
    assert event.detail["client_user"] == f"staff:{world.client_user.pk}"


def test_a_consultant_not_posted_at_the_client_cannot_open_a_session(world, colleague):
    with pytest.raises(ValidationError) as caught:
        _open(world, colleague)

    assert "not posted" in str(caught.value)
    assert open_session_of(world.client_user) is None


def test_a_user_of_another_organisation_cannot_be_given_a_session(world, consultant, make_user):
    outsider = make_user("hr.zuid", Role.INHOUSE_CLIENT, client=world.other_vacancy.client)

    with pytest.raises(ValidationError):
        _open(world, consultant, client_user=outsider)
    with pytest.raises(ValidationError) as caught:  # nor a vacancy of another client
        _open(world, consultant, vacancy_ids=[world.vacancy.pk, world.other_vacancy.pk])

    assert "own client" in str(caught.value)


def test_a_session_longer_than_the_policy_allows_is_refused(world, consultant):
    with pytest.raises(ValidationError) as caught:
        _open(world, consultant, hours=9)

    assert "hours" in caught.value.message_dict


def test_the_session_ends_by_itself(world, consultant, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC), tick=False)
    session = _open(world, consultant, hours=1)
    session_search(
        session=session, user=world.client_user, vacancy_id=world.vacancy.pk, filters=SEARCH
    )

    time_machine.move_to(dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC), tick=False)

    with pytest.raises(NoSession):
        require_session(world.client_user, where="test")
    with pytest.raises(NoSession):
        session_search(
            session=session, user=world.client_user, vacancy_id=world.vacancy.pk, filters=SEARCH
        )


def test_closed_by_the_consultant_the_next_request_is_refused(world, consultant):
    session = _open(world, consultant)
    found = session_search(
        session=session, user=world.client_user, vacancy_id=world.vacancy.pk, filters=SEARCH
    )
    views = SessionView.objects.count()
    ledger = Disclosure.objects.count()

    assert session_close(actor=Actor.for_user(consultant), session=session) is True

    with pytest.raises(NoSession):
        session_dossier(session=session, user=world.client_user, person_id=found.rows[0].person_id)
    assert SessionView.objects.count() == views
    assert Disclosure.objects.count() == ledger
    assert session_close(actor=Actor.for_user(consultant), session=session) is False


def test_a_vacancy_or_a_filter_outside_the_scope_is_refused(world, consultant):
    session = _open(world, consultant, filters=["function"])

    with pytest.raises(InhouseRefused, match="outside the scope"):
        session_search(
            session=session,
            user=world.client_user,
            vacancy_id=world.other_vacancy.pk,
            filters=SEARCH,
        )
    with pytest.raises(InhouseRefused, match="skills"):
        session_search(
            session=session,
            user=world.client_user,
            vacancy_id=world.vacancy.pk,
            filters={"skills": "heftruck"},
        )
    assert not SessionView.objects.exists()


def test_a_candidate_no_search_listed_cannot_be_opened(world, consultant, actor):
    from candor.api.tests.factories import make_candidate

    stranger = make_candidate(actor, desired_function="Boekhouder")
    session = _open(world, consultant)
    session_search(
        session=session, user=world.client_user, vacancy_id=world.vacancy.pk, filters=SEARCH
    )

    with pytest.raises(InhouseRefused, match="outside the scope"):
        session_dossier(session=session, user=world.client_user, person_id=stranger.pk)
    assert not Disclosure.objects.exists()


def test_a_restricted_candidate_never_appears(world, consultant, actor):
    restricted = world.candidates[0]
    restriction_start(actor=actor, person=restricted, ground="accuracy", via="email")
    session = _open(world, consultant)

    found = session_search(
        session=session, user=world.client_user, vacancy_id=world.vacancy.pk, filters=SEARCH
    )

    listed = {row.person_id for row in found.rows}
    assert listed == {p.pk for p in world.candidates[1:]}
    with pytest.raises(InhouseRefused):
        session_dossier(session=session, user=world.client_user, person_id=restricted.pk)


def test_every_search_and_view_is_recorded_with_both_names_in_trail_and_ledger(world, consultant):
    session = _open(world, consultant)
    found = session_search(
        session=session, user=world.client_user, vacancy_id=world.vacancy.pk, filters=SEARCH
    )
    person = next(p for p in world.candidates if p.pk == found.rows[0].person_id)

    shown = session_dossier(session=session, user=world.client_user, person_id=person.pk)

    search_view, dossier_view = SessionView.objects.order_by("at", "pk")
    assert search_view.kind == ViewKind.SEARCH
    assert search_view.query == SEARCH
    assert sorted(search_view.shown) == sorted(p.pk for p in world.candidates)
    assert dossier_view.kind == ViewKind.DOSSIER
    assert dossier_view.person_id == person.pk
    names = {"consultant": f"staff:{consultant.pk}", "client_user": f"staff:{world.client_user.pk}"}
    search_event = AuditEvent.objects.get(action="inhouse.search")
    view_event = AuditEvent.objects.get(action="inhouse.dossier_view")
    assert names.items() <= search_event.detail.items()
    assert names.items() <= view_event.detail.items()
    assert view_event.subject == str(person.pseudonym)
    assert view_event.actor == f"staff:{world.client_user.pk}"
    row = Disclosure.objects.get(person=person)
    assert row.organisation_id == world.client.pk
    assert row.reference == f"session:{session.pk}"
    assert row.channel == "portal"
    assert row.categories == ["career", "education"]
    assert row.content == shown.html
    assert person.last_name not in shown.text
    assert person.last_name not in shown.html


def test_a_client_user_cannot_use_another_users_session(world, consultant, make_user):
    session = _open(world, consultant)
    colleague_at_client = make_user("hr.haven2", Role.INHOUSE_CLIENT, client=world.client)

    with pytest.raises(NoSession):
        session_search(
            session=session, user=colleague_at_client, vacancy_id=world.vacancy.pk, filters=SEARCH
        )


def test_the_dossier_leaves_out_the_age_band_and_the_region(world, consultant, actor):
    from candor.api.tests.factories import make_candidate
    from candor.recruitment.records import AddressData

    person = make_candidate(
        actor,
        desired_function="Heftruckchauffeur",
        birth_date=dt.date(1990, 5, 17),
        address=AddressData(street="Kerkstraat 1", postcode="2000", city="Antwerpen"),
    )
    session = _open(world, consultant)
    session_search(
        session=session, user=world.client_user, vacancy_id=world.vacancy.pk, filters=SEARCH
    )

    shown = session_dossier(session=session, user=world.client_user, person_id=person.pk)

    assert "Heftruckchauffeur" in shown.text
    for never in ("Age", "Region", "Antwerp", "Kerkstraat", "1990"):
        assert never not in shown.text, never


def test_the_policy_refuses_in_house_categories_beyond_career_and_education():
    from candor.privacy import policy as policy_module

    shipped = policy_module.DEFAULT_POLICY.read_text(encoding="utf-8")
    assessing = shipped.replace(
        'categories = ["career", "education"]', 'categories = ["career", "assessment"]'
    )
    too_long = shipped.replace("session_hours = 2\n", "session_hours = 10\n")

    with pytest.raises(policy_module.PolicyError, match="never sees"):
        policy_module.parse_policy(assessing)
    with pytest.raises(policy_module.PolicyError, match="max_session_hours"):
        policy_module.parse_policy(too_long)


def test_a_session_ends_with_the_posting_or_the_consultants_account(world, consultant):
    session = _open(world, consultant)
    world.posting.ends_on = world.posting.starts_on  # the posting ended long ago
    world.posting.save(update_fields=["ends_on"])

    with pytest.raises(NoSession):
        require_session(world.client_user, where="test")

    world.posting.ends_on = None
    world.posting.save(update_fields=["ends_on"])
    assert require_session(world.client_user, where="test") == session
    consultant.is_active = False
    consultant.save(update_fields=["is_active"])
    with pytest.raises(NoSession):
        require_session(world.client_user, where="test")
