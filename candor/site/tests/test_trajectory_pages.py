"""Outplacement and career-guidance trajectories in the back office: the list and its filters,
one trajectory with its sessions (opening it is audited), and the forms for a new trajectory, a
change and a session (R1.2, R7.1)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candor.api.tests.factories import make_candidate, make_client
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.guidance.models import GuidanceSession, Trajectory, TrajectoryKind, TrajectoryStatus
from candor.guidance.services import trajectory_update
from candor.guidance.tests.factories import make_session, make_trajectory
from candor.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def browser(consultant: Any) -> Client:
    client = Client(headers={"accept-language": "en"})  # messages are checked in English
    assert client.login(username=consultant.username, password=PASSWORD)
    return client


def _rows(response: Any) -> list[Any]:
    return list(response.context["page"].object_list)


# -- the list ------------------------------------------------------------------------------------


@pytest.mark.req("R1.2")
def test_the_list_filters_by_kind_status_consultant_and_sponsor(
    browser: Client, actor: Actor, colleague: Any
) -> None:
    sponsor = make_client(actor, name="Staalbedrijf Zuid")
    today = clock.today()
    mine = make_trajectory(actor, make_candidate(actor), sponsor=sponsor, started_on=today)
    guidance = make_trajectory(
        actor,
        make_candidate(actor),
        kind=TrajectoryKind.CAREER_GUIDANCE,
        started_on=today - dt.timedelta(days=1),
    )
    theirs = make_trajectory(
        actor,
        make_candidate(actor),
        consultant=colleague,
        status=TrajectoryStatus.COMPLETED,
        started_on=today - dt.timedelta(days=60),
        ended_on=today - dt.timedelta(days=2),
    )
    url = reverse("site:trajectories")

    assert _rows(browser.get(url)) == [mine, guidance, theirs]
    assert _rows(browser.get(url, {"kind": "outplacement"})) == [mine, theirs]
    assert _rows(browser.get(url, {"status": "completed"})) == [theirs]
    assert _rows(browser.get(url, {"mine": "1"})) == [mine, guidance]
    assert _rows(browser.get(url, {"sponsor": sponsor.pk})) == [mine]
    assert _rows(browser.get(url, {"kind": "nonsense", "sponsor": "x"})) == [mine, guidance, theirs]
    page = browser.get(url).content.decode()
    assert f'<option value="{sponsor.pk}">Staalbedrijf Zuid</option>' in page


@pytest.mark.req("R1.2")
def test_the_list_shows_the_number_of_sessions_and_the_next_one(
    browser: Client, actor: Actor
) -> None:
    person = make_candidate(actor)
    trajectory = make_trajectory(actor, person)
    make_session(actor, trajectory, held_at=clock.now() - dt.timedelta(days=7))
    make_session(actor, trajectory, held_at=clock.now() + dt.timedelta(days=14))
    soon = make_session(actor, trajectory, held_at=clock.now() + dt.timedelta(days=3)).held_at

    response = browser.get(reverse("site:trajectories"))

    row = _rows(response)[0]
    assert row.sessions_count == 3
    assert row.next_session == soon
    page = response.content.decode()
    assert reverse("site:dossier", args=[person.pk]) in page
    assert reverse("site:trajectory", args=[trajectory.pk]) in page


@pytest.mark.req("R1.2")
def test_the_list_is_paged_in_a_constant_number_of_queries(
    browser: Client, actor: Actor, django_assert_max_num_queries: Any
) -> None:
    people = [make_candidate(actor) for _ in range(28)]
    sponsor = make_client(actor)
    for person in people[:2]:
        make_session(actor, make_trajectory(actor, person, sponsor=sponsor))
    url = reverse("site:trajectories")
    with django_assert_max_num_queries(7) as few:
        browser.get(url)
    for person in people[2:]:
        make_session(actor, make_trajectory(actor, person, sponsor=sponsor))

    with django_assert_max_num_queries(7) as many:
        first = browser.get(url)

    assert len(many) == len(few)
    assert len(_rows(first)) == 25
    assert len(_rows(browser.get(url, {"page": 2}))) == 3
    assert "Page 1 of 2" in first.content.decode()


# -- one trajectory ------------------------------------------------------------------------------


@pytest.mark.req("R1.2", "R7.1")
def test_opening_a_trajectory_is_recorded_in_the_audit_trail(
    browser: Client, actor: Actor, consultant: Any, dpo: Any
) -> None:
    person = make_candidate(actor)
    trajectory = make_trajectory(actor, person)
    url = reverse("site:trajectory", args=[trajectory.pk])

    assert browser.get(url).status_code == 200
    reader = Client()
    reader.force_login(dpo)
    assert reader.get(url).status_code == 200

    views = AuditEvent.objects.filter(action="view", object_type="guidance.trajectory")
    assert [(e.actor, e.subject, e.object_id) for e in views.order_by("seq")] == [
        (f"staff:{consultant.pk}", str(person.pseudonym), str(trajectory.pk)),
        (f"staff:{dpo.pk}", str(person.pseudonym), str(trajectory.pk)),
    ]


@pytest.mark.req("R1.2")
def test_sessions_are_paged_newest_first_and_their_notes_escaped(
    browser: Client, actor: Actor
) -> None:
    trajectory = make_trajectory(
        actor, make_candidate(actor), goal=f"Doel {SCRIPT}", started_on=dt.date(2024, 1, 1)
    )
    for n in range(23):
        make_session(
            actor,
            trajectory,
            held_at=dt.datetime(2024, 1, 2, 10, tzinfo=dt.UTC) + dt.timedelta(days=n),
            topic=f"Sessie {n:02d}",
            notes=f"Notitie {SCRIPT}",
        )
    url = reverse("site:trajectory", args=[trajectory.pk])

    first = browser.get(url)
    second = browser.get(url, {"page": 2})

    topics = [s.topic for s in first.context["sessions"].object_list]
    assert topics == [f"Sessie {n:02d}" for n in range(22, 2, -1)]
    assert [s.topic for s in second.context["sessions"].object_list] == [
        "Sessie 02",
        "Sessie 01",
        "Sessie 00",
    ]
    page = first.content.decode()
    assert SCRIPT not in page
    assert f"Notitie {html.escape(SCRIPT)}" in page
    assert f"Doel {html.escape(SCRIPT)}" in page
    assert "23 sessions" in page


# -- a new trajectory ----------------------------------------------------------------------------


def _new(person_id: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "person": person_id,
        "kind": "outplacement",
        "status": "active",
        "started_on": clock.today().isoformat(),
        "goal": "Een nieuwe job binnen zes maanden.",
    }
    return {**data, **overrides}


@pytest.mark.req("R1.2")
def test_a_person_from_the_dossier_is_preselected(browser: Client, actor: Actor) -> None:
    person = make_candidate(actor, first_name="Lotte", last_name="Janssens")

    response = browser.get(reverse("site:trajectory_new"), {"person": person.pk})

    page = response.content.decode()
    assert "Lotte Janssens" in page
    assert f'name="person" value="{person.pk}"' in page
    assert response.context["form"]["consultant"].value() == response.wsgi_request.user.pk


@pytest.mark.req("R1.2")
def test_without_a_person_the_form_asks_whom_it_is_for(browser: Client, actor: Actor) -> None:
    person = make_candidate(actor, first_name="Lotte", last_name="Janssens")
    make_candidate(actor, first_name="Pieter", last_name="Claes")
    url = reverse("site:trajectory_new")

    assert 'name="q"' in browser.get(url).content.decode()
    found = browser.get(url, {"q": "janss"})

    assert [p.pk for p in found.context["matches"]] == [person.pk]
    assert f'href="?person={person.pk}"' in found.content.decode()
    assert "not found" in browser.get(url, {"person": 999999}).content.decode()


@pytest.mark.req("R1.2", "R7.1")
def test_a_new_trajectory_is_saved_and_audited(
    browser: Client, actor: Actor, consultant: Any
) -> None:
    person = make_candidate(actor)
    sponsor = make_client(actor)

    response = browser.post(
        reverse("site:trajectory_new"),
        _new(person.pk, sponsor=sponsor.pk, consultant=consultant.pk),
    )

    trajectory = Trajectory.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("site:trajectory", args=[trajectory.pk])
    assert (trajectory.person, trajectory.sponsor, trajectory.consultant) == (
        person,
        sponsor,
        consultant,
    )
    assert trajectory.provenance.kind == "agency"
    event = AuditEvent.objects.get(action="create", object_type="guidance.trajectory")
    assert event.subject == str(person.pseudonym)
    assert "zes maanden" not in str(event.detail)


@pytest.mark.req("R1.2")
def test_an_inconsistent_trajectory_is_shown_per_field_and_not_saved(
    browser: Client, actor: Actor
) -> None:
    person = make_candidate(actor)
    supplier = make_client(actor, kind="supplier")
    url = reverse("site:trajectory_new")
    ended = (clock.today() - dt.timedelta(days=5)).isoformat()

    response = browser.post(url, _new(person.pk, status="completed", ended_on=ended))
    stopped = browser.post(url, _new(person.pk, status="stopped"))
    paid_by_a_supplier = browser.post(url, _new(person.pk, sponsor=supplier.pk))

    assert response.status_code == 200
    assert "before the start" in " ".join(response.context["form"].errors["ended_on"])
    assert "end date" in " ".join(stopped.context["form"].errors["ended_on"])
    assert "sponsor" in paid_by_a_supplier.context["form"].errors  # only clients are offered
    page = response.content.decode()
    assert "Een nieuwe job binnen zes maanden." in page  # what was typed stays
    assert 'class="field has-error"' in page
    assert not Trajectory.objects.exists()


# -- changing a trajectory -----------------------------------------------------------------------


def _edit(trajectory: Trajectory, **overrides: Any) -> dict[str, Any]:
    fields = {
        "kind": trajectory.kind,
        "status": trajectory.status,
        "sponsor": trajectory.sponsor_id or "",
        "consultant": trajectory.consultant_id or "",
        "started_on": trajectory.started_on.isoformat(),
        "ended_on": trajectory.ended_on.isoformat() if trajectory.ended_on else "",
        "goal": trajectory.goal,
    }
    data = {**fields, **{f"initial-{k}": v for k, v in fields.items()}}
    data["updated_at"] = trajectory.updated_at.isoformat()
    return {**data, **overrides}


@pytest.mark.req("R1.2", "R7.1")
def test_completing_a_trajectory_is_saved_and_audited_by_field_name(
    browser: Client, actor: Actor
) -> None:
    trajectory = make_trajectory(actor, make_candidate(actor))
    url = reverse("site:trajectory_edit", args=[trajectory.pk])
    assert browser.get(url).status_code == 200

    response = browser.post(
        url, _edit(trajectory, status="completed", ended_on=clock.today().isoformat())
    )

    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.status == TrajectoryStatus.COMPLETED
    event = AuditEvent.objects.get(action="update", object_type="guidance.trajectory")
    assert event.detail == {"fields": ["ended_on", "status"]}


@pytest.mark.req("R1.2", "R7.1")
def test_a_stale_change_is_refused_and_the_newer_save_survives(
    browser: Client, actor: Actor, colleague: Any
) -> None:
    trajectory = make_trajectory(actor, make_candidate(actor))
    opened = _edit(trajectory)
    trajectory_update(
        actor=Actor.for_user(colleague),
        trajectory=Trajectory.objects.get(pk=trajectory.pk),
        changes={"goal": "Hun doel"},
    )
    events = AuditEvent.objects.count()

    response = browser.post(
        reverse("site:trajectory_edit", args=[trajectory.pk]), {**opened, "goal": "Mijn doel"}
    )

    assert response.status_code == 200
    assert Trajectory.objects.get(pk=trajectory.pk).goal == "Hun doel"
    assert AuditEvent.objects.count() == events
    form = response.context["form"]
    assert "Someone else saved changes" in " ".join(form.non_field_errors())
    assert "Hun doel" in " ".join(form.errors["goal"])
    assert form["goal"].value() == "Mijn doel"


# -- sessions ------------------------------------------------------------------------------------


@pytest.mark.req("R1.2", "R7.1")
def test_a_session_is_recorded_and_audited(browser: Client, actor: Actor, consultant: Any) -> None:
    person = make_candidate(actor)
    trajectory = make_trajectory(actor, person, started_on=clock.today() - dt.timedelta(days=9))
    url = reverse("site:session_new", args=[trajectory.pk])
    assert browser.get(url).status_code == 200
    held = timezone.localtime(clock.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = browser.post(
        url,
        {
            "held_at": held,
            "duration_minutes": 90,
            "topic": "Bilan de compétences",
            "notes": f"Gesprek {SCRIPT}",
            "consultant": consultant.pk,
        },
    )

    assert response.status_code == 302
    session = GuidanceSession.objects.get()
    assert (session.trajectory, session.duration_minutes) == (trajectory, 90)
    event = AuditEvent.objects.get(object_type="guidance.session")
    assert event.subject == str(person.pseudonym)
    assert "Gesprek" not in str(event.detail)
    page = browser.get(reverse("site:trajectory", args=[trajectory.pk])).content.decode()
    assert f"Gesprek {html.escape(SCRIPT)}" in page
    assert SCRIPT not in page


@pytest.mark.req("R1.2")
def test_a_session_outside_the_trajectory_is_shown_per_field(browser: Client, actor: Actor) -> None:
    trajectory = make_trajectory(actor, make_candidate(actor), started_on=dt.date(2024, 3, 1))

    response = browser.post(
        reverse("site:session_new", args=[trajectory.pk]),
        {"held_at": "2024-02-20T10:00", "duration_minutes": 1000, "topic": "CV"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "before the start" in " ".join(errors["held_at"])
    assert "minutes" in " ".join(errors["duration_minutes"])
    assert 'value="CV"' in response.content.decode()
    assert not GuidanceSession.objects.exists()
