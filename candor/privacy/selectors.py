"""Reading people for a feature, through the purpose gate (DESIGN invariant 2).

Every feature that picks people — search, matching, mailings, client sharing, profiling — starts
from ``audience(feature)`` (or ``candor.privacy.gate.scope`` on its own query set), never from a
bare ``Person`` query set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import OuterRef, QuerySet, Subquery

from candor.core import clock
from candor.people.models import ContactKind, ContactPoint, Person
from candor.privacy.gate import scope


def audience(feature: str) -> QuerySet[Person]:
    """Everyone the gate allows for ``feature``, as a query set to narrow further."""
    return scope(Person.objects.all(), feature=feature)


def mailing_recipients(feature: str) -> QuerySet[Person]:
    """People a mailing for ``feature`` may go to, each with ``email``: their primary (else
    first) e-mail address; people without one are left out."""
    email = (
        ContactPoint.objects.filter(person=OuterRef("pk"), kind=ContactKind.EMAIL)
        .order_by("-is_primary", "pk")
        .values("value")[:1]
    )
    return audience(feature).annotate(email=Subquery(email)).exclude(email=None)


def desk_counts(today: dt.date) -> dict[str, Any]:
    """What waits on the DPO's privacy desk, counted (the dashboard's privacy panel)."""
    from candor.privacy.consents import consents_expiring
    from candor.privacy.models import Objection, ObjectionStatus, Restriction
    from candor.privacy.notices import notices_open, notices_overdue
    from candor.privacy.policy import policy

    overridable = [p.key for p in policy().purposes.values() if not p.direct_marketing]
    counts: dict[str, Any] = {
        "consents_expiring": consents_expiring(today).count(),
        "objections": Objection.objects.filter(
            status=ObjectionStatus.ACTIVE, purpose__in=overridable
        ).count(),
        "restrictions": Restriction.objects.filter(lifted_at=None).count(),
        "retention_due": retention_due(today=today).count(),
        "notices_overdue": notices_overdue(today).count(),
        "notices_open": notices_open(today).count(),
    }
    return counts


@dataclass(frozen=True, slots=True)
class Due:
    """A person in the retention review queue: the stored date, and the rule (and date) that
    today's facts give — different when something changed since (the sweep re-checks)."""

    person: Person
    kept_until: dt.date
    rule: str
    computed: dt.date
    held: bool  # a restriction the person asked for keeps their data (the sweep holds them)


class RetentionQueue:
    """People whose retention date falls before a day, oldest first; sliced (paginated) without
    reading the rest: the rule is computed only for the slice read."""

    def __init__(self, people: QuerySet[Person]) -> None:
        self.people = people

    def count(self) -> int:
        return self.people.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Due]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Due: ...
    @overload
    def __getitem__(self, index: slice) -> list[Due]: ...
    def __getitem__(self, index: int | slice) -> Due | list[Due]:
        if isinstance(index, int):
            return self._read(slice(index, index + 1))[0]
        return self._read(index)

    def _read(self, index: slice) -> list[Due]:
        from candor.privacy.models import Restriction
        from candor.privacy.retention import retention_dates
        from candor.privacy.sweep import HOLDING_GROUNDS

        people = list(self.people[index])
        ids = [p.pk for p in people]
        dates = retention_dates(ids)
        held = set(
            Restriction.objects.filter(
                person_id__in=ids, lifted_at=None, ground__in=HOLDING_GROUNDS
            ).values_list("person_id", flat=True)
        )
        return [
            Due(p, p.kept_until or dt.date.min, dates[p.pk][1], dates[p.pk][0], p.pk in held)
            for p in people
            if p.pk in dates
        ]


def retention_due(
    *, within_days: int | None = None, today: dt.date | None = None
) -> RetentionQueue:
    """The people the sweep will erase within ``within_days`` days (default: the policy's
    ``retention.review_days``), those already past their date first (R5.1). Read through the
    partial index on ``kept_until``: proportional to the people due."""
    from candor.privacy.policy import policy

    days = policy().retention.review_days if within_days is None else within_days
    limit = (today or clock.today()) + dt.timedelta(days=days)
    return RetentionQueue(
        Person.objects.filter(erased_at=None, kept_until__lt=limit).order_by("kept_until", "pk")
    )
