"""``candor worker``: runs each daily job (``candor.privacy.jobs.DAILY_JOBS``) once a day.

Each run is a ``JobRun`` row; its unique (job, day) constraint is the lock: the worker that
inserts the row runs the job, any other worker (or a restarted one) sees the row and leaves it.

- A job that succeeds is done for the day; its counts are in ``outcome``.
- A job that fails (an exception, or a module that cannot be imported) records the error in
  ``outcome`` (the exception type; the message only for configuration errors, which hold no
  personal data — the traceback goes to the log) and is retried the same day, at the first check
  ``RETRY_AFTER`` after the failure, at most ``ATTEMPTS`` times; the next day it runs anew. Every
  job is safe to re-run (``jobs.py``), so a retry finishes what a failure left.
- A run still marked as started after ``STALE_AFTER`` belongs to a worker that died: another
  worker takes it over.

Taking a failed or stale run over is one conditional UPDATE, so two workers never both win.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from candor.core import clock
from candor.privacy.models import JobRun

log = logging.getLogger(__name__)

RETRY_AFTER = dt.timedelta(minutes=15)
ATTEMPTS = 5
STALE_AFTER = dt.timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class Ran:
    """What one check did with one job."""

    job: str
    status: str  # "done" | "failed" | "skipped" (already done, running elsewhere, or waiting)
    outcome: dict[str, Any]


def load_job(target: str) -> Callable[..., dict[str, Any]]:
    """``"package.module:function"`` → the function (ImportError or AttributeError if absent)."""
    module_name, _, name = target.partition(":")
    if not name:
        raise ImportError(f"{target!r} is not 'module:function'")
    return getattr(importlib.import_module(module_name), name)


def _claim(job: str, today: dt.date) -> tuple[JobRun | None, int]:
    """The run this worker may start now, with its attempt number; None when it may not."""
    now = clock.now()
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=job, day=today, started_at=now, outcome={"attempt": 1})
        return run, 1
    except IntegrityError:
        pass
    found = JobRun.objects.filter(job=job, day=today).first()
    if found is None:  # pragma: no cover - removed between the two statements
        return None, 0
    run = found
    attempt = int(run.outcome.get("attempt", 1)) + 1
    failed = run.finished_at is not None and "error" in run.outcome
    retry = failed and attempt <= ATTEMPTS and run.finished_at + RETRY_AFTER <= now  # type: ignore[operator]
    stale = run.finished_at is None and run.started_at + STALE_AFTER <= now
    if not (retry or stale):
        return None, 0
    taken = JobRun.objects.filter(
        Q(pk=run.pk, started_at=run.started_at)
        & (Q(finished_at=run.finished_at) if run.finished_at else Q(finished_at=None))
    ).update(started_at=now, finished_at=None, outcome={"attempt": attempt})
    return (run, attempt) if taken else (None, 0)


def _error(exc: BaseException) -> dict[str, Any]:
    error: dict[str, Any] = {"error": type(exc).__name__}
    if isinstance(exc, ImportError | AttributeError):
        error["message"] = str(exc)[:300]  # configuration: a module or function name
    return error


def run_due(*, today: dt.date | None = None, jobs: Mapping[str, str] | None = None) -> list[Ran]:
    """Run every job not yet done today (and not running elsewhere); returns what happened."""
    from candor.privacy.jobs import DAILY_JOBS

    today = today or clock.today()
    results = []
    for job, target in (jobs if jobs is not None else DAILY_JOBS).items():
        run, attempt = _claim(job, today)
        if run is None:
            results.append(Ran(job, "skipped", {}))
            continue
        log.info("job %s: attempt %d for %s", job, attempt, today)
        try:
            outcome = dict(load_job(target)(today=today))
            status = "done"
        except Exception as exc:  # a failing job must not stop the others
            log.exception("job %s failed", job)
            outcome, status = _error(exc), "failed"
        outcome["attempt"] = attempt
        JobRun.objects.filter(pk=run.pk).update(finished_at=clock.now(), outcome=outcome)
        results.append(Ran(job, status, outcome))
    return results


def run_queued(*, jobs: Mapping[str, str] | None = None) -> list[Ran]:
    """Run each queue job once (``jobs.QUEUED_JOBS``: work people handed over, such as a queued
    mailing); a failure is logged and reported, and the next check tries again. The jobs keep
    their own state in their rows, so there is no run record and no lock here."""
    from candor.privacy.jobs import QUEUED_JOBS

    results = []
    for job, target in (jobs if jobs is not None else QUEUED_JOBS).items():
        try:
            outcome = dict(load_job(target)())
            status = "done" if any(outcome.values()) else "skipped"
        except Exception as exc:  # a failing queue must not stop the daily jobs
            log.exception("queue %s failed", job)
            outcome, status = _error(exc), "failed"
        results.append(Ran(job, status, outcome))
    return results
