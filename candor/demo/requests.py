"""Demo subject requests: one of each kind, in every state the DPO meets — new in the inbox,
waiting for proof of identity, due this week, overdue, extended, and decided (an access report
sent, an erasure proven) — written through the real services, so the request screens, the
clock and the timelines have something to show."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import random

from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.notices import notice_email
from candor.rights.requests import (
    Concerns,
    request_ask_identity,
    request_decide,
    request_extend,
    request_open,
    request_verify,
)

# (kind, channel, days ago received, what happens next)
PLAN = (
    ("access", "email", 0, "new"),
    ("erasure", "letter", 2, "new"),
    ("portability", "email", 5, "identity"),
    ("rectification", "email", 26, "verified"),  # due within the week
    ("access", "portal", 41, "verified"),  # overdue
    ("objection", "email", 18, "extended"),
    ("access", "email", 12, "decided"),  # the report and the file sent
    ("erasure", "email", 9, "decided"),  # erased, and the proof on the request
)


def demo_requests(*, rng: random.Random, dpo: Actor, person_ids: list[int]) -> int:
    """Open the requests of ``PLAN`` about people picked from ``person_ids``, plus one from
    someone the agency does not know. Mail they send goes nowhere (the demo prints its staff
    accounts, not letters)."""
    people = Person.objects.in_bulk(rng.sample(person_ids, len(PLAN)))
    now = clock.now()
    with contextlib.redirect_stdout(io.StringIO()):
        for (kind, channel, days, then), person in zip(PLAN, people.values(), strict=True):
            request = request_open(
                actor=dpo,
                kind=kind,
                channel=channel,
                received_at=now - dt.timedelta(days=days, hours=rng.randint(1, 6)),
                requester_email=notice_email(person),
                concerns=Concerns(first_name=person.first_name, last_name=person.last_name),
                purpose="marketing" if kind == "objection" else "",
                details="",
            )
            if then == "identity":
                request_ask_identity(actor=dpo, request=request, note="")
                continue
            if then == "new":
                continue
            request = request_verify(actor=dpo, request=request, method="known_channel")
            if then == "extended":
                request_extend(
                    actor=dpo,
                    request=request,
                    months=1,
                    reason="Uw bezwaar betreft gegevens in drie kantoren; wij hebben meer "
                    "tijd nodig om ze allemaal na te gaan.",
                )
            elif then == "decided":
                request_decide(actor=dpo, request=request, outcome="fulfilled")
        request_open(
            actor=dpo,
            kind="access",
            channel="email",
            requester_email="onbekend.persoon@example.com",
            requester_name="Onbekende aanvrager",
        )
    return len(PLAN) + 1
