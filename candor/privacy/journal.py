"""The erasure journal: who was erased since a backup was taken, kept outside the database.

A backup holds people who have been erased since; restoring it would bring them back. Every
erasure appends one line per person to ``<CANDOR_DATA_DIR>/erasure-journal.jsonl`` (pseudonym,
time, reason code; no name, no value), flushed and fsynced when the erasure's transaction
commits. ``candor restore`` erases again every journaled person found in the restored database
before anything is served: while a restore is under way a marker file
(``restore-pending.json``) makes the site refuse every request and ``candor check`` fail.

The journal lives beside the database, not in it, and must be kept (and backed up) with the
data folder: it holds only pseudonyms, meaningless without a database row.

A crash between the commit of an erasure and the journal write loses that line (the window is
one fsync); the erasure's audit event (``erase``) carries the same pseudonym, from which an
operator can add the line by hand.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from candor.core import clock

JOURNAL = "erasure-journal.jsonl"
MARKER = "restore-pending.json"


def journal_path() -> Path:
    return Path(getattr(settings, "ERASURE_JOURNAL", None) or Path(settings.DATA_DIR) / JOURNAL)


def marker_path() -> Path:
    return journal_path().with_name(MARKER)


@dataclass(frozen=True, slots=True)
class Entry:
    pseudonym: uuid.UUID
    at: str
    reason: str


def journal_append(pseudonyms: Iterable[uuid.UUID | str], *, reason: str) -> None:
    """Append and fsync one line per person (called at commit of an erasure)."""
    at = clock.now().isoformat()
    lines = "".join(
        json.dumps({"pseudonym": str(p), "at": at, "reason": reason}, sort_keys=True) + "\n"
        for p in pseudonyms
    )
    if not lines:
        return
    path = journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, lines.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def journal_entries() -> Iterator[Entry]:
    path = journal_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                yield Entry(uuid.UUID(row["pseudonym"]), row.get("at", ""), row.get("reason", ""))
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line after a crash: the lines before it still count


def journal_size() -> int:
    return sum(1 for _ in journal_entries())


def restore_pending() -> dict[str, Any] | None:
    """The restore marker's content while a restore has not re-applied the journal."""
    path = marker_path()
    if not path.exists():
        return None
    try:
        return dict(json.loads(path.read_text(encoding="utf-8") or "{}"))
    except ValueError:
        return {"backup": "unknown"}


def restore_mark(info: dict[str, Any]) -> None:
    path = marker_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info, sort_keys=True), encoding="utf-8")


def restore_unmark() -> None:
    marker_path().unlink(missing_ok=True)
