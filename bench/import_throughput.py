"""Time the real ``candor import`` command on a CSV of synthetic candidates, twice.

    uv run python bench/import_throughput.py --count 100000 [--seed 42]

Writes ``bench/out/import-N.csv`` (the header is the importer's documented ``COLUMNS``), then
runs ``candor import FILE --format csv --source medium:benchmark`` as a separate process
against the database the settings point at: first run (every record new: created), second run
(every record already there: found by e-mail/phone and reported unchanged). Reports records/s
for each (wall clock, process start-up included) and checks the audit trail afterwards.
Start from an empty (migrated) database so the first run creates every record.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import django
from pools import (
    CEFR_LEVELS,
    DIPLOMA_BY_LEVEL,
    FIELDS_OF_STUDY,
    IMPORT_DOMAIN,
    IMPORT_PREFIXES,
    SKILLS,
    belgian_mobile,
    build_pools,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from generate import database_size  # noqa: E402

from candor.core.progress import progress  # noqa: E402
from candor.importer.formats.csv_format import COLUMNS  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SUMMARY = re.compile(r"(\d+) records: (\d+) created, (\d+) merged, (\d+) unchanged, (\d+) rejected")


def write_csv(path: Path, count: int, seed: int) -> None:
    """``count`` valid, distinct candidates; dates and phones in the shapes people type."""
    rng = random.Random(seed)
    pools = build_pools(seed)
    choice, randint, random_ = rng.choice, rng.randint, rng.random
    postcode = {city: str(randint(1000, 9999)) for city in pools.cities}
    with (
        path.open("w", encoding="utf-8", newline="") as fh,
        progress(count, unit="rec", desc="csv") as bar,
    ):
        out = csv.DictWriter(fh, fieldnames=COLUMNS)
        out.writeheader()
        for i in range(count):
            if i % 10_000 == 0:
                bar.update(min(10_000, count - i))
            lang = "nl" if random_() < 0.58 else "fr"
            gender = "f" if random_() < 0.5 else "m"
            first = choice((pools.first_female if gender == "f" else pools.first_male)[lang])
            last = choice(pools.last[lang])
            mobile = belgian_mobile(i, IMPORT_PREFIXES)  # +324xxxxxxxx
            if random_() < 0.5:  # as typed: 0470/12.34.56
                mobile = f"0{mobile[3:6]}/{mobile[6:8]}.{mobile[8:10]}.{mobile[10:]}"
            born = f"{randint(1, 28):02d}/{randint(1, 12):02d}/{randint(1960, 2003)}"
            other = choice([c for c in ("nl", "fr", "en", "de") if c != lang])
            level = choice(("secondary", "bachelor", "master", "certificate"))
            city = choice(pools.cities)
            out.writerow(
                {
                    "first_name": first,
                    "last_name": last,
                    "email": f"{pools.slugs[first]}.{pools.slugs[last]}.{i}@{IMPORT_DOMAIN}",
                    "mobile": mobile,
                    "birth_date": born,
                    "gender": gender,
                    "nationality": "BE",
                    "language": lang,
                    "street": choice(pools.streets[lang]),
                    "number": str(randint(1, 250)),
                    "postcode": postcode[city],
                    "city": city,
                    "country": "BE",
                    "desired_function": choice(pools.functions),
                    "current_function": choice(pools.functions),
                    "current_employer": choice(pools.employers),
                    "education_diploma": choice(DIPLOMA_BY_LEVEL[level]),
                    "education_field": choice(FIELDS_OF_STUDY),
                    "education_institution": choice(pools.institutions),
                    "education_level": level,
                    "education_end": str(randint(1980, 2024)),
                    "languages": f"{lang}:native;{other}:{choice(CEFR_LEVELS)}",
                    "skills": ";".join(rng.sample(SKILLS, randint(2, 3))),
                }
            )


def run_import(path: Path, batch_size: int | None) -> tuple[float, str]:
    """Run the real command in its own process; the wall-clock seconds and its summary line."""
    command = [str(Path(sys.executable).with_name("candor")), "import", str(path)]
    command += ["--format", "csv", "--source", "medium:benchmark"]
    if batch_size:
        command += ["--batch-size", str(batch_size)]
    print("$ candor", " ".join(command[1:]), flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"import failed ({done.returncode}):\n{done.stderr[-2000:]}")
    lines = done.stdout.strip().splitlines()
    reported = len(done.stderr.splitlines())
    if reported:
        print(f"  ({reported} rejection/conflict/warning lines on stderr)")
    return elapsed, lines[-1] if lines else ""


@contextmanager
def autoanalyze(every: float) -> Iterator[None]:
    """Refresh the planner's statistics now and then, as autovacuum would, on a PostgreSQL server
    that runs without autovacuum (the benchmark machine's does); do nothing anywhere else.

    Without statistics PostgreSQL plans the importer's ``IN (…)`` look-ups on a table it
    believes empty as sequential scans, and an import into a growing table slows down
    quadratically: a property of that server's configuration, not of the importer.
    """
    autovacuum = "on"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            autovacuum = cursor.fetchone()[0]
        connection.close()
    if autovacuum == "on":
        yield
        return
    print(f"  (autovacuum is off on this server: ANALYZE every {every:.0f}s during the imports)")
    stop = threading.Event()

    def loop() -> None:  # its own thread, so its own database connection
        try:
            while not stop.wait(every):
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        finally:
            connection.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time `candor import` on synthetic CSV.")
    parser.add_argument("--count", type=int, default=100_000, help="candidates in the CSV")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=None, help="passed to candor import")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be positive")

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    connection.close()  # the import runs in its own process

    OUT.mkdir(exist_ok=True)
    path = OUT / f"import-{args.count}.csv"
    started = time.perf_counter()
    write_csv(path, args.count, args.seed)
    size = path.stat().st_size
    print(f"wrote {path} ({size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f}s")

    results = []
    with autoanalyze(every=30):
        for label, expect in (("first run", 1), ("re-run", 3)):
            elapsed, line = run_import(path, args.batch_size)
            print(f"  {line}  [{elapsed:.1f}s, {args.count / elapsed:,.0f} records/s]")
            m = SUMMARY.search(line)
            if not m or int(m[expect + 1]) != args.count:
                what = "created" if expect == 1 else "unchanged"
                sys.exit(f"expected all {args.count} records {what}, got: {line!r}")
            results.append((label, elapsed))

    verify = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("candor")), "audit", "verify"],
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"  {(verify.stdout or verify.stderr).strip()}")
    print(f"  database size {database_size() / 1e6:,.0f} MB")
    print()
    print("| run | records | seconds | records/s |")
    print("|---|---:|---:|---:|")
    for label, elapsed in results:
        print(f"| {label} | {args.count:,} | {elapsed:.1f} | {args.count / elapsed:,.0f} |")
    if verify.returncode != 0:
        sys.exit(1)


if __name__ == "__main__":
    main()
