"""Time erasure with its proof scan, one person at a time, on a generated database.

    uv run python bench/generate.py --count 100000
    uv run python bench/erasure_proof.py [--people 50] [--seed 7] [--rebuild] [--no-free-text]

Picks ``--people`` random candidates not yet erased and erases each with
``candor.privacy.proof.erase_with_proof`` (suppression, erasure through the registry, the proof
scan of committed state, the audit event), as a subject request would. Prints p50 / p95 / max
of the whole call, of the scan alone, the rows each part of the scan read, and checks that every
scan came back clean. ``--no-free-text`` leaves out the streamed free-text columns, the one
part whose cost grows with the database. It erases for real: generate again before measuring
again. ``--rebuild`` builds the search index first, so that erasure removes real entries.
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
django.setup()

from django.db import connection  # noqa: E402

from candor.core.actor import Actor  # noqa: E402
from candor.people.models import Person  # noqa: E402
from candor.privacy.proof import erase_with_proof  # noqa: E402
from candor.search.services import search_rebuild  # noqa: E402


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time erase_with_proof person by person.")
    parser.add_argument("--people", type=int, default=50, help="people to erase")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="build the search index first")
    parser.add_argument("--no-free-text", action="store_true", help="skip the free-text part")
    args = parser.parse_args(argv)
    actor = Actor.system("bench")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.rebuild:
        started = time.perf_counter()
        indexed = search_rebuild()
        print(f"search index: {indexed:,} candidates in {time.perf_counter() - started:.1f}s")

    people = Person.objects.count()
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(args.seed)
    chosen: list[int] = []
    while len(chosen) < args.people:  # random ids, without reading a million of them
        ids = [rng.randint(1, last) for _ in range(args.people * 2)]
        found = Person.objects.filter(pk__in=ids, erased_at=None, is_candidate=True)
        chosen += [pk for pk in found.values_list("pk", flat=True) if pk not in chosen]
    chosen = chosen[: args.people]
    print(f"people {people:,}; erasing {len(chosen)} one by one")

    totals, scans, unclean = [], [], 0
    scanned: dict[str, int] = {}
    for pk in chosen:
        started = time.perf_counter()
        _report, proof, _told = erase_with_proof(
            actor=actor, person_id=pk, free_text=not args.no_free_text
        )
        totals.append((time.perf_counter() - started) * 1000)
        scans.append(proof.duration_ms)
        unclean += not proof.clean
        scanned = proof.scanned
    print(f"last scan read: {scanned}")
    print(f"scans with residue: {unclean}")
    print()
    print("| | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for label, values in (("erase_with_proof", totals), ("proof scan alone", scans)):
        print(
            f"| {label} | {statistics.median(values):.1f} | {_quantile(values, 0.95):.1f} "
            f"| {max(values):.1f} |"
        )


if __name__ == "__main__":
    main()
