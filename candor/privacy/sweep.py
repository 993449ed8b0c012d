"""The retention sweep (R5.1): erase everyone whose retention date has passed.

1. People without a date (``kept_until`` is NULL: created by a path that did not compute it, or
   before retention existed) get one, in batches (``retention_refresh``): the sweep heals them.
2. The people due (``kept_until < today``, not erased) are read through the partial index
   ``person_kept_until``: the work is proportional to the people due, not to the database.
3. Batch by batch, each in its own transaction: the people are locked, their date is computed
   again from today's facts (a new contract, a recorded career end may have moved it; the new
   date is stored), and those still due are erased (``people_erase``, reason
   ``retention:<rule>``). People under a restriction the person asked for to keep their data
   (legal claims, or restriction preferred to erasure: GDPR Art. 18(1)(b, c)) are held and
   reported, not erased.

A crash leaves every person untouched or fully erased (a batch commits whole or not at all), and
a re-run finishes the work: the people already erased are no longer due.

When you change what decides a retention date: change ``candor.privacy.retention``; the sweep
only asks it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.erasure import people_erase
from candor.privacy.models import Restriction, RestrictionGround
from candor.privacy.retention import retention_dates, retention_refresh

BATCH = 500
HOLDING_GROUNDS = (RestrictionGround.LEGAL_CLAIMS, RestrictionGround.UNLAWFUL)


@dataclass(slots=True)
class SweepReport:
    """Counts of one sweep; ``listed`` holds (person id, date, rule) of who went or, in a dry
    run, who would go."""

    today: dt.date
    dry_run: bool = False
    refreshed: int = 0  # people who had no date and got one
    due: int = 0
    erased: int = 0
    moved: int = 0  # due by their stored date, not any more by today's facts
    held: int = 0  # due, but under a restriction that keeps their data
    by_rule: Counter[str] = field(default_factory=Counter)
    listed: list[tuple[int, dt.date, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "refreshed": self.refreshed,
            "due": self.due,
            "erased": self.erased,
            "moved": self.moved,
            "held": self.held,
            "by_rule": dict(sorted(self.by_rule.items())),
        }


def _batches(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _refresh_missing(report: SweepReport, batch: int) -> list[int]:
    """Give a date to everyone without one; in a dry run, only compute it. Returns, for a dry
    run, the people whose computed date has passed (they would be due)."""
    missing = list(
        Person.objects.filter(kept_until=None, erased_at=None)
        .order_by()
        .values_list("pk", flat=True)
    )
    would_be_due = []
    for ids in _batches(sorted(missing), batch):
        if report.dry_run:
            dates = retention_dates(ids)
            would_be_due += [pk for pk in ids if dates[pk][0] < report.today]
        else:
            with transaction.atomic():
                retention_refresh(ids)
        report.refreshed += len(ids)
    return would_be_due


def retention_due_ids(today: dt.date) -> list[int]:
    """People whose stored retention date is before ``today``, oldest date first."""
    return list(
        Person.objects.filter(kept_until__lt=today, erased_at=None)
        .order_by("kept_until", "pk")
        .values_list("pk", flat=True)
    )


def _sweep_batch(actor: Actor, ids: list[int], report: SweepReport) -> None:
    today = report.today
    with transaction.atomic():
        if not report.dry_run:  # PostgreSQL: no edit of these people slips in meanwhile
            ids = list(
                Person.objects.select_for_update()
                .filter(pk__in=ids, erased_at=None)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        dates = retention_dates(ids)
        if not report.dry_run:
            retention_refresh(ids)
        due = [pk for pk in ids if pk in dates and dates[pk][0] < today]
        report.moved += len(ids) - len(due)
        held = set(
            Restriction.objects.filter(
                person_id__in=due, lifted_at=None, ground__in=HOLDING_GROUNDS
            ).values_list("person_id", flat=True)
        )
        report.held += len(held)
        by_rule: dict[str, list[int]] = {}
        for pk in due:
            if pk not in held:
                by_rule.setdefault(dates[pk][1], []).append(pk)
        for rule, pks in sorted(by_rule.items()):
            if not report.dry_run:
                people_erase(actor=actor, person_ids=pks, reason=f"retention:{rule}")
            report.erased += len(pks)
            report.by_rule[rule] += len(pks)
            report.listed += [(pk, dates[pk][0], rule) for pk in pks]


def retention_sweep(
    *,
    actor: Actor,
    today: dt.date | None = None,
    batch: int = BATCH,
    dry_run: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> SweepReport:
    """Erase everyone whose retention date is before ``today`` (R5.1), batch by batch, each in
    its own transaction; ``dry_run`` computes the same answer and changes nothing.
    ``on_start(due)`` and ``on_progress(done)`` feed a progress bar."""
    if batch < 1:
        raise ValueError("batch must be positive")
    report = SweepReport(today=today or clock.today(), dry_run=dry_run)
    extra = _refresh_missing(report, batch)
    due = retention_due_ids(report.today)
    known = set(due)
    due += [pk for pk in extra if pk not in known]
    report.due = len(due)
    if on_start:
        on_start(len(due))
    for ids in _batches(due, batch):
        _sweep_batch(actor, ids, report)
        if on_progress:
            on_progress(len(ids))
    return report


def daily_job(*, today: dt.date) -> dict[str, Any]:
    """The worker's daily run. Interrupted, it leaves each batch done or untouched; the next run
    (the worker retries a failed job) finishes it."""
    return retention_sweep(actor=Actor.system("retention"), today=today).as_dict()
