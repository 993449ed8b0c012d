"""Synthetic trajectories and sessions for tests, written through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from candor.accounts.models import User
from candor.core import clock
from candor.core.actor import Actor
from candor.guidance.models import GuidanceSession, Trajectory, TrajectoryKind
from candor.guidance.services import session_record, trajectory_create
from candor.people.models import Person


def make_trajectory(actor: Actor, person: Person, **overrides: Any) -> Trajectory:
    data: dict[str, Any] = {
        "kind": TrajectoryKind.OUTPLACEMENT,
        "started_on": clock.today() - dt.timedelta(days=30),
        "consultant": User.objects.get(pk=actor.user_id) if actor.user_id else None,
        "goal": "Een nieuwe job als logistiek bediende binnen zes maanden.",
    }
    data.update(overrides)
    return trajectory_create(actor=actor, person=person, **data)


def make_session(actor: Actor, trajectory: Trajectory, **overrides: Any) -> GuidanceSession:
    data: dict[str, Any] = {
        "held_at": clock.now() - dt.timedelta(days=1),
        "duration_minutes": 90,
        "topic": "Loopbaananalyse",
        "notes": "Sterke punten en werkpunten overlopen.",
    }
    data.update(overrides)
    return session_record(actor=actor, trajectory=trajectory, **data)
