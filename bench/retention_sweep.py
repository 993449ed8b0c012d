"""Time the retention sweep on a generated database: work proportional to the people due.

    uv run python bench/generate.py --count 1000000          # 1% past their retention date
    uv run python bench/retention_sweep.py [--batch 500] [--rebuild]

Prints the people due, then times a dry run, the sweep itself (erasing them through the
registry, batch by batch, with the audit events) and a second sweep with nobody left due, which
shows what the sweep costs on a database of that size when there is nothing to do. The sweep
erases for real: generate the database again before measuring again. ``--rebuild`` builds the
search index first, so that erasure removes real index entries.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from candor.audit.services import audit_verify  # noqa: E402
from candor.core import clock  # noqa: E402
from candor.core.actor import Actor  # noqa: E402
from candor.people.models import Person  # noqa: E402
from candor.privacy.selectors import retention_due  # noqa: E402
from candor.privacy.sweep import retention_sweep  # noqa: E402
from candor.search.services import search_rebuild  # noqa: E402


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the retention sweep.")
    parser.add_argument("--batch", type=int, default=500, help="people per transaction")
    parser.add_argument("--rebuild", action="store_true", help="build the search index first")
    args = parser.parse_args(argv)
    actor = Actor.system("bench")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.rebuild:
        started = time.perf_counter()
        indexed = search_rebuild()
        print(f"search index: {indexed:,} candidates in {time.perf_counter() - started:.1f}s")

    people = Person.objects.count()
    today = clock.today()
    started = time.perf_counter()
    queue = retention_due(within_days=0)
    due = queue.count()
    first_page = queue[0:50]
    queue_ms = (time.perf_counter() - started) * 1000
    print(f"people {people:,}, due {due:,} ({due / max(people, 1):.2%})")
    print(f"review queue (count + first {len(first_page)} with rules): {queue_ms:.1f} ms")

    started = time.perf_counter()
    dry = retention_sweep(actor=actor, today=today, batch=args.batch, dry_run=True)
    dry_s = time.perf_counter() - started
    print(f"dry run: {dry.erased:,} would go in {dry_s:.1f}s")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = retention_sweep(actor=actor, today=today, batch=args.batch)
        sweep_s = time.perf_counter() - started
    print(
        f"sweep: {report.erased:,} erased, {report.moved:,} moved, {report.held:,} held "
        f"in {sweep_s:.1f}s ({report.erased / max(sweep_s, 1e-9):,.0f} people/s, "
        f"{len(queries.captured_queries):,} queries, "
        f"{len(queries.captured_queries) / max(report.erased, 1):.2f} per person)"
    )
    print(f"  by rule: {dict(report.by_rule)}")

    started = time.perf_counter()
    empty = retention_sweep(actor=actor, today=today, batch=args.batch)
    empty_ms = (time.perf_counter() - started) * 1000
    print(f"second sweep (nobody due): {empty.due} due in {empty_ms:.1f} ms")

    started = time.perf_counter()
    verified = audit_verify()
    print(
        f"audit verify: {'ok' if verified.ok else 'FAILED'} ({verified.checked:,} events) "
        f"in {time.perf_counter() - started:.1f}s"
    )


if __name__ == "__main__":
    main()
