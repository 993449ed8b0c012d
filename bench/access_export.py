"""The access export's cost: ``access_export(person)`` (the JSON builder) for random people.

    uv run python bench/access_export.py [--people 500] [--seed 7] [--render]

Run it on a database filled by ``bench/generate.py``. It picks ``--people`` random candidates,
builds each one's access export once to warm the caches (connection, templates, translations),
then times ``access_export`` for each, and prints p50 / p95 / max in milliseconds and the SQL
statements per export (the target: 200 ms at 1M candidates on both databases; the design is a
fixed number of indexed queries per person, at most one per declared model; each statement of
one export is checked with ``EXPLAIN`` and any that scans a table is printed). ``--render`` also
times the JSON serialisation. Nothing is written: the builder only reads, so the run records no
delivery (``access_deliver`` would add one ledger row and one audit event per person).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Sequence

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
os.environ["CANDOR_DEBUG"] = "false"  # as in production: no query log kept per statement
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from candor.people.models import Person  # noqa: E402
from candor.rights.access import access_export, render_json  # noqa: E402
from candor.rights.dossier import sections  # noqa: E402


def ms(samples: Sequence[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def pick(count: int, rng: random.Random) -> list[int]:
    """Random existing candidates, found through the primary key (no scan of the table)."""
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    chosen: list[int] = []
    while len(chosen) < count and last:
        wanted = {rng.randint(1, last) for _ in range(count * 2)}
        chosen += list(
            Person.objects.filter(pk__in=wanted, is_candidate=True).values_list("pk", flat=True)
        )
    return chosen[:count]


def scanned(sql: str) -> bool:
    """Whether this statement needs a full scan of a table (the captured SQL has its parameters
    inlined, which is fine for EXPLAIN)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return False
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = [str(row[-1]) for row in cursor.fetchall()]
            return any(p.startswith("SCAN") and "INDEX" not in p for p in plan)
        # PostgreSQL rightly scans a table it knows to be empty or tiny (the ledger, consents on
        # a generated database): ask whether an index *can* serve the statement instead.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = [str(row[0]) for row in cursor.fetchall()]
        cursor.execute("RESET enable_seqscan")
        return any("Seq Scan" in line for line in plan)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--render", action="store_true", help="also time the JSON rendering")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    people = pick(args.people, rng)
    if not people:
        raise SystemExit("no candidates: fill the database with bench/generate.py first")
    print(
        f"{connection.vendor}, {Person.objects.order_by().count():,} people, {len(people)} sampled"
    )
    with CaptureQueriesContext(connection) as queries:
        access_export(people[0])
    print(
        f"SQL statements per export: {len(queries.captured_queries)} ({len(sections())} sections)"
    )
    scans = [q["sql"] for q in queries.captured_queries if scanned(q["sql"])]
    print(f"statements that scan a table: {len(scans)}")
    for sql in scans:
        print(f"  {sql[:160]}")
    for person_id in people[:20]:  # warm-up
        access_export(person_id)
    built: list[float] = []
    rendered: list[float] = []
    rows = 0
    for person_id in people:
        start = time.perf_counter()
        export = access_export(person_id)
        built.append(time.perf_counter() - start)
        rows += sum(len(s["rows"]) for s in export["sections"])
        if args.render:
            start = time.perf_counter()
            render_json(export)
            rendered.append(time.perf_counter() - start)
    p50, p95, top = ms(built)
    print(
        f"access_export: p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {top:.1f} ms  "
        f"({rows / len(people):.1f} rows per person)"
    )
    if rendered:
        p50, p95, top = ms(rendered)
        print(f"render_json:   p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {top:.1f} ms")


if __name__ == "__main__":
    main()
