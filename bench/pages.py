"""Server time and query count of the dossier and candidate list pages, and requests/s of the
candidate list under concurrent clients.

    uv run python bench/pages.py [--history 2000] [--runs 20] [--load 2000] [--concurrency 20]

Run it on a database filled by ``bench/generate.py`` (and ``candor search rebuild``). It adds
a staff account ``bench-consultant`` if missing, and ``--history`` audit events about one
candidate (so the dossier's history is long), then:

1. renders the dossier and the candidate list (plain and searched) ``--runs`` times each
   in-process through Django's test client (DEBUG off), reporting median/p95 milliseconds and
   the number of SQL queries;
2. serves the project with gunicorn (``--workers``, DEBUG off) and runs ApacheBench
   (``ab``, Debian's apache2-utils) with ``--concurrency`` clients for ``--load`` requests of
   the candidate list, signed in; reports requests/s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
os.environ["CANDOR_DEBUG"] = "false"
os.environ.setdefault("CANDOR_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from candor.accounts.models import Role, User  # noqa: E402
from candor.audit.services import Event, audit_record_many  # noqa: E402
from candor.core.actor import Actor  # noqa: E402
from candor.people.models import Person  # noqa: E402

USERNAME, PASSWORD = "bench-consultant", "bench-password-not-secret"


def consultant() -> User:
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_user(
            USERNAME, password=PASSWORD, role=Role.CONSULTANT, first_name="Bench"
        )
    return user


def long_history(person: Person, events: int) -> None:
    have = person_events(person)
    if have >= events:
        return
    actor = Actor.system("bench")
    with transaction.atomic():
        audit_record_many(
            actor=actor,
            events=[
                Event("view", "people.person", str(person.pk), str(person.pseudonym), {"n": i})
                for i in range(events - have)
            ],
        )


def person_events(person: Person) -> int:
    from candor.audit.models import AuditEvent

    return AuditEvent.objects.filter(subject=str(person.pseudonym)).count()


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm-up
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        queries = len(captured)
    times.sort()
    return statistics.median(times), times[round(0.95 * (len(times) - 1))], queries


def load(workers: int, requests: int, concurrency: int) -> str:
    ab = shutil.which("ab")
    if ab is None:
        return "ab not installed (apt-get install apache2-utils): load test skipped"
    env = {**os.environ, "CANDOR_DEBUG": "false"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "candor.wsgi", "-b", "127.0.0.1:8765",
         "-w", str(workers), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    try:
        client = Client()
        client.login(username=USERNAME, password=PASSWORD)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        for _ in range(50):
            probe = subprocess.run(  # noqa: S603
                [ab, "-n", "1", "-C", cookie, "http://127.0.0.1:8765/candidates/"],
                check=False,
                capture_output=True,
                text=True,
            )
            if probe.returncode == 0 and "Non-2xx" not in probe.stdout:
                break
            time.sleep(0.2)
        result = subprocess.run(  # noqa: S603
            [ab, "-n", str(requests), "-c", str(concurrency), "-C", cookie,
             "http://127.0.0.1:8765/candidates/"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        out = result.stdout
        rate = re.search(r"Requests per second:\s+([\d.]+)", out)
        failed = re.search(r"Failed requests:\s+(\d+)", out)
        non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
        p95 = re.search(r"\s95%\s+(\d+)", out)
        return (
            f"{requests} requests, {concurrency} concurrent, {workers} gunicorn workers: "
            f"{rate[1] if rate else '?'} requests/s, 95% within {p95[1] if p95 else '?'} ms, "
            f"failed {failed[1] if failed else '?'}, non-2xx {non2xx[1] if non2xx else 0}"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)

    consultant()
    candidates = Person.objects.filter(is_candidate=True)
    total = candidates.count()
    person = candidates.order_by("pk")[total // 2]
    long_history(person, args.history)
    print(f"{connection.vendor}: {total:,} candidates; dossier #{person.pk} has "
          f"{person_events(person):,} audit events")  # fmt: skip

    client = Client()
    if not client.login(username=USERNAME, password=PASSWORD):
        raise SystemExit("could not sign in the bench consultant")
    for label, url in (
        ("dossier", f"/candidates/{person.pk}/"),
        ("candidate list", "/candidates/"),
        ("list, searched", "/candidates/?function=engineer&language=fr&min_level=B1"),
        ("list, page 200", "/candidates/?page=200"),
    ):
        p50, p95, queries = measure(client, url, args.runs)
        print(f"{label:16} {url:60} median {p50:6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    if args.load:
        print(load(args.workers, args.load, args.concurrency))


if __name__ == "__main__":
    main()
