"""Writes for outplacement and career-guidance trajectories and their sessions (R1.2).

Every function takes a keyword-only ``actor``, checks the rules below and writes its audit event
in the same transaction as the change. Events name the person by pseudonym and list field names,
never values: goals and session notes are sensitive. Trajectories and sessions are records the
agency produces, so their provenance is the agency, recorded by the actor (R2.1).

Adding a field to ``Trajectory``: declare it in the registry, then add it to
``TRAJECTORY_FIELDS`` if a consultant may change it, and to ``_check_trajectory`` if it has a rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candor.accounts.models import Role, User
from candor.audit.services import audit_record
from candor.core.actor import Actor
from candor.core.editing import locked_unless_stale
from candor.guidance.models import GuidanceSession, Trajectory, TrajectoryStatus
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.privacy.notices import notice_first_contact
from candor.relations.models import Organisation, OrganisationKind

TRAJECTORY_FIELDS = ("kind", "status", "sponsor", "consultant", "started_on", "ended_on", "goal")
FOREIGN_KEYS = ("sponsor", "consultant")
ENDED = frozenset({TrajectoryStatus.COMPLETED, TrajectoryStatus.STOPPED})
SESSION_MINUTES = (5, 480)  # from a short phone call to a full-day assessment


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_consultant(consultant: User | None, errors: dict[str, list[str]]) -> None:
    if consultant is not None and (consultant.role != Role.CONSULTANT or not consultant.is_active):
        _add(errors, "consultant", _("Choose an active consultant."))


def _check_trajectory(trajectory: Trajectory) -> None:
    """The model's own rules plus: an end date exactly when the trajectory has ended, not before
    its start; the sponsor is a client; the consultant is an active consultant."""
    errors: dict[str, list[str]] = {}
    try:
        trajectory.full_clean(exclude=["provenance", "person"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    status, ended_on, started_on = trajectory.status, trajectory.ended_on, trajectory.started_on
    if status in ENDED and ended_on is None and "ended_on" not in errors:
        _add(errors, "ended_on", _("A completed or stopped trajectory needs its end date."))
    if status not in ENDED and ended_on is not None and "status" not in errors:
        _add(errors, "status", _("A trajectory with an end date is completed or stopped."))
    if ended_on is not None and started_on is not None and ended_on < started_on:
        _add(errors, "ended_on", _("The end date lies before the start date."))
    sponsor: Organisation | None = trajectory.sponsor
    if sponsor is not None and sponsor.kind not in {OrganisationKind.CLIENT, OrganisationKind.BOTH}:
        _add(errors, "sponsor", _("The sponsor must be a client."))
    _check_consultant(trajectory.consultant, errors)
    if errors:
        raise ValidationError(errors)


def trajectory_create(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    started_on: dt.date,
    status: str = TrajectoryStatus.ACTIVE,
    sponsor: Organisation | None = None,
    consultant: User | None = None,
    ended_on: dt.date | None = None,
    goal: str = "",
) -> Trajectory:
    """Start an outplacement or career-guidance trajectory for a person (R1.2).

    Side effects: one ``Provenance`` row (the agency, recorded by the actor) and one ``create``
    event naming the person by pseudonym and the fields filled in.
    """
    trajectory = Trajectory(
        person=person,
        kind=kind,
        status=status,
        sponsor=sponsor,
        consultant=consultant,
        started_on=started_on,
        ended_on=ended_on,
        goal=goal.strip(),
    )
    _check_trajectory(trajectory)
    source = ProvenanceSpec.by_staff(actor)
    with source.forgotten_on_rollback(), transaction.atomic():
        trajectory.provenance = source.row()
        trajectory.save()
        audit_record(
            actor=actor,
            action="create",
            object_type="guidance.trajectory",
            object_id=trajectory.pk,
            subject=str(person.pseudonym),
            detail={
                "source": source.code,
                "fields": sorted(n for n in TRAJECTORY_FIELDS if getattr(trajectory, n)),
            },
        )
    return trajectory


def _differs(current: Trajectory, name: str, value: Any) -> bool:
    if name in FOREIGN_KEYS:
        return getattr(current, f"{name}_id") != (value.pk if value is not None else None)
    return bool(getattr(current, name) != value)


def trajectory_update(
    *,
    actor: Actor,
    trajectory: Trajectory,
    changes: dict[str, Any],
    expected_updated_at: dt.datetime | None = None,
) -> list[str]:
    """Change a trajectory (R1.2); returns the names of the fields that changed.

    When ``expected_updated_at`` no longer matches the stored row, someone saved in between:
    ``StaleEdit`` is raised and nothing is written. The audit event lists field names only.
    """
    unknown = set(changes) - set(TRAJECTORY_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("This field cannot be changed.")))
    if isinstance(changes.get("goal"), str):
        changes = {**changes, "goal": changes["goal"].strip()}
    with transaction.atomic():
        current = locked_unless_stale(
            Trajectory.objects.select_related("person"), trajectory.pk, expected_updated_at
        )
        changed = [name for name, value in changes.items() if _differs(current, name, value)]
        if not changed:
            return []
        for name in changed:
            setattr(current, name, changes[name])
        _check_trajectory(current)
        current.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            object_type="guidance.trajectory",
            object_id=current.pk,
            subject=str(current.person.pseudonym),
            detail={"fields": sorted(changed)},
        )
    for name in [*changed, "updated_at"]:
        setattr(trajectory, name, getattr(current, name))
    return changed


def session_record(
    *,
    actor: Actor,
    trajectory: Trajectory,
    held_at: dt.datetime,
    duration_minutes: int = 60,
    topic: str = "",
    notes: str = "",
    consultant: User | None = None,
) -> GuidanceSession:
    """Record a held or planned guidance session of a trajectory (R1.2).

    The session falls within the trajectory (not before its start, not after its end) and lasts
    between 5 minutes and 8 hours. Side effects: one ``Provenance`` row (the agency) and one
    ``create`` event naming the person by pseudonym, the trajectory and the fields filled in;
    a notice still owed to the person becomes due now (first contact, R2.2).
    """
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    day = timezone.localtime(held_at).date()
    if day < trajectory.started_on:
        _add(errors, "held_at", _("The session lies before the start of the trajectory."))
    if trajectory.ended_on is not None and day > trajectory.ended_on:
        _add(errors, "held_at", _("The session lies after the end of the trajectory."))
    low, high = SESSION_MINUTES
    if not low <= duration_minutes <= high:
        _add(
            errors,
            "duration_minutes",
            _("A session lasts between %(low)s and %(high)s minutes.") % {"low": low, "high": high},
        )
    _check_consultant(consultant, errors)
    session = GuidanceSession(
        trajectory=trajectory,
        held_at=held_at,
        duration_minutes=duration_minutes,
        topic=topic.strip(),
        notes=notes.strip(),
        consultant=consultant,
    )
    try:
        session.full_clean(exclude=["provenance", "trajectory"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    source = ProvenanceSpec.by_staff(actor)
    with source.forgotten_on_rollback(), transaction.atomic():
        session.provenance = source.row()
        session.save()
        # a session means we are in touch: any notice still owed is due now (R2.2)
        notice_first_contact(actor=actor, person=trajectory.person)
        audit_record(
            actor=actor,
            action="create",
            object_type="guidance.session",
            object_id=session.pk,
            subject=str(trajectory.person.pseudonym),
            detail={
                "trajectory": trajectory.pk,
                "fields": sorted(
                    n
                    for n in ("held_at", "duration_minutes", "topic", "notes", "consultant")
                    if getattr(session, n)
                ),
            },
        )
    return session


def trajectory_viewed(*, actor: Actor, trajectory: Trajectory, where: str) -> None:
    """Record that a staff member opened a trajectory: its goal and session notes are personal
    data (DESIGN invariant 4)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="view",
            object_type="guidance.trajectory",
            object_id=trajectory.pk,
            subject=str(trajectory.person.pseudonym),
            detail={"where": where},
        )
