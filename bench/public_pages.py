"""Requests/s and p95 latency of the public vacancy list and a vacancy page, served by gunicorn
to concurrent anonymous clients.

    CANDOR_DATA_DIR=/tmp/candor-bench-web uv run --frozen python bench/public_pages.py \
        [--vacancies 2000] [--requests 3000] [--concurrency 16] [--workers 2]

It migrates the configured database if needed and tops it up to ``--vacancies`` open vacancies
(demo-style texts), then measures, in-process through Django's test client, the server time of
each page cold (empty cache) and warm, and finally serves the project with gunicorn (DEBUG off)
and sends ``--requests`` GETs per page from ``--concurrency`` concurrent connections of a small
asyncio client (HTTP/1.0, a new connection per request, like a browser's first visit). The
client runs on the same machine and takes part of its CPU: the figures are a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
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

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from faker import Faker  # noqa: E402

from candor.core import clock  # noqa: E402
from candor.demo.data import FUNCTIONS, PLACES, lang_of  # noqa: E402
from candor.demo.vacancy_texts import vacancy_description  # noqa: E402
from candor.recruitment.models import Vacancy, VacancyStatus  # noqa: E402
from candor.relations.models import Organisation  # noqa: E402

PORT = 8766


def top_up(wanted: int) -> int:
    """Open vacancies until there are ``wanted``; returns how many there are."""
    have = Vacancy.objects.filter(status=VacancyStatus.OPEN).count()
    if have >= wanted:
        return have
    rng = random.Random(7)
    fakers = {"nl": Faker("nl_BE"), "fr": Faker("fr_BE")}
    client, _ = Organisation.objects.get_or_create(
        name="Bench Client NV", defaults={"kind": "client", "sector": "logistiek"}
    )
    places = PLACES["nl"] + PLACES["fr"]
    start = Vacancy.objects.count()
    made = []
    for n in range(wanted - have):
        postcode, city = rng.choice(places)
        title = rng.choice(FUNCTIONS)
        lang = lang_of(postcode)
        made.append(
            Vacancy(
                client=client,
                reference=f"BENCH-{start + n:06d}",
                title=title,
                description=vacancy_description(
                    rng, fakers[lang], title=title, city=city, lang=lang
                ),
                postcode=postcode,
                city=city,
                opened_on=clock.today() - dt.timedelta(days=rng.randint(0, 120)),
            )
        )
    Vacancy.objects.bulk_create(made, batch_size=500)
    return wanted


def server_times(url: str, runs: int) -> tuple[float, float]:
    """Median milliseconds cold (cache emptied before each GET) and warm."""
    client = Client(headers={"accept-language": "nl"})
    cold, warm = [], []
    for _ in range(runs):
        cache.clear()
        started = time.perf_counter()
        if client.get(url).status_code != 200:
            raise SystemExit(f"{url} does not answer 200")
        cold.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        client.get(url)
        warm.append((time.perf_counter() - started) * 1000)
    return statistics.median(cold), statistics.median(warm)


async def _one(path: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept-Language: nl\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, (time.perf_counter() - started) * 1000


async def _load(path: str, requests: int, concurrency: int) -> tuple[float, float, int]:
    queue = iter(range(requests))
    latencies: list[float] = []
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for _ in queue:
            try:
                status, ms = await _one(path)
            except OSError:
                status, ms = 0, 0.0
            if status != 200:
                failures += 1
            latencies.append(ms)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    p95 = statistics.quantiles(latencies, n=20)[-1]
    return requests / elapsed, p95, failures


def load(paths: list[str], workers: int, requests: int, concurrency: int) -> list[str]:
    env = {**os.environ, "CANDOR_DEBUG": "false"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "candor.wsgi", "-b", f"127.0.0.1:{PORT}",
         "-w", str(workers), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    lines = []
    try:
        for _ in range(100):
            try:
                if asyncio.run(_one(paths[0]))[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        for path in paths:
            asyncio.run(_load(path, min(200, requests), concurrency))  # warm every worker
            rate, p95, failed = asyncio.run(_load(path, requests, concurrency))
            lines.append(
                f"{path:32} {rate:7.0f} requests/s  p95 {p95:6.1f} ms  non-200 {failed}  "
                f"({requests} requests, {concurrency} concurrent, {workers} workers)"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--vacancies", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    total = top_up(args.vacancies)
    vacancy = Vacancy.objects.filter(status=VacancyStatus.OPEN).order_by("pk")[total // 2]
    paths = ["/public/vacancies/", f"/public/vacancies/{vacancy.pk}/"]
    print(f"{connection.vendor}: {total:,} open vacancies; load average {os.getloadavg()}")
    for path in [*paths, "/public/vacancies/?q=logistiek&region=antwerp"]:
        cold, warm = server_times(path, args.runs)
        print(f"{path:48} server time median cold {cold:6.1f} ms, warm {warm:6.1f} ms")
    if args.requests:
        for line in load(paths, args.workers, args.requests, args.concurrency):
            print(line)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
