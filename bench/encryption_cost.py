"""What encryption at rest costs: the dossier page and ``candor import``, encrypted and plain.

    uv run python bench/encryption_cost.py [--count 20000] [--runs 30] [--repeat 3]

For each of ``--repeat`` rounds, and in each round for ``CANDOR_ENCRYPTION=off`` then ``on``,
in a fresh SQLite data folder of its own (``bench/out/encryption-<mode>-<round>``):

1. ``bench/import_throughput.py --count N`` imports a CSV of N synthetic candidates (every
   candidate has a birth date, an encrypted field) and re-imports it; records/s of each run;
2. the dossier page of one imported candidate, given free notes, a test with a score and a
   report, and a guidance trajectory with a goal and session notes (every kind of encrypted
   field), is rendered ``--runs`` times through Django's test client, DEBUG off: median and
   p95 server time.

The plain path (``CANDOR_ENCRYPTION=off``) stores the same columns as plain text: everything
but the cryptography (key creation, AES-GCM, key look-ups) is the same, so the difference is
what encryption costs. Both modes are run in every round, alternately, because the machine is
shared: the report gives the median over the rounds of each figure and the overhead of the
medians. ``--page-only DIR`` is the step 2 helper (run in its own process).
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

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RATE = re.compile(r"^\| (first run|re-run) \| [\d,]+ \| [\d.]+ \| ([\d,]+) \|$", re.M)


def page_only(runs: int) -> dict[str, float]:
    """In a process whose settings point at an imported data folder: the dossier page times."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
    os.environ["CANDOR_DEBUG"] = "false"
    os.environ.setdefault("CANDOR_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import datetime as dt
    import decimal

    import django

    django.setup()
    from django.test import Client
    from pages import PASSWORD, USERNAME, consultant, measure

    from candor.core import clock
    from candor.guidance.models import GuidanceSession, Trajectory
    from candor.people.models import Person
    from candor.recruitment.models import Application, ProcedureStep, Vacancy
    from candor.relations.models import Organisation

    consultant()
    people = Person.objects.filter(is_candidate=True)
    person = people.order_by("pk")[people.count() // 2]
    person.notes = "Zoekt een job met vaste uren; geen nachtwerk."
    person.save(update_fields=["notes"])
    client_org = Organisation.objects.create(kind="client", name="Bench NV")
    vacancy = Vacancy.objects.create(
        client=client_org, reference="BENCH-ENC", title="Boekhouder", opened_on=clock.today()
    )
    application = Application.objects.create(
        person=person,
        vacancy=vacancy,
        provenance=person.provenance,
        stage="interview",
        applied_on=clock.today(),
    )
    for n in range(3):
        ProcedureStep.objects.create(
            application=application,
            provenance=person.provenance,
            kind="aptitude_test",
            scheduled_at=clock.now() - dt.timedelta(days=n),
            score=decimal.Decimal("60.50") + n,
            report="Numeriek sterk, verbaal gemiddeld. " * 5,
        )
    trajectory = Trajectory.objects.create(
        person=person,
        provenance=person.provenance,
        kind="outplacement",
        started_on=clock.today(),
        goal="Een nieuwe job als boekhouder binnen zes maanden.",
    )
    for n in range(5):
        GuidanceSession.objects.create(
            trajectory=trajectory,
            provenance=person.provenance,
            held_at=clock.now() - dt.timedelta(days=7 * n),
            notes="Gesprek over sterktes en netwerk. " * 8,
        )
    client = Client()
    if not client.login(username=USERNAME, password=PASSWORD):
        raise SystemExit("could not sign in the bench consultant")
    p50, p95, queries = measure(client, f"/candidates/{person.pk}/", runs)
    return {"median_ms": p50, "p95_ms": p95, "queries": queries}


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
    page = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--page-only", "--runs", str(runs)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if page.returncode != 0:
        sys.exit(f"dossier timing failed ({mode}):\n{page.stderr[-3000:]}")
    result = json.loads(page.stdout.strip().splitlines()[-1])
    result["import_first"] = rates["first run"]
    result["import_rerun"] = rates["re-run"]
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
            print(
                f"round {n + 1} encryption {mode:3}: import {result['import_first']:,.0f} rec/s, "
                f"re-run {result['import_rerun']:,.0f} rec/s, dossier median "
                f"{result['median_ms']:.1f} ms p95 {result['p95_ms']:.1f} ms "
                f"({result['queries']:.0f} queries)",
                flush=True,
            )

    def med(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in rounds[mode])

    print()
    print("| figure (median of rounds) | plain | encrypted | cost |")
    print("|---|---:|---:|---:|")
    for key, label, higher_is_better in (
        ("median_ms", "dossier page, median ms", False),
        ("p95_ms", "dossier page, p95 ms", False),
        ("import_first", "import, first run, records/s", True),
        ("import_rerun", "import, re-run, records/s", True),
    ):
        off, on = med("off", key), med("on", key)
        cost = (off / on - 1) if higher_is_better else (on / off - 1)
        print(f"| {label} | {off:,.1f} | {on:,.1f} | {cost:+.1%} |")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
