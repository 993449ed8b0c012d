"""What encryption at rest costs: the dossier page and ``candor import``, encrypted and plain.

    uv run python bench/encryption_cost.py [--count 20000] [--runs 30] [--repeat 3]

For each of ``--repeat`` rounds, and in each round for ``CANDOR_ENCRYPTION=off`` then ``on``,
in a fresh SQLite data folder of its own (``bench/out/encryption-<mode>-<round>``):

1. ``bench/import_throughput.py --count N`` imports a CSV of N synthetic candidates (every
   candidate has a birth date, an encrypted field) and re-imports it; records/s of each run;
2. in the encrypted round, the dossier pages of two imported candidates given the same
   dossier (free notes, tests with a score and a report, a guidance trajectory with a goal and
   session notes: every kind of encrypted field), one stored encrypted, the other with
   encryption off (plain), are rendered alternately ``--runs`` times each through Django's test
   client, DEBUG off, in one process: median and p95 server time of each. Alternating in one
   process makes the machine's noise hit both alike.

The plain path (``CANDOR_ENCRYPTION=off``) stores the same columns as plain text: everything
but the cryptography (key creation, AES-GCM, key look-ups) is the same, so the difference is
what encryption costs. Both modes are run in every round, alternately, because the machine is
shared: the report gives the median over the rounds of each figure and the overhead of the
medians. ``--page-only`` is the step 2 helper (run in its own process).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RATE = re.compile(r"^\| (first run|re-run) \| [\d,]+ \| [\d.]+ \| ([\d,]+) \|$", re.M)


def _dossier(person: Any, n: int) -> None:
    """Give ``person`` every kind of encrypted field: free notes, tests with a score and a
    report, a guidance trajectory with a goal and session notes."""
    import datetime as dt
    import decimal

    from candor.core import clock
    from candor.guidance.models import GuidanceSession, Trajectory
    from candor.recruitment.models import Application, ProcedureStep, Vacancy
    from candor.relations.models import Organisation

    person.notes = "Zoekt een job met vaste uren; geen nachtwerk."
    person.save(update_fields=["notes", "birth_date"])
    client_org = Organisation.objects.create(kind="client", name=f"Bench NV {n}")
    vacancy = Vacancy.objects.create(
        client=client_org, reference=f"BENCH-ENC-{n}", title="Boekhouder", opened_on=clock.today()
    )
    application = Application.objects.create(
        person=person,
        vacancy=vacancy,
        provenance=person.provenance,
        stage="interview",
        applied_on=clock.today(),
    )
    for k in range(3):
        ProcedureStep.objects.create(
            application=application,
            provenance=person.provenance,
            kind="aptitude_test",
            scheduled_at=clock.now() - dt.timedelta(days=k),
            score=decimal.Decimal("60.50") + k,
            report="Numeriek sterk, verbaal gemiddeld. " * 5,
        )
    trajectory = Trajectory.objects.create(
        person=person,
        provenance=person.provenance,
        kind="outplacement",
        started_on=clock.today(),
        goal="Een nieuwe job als boekhouder binnen zes maanden.",
    )
    for k in range(5):
        GuidanceSession.objects.create(
            trajectory=trajectory,
            provenance=person.provenance,
            held_at=clock.now() - dt.timedelta(days=7 * k),
            notes="Gesprek over sterktes en netwerk. " * 8,
        )


def page_only(runs: int) -> dict[str, float]:
    """In a process whose settings point at an imported data folder: the dossier page of a
    candidate whose sensitive fields are encrypted and of one whose are stored plain (the same
    shape of dossier), rendered alternately so that the machine's noise hits both alike."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
    os.environ["CANDOR_DEBUG"] = "false"
    os.environ.setdefault("CANDOR_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import time

    import django

    django.setup()
    from django.test import Client
    from pages import PASSWORD, USERNAME, consultant

    from candor.people.models import Person
    from candor.privacy import crypto

    consultant()
    people = Person.objects.filter(is_candidate=True).order_by("pk")
    middle = people.count() // 2
    encrypted, plain = people[middle], people[middle + 1]
    os.environ["CANDOR_ENCRYPTION"] = "on"
    _dossier(encrypted, 1)
    os.environ["CANDOR_ENCRYPTION"] = "off"
    _dossier(plain, 2)  # the birth date is re-saved too: nothing of this dossier is encrypted
    os.environ["CANDOR_ENCRYPTION"] = "on"
    assert crypto.is_token(  # noqa: S101 - the benchmark measures what it says
        Person.objects.filter(pk=encrypted.pk).values_list(Cast("notes", TextField()), flat=True)[0]
    )
    client = Client()
    if not client.login(username=USERNAME, password=PASSWORD):
        raise SystemExit("could not sign in the bench consultant")
    urls = {"on": f"/candidates/{encrypted.pk}/", "off": f"/candidates/{plain.pk}/"}
    times: dict[str, list[float]] = {"on": [], "off": []}
    for url in urls.values():
        client.get(url)  # warm-up
    for _ in range(runs):
        for mode, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            times[mode].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    result = {}
    for mode, found in times.items():
        found.sort()
        result[f"{mode}_median_ms"] = statistics.median(found)
        result[f"{mode}_p95_ms"] = found[round(0.95 * (len(found) - 1))]
    return result


def run_round(mode: str, n: int, count: int, runs: int) -> dict[str, float]:
    folder = OUT / f"encryption-{mode}-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = {
        **os.environ,
        "CANDOR_DATA_DIR": str(folder),
        "CANDOR_ENCRYPTION": mode,
        "CANDOR_DEBUG": "false",
    }
    env.pop("DATABASE_URL", None)  # a fresh SQLite data folder per mode and round
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(HERE / "import_throughput.py"), "--count", str(count)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"import failed ({mode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    rates = {label: float(rate.replace(",", "")) for label, rate in RATE.findall(done.stdout)}
    result: dict[str, float] = {"import_first": rates["first run"], "import_rerun": rates["re-run"]}
    if mode == "off":
        shutil.rmtree(folder, ignore_errors=True)
        return result
    page = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--page-only", "--runs", str(runs)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if page.returncode != 0:
        sys.exit(f"dossier timing failed ({mode}):\n{page.stderr[-3000:]}")
    result.update(json.loads(page.stdout.strip().splitlines()[-1]))
    shutil.rmtree(folder, ignore_errors=True)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000, help="candidates imported")
    parser.add_argument("--runs", type=int, default=30, help="dossier renderings per round")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of both modes")
    parser.add_argument("--page-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.page_only:
        print(json.dumps(page_only(args.runs)))
        return

    rounds: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    for n in range(args.repeat):
        for mode in ("off", "on"):
            result = run_round(mode, n, args.count, args.runs)
            rounds[mode].append(result)
            line = (
                f"round {n + 1} encryption {mode:3}: import {result['import_first']:,.0f} rec/s, "
            )
            line += f"re-run {result['import_rerun']:,.0f} rec/s"
            if "on_median_ms" in result:
                line += (
                    f"; dossier encrypted {result['on_median_ms']:.1f} ms "
                    f"(p95 {result['on_p95_ms']:.1f}), plain {result['off_median_ms']:.1f} ms "
                    f"(p95 {result['off_p95_ms']:.1f})"
                )
            print(line, flush=True)

    def med(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[mode])

    print()
    print("| figure (median of rounds) | plain | encrypted | cost |")
    print("|---|---:|---:|---:|")
    for plain_key, plain_mode, enc_key, label, higher_is_better in (
        ("off_median_ms", "on", "on_median_ms", "dossier page, median ms", False),
        ("off_p95_ms", "on", "on_p95_ms", "dossier page, p95 ms", False),
        ("import_first", "off", "import_first", "import, first run, records/s", True),
        ("import_rerun", "off", "import_rerun", "import, re-run, records/s", True),
    ):
        off, on = med(plain_mode, plain_key), med("on", enc_key)
        cost = (off / on - 1) if higher_is_better else (on / off - 1)
        print(f"| {label} | {off:,.1f} | {on:,.1f} | {cost:+.1%} |")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
