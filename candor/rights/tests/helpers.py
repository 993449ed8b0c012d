"""Shared helpers for the request tests: people written through the real services, and requests
opened at a given moment (time-machine)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from candor.api.tests.factories import make_candidate, unique_email
from candor.core.actor import Actor
from candor.people.models import Person
from candor.rights.models import SubjectRequest
from candor.rights.requests import Concerns, request_open

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    """A moment in Brussels (the agency's time zone)."""
    return dt.datetime(year, month, day, hour, 0, tzinfo=BRUSSELS)


def person_with_email(actor: Actor, **overrides: Any) -> tuple[Person, str]:
    email = unique_email("verzoek")
    return make_candidate(actor, emails=[email], **overrides), email


def open_request(
    actor: Actor,
    *,
    when: dt.datetime | None = None,
    kind: str = "access",
    email: str = "",
    channel: str = "email",
    **extra: Any,
) -> SubjectRequest:
    """A request from ``email`` (the person asking for themselves), opened at ``when``."""
    concerns = extra.pop("concerns", None)

    def make() -> SubjectRequest:
        return request_open(
            actor=actor,
            kind=kind,
            channel=channel,
            requester_email=email,
            concerns=concerns or Concerns(),
            **extra,
        )

    if when is None:
        return make()
    with time_machine.travel(when, tick=False):
        return make()
