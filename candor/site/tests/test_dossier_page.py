"""The dossier page: every section of R1.1/R1.2 with its source (R2.1), and the dossier's own
audit history, in a fixed number of queries however long the dossier and its history are."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate, make_client, make_vacancy
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.guidance.models import GuidanceSession, Trajectory, TrajectoryKind
from candor.people.models import Document, DocumentKind, Person
from candor.people.services import ProvenanceSpec, person_update, person_viewed
from candor.recruitment.records import AddressData, EducationData, ExperienceData
from candor.recruitment.services import application_create, procedure_step_record

pytestmark = pytest.mark.django_db

# The whole request: the signed-in user (1; the session comes from the cache); the person with
# their profile (1); contact points, addresses, languages and skills in one UNION (1); education,
# experience, documents, applications, their steps and trajectories with their session counts
# (6), every item joined to its source and who recorded it; recording the view: the audit head
# and the event (2, plus the savepoint pair the test's own transaction adds; a BEGIN outside
# tests); the newest events of the history (1; staff names come from the cache).
DOSSIER_QUERIES = 1 + 1 + 1 + 6 + 2 + 2 + 1


@pytest.fixture
def reader(client: Client, consultant: User) -> Client:
    client.force_login(consultant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # texts are checked in English
    return client


def _candidate(actor: Actor, **overrides: Any) -> Person:
    values: dict[str, Any] = {
        "first_name": "Hanne",
        "last_name": "Claeys",
        "birth_date": dt.date(1991, 4, 12),
        "gender": "f",
        "civil_status": "cohabiting",
        "nationality": "be",
        "preferred_language": "fr",
        "contact_channel": "phone",
        "contact_times": "weekdays after 17:00",
        "notes": "Driving licence B",
        "emails": ["hanne.claeys@example.com"],
        "mobiles": ["0478 12 34 56"],
        "address": AddressData(street="Meir", number="12", postcode="2000", city="Antwerpen"),
        "desired_function": "Accountant",
        "current_function": "Bookkeeping assistant",
        "current_employer": "Brouwerij Het Anker",
        "education": [
            EducationData(
                institution="KU Leuven",
                diploma="Master in Business Economics",
                level="master",
                ended_on=dt.date(2014, 6, 30),
            )
        ],
        "experience": [
            ExperienceData(
                function="Junior accountant",
                employer="Deloitte Test",
                started_on=dt.date(2014, 9, 1),
                ended_on=dt.date(2019, 1, 31),
            )
        ],
        "languages": {"nl": "native", "fr": "B2", "en": "C1"},
        "skills": ["SAP", "Excel"],
    }
    values.update(overrides)
    return make_candidate(actor, source="medium:LinkedIn", **values)


def _procedures(actor: Actor, consultant: User, person: Person, applications: int) -> None:
    client = make_client(actor, name="Logistiek Mertens")
    source = ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id)
    for n in range(applications):
        vacancy = make_vacancy(actor, client, title=f"Accountant {n}")
        application = application_create(actor=actor, person=person, vacancy=vacancy, source=source)
        for kind, score in (("interview", None), ("aptitude_test", Decimal("7.5"))):
            procedure_step_record(
                actor=actor,
                application=application,
                kind=kind,
                scheduled_at=clock.now() - dt.timedelta(days=n + 1),
                outcome="positive",
                score=score,
                report=f"Report {n} {kind}: strong analytical skills",
                test_name="Numerical reasoning" if score else "",
            )
    agency = ProvenanceSpec(kind="agency", channel="form", recorded_by_id=consultant.pk).row()
    for n in range(applications):
        trajectory = Trajectory.objects.create(
            person=person,
            kind=TrajectoryKind.OUTPLACEMENT,
            consultant=consultant,
            started_on=clock.today() - dt.timedelta(days=60),
            goal=f"Goal {n}: back to work in logistics",
            provenance=agency,
        )
        for m in range(3):
            GuidanceSession.objects.create(
                trajectory=trajectory,
                held_at=clock.now() - dt.timedelta(days=m),
                consultant=consultant,
                topic=f"Session topic {n}.{m}",
                notes="Went well",
                provenance=agency,
            )
    Document.objects.create(
        person=person,
        provenance=ProvenanceSpec.parse("self", channel="portal").row(),
        kind=DocumentKind.CV,
        file=f"documents/{person.pseudonym}/0123456789abcdef",
        original_name="CV Hanne Claeys.pdf",
        content_type="application/pdf",
        size=123_456,
        sha256="0" * 64,
    )


def _views(actor: Actor, person: Person, count: int) -> None:
    for _ in range(count):
        person_viewed(actor=actor, person=person, where="api")


def _dossier_url(person: Person) -> str:
    return reverse("site:dossier", args=[person.pk])


def _history_rows(html: str) -> list[str]:
    table = html.split('<table class="list history">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr class=\"action-[a-z_]+\">(.*?)</tr>", table, flags=re.S)


@pytest.mark.req("R1.1", "R1.2", "R2.1")
def test_the_dossier_shows_every_section_with_the_source_of_each_item(
    reader: Client, actor: Actor, consultant: User
) -> None:
    person = _candidate(actor)
    _procedures(actor, consultant, person, applications=1)

    page = reader.get(_dossier_url(person)).content.decode()

    for shown in (
        "12/04/1991",  # birth date, Belgian format
        "Female",
        "Legally cohabiting",
        "BE",
        "French",  # preferred language
        "Phone",  # preferred channel
        "weekdays after 17:00",
        "hanne.claeys@example.com",
        "+32478123456",
        "Meir 12, 2000 Antwerpen",
        "Master in Business Economics",
        "KU Leuven",
        "Junior accountant",
        "Deloitte Test",
        "Brouwerij Het Anker",  # current employer
        "Accountant",  # desired function
        "<strong>FR</strong> B2",
        "<strong>NL</strong> Native",
        "SAP",
        "Driving licence B",
        "CV Hanne Claeys.pdf",
        "Logistiek Mertens",
        "Aptitude test",
        "Numerical reasoning",
        "7,50",  # the score, with a decimal comma
        "Report 0 aptitude_test: strong analytical skills",
        "An Peeters",  # who held the step
        "Outplacement",
        "Goal 0: back to work in logistics",
        "3 sessions, the last on",  # sessions are counted here, listed on the trajectory
    ):
        assert shown in page, shown
    # Each item names its source: LinkedIn for what the import brought, the person for the CV
    # and the application, the agency for steps and sessions.
    badges = re.findall(r'<span class="source source-(\w+)"', page)
    assert badges.count("medium") >= 12
    assert "subject" in badges
    assert badges.count("agency") >= 2 + 1
    assert "LinkedIn" in page
    assert "Produced by the agency" in page


@pytest.mark.req("R1.1", "R7.1")
def test_the_dossier_history_names_who_did_what_without_the_values(
    reader: Client, actor: Actor, colleague: User
) -> None:
    person = _candidate(actor)
    person_update(
        actor=Actor.for_user(colleague),
        person=person,
        changes={"last_name": "Claeys-Peeters", "notes": "Secret note"},
    )

    page = reader.get(_dossier_url(person)).content.decode()

    rows = _history_rows(page)
    assert len(rows) == 3  # the creation, the colleague's change, this view
    newest, change, creation = rows
    assert "An Peeters" in newest
    assert "Viewed" in newest
    assert "Luc Dubois" in change
    assert "Changed" in change
    assert "surname" in change
    assert "additional information" in change
    assert "Created" in creation
    assert "medium:LinkedIn" in creation
    history = page.split('id="history"', 1)[1]
    assert "Secret note" not in history  # the trail names fields, never values
    assert "Claeys-Peeters" not in history.split("</h2>", 1)[1]


@pytest.mark.req("R1.1", "R1.2", "R7.1")
def test_the_dossier_takes_a_fixed_number_of_queries_however_long_it_and_its_history_are(
    reader: Client, actor: Actor, consultant: User, django_assert_max_num_queries: Any
) -> None:
    small = _candidate(actor, emails=["small@example.com"], mobiles=[])
    _procedures(actor, consultant, small, applications=1)  # one of everything
    reader.get(_dossier_url(small))  # warm up: sessions, content types, translations
    with CaptureQueriesContext(connection) as small_queries:
        assert reader.get(_dossier_url(small)).status_code == 200

    big = _candidate(
        actor,
        first_name="Ilse",
        emails=[f"big.{n}@example.com" for n in range(4)],
        skills=[f"Skill {n}" for n in range(12)],
    )
    _procedures(actor, consultant, big, applications=4)
    _views(actor, big, 150)

    with django_assert_max_num_queries(DOSSIER_QUERIES):
        response = reader.get(_dossier_url(big))
    with CaptureQueriesContext(connection) as big_queries:
        reader.get(_dossier_url(big))

    assert response.status_code == 200
    assert len(big_queries) == len(small_queries)
    page = response.content.decode()
    assert len(_history_rows(page)) == 10  # bounded, with a link to the rest
    assert reverse("site:dossier_history", args=[big.pk]) in page


@pytest.mark.req("R7.1")
def test_the_full_history_is_paginated_fifty_events_a_page_newest_first(
    reader: Client, actor: Actor, django_assert_max_num_queries: Any
) -> None:
    person = _candidate(actor)
    _views(actor, person, 119)  # with the creation: 120 events, then one per page view
    url = reverse("site:dossier_history", args=[person.pk])

    with django_assert_max_num_queries(12):
        first = reader.get(url).content.decode()
    third = reader.get(url, {"page": "3"}).content.decode()
    beyond = reader.get(url, {"page": "99"})

    assert len(_history_rows(first)) == 50
    assert "?page=2" in first
    assert "Newer" not in first
    # 120 events + the two page views before this one = 122: 50, 50, 22.
    rows = _history_rows(third)
    assert len(rows) == 22
    assert "Created" in rows[-1]  # the oldest event comes last
    assert "?page=2" in third
    assert "?page=4" not in third
    assert beyond.status_code == 200
    assert "Nothing has been recorded" in beyond.content.decode()


@pytest.mark.req("R7.1")
def test_opening_the_dossier_or_its_history_is_recorded_in_the_trail(
    reader: Client, actor: Actor, consultant: User
) -> None:
    person = _candidate(actor)

    reader.get(_dossier_url(person))
    reader.get(reverse("site:dossier_history", args=[person.pk]))

    views = AuditEvent.objects.filter(subject=str(person.pseudonym), action="view").order_by("seq")
    assert [(e.actor, e.detail["where"]) for e in views] == [
        (f"staff:{consultant.pk}", "backoffice"),
        (f"staff:{consultant.pk}", "backoffice:history"),
    ]


@pytest.mark.req("R7.1")
def test_events_by_the_system_are_named_as_such(reader: Client) -> None:
    person = _candidate(Actor.system("import"))

    page = reader.get(_dossier_url(person)).content.decode()

    assert "system (import)" in _history_rows(page)[-1]


def test_the_history_of_someone_who_is_no_candidate_is_not_found(
    reader: Client, actor: Actor
) -> None:
    person = _candidate(actor)
    Person.objects.filter(pk=person.pk).update(is_candidate=False)

    assert reader.get(reverse("site:dossier_history", args=[person.pk])).status_code == 404
    assert reader.get(reverse("site:dossier_history", args=[person.pk + 999])).status_code == 404


def test_empty_sections_say_so(reader: Client, actor: Actor) -> None:
    person = make_candidate(actor, first_name="Sam", last_name="Leeg")

    page = reader.get(_dossier_url(person)).content.decode()

    for text in ("No applications.", "No trajectories.", "No documents.", "No skills recorded."):
        assert text in page
    assert timezone.localdate(person.created_at).strftime("%d/%m/%Y") in page
