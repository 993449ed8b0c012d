"""``candor import`` killed with SIGKILL at several moments (R1.1, R7.1): after every kill each
person in the database is whole (profile, provenance, audit ``create`` event, search entry — see
``candor.importer.tests.completeness``), the audit chain verifies, and a final re-run completes
the job with the expected totals.

The import runs as a real ``candor`` process on a database of its own — a SQLite file, or, when
``DATABASE_URL`` is set, a PostgreSQL database named after it with ``_kill`` appended — so the
kill hits committed and uncommitted batches as in production. The moments are drawn from a fixed
seed: the first after a random pause from the start, the next ones when a random number of new
people has been committed.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from faker import Faker

pytestmark = [pytest.mark.req("R1.1", "R7.1")]

PEOPLE = 10_000  # enough that the fastest import is still running when it is killed
BATCH = 20
SEEDS = (20260611, 20261130, 4242)  # four kills each; add seeds to explore more moments
CANDOR = str(Path(sys.executable).with_name("candor"))

COUNT = """
import json, django
django.setup()
from candor.importer.tests.completeness import half_written
from candor.people.models import Person
print(json.dumps({"people": Person.objects.count(), "problems": half_written()}))
"""


def _write_csv(path: Path) -> None:
    fake = Faker(["nl_BE", "fr_BE"])
    fake.seed_instance(20260611)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["first_name", "last_name", "email", "mobile", "city", "skills"])
        for n in range(PEOPLE):
            writer.writerow(
                [
                    fake.first_name(),
                    fake.last_name(),
                    f"kandidaat.{n}@example.com",
                    f"+3247{n:07d}",
                    fake.city(),
                    "Excel;Boekhouding",
                ]
            )


def _postgres_url(base: str) -> tuple[str, str]:
    """(URL of this test's own database, its name)."""
    parts = urlsplit(base)
    name = (parts.path.lstrip("/") or "candor") + "_kill"
    return urlunsplit(parts._replace(path="/" + name)), name


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment of the ``candor`` processes: a fresh, migrated database of their own."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"CANDOR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "candor.settings"}
    base = os.environ.get("DATABASE_URL", "")
    name = ""
    if base:
        import psycopg

        env["DATABASE_URL"], name = _postgres_url(base)
        server = urlunsplit(urlsplit(base)._replace(path="/postgres"))
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    _run(env, "migrate", "--verbosity", "0")
    yield env
    if name:
        import psycopg

        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script and arguments
        [CANDOR, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _state(env: dict[str, str]) -> dict:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", COUNT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _people(env: dict[str, str]) -> int:
    """People committed so far, read directly (polled while the import runs)."""
    query = "SELECT count(*) FROM people_person"
    if url := env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(query).fetchone()
    else:
        with sqlite3.connect(Path(env["CANDOR_DATA_DIR"]) / "candor.sqlite3", timeout=30) as conn:
            row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def _import_killed(env: dict[str, str], path: Path, *, pause: float, after: int) -> int:
    """Start an import; kill it after ``pause`` seconds, then once ``after`` more people are
    stored. Returns how many people there were when it was killed."""
    start = _people(env)
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [
            CANDOR,
            "import",
            str(path),
            "--format",
            "csv",
            "--source",
            "self",
            "--batch-size",
            str(BATCH),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its read-ahead process is killed with it
    )
    try:
        time.sleep(pause)
        deadline = time.monotonic() + 240
        while after and time.monotonic() < deadline and process.poll() is None:
            if _people(env) >= start + after:
                break
            time.sleep(0.01)
        assert process.poll() is None, "the import ended before it could be killed"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return _people(env)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_killed_import_leaves_nobody_half_written_and_a_rerun_completes(
    env: dict[str, str], tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)  # noqa: S311 - picks kill moments, nothing secret
    path = tmp_path / "kandidaten.csv"
    _write_csv(path)
    kills = [(rng.uniform(0.2, 1.5), 0)] + [(0.0, rng.randint(1, 200)) for _ in range(3)]

    counts = []
    for pause, after in kills:
        counts.append(_import_killed(env, path, pause=pause, after=after))
        state = _state(env)
        assert state["problems"] == [], (pause, after)
        verify = _run(env, "audit", "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr

    assert counts == sorted(counts)
    assert counts[-1] < PEOPLE, "the last import should have been killed midway"
    assert counts[-1] > 0, "some batches should have been committed before a kill"

    rerun = _run(env, "import", str(path), "--format", "csv", "--source", "self")
    assert rerun.returncode == 0, rerun.stderr
    stored_before = counts[-1]
    assert rerun.stdout.strip().splitlines()[-1] == (
        f"{PEOPLE} records: {PEOPLE - stored_before} created, 0 merged, "
        f"{stored_before} unchanged, 0 rejected"
    )
    final = _state(env)
    assert final == {"people": PEOPLE, "problems": []}
    assert _run(env, "audit", "verify").returncode == 0
