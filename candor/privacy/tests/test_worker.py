"""The worker (R5.1 and the other daily duties): each job once a day, whatever the number of
workers; failures recorded and retried; a missing job module never stops the others."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from candor.core import clock
from candor.privacy import jobs
from candor.privacy.models import JobRun
from candor.privacy.worker import ATTEMPTS, RETRY_AFTER, STALE_AFTER, load_job, run_due

pytestmark = [pytest.mark.django_db, pytest.mark.req("R5.1")]

CALLS: list[str] = []
FAIL = {"on": True}


def counting_job(*, today: dt.date) -> dict[str, Any]:
    CALLS.append(f"count {today}")
    return {"counted": 1}


def flaky_job(*, today: dt.date) -> dict[str, Any]:
    CALLS.append("flaky")
    if FAIL["on"]:
        raise ValueError("the value of someone's field")
    return {"ok": 1}


FAKE_JOBS = {
    "count": f"{__name__}:counting_job",
    "flaky": f"{__name__}:flaky_job",
    "missing": "candor.privacy.no_such_module:daily_job",
    "misnamed": f"{__name__}:no_such_function",
}


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()
    FAIL["on"] = True


def test_each_job_runs_once_a_day_and_failures_are_recorded_not_raised():
    today = clock.today()
    first = {r.job: r.status for r in run_due(today=today, jobs=FAKE_JOBS)}
    assert first == {"count": "done", "flaky": "failed", "missing": "failed", "misnamed": "failed"}
    again = {r.job: r.status for r in run_due(today=today, jobs=FAKE_JOBS)}
    assert set(again.values()) == {"skipped"}  # failures wait RETRY_AFTER before a retry
    assert [f"count {today}", "flaky"] == CALLS

    runs = {run.job: run.outcome for run in JobRun.objects.all()}
    assert runs["count"] == {"counted": 1, "attempt": 1}
    assert runs["flaky"] == {"error": "ValueError", "attempt": 1}  # no message: it may hold data
    assert runs["missing"]["error"] == "ModuleNotFoundError"
    assert "no_such_module" in runs["missing"]["message"]
    assert runs["misnamed"]["error"] == "AttributeError"


def test_a_failed_job_is_retried_later_the_same_day_then_the_next_day_anew():
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), tick=False) as traveller:
        today = clock.today()
        run_due(today=today, jobs={"flaky": FAKE_JOBS["flaky"]})
        traveller.shift(RETRY_AFTER)
        FAIL["on"] = False
        (ran,) = run_due(today=today, jobs={"flaky": FAKE_JOBS["flaky"]})
        assert (ran.status, ran.outcome) == ("done", {"ok": 1, "attempt": 2})
        traveller.shift(dt.timedelta(days=1))
        (ran,) = run_due(today=clock.today(), jobs={"flaky": FAKE_JOBS["flaky"]})
        assert ran.status == "done"
    assert JobRun.objects.filter(job="flaky").count() == 2


def test_a_job_that_keeps_failing_stops_after_the_last_attempt_of_the_day():
    with time_machine.travel(dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(ATTEMPTS + 2):
            run_due(today=clock.today(), jobs={"flaky": FAKE_JOBS["flaky"]})
            traveller.shift(RETRY_AFTER)
    assert CALLS.count("flaky") == ATTEMPTS


def test_a_run_left_by_a_dead_worker_is_taken_over_and_a_live_one_is_not():
    today = clock.today()
    JobRun.objects.create(job="count", day=today, started_at=clock.now())
    (ran,) = run_due(today=today, jobs={"count": FAKE_JOBS["count"]})
    assert ran.status == "skipped"  # another worker is on it
    JobRun.objects.filter(job="count").update(started_at=clock.now() - STALE_AFTER)
    (ran,) = run_due(today=today, jobs={"count": FAKE_JOBS["count"]})
    assert ran.status == "done"


def test_the_daily_jobs_name_functions_in_the_right_shape():
    for name, target in jobs.DAILY_JOBS.items():
        module, _, function = target.partition(":")
        assert module.startswith("candor."), name
        assert function, name
    assert load_job(jobs.DAILY_JOBS["retention_sweep"]).__name__ == "daily_job"


def test_worker_once_runs_what_is_due_and_exits(monkeypatch):
    monkeypatch.setattr(
        jobs, "DAILY_JOBS", {"count": FAKE_JOBS["count"], "gone": FAKE_JOBS["missing"]}
    )
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "count: done" in out.getvalue()
    assert "gone: failed" in out.getvalue()
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert out.getvalue() == ""


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="runs on its own SQLite file")
@pytest.mark.django_db(False)
def test_the_worker_stops_cleanly_on_sigterm(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"CANDOR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "candor.settings"}
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--verbosity", "0"],
        env=env,
        check=True,
        timeout=300,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "checking every" in process.stdout.readline()
        time.sleep(1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "worker: stopped" in out
    assert "SIGTERM" in err
