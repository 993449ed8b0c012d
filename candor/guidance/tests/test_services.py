"""Trajectories and sessions are validated, stored with the agency as their source and audited in
the same transaction, by field name and pseudonym only (R1.2, R2.1, R7.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from candor.api.tests.factories import make_candidate, make_client
from candor.audit.models import AuditEvent
from candor.audit.services import audit_verify
from candor.core import clock
from candor.core.actor import Actor
from candor.core.editing import StaleEdit
from candor.guidance.models import GuidanceSession, Trajectory, TrajectoryKind, TrajectoryStatus
from candor.guidance.services import (
    session_record,
    trajectory_create,
    trajectory_update,
    trajectory_viewed,
)
from candor.guidance.tests.factories import make_session, make_trajectory
from candor.people.models import Provenance

pytestmark = pytest.mark.django_db

GOAL = "Terug aan de slag als magazijnier <b>na</b> de herstructurering."


@pytest.fixture
def person(actor):
    return make_candidate(actor)


def _events(**filters):
    return AuditEvent.objects.filter(**filters).order_by("seq")


@pytest.mark.req("R1.2", "R2.1", "R7.1")
def test_a_new_trajectory_has_the_agency_as_source_and_one_audit_event_without_values(
    actor, consultant, person
):
    sponsor = make_client(actor)

    trajectory = trajectory_create(
        actor=actor,
        person=person,
        kind=TrajectoryKind.OUTPLACEMENT,
        started_on=clock.today(),
        sponsor=sponsor,
        consultant=consultant,
        goal=GOAL,
    )

    assert trajectory.provenance.kind == "agency"
    assert trajectory.provenance.recorded_by == consultant
    event = _events(object_type="guidance.trajectory").get()
    assert (event.action, event.object_id, event.subject) == (
        "create",
        str(trajectory.pk),
        str(person.pseudonym),
    )
    assert event.detail["fields"] == [
        "consultant",
        "goal",
        "kind",
        "sponsor",
        "started_on",
        "status",
    ]
    assert "herstructurering" not in str(event.detail)
    assert person.last_name not in str(event.detail)
    assert audit_verify().ok


@pytest.mark.req("R1.2")
@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ended_on": dt.date(2024, 1, 1), "status": TrajectoryStatus.COMPLETED}, "ended_on"),
        ({"status": TrajectoryStatus.STOPPED}, "ended_on"),
        ({"ended_on": dt.date(2024, 6, 1)}, "status"),
        ({"kind": "coaching"}, "kind"),
    ],
)
def test_inconsistent_trajectories_are_refused_per_field_and_nothing_is_written(
    actor, person, values, field
):
    provenances = Provenance.objects.count()
    events = AuditEvent.objects.count()
    data = {"kind": TrajectoryKind.CAREER_GUIDANCE, "started_on": dt.date(2024, 2, 1), **values}

    with pytest.raises(ValidationError) as refused:
        trajectory_create(actor=actor, person=person, **data)

    assert field in refused.value.message_dict
    assert not Trajectory.objects.exists()
    assert (Provenance.objects.count(), AuditEvent.objects.count()) == (provenances, events)


@pytest.mark.req("R1.2")
def test_the_sponsor_is_a_client_and_the_consultant_an_active_consultant(actor, person, dpo):
    supplier = make_client(actor, kind="supplier")

    with pytest.raises(ValidationError) as refused:
        trajectory_create(
            actor=actor,
            person=person,
            kind=TrajectoryKind.OUTPLACEMENT,
            started_on=clock.today(),
            sponsor=supplier,
            consultant=dpo,
        )

    assert set(refused.value.message_dict) == {"sponsor", "consultant"}


@pytest.mark.req("R1.2", "R7.1")
def test_an_update_is_audited_by_field_name_and_a_no_change_writes_nothing(actor, person):
    trajectory = make_trajectory(actor, person)
    before = AuditEvent.objects.count()

    assert (
        trajectory_update(actor=actor, trajectory=trajectory, changes={"goal": trajectory.goal})
        == []
    )
    assert AuditEvent.objects.count() == before

    changed = trajectory_update(
        actor=actor,
        trajectory=trajectory,
        changes={"status": TrajectoryStatus.COMPLETED, "ended_on": clock.today(), "goal": GOAL},
    )

    assert sorted(changed) == ["ended_on", "goal", "status"]
    trajectory.refresh_from_db()
    assert (trajectory.status, trajectory.goal) == (TrajectoryStatus.COMPLETED, GOAL)
    event = _events(action="update", object_type="guidance.trajectory").get()
    assert event.detail == {"fields": ["ended_on", "goal", "status"]}
    assert event.subject == str(person.pseudonym)


@pytest.mark.req("R1.2")
def test_an_update_is_checked_with_the_same_rules_as_a_new_trajectory(actor, person):
    trajectory = make_trajectory(actor, person)

    with pytest.raises(ValidationError) as refused:
        trajectory_update(
            actor=actor, trajectory=trajectory, changes={"status": TrajectoryStatus.STOPPED}
        )

    assert "ended_on" in refused.value.message_dict
    trajectory.refresh_from_db()
    assert trajectory.status == TrajectoryStatus.ACTIVE


@pytest.mark.req("R1.2")
def test_fields_outside_the_trajectory_cannot_be_changed(actor, person, make_user):
    trajectory = make_trajectory(actor, person)

    with pytest.raises(ValidationError) as refused:
        trajectory_update(actor=actor, trajectory=trajectory, changes={"person": person})

    assert "person" in refused.value.message_dict


@pytest.mark.req("R1.2", "R7.1")
def test_a_stale_update_is_refused_and_the_newer_save_survives(actor, person, colleague):
    trajectory = make_trajectory(actor, person)
    loaded_version = trajectory.updated_at
    theirs = Trajectory.objects.get(pk=trajectory.pk)
    trajectory_update(
        actor=Actor.for_user(colleague), trajectory=theirs, changes={"goal": "Hun versie"}
    )
    events = AuditEvent.objects.count()

    with pytest.raises(StaleEdit) as refused:
        trajectory_update(
            actor=actor,
            trajectory=trajectory,
            changes={"goal": "Mijn versie"},
            expected_updated_at=loaded_version,
        )

    assert refused.value.current.goal == "Hun versie"
    assert Trajectory.objects.get(pk=trajectory.pk).goal == "Hun versie"
    assert AuditEvent.objects.count() == events


@pytest.mark.req("R1.2", "R2.1", "R7.1")
def test_a_session_is_stored_with_its_source_and_audited_without_its_notes(
    actor, consultant, person
):
    trajectory = make_trajectory(actor, person)

    session = session_record(
        actor=actor,
        trajectory=trajectory,
        held_at=clock.now() - dt.timedelta(days=2),
        duration_minutes=75,
        topic="Netwerken",
        notes="Vertrouwelijk: <script>alert(1)</script>",
        consultant=consultant,
    )

    assert session.provenance.kind == "agency"
    assert session.provenance.recorded_by == consultant
    event = _events(object_type="guidance.session").get()
    assert event.subject == str(person.pseudonym)
    assert event.detail == {
        "trajectory": trajectory.pk,
        "fields": ["consultant", "duration_minutes", "held_at", "notes", "topic"],
    }
    assert "Vertrouwelijk" not in str(event.detail)
    assert audit_verify().ok


@pytest.mark.req("R1.2")
def test_a_session_falls_within_its_trajectory_and_lasts_a_plausible_time(actor, person):
    trajectory = make_trajectory(
        actor,
        person,
        started_on=dt.date(2024, 3, 1),
        ended_on=dt.date(2024, 6, 30),
        status=TrajectoryStatus.COMPLETED,
    )

    for held_at, field in (
        (dt.datetime(2024, 2, 28, 10, tzinfo=dt.UTC), "held_at"),
        (dt.datetime(2024, 7, 2, 10, tzinfo=dt.UTC), "held_at"),
    ):
        with pytest.raises(ValidationError) as refused:
            session_record(actor=actor, trajectory=trajectory, held_at=held_at)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        session_record(
            actor=actor,
            trajectory=trajectory,
            held_at=dt.datetime(2024, 4, 2, 10, tzinfo=dt.UTC),
            duration_minutes=2,
        )
    assert "duration_minutes" in refused.value.message_dict
    assert not GuidanceSession.objects.exists()


@pytest.mark.req("R1.2")
def test_a_session_on_the_first_day_in_brussels_is_within_the_trajectory(actor, person):
    # 23:30 UTC on the last day of February is already 1 March in Brussels.
    trajectory = make_trajectory(actor, person, started_on=dt.date(2024, 3, 1))

    session = make_session(
        actor, trajectory, held_at=dt.datetime(2024, 2, 29, 23, 30, tzinfo=dt.UTC)
    )

    assert session.pk


@pytest.mark.req("R7.1")
def test_opening_a_trajectory_is_recorded_by_pseudonym(actor, person):
    trajectory = make_trajectory(actor, person)

    trajectory_viewed(actor=actor, trajectory=trajectory, where="backoffice")

    event = _events(action="view").get()
    assert (event.object_type, event.object_id) == ("guidance.trajectory", str(trajectory.pk))
    assert (event.subject, event.detail) == (str(person.pseudonym), {"where": "backoffice"})
    assert event.actor == actor.ref
