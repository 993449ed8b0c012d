"""The purpose gate's cost: ``may()`` for one person, and candidate search with and without it.

    uv run python bench/gate.py [--people 2000] [--repeat 5] [--held 1.0]

Run it on a database filled by ``bench/generate.py`` (search index built). It first gives
``--held`` percent of the candidates a restriction, an objection to matching or a consent (a
third each, written in bulk and removed again at the end), so the gate has rows to find. Then:

- ``may(person, purpose)`` for ``--people`` random candidates and every purpose of the policy
  (p50 / p95 / max in milliseconds; the target is 1 ms);
- ``gate.overview(person)`` (every purpose at once, as the privacy page asks);
- the 20 consultant queries of ``bench/search_latency.py`` through ``search_candidates``,
  interleaved: once as shipped and once with the gate's two entry points replaced by
  pass-throughs (``--repeat`` times each), p50 / p95 and the overhead (target: ≤ 10 %).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
os.environ["CANDOR_DEBUG"] = "false"  # as in production: no query log kept per statement
django.setup()
sys.path.insert(0, str(Path(__file__).parent))

from django.db import connection, transaction  # noqa: E402
from search_latency import QUERIES  # noqa: E402

from candor.core import clock  # noqa: E402
from candor.people.models import Person  # noqa: E402
from candor.privacy import gate  # noqa: E402
from candor.privacy.models import Consent, Objection, Restriction  # noqa: E402
from candor.privacy.policy import policy  # noqa: E402
from candor.search import services as search_services  # noqa: E402
from candor.search.services import CandidateSearch, search_candidates  # noqa: E402

MARK = "bench-gate"


def ms(samples: Sequence[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def hold(percent: float, rng: random.Random) -> list[int]:
    """Restrict, object or consent for ``percent`` % of the candidates (bulk rows)."""
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    wanted = int(Person.objects.filter(is_candidate=True).count() * percent / 100)
    chosen = sorted(rng.sample(range(1, last + 1), min(wanted, last)))
    now = clock.now()
    rules = policy().purpose("job_alerts").consent
    if rules is None:
        raise SystemExit("the policy has no job_alerts consent to hold")
    with transaction.atomic():
        Restriction.objects.bulk_create(
            Restriction(person_id=pk, ground="accuracy", via="email", note=MARK, started_at=now)
            for pk in chosen[0::3]
        )
        Objection.objects.bulk_create(
            Objection(person_id=pk, purpose="mediation", via="email", reason=MARK, received_at=now)
            for pk in chosen[1::3]
        )
        Consent.objects.bulk_create(
            Consent(
                person_id=pk,
                purpose="job_alerts",
                given_at=now,
                given_via="portal",
                text_version=rules.version,
                text_shown=rules.text.en,
                language="en",
                evidence=MARK,
            )
            for pk in chosen[2::3]
        )
    return chosen


def release() -> None:
    with transaction.atomic():
        Restriction.objects.filter(note=MARK).delete()
        Objection.objects.filter(reason=MARK).delete()
        Consent.objects.filter(evidence=MARK).delete()


def bench_may(people: list[int]) -> None:
    purposes = list(policy().purposes)
    for pk in people[:50]:  # warm-up
        gate.may(pk, purposes[0])
    samples = []
    for pk in people:
        for purpose in purposes:
            start = time.perf_counter()
            gate.may(pk, purpose)
            samples.append(time.perf_counter() - start)
    p50, p95, worst = ms(samples)
    print(f"may(): {len(samples)} calls  p50 {p50:.3f} ms  p95 {p95:.3f} ms  max {worst:.2f} ms")
    overview = []
    for pk in people:
        start = time.perf_counter()
        gate.overview(pk)
        overview.append(time.perf_counter() - start)
    p50, p95, worst = ms(overview)
    print(f"overview() ({len(purposes)} purposes): p50 {p50:.3f} ms  p95 {p95:.3f} ms")


def _search_all() -> list[float]:
    times = []
    for ask in QUERIES:
        start = time.perf_counter()
        search_candidates(CandidateSearch(**ask))
        times.append(time.perf_counter() - start)
    return times


def bench_search(repeat: int) -> None:
    with_gate: list[float] = []
    without: list[float] = []
    original = (search_services.allowed_ids, search_services.scope)

    def ungated() -> None:
        search_services.allowed_ids = lambda ids, **_: list(ids)
        search_services.scope = lambda qs, **_: qs

    def gated() -> None:
        search_services.allowed_ids, search_services.scope = original

    _search_all()  # warm-up
    for _ in range(repeat):  # interleaved, so drift of a noisy machine hits both alike
        gated()
        with_gate += _search_all()
        ungated()
        without += _search_all()
    gated()
    g50, g95, _ = ms(with_gate)
    n50, n95, _ = ms(without)
    print(f"search with the gate:    p50 {g50:.1f} ms  p95 {g95:.1f} ms")
    print(f"search without the gate: p50 {n50:.1f} ms  p95 {n95:.1f} ms")
    print(
        f"overhead: p50 {100 * (g50 / n50 - 1):+.1f} %  p95 {100 * (g95 / n95 - 1):+.1f} %  "
        f"total {100 * (sum(with_gate) / sum(without) - 1):+.1f} %"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--held", type=float, default=1.0, help="percent of candidates held")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    total = Person.objects.filter(is_candidate=True).count()
    print(f"{connection.vendor}, {total:,} candidates")
    release()
    held = hold(args.held, rng)
    print(f"held: {len(held):,} candidates (restricted, objecting or consenting)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    try:
        last = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
        people = [rng.randint(1, last) for _ in range(args.people // 2)] + held[: args.people // 2]
        rng.shuffle(people)
        bench_may(people)
        bench_search(args.repeat)
    finally:
        release()


if __name__ == "__main__":
    main()
