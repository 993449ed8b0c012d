"""Running an import: read, clean, store in batches, report every rejection and go on.

Each batch is one transaction (all-or-nothing per record, since a batch only holds whole
records); if a batch fails in the database, its records are retried one by one so a single bad
record is reported and its neighbours are kept. Re-running a file is safe: duplicates are found
by e-mail and phone and come back as "unchanged".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import marshal
import multiprocessing
import pickle
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError, IntegrityError, connection

from candor.core import clock
from candor.core.actor import Actor
from candor.core.readahead import EVERYTHING, Codec, Share, read_ahead_shared
from candor.importer.formats import FORMATS, FileRejected, Item
from candor.people.services import ProvenanceSpec
from candor.privacy.suppression import suppression_key_read
from candor.recruitment.intake import (
    REJECTED,
    NewPerson,
    PackedRecord,
    Record,
    WriteOutcome,
    candidates_write,
    new_person,
    packed_from_plain,
    person_sealer,
)
from candor.recruitment.records import RecordInvalid, clean_candidate


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


# One record to write: where it was read, the record, what it becomes if new (intake's
# NewPerson, or None).
Pending = tuple[str, Record, NewPerson | None]


def _write(
    *, actor: Actor, source: ProvenanceSpec, batch: list[Pending]
) -> list[tuple[str, WriteOutcome]]:
    records = [r for _w, r, _n in batch]
    try:
        outcomes = candidates_write(
            actor=actor, source=source, records=records, prebuilt=[n for _w, _r, n in batch]
        )
        return list(zip([w for w, _r, _n in batch], outcomes, strict=True))
    except (IntegrityError, DatabaseError):
        if len(batch) == 1:
            raise
    results = []
    for where, record, new in batch:  # isolate the record the database refused
        try:
            results.extend(_write(actor=actor, source=source, batch=[(where, record, new)]))
        except (IntegrityError, DatabaseError) as exc:
            results.append((where, WriteOutcome(REJECTED, message=f"database refused it: {exc}")))
    return results


@dataclass(slots=True)
class Prepared:
    """One record read and cleaned, or why it cannot be stored."""

    where: str
    record: Record | None
    error: str = ""
    new: NewPerson | None = None  # the rows and index entry if the record is a new person

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to the writing process with its new-person rows in ``marshal``'s format (plain
        values only: text, numbers, bytes, tuples): half the cost of pickling them, on both
        sides. Both processes run the same interpreter (the reader is forked)."""
        new = self.new
        if new is not None:
            try:
                return (_arrived, (self.where, self.record, self.error, marshal.dumps(tuple(new))))
            except ValueError:  # a value marshal cannot write: pickled as a whole instead
                pass
        return (Prepared, (self.where, self.record, self.error, new))


def _arrived(where: str, record: Record | None, error: str, new: bytes) -> Prepared:
    return Prepared(where, record, error, NewPerson._make(marshal.loads(new)))  # noqa: S302


class _NotPlain(Exception):
    pass


def _plain(item: Prepared) -> tuple[Any, ...]:
    """A rejected record as (where, error); a likely-new one as (where, packed record, its
    new-person rows), all plain values."""
    record, new = item.record, item.new
    if record is None:
        return (item.where, item.error)
    if type(record) is PackedRecord and new is not None and not item.error:
        return (item.where, record.plain(), tuple(new))
    raise _NotPlain  # a whole record (a re-run): pickled


_MARSHALLED, _PICKLED = b"M", b"P"


def _encode(items: list[Prepared]) -> bytes:
    try:
        return _MARSHALLED + marshal.dumps([_plain(item) for item in items])
    except (_NotPlain, ValueError):  # ValueError: a value marshal cannot write
        return _PICKLED + pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(raw: memoryview) -> list[Prepared]:
    if raw[:1] == _PICKLED:
        items: list[Prepared] = pickle.loads(raw[1:])  # noqa: S301 - our own reader's
        return items
    return [
        Prepared(values[0], None, values[1])
        if len(values) == 2
        else Prepared(values[0], packed_from_plain(values[1]), "", NewPerson._make(values[2]))
        for values in marshal.loads(raw[1:])  # noqa: S302 - our own reader's
    ]


# How prepared records travel from the reading processes. A chunk of likely-new records goes
# in ``marshal``'s format, as one piece: it writes and reads plain values about twice as fast
# as pickle, and values shared by many records (the audit detail, the source, column names)
# once per chunk; any other chunk is pickled (a re-run's whole records, and on PostgreSQL every
# chunk: its database values keep dates, which marshal cannot write).
PREPARED = Codec(encode=_encode, decode=_decode)


class Hint:
    """Whether building new-person rows ahead still pays: the writer clears it when a batch
    created few of its records (a re-run finds everyone), the reader looks at it before each
    record. Shared memory once the reader is forked; a plain flag without it. Only speed
    depends on it: the writer builds what it was not given."""

    def __init__(self, *, shared: bool) -> None:
        self._value: Any = multiprocessing.RawValue("b", 1) if shared else _Flag()

    @property
    def build(self) -> bool:
        return bool(self._value.value)

    def seen(self, *, created: int, written: int) -> None:
        self._value.value = int(created * 10 >= written)  # at least one in ten was new


class _Flag:
    value = 1


def prepare(
    items: Iterable[Item],
    *,
    today: dt.date,
    source: ProvenanceSpec | None = None,
    hint: Hint | None = None,
) -> Iterator[Prepared]:
    """Clean what a format read and, given the ``source``, build what each record becomes if
    it is a new person (while ``hint`` says it pays); no database needed, so it can run in
    another process."""
    sealer = person_sealer() if source is not None else None
    for item in items:
        if item.record is None:
            yield Prepared(item.where, None, item.error)
            continue
        try:
            record = clean_candidate(item.record, today=today)
        except RecordInvalid as exc:
            yield Prepared(item.where, None, exc.summary())
            continue
        if source is None or (hint is not None and not hint.build):
            yield Prepared(item.where, record)
            continue
        # Likely new: the writer gets the rows it becomes, and the record packed (it opens it
        # only to merge or fold it).
        new = new_person(record, source, sealer, today=today)
        yield Prepared(item.where, PackedRecord(record, again=item.again, today=today), new=new)


def import_items(
    items: Iterable[Item],
    *,
    actor: Actor,
    source: ProvenanceSpec,
    batch_size: int = 500,
    today: dt.date | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    return import_prepared(
        prepare(items, today=today or clock.today(), source=source),
        actor=actor,
        source=source,
        batch_size=batch_size,
        on_progress=on_progress,
    )


def import_prepared(
    prepared: Iterable[Prepared],
    *,
    actor: Actor,
    source: ProvenanceSpec,
    batch_size: int = 500,
    on_progress: Callable[[int], None] | None = None,
    hint: Hint | None = None,
    after_batch: Callable[[int], None] | None = None,
    expected: int | None = None,
) -> ImportSummary:
    """``expected``: about how many records are coming (a file's rows), if known; only the
    batch sizes depend on it (``_next_limit``)."""
    summary = ImportSummary()
    batch: list[Pending] = []
    seen = 0
    # The first batches are smaller, so the writer starts while the reader fills the next ones.
    limit = min(batch_size, FIRST_BATCH)

    def flush() -> None:
        created = summary.created
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
        if hint is not None:
            hint.seen(created=summary.created - created, written=len(batch))
        if after_batch is not None:
            after_batch(len(batch))
        if on_progress:
            on_progress(len(batch))
        batch.clear()

    for item in prepared:
        seen += 1
        if item.record is None:
            summary.rejected.append(Rejection(item.where, item.error))
            if on_progress:
                on_progress(1)
            continue
        if item.record.warnings:
            summary.warnings.extend(Rejection(item.where, w) for w in item.record.warnings)
        batch.append((item.where, item.record, item.new))
        if len(batch) >= limit:
            flush()
            limit = _next_limit(limit, batch_size, None if expected is None else expected - seen)
    if batch:
        flush()
    return summary


def _next_limit(limit: int, batch_size: int, remaining: int | None) -> int:
    """The next batch's size: twice the last, up to ``batch_size``; and, when the number of
    records still to come is known, at most half of them (not under ``FIRST_BATCH``). The
    writer is one batch behind the reader, so it writes the last batch alone: halving the
    last batches shortens that wait from a whole batch to a few hundred records."""
    limit = min(batch_size, limit * 2)
    if remaining is not None:
        limit = max(min(limit, remaining // 2), min(batch_size, FIRST_BATCH))
    return limit


GC_THRESHOLD = 100_000
# Reading processes, and how much lower their priority is than the writer's. Reading and
# cleaning a record costs about what writing it does. At equal priority the readers, a long way
# ahead, took a third of the writer's core from it; lowered, they run on what the writer leaves,
# and two of them make sure its next records are always ready.
READERS = 2
READERS_NICE = 10
RESTART_EVERY = 20_000  # records between starts of the write-ahead log (see ``_Checkpointer``)
FIRST_BATCH = 500  # then twice as many each batch up to ``batch_size``: the writer starts early


class _Checkpointer:
    """SQLite in write-ahead-log mode copies the log into the database file (a checkpoint,
    ending with an fsync) inside whichever commit pushes the log past 1,000 pages: an import's
    writer then waits for the disk every few batches. While an import runs, its connection
    leaves checkpoints to a second connection in a thread, which runs one after each batch
    (``PASSIVE``: it never blocks the writer nor readers, and copies only committed pages)
    while the writer goes on with the next batch; a last one at the end, then the usual setting
    is restored. SQLite starts the log over only when a transaction begins with all of it
    copied, which never happens while checkpoints run beside the writer: every
    ``RESTART_EVERY`` records the writer waits for the checkpoint in flight, so the log stays
    a few batches long. Durability does not change: a committed batch is in the log exactly as
    before (``synchronous=NORMAL``), a checkpoint only moves it into the database file.
    Nothing happens on other databases, outside WAL mode, or inside a caller's transaction."""

    def __init__(self) -> None:
        self.wake = threading.Event()
        self.caught_up = threading.Condition()
        self.requested = 0  # batches committed
        self.since_restart = 0  # records committed since the writer last waited
        self.completed = 0  # batches a finished checkpoint covered
        self.stop = False
        self.name = ""
        self.thread: threading.Thread | None = None
        self.restore: int | None = None

    def start(self) -> None:
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            if str(cursor.fetchone()[0]).lower() != "wal":
                return
            cursor.execute("PRAGMA wal_autocheckpoint")
            self.restore = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        self.name = str(connection.settings_dict["NAME"])

    def _run(self, name: str) -> None:
        aside = sqlite3.connect(name, timeout=20, check_same_thread=False)
        try:
            while True:
                self.wake.wait()
                self.wake.clear()
                covered = self.requested
                with contextlib.suppress(sqlite3.Error):  # tried again after the next batch
                    aside.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                with self.caught_up:
                    self.completed = covered
                    self.caught_up.notify_all()
                if self.stop:
                    return
        finally:
            aside.close()

    def after_commit(self, records: int) -> None:
        """Started on the first batch, once the reading process is forked: ``read_ahead``
        does not fork a process that runs other threads."""
        if self.restore is None:
            return
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, args=(self.name,), daemon=True)
            self.thread.start()
        self.requested += 1
        self.since_restart += records
        self.wake.set()
        if self.since_restart >= RESTART_EVERY:
            self.since_restart = 0
            # Wait for a checkpoint of everything committed: the next transaction then starts
            # the log over instead of growing it (a long log makes every page look-up and
            # commit slower; it reached 1 GB in an import of 100,000 people).
            with self.caught_up:
                self.caught_up.wait_for(lambda: self.completed >= self.requested, timeout=60)

    def finish(self) -> None:
        if self.thread is not None:
            self.stop = True
            self.wake.set()
            self.thread.join()
            self.thread = None
        if self.restore is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {self.restore:d}")
                # Checkpoints that ran while the writer committed could not start the log
                # over, so it may have grown well past its usual size: empty it now.
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                cursor.fetchall()
            self.restore = None


@contextlib.contextmanager
def _checkpoints_aside() -> Iterator[Callable[[int], None]]:
    """Yields what to call after each committed batch (see ``_Checkpointer``)."""
    aside = _Checkpointer()
    aside.start()
    try:
        yield aside.after_commit
    finally:
        aside.finish()


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector runs every 700 new objects by default and then walks every
    young object; an import makes millions of short-lived tuples and spent about 15 % of its
    time there. Collect far less often while it runs (cycles still go, a little later), and
    leave the objects that were there before out of the walks (``gc.freeze``)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def import_path(
    path: Path,
    *,
    format_name: str,
    source: ProvenanceSpec,
    actor: Actor,
    batch_size: int = 500,
    on_progress: Callable[[int], None] | None = None,
    read_ahead: bool = True,
    expected: int | None = None,
) -> ImportSummary:
    """Import a file (or, for JSON Resume, a folder). Raises ``FileRejected`` when the file
    as a whole cannot be read; otherwise every record ends up counted or reported.
    ``expected``: the number of records the file holds, if counted (``import_prepared``).

    With ``read_ahead`` (the default) the file is read and cleaned in other processes
    (``READERS``) while this one writes, so every core works; the result is the same as
    without it."""
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise FileRejected(f"unknown format {format_name!r}; use one of {', '.join(FORMATS)}")
    if not path.exists():
        raise FileRejected(f"{path} does not exist")
    today = clock.today()
    suppression_key_read()  # here, before the readers are forked: they inherit it
    with _fewer_collections():  # in both processes: the reading ones are forked inside

        def read(share: Share) -> Iterator[Prepared]:
            return prepare(fmt.read(path, share), today=today, source=source, hint=hint)

        hint = Hint(shared=read_ahead)
        prepared = (
            read_ahead_shared(read, processes=READERS, nice=READERS_NICE, codec=PREPARED)
            if read_ahead
            else read(EVERYTHING)
        )
        with _checkpoints_aside() as after_batch:
            return import_prepared(
                prepared,
                actor=actor,
                source=source,
                batch_size=batch_size,
                on_progress=on_progress,
                hint=hint,
                after_batch=after_batch,
                expected=expected,
            )
