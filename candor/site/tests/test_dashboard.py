"""The dashboard: a consultant's work for today; counts, not people, for the DPO and the
administrator (R7.1). Bounded panels, a fixed number of queries, "today" from the one clock."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from candor.accounts.models import User
from candor.api.tests.factories import make_application, make_candidate, make_client, make_vacancy
from candor.core import clock
from candor.core.actor import Actor
from candor.guidance.models import GuidanceSession, Trajectory, TrajectoryKind
from candor.people.models import Person
from candor.people.services import ProvenanceSpec, person_viewed
from candor.recruitment.models import Application, Vacancy
from candor.recruitment.services import application_move, procedure_step_record
from candor.relations.models import Organisation

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = dt.datetime(2025, 3, 11, 9, 0, tzinfo=BRUSSELS)  # a Tuesday morning


@pytest.fixture(autouse=True)
def _tuesday_morning(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _home(user: User) -> str:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    response = client.get(reverse("site:home"))
    assert response.status_code == 200
    return response.content.decode()


def _panel(page: str, panel_id: str) -> str:
    return page.split(f'id="{panel_id}"', 1)[1].split("</section>", 1)[0]


def _rows(panel: str) -> int:
    return len(re.findall(r"<tbody>.*?</tbody>", panel, flags=re.S)[0].split("<tr>")) - 1


def _at(hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    return dt.datetime.combine(
        clock.today() + dt.timedelta(days=days), dt.time(hour, minute), BRUSSELS
    )


def _session(trajectory: Trajectory, consultant: User, held_at: dt.datetime, topic: str) -> None:
    GuidanceSession.objects.create(
        trajectory=trajectory,
        held_at=held_at,
        consultant=consultant,
        topic=topic,
        provenance=trajectory.provenance,
    )


def _trajectory(person: Person, consultant: User) -> Trajectory:
    return Trajectory.objects.create(
        person=person,
        kind=TrajectoryKind.CAREER_GUIDANCE,
        consultant=consultant,
        started_on=clock.today() - dt.timedelta(days=30),
        provenance=ProvenanceSpec(
            kind="agency", channel="form", recorded_by_id=consultant.pk
        ).row(),
    )


@pytest.fixture
def client_org(actor: Actor) -> Organisation:
    return make_client(actor, name="Logistiek Mertens")


@pytest.mark.req("R1.2")
def test_a_consultant_sees_their_open_vacancies_with_application_counts(
    consultant: User, colleague: User, actor: Actor, client_org: Organisation
) -> None:
    mine = make_vacancy(actor, client_org, title="Heftruckchauffeur")
    make_vacancy(actor, client_org, title="Gesloten vacature", status="closed")
    make_vacancy(Actor.for_user(colleague), client_org, title="Vacature van Luc")
    for person in [make_candidate(actor) for _ in range(3)]:
        make_application(actor, person, mine)
    application_move(actor=actor, application=Application.objects.first(), stage="screening")
    application_move(actor=actor, application=Application.objects.first(), stage="interview")

    panel = _panel(_home(consultant), "vacancies")

    assert "Heftruckchauffeur" in panel
    assert "Logistiek Mertens" in panel
    assert "Gesloten vacature" not in panel
    assert "Vacature van Luc" not in panel
    assert re.search(r'<td class="num">3</td>\s*<td class="num"><strong>2</strong>', panel)


@pytest.mark.req("R1.2")
def test_applications_waiting_on_the_consultant_come_oldest_first(
    consultant: User, colleague: User, actor: Actor, client_org: Organisation
) -> None:
    vacancy = make_vacancy(actor, client_org)
    theirs = make_vacancy(Actor.for_user(colleague), client_org)
    people = {
        name: make_candidate(actor, first_name=name, last_name="Test")
        for name in ("Recent", "Oldest", "Screening", "Interview", "Colleagues")
    }
    for name, days_ago in (("Recent", 1), ("Oldest", 9), ("Screening", 4), ("Interview", 12)):
        application = make_application(actor, people[name], vacancy)
        Application.objects.filter(pk=application.pk).update(
            applied_on=clock.today() - dt.timedelta(days=days_ago)
        )
    application_move(
        actor=actor,
        application=Application.objects.get(person=people["Screening"]),
        stage="screening",
    )
    interview = Application.objects.get(person=people["Interview"])
    application_move(actor=actor, application=interview, stage="screening")
    application_move(actor=actor, application=interview, stage="interview")
    make_application(Actor.for_user(colleague), people["Colleagues"], theirs)

    panel = _panel(_home(consultant), "waiting")

    names = re.findall(r">(\w+) Test</a>", panel)
    assert names == ["Oldest", "Screening", "Recent"]  # not in interview, not the colleague's
    assert "4\xa0days ago" in panel  # timesince keeps number and unit together


@pytest.mark.req("R1.2")
def test_todays_interviews_tests_and_sessions_follow_the_agency_clock(
    consultant: User, colleague: User, actor: Actor, client_org: Organisation
) -> None:
    vacancy = make_vacancy(actor, client_org)
    application = make_application(
        actor, make_candidate(actor, first_name="Ann", last_name="Step"), vacancy
    )
    for when, kind in (
        (_at(0, 30), "interview"),  # just after midnight in Brussels: still yesterday in UTC
        (_at(14), "aptitude_test"),
        (_at(23, 45, days=-1), "selection_test"),  # yesterday evening
        (_at(0, 15, days=1), "other_test"),  # tomorrow
    ):
        procedure_step_record(actor=actor, application=application, kind=kind, scheduled_at=when)
    guided = make_candidate(actor, first_name="Bo", last_name="Guided")
    trajectory = _trajectory(guided, consultant)
    _session(trajectory, consultant, _at(10), "CV review")
    _session(trajectory, consultant, _at(10, days=1), "Tomorrow's topic")
    _session(_trajectory(guided, colleague), colleague, _at(11), "Luc's session")

    page = _home(consultant)

    today = _panel(page, "today")
    assert re.findall(r"<strong>(\d\d:\d\d)</strong>", today) == ["00:30", "14:00"]
    assert "Interview" in today
    assert "Aptitude test" in today
    assert "Ann Step" in today
    assert "Selection test" not in today
    assert "Other test" not in today
    sessions = _panel(page, "sessions-today")
    assert "CV review" in sessions
    assert "Bo Guided" in sessions
    assert "Tomorrow" not in sessions
    assert "Luc" not in sessions
    assert "Tuesday 11 March 2025" in page


@pytest.mark.req("R1.2")
def test_panels_are_bounded_and_the_queries_do_not_grow_with_the_work(
    consultant: User, actor: Actor, client_org: Organisation, django_assert_max_num_queries: Any
) -> None:
    client = Client(headers={"accept-language": "en"})
    client.force_login(consultant)
    make_application(actor, make_candidate(actor), make_vacancy(actor, client_org))
    client.get("/")  # warm up
    with CaptureQueriesContext(connection) as few:
        client.get("/")

    vacancies = [make_vacancy(actor, client_org) for _ in range(12)]
    for vacancy in vacancies:
        make_application(actor, make_candidate(actor), vacancy)
    trajectory = _trajectory(make_candidate(actor), consultant)
    for n in range(12):
        _session(trajectory, consultant, _at(8 + n % 10, n), f"Topic {n}")
    with django_assert_max_num_queries(10):  # session, user, and two per panel
        page = client.get("/").content.decode()

    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
    assert _rows(_panel(page, "vacancies")) == 10
    assert _rows(_panel(page, "waiting")) == 10
    assert _rows(_panel(page, "sessions-today")) == 10
    assert '<span class="count">13</span>' in _panel(page, "vacancies")
    assert '<span class="count">12</span>' in _panel(page, "sessions-today")
    try:
        reverse("site:vacancies")
    except NoReverseMatch:  # the vacancies pages are not there: the page says how many it shows
        assert "The first 10 are shown." in _panel(page, "vacancies")
    else:
        assert "See all 13" in _panel(page, "vacancies")


def test_a_consultant_with_nothing_to_do_sees_empty_panels_that_say_so(consultant: User) -> None:
    page = _home(consultant)

    for text in (
        "No interviews or tests today.",
        "No guidance sessions today.",
        "No new applications to screen.",
        "You have no open vacancies.",
    ):
        assert text in page
    assert "Personal-data registry" not in page  # not a consultant's panel


@pytest.mark.req("R7.1")
def test_the_dpo_sees_counts_and_the_registry_but_no_candidate(
    dpo: User, consultant: User, actor: Actor, client_org: Organisation
) -> None:
    people = [make_candidate(actor, first_name="Zoë", last_name=f"Janssens{n}") for n in range(3)]
    make_application(actor, people[0], make_vacancy(actor, client_org, title="Magazijnier"))
    with transaction.atomic():
        person_viewed(actor=actor, person=people[0], where="backoffice")
        person_viewed(actor=actor, person=people[1], where="api")

    page = _home(dpo)

    oversight = _panel(page, "oversight")
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", oversight))
    assert figures["Candidates"] == "3"
    assert figures["Dossier views in the last 7 days"] == "2"
    assert figures["Dossier changes in the last 7 days"] == "3"  # three created
    assert reverse("site:registry") in page
    assert "Janssens" not in page
    assert "Magazijnier" not in page
    assert 'id="waiting"' not in page


@pytest.mark.req("R7.1")
def test_the_administrator_sees_accounts_and_the_registry_but_no_dossier_figures(
    administrator: User, consultant: User, colleague: User, dpo: User, actor: Actor
) -> None:
    make_candidate(actor, first_name="Zoë", last_name="Janssens")

    page = _home(administrator)

    accounts = _panel(page, "accounts")
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", accounts))
    assert figures["Consultant"] == "2"
    assert figures["Data protection officer"] == "1"
    assert figures["Administrator"] == "1"
    assert reverse("site:registry") in page
    assert 'id="oversight"' not in page
    assert "Janssens" not in page
    assert Vacancy.objects.count() == 0  # nothing to leak, and nothing written by looking
