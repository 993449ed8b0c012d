"""Search latency over 20 realistic consultant queries, against the naive ``icontains`` query.

    uv run python bench/search_latency.py [--rebuild] [--repeat 5] [--baseline-repeat 1]

Run it on a database filled by ``bench/generate.py``. ``--rebuild`` first rebuilds the search
index (``candor search rebuild``'s code) and reports how long that took. Each query runs
through ``candor.search.services.search_candidates`` (index query, capped count and the page of
people: what the candidate list does), ``--repeat`` times after one warm-up; the baseline runs
the same words with ``icontains`` over the same fields and joins (first page of 25, distinct).
Prints p50/p95 in milliseconds for both and the ratio.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Q, QuerySet  # noqa: E402

from candor.people.models import Person  # noqa: E402
from candor.recruitment.models import CEFR_RANK  # noqa: E402
from candor.search.documents import _RANGES, EDUCATION_ORDER  # noqa: E402
from candor.search.services import CandidateSearch, search_candidates, search_rebuild  # noqa: E402
from candor.search.text import words  # noqa: E402

QUERIES: list[dict[str, Any]] = [
    # function + language (minimum level) + region
    {"function": "comptable", "language": "nl", "min_level": "B2", "province": "brussels"},
    {"function": "engineer", "language": "fr", "min_level": "B1", "province": "antwerp"},
    {"function": "manager", "language": "en", "min_level": "B2"},
    {"function": "teacher", "province": "east_flanders"},
    {"function": "ingénieur", "language": "nl", "min_level": "C1", "province": "liege"},
    {"skills": "python", "language": "en", "min_level": "B2"},
    {"skills": "sap", "function": "manager", "province": "flemish_brabant"},
    {"education": "master", "language": "fr", "min_level": "C1", "province": "hainaut"},
    # free text
    {"text": "excel boekhouding"},
    {"text": "heftruckattest logistiek"},
    {"text": "soudure permis"},
    {"text": "marketing seo photoshop"},
    {"text": "scrum linux developer"},
    {"text": "chargé de projet"},
    # names and name prefixes
    {"text": "janssens"},
    {"text": "jans"},
    {"text": "pee"},
    {"text": "dubois"},
    {"text": "lamb"},
    {"text": "maes", "province": "antwerp"},
]


def _province_q(province: str) -> Q:
    q = Q()
    for low, high, name in _RANGES:
        if name == province:
            q |= Q(addresses__postcode__gte=str(low), addresses__postcode__lte=str(high))
    return q


def naive(ask: dict[str, Any]) -> QuerySet[Person]:
    """What a first version would write: icontains over the same fields, joins for filters."""
    qs = Person.objects.filter(is_candidate=True)
    for word in words(ask.get("text", "")):
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(notes__icontains=word)
            | Q(candidate__desired_function__icontains=word)
            | Q(candidate__current_function__icontains=word)
            | Q(candidate__summary__icontains=word)
            | Q(experience__function__icontains=word)
            | Q(experience__employer__icontains=word)
            | Q(education__institution__icontains=word)
            | Q(education__diploma__icontains=word)
            | Q(skills__name__icontains=word)
        )
    for word in words(ask.get("function", "")):
        qs = qs.filter(
            Q(candidate__desired_function__icontains=word)
            | Q(candidate__current_function__icontains=word)
            | Q(experience__function__icontains=word)
        )
    for word in words(ask.get("skills", "")):
        qs = qs.filter(skills__name__icontains=word)
    if ask.get("language"):
        rank = CEFR_RANK[ask.get("min_level") or "A1"]
        levels = [lv for lv, r in CEFR_RANK.items() if r >= rank]
        qs = qs.filter(languages__language=ask["language"], languages__level__in=levels)
    if ask.get("education"):
        above = EDUCATION_ORDER[EDUCATION_ORDER.index(ask["education"]) :]
        qs = qs.filter(education__level__in=above)
    if ask.get("province"):
        qs = qs.filter(_province_q(ask["province"]))
    return qs.distinct().order_by("-id")


def first_page(ask: dict[str, Any]) -> list[Person]:
    return list(naive(ask)[:25])


def timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index first")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-repeat", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)

    candidates = Person.objects.filter(is_candidate=True).count()
    print(f"{connection.vendor}: {candidates:,} candidates")
    if args.rebuild:
        start = time.perf_counter()
        indexed = search_rebuild()
        seconds = time.perf_counter() - start
        print(f"index rebuilt: {indexed:,} candidates in {seconds:.1f} s")
        if connection.vendor == "postgresql":
            # What autovacuum would do after a load this size (it is off on the benchmark
            # server): statistics, the visibility map and hint bits for the fresh rows.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) search_candidate")
                cursor.execute("VACUUM (ANALYZE) search_word")

    fast: list[float] = []
    slow: list[float] = []
    print("| # | query | hits | search ms (median) | icontains ms |")
    print("|---:|---|---:|---:|---:|")
    for n, ask in enumerate(QUERIES, start=1):
        search = CandidateSearch(**ask)
        page = search_candidates(search)  # warm-up
        mine = [timed(functools.partial(search_candidates, search)) for _ in range(args.repeat)]
        fast.extend(mine)
        base: list[float] = []
        if not args.no_baseline:
            base = [timed(functools.partial(first_page, ask)) for _ in range(args.baseline_repeat)]
            slow += base
        hits = f"{page.total:,}{'+' if page.total_capped else ''}"
        base_text = f"{statistics.median(base):,.0f}" if base else "—"
        print(f"| {n} | `{ask}` | {hits} | {statistics.median(mine):.1f} | {base_text} |")
        sys.stdout.flush()
    p50, p95 = percentiles(fast)
    print(f"\nsearch:    p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(fast)} runs")
    if slow:
        b50, b95 = percentiles(slow)
        print(f"icontains: p50 {b50:,.0f} ms, p95 {b95:,.0f} ms over {len(slow)} runs")
        print(f"speed-up:  {b50 / p50:,.0f}x at p50, {b95 / p95:,.0f}x at p95")


if __name__ == "__main__":
    main()
