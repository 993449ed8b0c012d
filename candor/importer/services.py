"""Running an import: read, clean, store in batches, report every rejection and go on.

Each batch is one transaction (all-or-nothing per record, since a batch only holds whole
records); if a batch fails in the database, its records are retried one by one so a single bad
record is reported and its neighbours are kept. Re-running a file is safe: duplicates are found
by e-mail and phone and come back as "unchanged".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError

from candor.core import clock
from candor.core.actor import Actor
from candor.importer.formats import FORMATS, FileRejected, Item
from candor.people.services import ProvenanceSpec
from candor.recruitment.intake import REJECTED, WriteOutcome, candidates_write
from candor.recruitment.records import CandidateRecord, RecordInvalid, clean_candidate


@dataclass(slots=True)
class Rejection:
    where: str
    reason: str


@dataclass(slots=True)
class ImportSummary:
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    conflicts: list[Rejection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.merged + self.unchanged + len(self.rejected)

    def line(self) -> str:
        return (
            f"{self.total} records: {self.created} created, {self.merged} merged, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


def _write(
    *, actor: Actor, source: ProvenanceSpec, batch: list[tuple[str, CandidateRecord]]
) -> list[tuple[str, WriteOutcome]]:
    records = [r for _w, r in batch]
    try:
        outcomes = candidates_write(actor=actor, source=source, records=records)
        return list(zip([w for w, _r in batch], outcomes, strict=True))
    except (IntegrityError, DatabaseError):
        if len(batch) == 1:
            raise
    results = []
    for where, record in batch:  # isolate the record the database refused
        try:
            results.extend(_write(actor=actor, source=source, batch=[(where, record)]))
        except (IntegrityError, DatabaseError) as exc:
            results.append((where, WriteOutcome(REJECTED, message=f"database refused it: {exc}")))
    return results


def import_items(
    items: Iterable[Item],
    *,
    actor: Actor,
    source: ProvenanceSpec,
    batch_size: int = 500,
    today: dt.date | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    summary = ImportSummary()
    today = today or clock.today()
    batch: list[tuple[str, CandidateRecord]] = []

    def flush() -> None:
        for where, outcome in _write(actor=actor, source=source, batch=batch):
            if outcome.status == REJECTED:
                summary.rejected.append(Rejection(where, outcome.message))
            else:
                setattr(summary, outcome.status, getattr(summary, outcome.status) + 1)
            if outcome.conflicts:
                summary.conflicts.append(
                    Rejection(
                        where,
                        f"person #{outcome.person_id} kept their own "
                        f"{', '.join(outcome.conflicts)} (the file differs)",
                    )
                )
        if on_progress:
            on_progress(len(batch))
        batch.clear()

    for item in items:
        if item.record is None:
            summary.rejected.append(Rejection(item.where, item.error))
            if on_progress:
                on_progress(1)
            continue
        try:
            record = clean_candidate(item.record, today=today)
        except RecordInvalid as exc:
            summary.rejected.append(Rejection(item.where, exc.summary()))
            if on_progress:
                on_progress(1)
            continue
        summary.warnings.extend(Rejection(item.where, w) for w in record.warnings)
        batch.append((item.where, record))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return summary


def import_path(
    path: Path,
    *,
    format_name: str,
    source: ProvenanceSpec,
    actor: Actor,
    batch_size: int = 500,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a file (or, for JSON Resume, a folder). Raises ``FileRejected`` when the file
    as a whole cannot be read; otherwise every record ends up counted or reported."""
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise FileRejected(f"unknown format {format_name!r}; use one of {', '.join(FORMATS)}")
    if not path.exists():
        raise FileRejected(f"{path} does not exist")
    return import_items(
        fmt.read(path),
        actor=actor,
        source=source,
        batch_size=batch_size,
        on_progress=on_progress,
    )
