"""A sweep killed with SIGKILL (R5.1): no half-erased person, and the next run finishes.

The sweep runs as a separate ``candor`` process on its own SQLite database and is killed once
some of its batches have committed — at several moments (early, midway, late), each on a fresh
copy of the same prepared database. (On PostgreSQL the same guarantee rests on the same
per-batch transaction; ``test_sweep.py`` checks it on both databases with a failure injected.)
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.req("R5.1"),
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")), reason="kills a process on its own SQLite file"
    ),
]

PEOPLE = 400

SETUP = f"""
import datetime as dt
import django
django.setup()
from candor.api.tests.factories import make_candidates
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.retention import retention_refresh

people = make_candidates(Actor.system("test"), {PEOPLE})
ids = [p.pk for p in people]
Person.objects.filter(pk__in=ids).update(career_ended_on=clock.today() - dt.timedelta(days=5))
retention_refresh(ids)
"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=True
    )


def _states(db: Path) -> tuple[int, int, int]:
    """(erased, untouched, half-erased) people."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT p.erased_at IS NOT NULL, "
            "EXISTS (SELECT 1 FROM people_contactpoint c WHERE c.person_id = p.id) "
            "FROM people_person p"
        ).fetchall()
    erased = sum(1 for gone, has_contacts in rows if gone and not has_contacts)
    untouched = sum(1 for gone, has_contacts in rows if not gone and has_contacts)
    return erased, untouched, len(rows) - erased - untouched


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return env | {"CANDOR_DATA_DIR": str(folder), "DJANGO_SETTINGS_MODULE": "candor.settings"}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with PEOPLE people due for erasure, made once and copied per kill."""
    folder = tmp_path_factory.mktemp("sweep-prepared")
    env = _env(folder)
    _run(env, "-m", "django", "migrate", "--verbosity", "0")
    _run(env, "-c", SETUP)
    return folder


@pytest.mark.parametrize("kill_after", [2, 120, 320])  # people erased when the kill comes
def test_a_killed_sweep_leaves_nobody_half_erased_and_a_rerun_completes(
    prepared: Path, tmp_path: Path, kill_after: int
) -> None:
    if connection.vendor != "sqlite":  # pragma: no cover - guarded by the skip above
        pytest.skip("SQLite only")
    for file in prepared.glob("candor.sqlite3*"):  # the processes ended: WAL checkpointed
        shutil.copy(file, tmp_path / file.name)
    env = _env(tmp_path)
    db = tmp_path / "candor.sqlite3"

    sweep = subprocess.Popen(
        [sys.executable, "-m", "django", "retention", "sweep", "--batch", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            erased, _untouched, _half = _states(db)
            if erased >= kill_after:
                break
            time.sleep(0.01)
    finally:
        sweep.send_signal(signal.SIGKILL)
        sweep.wait()

    erased, untouched, half = _states(db)
    assert half == 0
    assert kill_after <= erased < PEOPLE, "the sweep should have been killed midway"
    assert erased + untouched == PEOPLE

    rerun = _run(env, "-m", "django", "retention", "sweep")
    assert f"{untouched} due, {untouched} erased" in rerun.stdout
    assert _states(db) == (PEOPLE, 0, 0)
    verify = _run(env, "-m", "django", "audit", "verify")
    assert verify.returncode == 0
