"""What a first import costs per record on its reading and its writing side, measured apart.

    uv run python bench/import_cost.py --count 30000 [--repeat 3]
    uv run python bench/import_cost.py --count 3000 --baseline 500 --callgrind

``candor import`` reads and cleans in two processes (each its share of the file) and writes in
a third; its wall clock is set by the writer unless the readers fall behind, and on a shared
machine it swings with whatever else runs. This script times each side alone (the reading side
as one process that cleans every record), on the benchmark's CSV (``import_throughput.py``'s,
same seed):

- **reader**: read the CSV, clean every record, build what a new person becomes, encode it in
  the chunks the reading process sends (``prepare``, as a reading process runs it);
- **writer**: decode those chunks and write them into an empty database, batches and
  checkpoints as ``candor import`` does (``import_prepared``).

By default it reports CPU microseconds per record (best of ``--repeat``). With ``--callgrind``
it runs each side under ``valgrind --tool=callgrind`` at ``--count`` and at ``--baseline``
records and reports instructions per record from the difference (start-up cancels out): the
same number whatever the machine is doing. SQLite only, in a scratch folder
(``CANDOR_DATA_DIR``): each writer run replaces the database there with a new one.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from import_throughput import OUT, write_csv  # noqa: E402

from candor.accounts.selectors import actor_for_username  # noqa: E402
from candor.core import clock  # noqa: E402
from candor.core.readahead import CHUNK  # noqa: E402
from candor.importer import services  # noqa: E402
from candor.importer.formats import FORMATS  # noqa: E402
from candor.people.models import Channel  # noqa: E402
from candor.people.services import ProvenanceSpec  # noqa: E402

SOURCE = "medium:benchmark"
COLLECTED = re.compile(r"Collected : (\d+)")


def csv_for(count: int, seed: int) -> Path:
    """The benchmark CSV's first ``count`` records (written once per count and seed)."""
    path = OUT / f"import-cost-{count}-{seed}.csv"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        write_csv(path, count, seed)
    return path


def source_for(path: Path) -> ProvenanceSpec:
    return ProvenanceSpec.parse(SOURCE, channel=Channel.IMPORT, reference=path.name)


def read_side(path: Path) -> list[bytes]:
    """What the reading process does, to the encoded chunks it would send."""
    chunks, pending = [], []
    hint = services.Hint(shared=False)
    for item in services.prepare(
        FORMATS["csv"].read(path), today=clock.today(), source=source_for(path), hint=hint
    ):
        pending.append(item)
        if len(pending) >= CHUNK:
            chunks.append(services.PREPARED.encode(pending))
            pending = []
    chunks.append(services.PREPARED.encode(pending))
    return chunks


def write_side(path: Path, chunks: list[bytes]) -> str:
    """What the writing process does with those chunks, into the database: batches from 500
    records doubling up to 5,000. The record count is not given, so the last batches do not
    shrink: a short run measures the steady work per record, not the end of a file."""
    actor = actor_for_username("", task="import")
    source = ProvenanceSpec.parse(
        SOURCE, channel=Channel.IMPORT, reference=path.name, recorded_by_id=actor.user_id
    )

    def items() -> Iterator[Any]:
        for raw in chunks:
            yield from services.PREPARED.decode(memoryview(raw))

    with services._fewer_collections(), services._checkpoints_aside() as after_batch:
        summary = services.import_prepared(
            items(),
            actor=actor,
            source=source,
            batch_size=5000,
            hint=services.Hint(shared=False),
            after_batch=after_batch,
        )
    return summary.line()


def fresh_database() -> None:
    """A new SQLite file, migrated, in place of the scratch one."""
    connection.close()
    name = Path(str(connection.settings_dict["NAME"]))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{name}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def one_side(part: str, count: int, seed: int, chunks_file: Path | None) -> float:
    """Run one side once on ``count`` records; its CPU seconds."""
    path = csv_for(count, seed)
    if part == "reader":
        with services._fewer_collections():  # as the import's reading process runs
            started = time.process_time()
            chunks = read_side(path)
            spent = time.process_time() - started
        if chunks_file is not None:
            chunks_file.write_bytes(pickle.dumps(chunks))
        return spent
    chunks = pickle.loads(chunks_file.read_bytes()) if chunks_file else read_side(path)  # noqa: S301
    fresh_database()
    started = time.process_time()
    line = write_side(path, chunks)
    spent = time.process_time() - started
    if f"{count} created" not in line:
        sys.exit(f"expected {count} records created, got: {line}")
    return spent


def instructions(part: str, count: int, seed: int, work: Path) -> int:
    """Instructions of one side's whole process at ``count`` records, under callgrind."""
    chunks = work / f"chunks-{count}.pkl"
    csv_for(count, seed)  # written here, not counted
    if part == "writer":  # the chunks are made outside valgrind, by the reader side
        one_side("reader", count, seed, chunks)
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    command += [__file__, "--part", part, "--count", str(count), "--seed", str(seed)]
    command += ["--chunks", str(chunks), "--once"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or not found:
        sys.exit(f"callgrind run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30_000)
    parser.add_argument("--baseline", type=int, default=500, help="with --callgrind")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--part", choices=("reader", "writer", "both"), default="both")
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--chunks", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    parts = ("reader", "writer") if args.part == "both" else (args.part,)
    if args.once:  # one side, once: what callgrind runs
        one_side(args.part, args.count, args.seed, args.chunks if args.part == "writer" else None)
        return
    if connection.vendor != "sqlite":  # each writer run replaces the database with a new one
        sys.exit("import_cost.py runs on SQLite only: set CANDOR_DATA_DIR to a scratch folder")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.callgrind:
        if shutil.which("valgrind") is None:
            sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
        if args.baseline >= args.count:
            parser.error("--baseline must be smaller than --count")
        with tempfile.TemporaryDirectory() as work:
            for part in parts:
                low = instructions(part, args.baseline, args.seed, Path(work))
                high = instructions(part, args.count, args.seed, Path(work))
                per = (high - low) / (args.count - args.baseline)
                print(f"{part}: {per:,.0f} instructions per record")
        return
    for part in parts:
        chunks = None
        if part == "writer":
            chunks = Path(tempfile.mkstemp(suffix=".pkl")[1])
            one_side("reader", args.count, args.seed, chunks)
        spent = [one_side(part, args.count, args.seed, chunks) for _ in range(args.repeat)]
        per = [s / args.count * 1e6 for s in spent]
        listed = ", ".join(f"{p:.0f}" for p in per)
        print(f"{part}: {min(per):.0f} µs CPU per record (best of {len(per)}: {listed})")
        if chunks is not None:
            chunks.unlink()


if __name__ == "__main__":
    main()
