"""Appending to and verifying the audit trail.

Call ``audit_record`` (or ``audit_record_many``) inside the ``transaction.atomic()`` block that
makes the change, so the change and its event commit or roll back together. ``detail`` carries
field names and counts, never personal values: the trail outlives erasure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from candor.audit.models import AuditEvent, AuditHead
from candor.core import clock
from candor.core.actor import Actor
from candor.core.bulk import insert_rows

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Event:
    action: str
    object_type: str
    object_id: str = ""
    subject: str = ""
    detail: dict[str, Any] | None = None
    # ``audit_detail_json(detail)`` when the caller has it already (an import's reading
    # process serialises each new person's detail beside the writer)
    canonical: str | None = None


def _canonical(value: Any) -> str:
    """The JSON the chain hashes: sorted keys, no spaces, text as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


audit_detail_json = _canonical  # what an event's detail is hashed and stored as

# What ``json.dumps(text, ensure_ascii=False)`` writes for a string (its C encoder).
_quoted = json.encoder.encode_basestring


def _digest(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    event: Event | AuditEvent,
    *,
    detail: str | None = None,
) -> str:
    """The event's hash: of the previous hash and ``_canonical`` of [seq, at, actor, action,
    object type, object id, subject, detail]. The list's JSON is its items' JSON joined by
    commas, so plain items are written here directly; ``detail``: ``_canonical(event.detail
    or {})`` when the caller has it."""
    parts = (at, actor, event.action, event.object_type, str(event.object_id), event.subject)
    if type(seq) is int and all(type(part) is str for part in parts):
        head = f"[{seq}," + ",".join(map(_quoted, parts))
    else:
        head = _canonical([seq, *parts])[:-1]
    if detail is None:
        detail = _canonical(event.detail or {})
    payload = f"{head},{detail}]"
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AuditHead.objects.create(pk=1, seq=0, hash=GENESIS)
    return head


COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "subject",
    "detail",
    "prev_hash",
    "hash",
)


def audit_record_many(
    *, actor: Actor, events: Sequence[Event], returning: bool = True
) -> list[dict[str, Any]]:
    """Append events to the chain; returns the rows written (nothing without ``returning``: a
    batch writer does not need them). Must run inside the caller's transaction (invariant 4)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit events must be written in the same transaction as the change")
    if not events:
        return []
    head = _locked_head()
    at = clock.now()
    at_text = at.isoformat()
    who = actor.ref
    rows = []
    seq, prev = head.seq, head.hash
    for event in events:
        seq += 1
        detail = event.canonical or _canonical(event.detail or {})  # stored as hashed
        digest = _digest(prev, seq, at_text, who, event, detail=detail)
        rows.append(
            (
                seq,
                at,
                who,
                event.action,
                event.object_type,
                str(event.object_id),
                event.subject,
                detail,
                prev,
                digest,
            )
        )
        prev = digest
    # Imports write thousands: rows as tuples in one insert, no model instance each.
    insert_rows(AuditEvent, rows, columns=COLUMNS, ready=("detail",))
    # The head now stands at (seq, prev): a trigger moves it with every insert (migration 0003).
    if not returning:
        return []
    written = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    for row, event in zip(written, events, strict=True):
        row["detail"] = event.detail or {}
    return written


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any = "",
    subject: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; returns it as written (without reading it back: this runs on every
    dossier view)."""
    (row,) = audit_record_many(
        actor=actor,
        events=[Event(action, object_type, str(object_id), subject, detail)],
    )
    return AuditEvent(**row)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def _stream() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=5000)


def audit_verify(events: Iterable[AuditEvent] | None = None) -> VerifyResult:
    """Recompute the chain in insertion order and name the first event that does not fit.

    Detects an altered row (hash mismatch), a removed row (numbering gap or broken link), rows
    swapped (numbering out of order), and removal at the end (head disagrees).
    """
    prev, expected_seq, checked = GENESIS, 1, 0
    for event in events if events is not None else _stream():
        if event.seq != expected_seq:
            stored_elsewhere = AuditEvent.objects.filter(seq=expected_seq).exists()
            return VerifyResult(
                ok=False,
                checked=checked,
                bad_seq=expected_seq,
                reason=(
                    f"event #{expected_seq} is out of order (stored after #{event.seq})"
                    if stored_elsewhere
                    else f"event #{expected_seq} is missing (next stored event is #{event.seq})"
                ),
            )
        if event.prev_hash != prev:
            return VerifyResult(False, checked, event.seq, "link to the previous event is broken")
        at_text = event.at.isoformat()
        if _digest(prev, event.seq, at_text, event.actor, event) != event.hash:
            return VerifyResult(
                False, checked, event.seq, "content was altered after it was written"
            )
        prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(
            ok=False,
            checked=checked,
            bad_seq=checked + 1,
            reason=(
                f"the chain ends at #{checked} but the head records #{head_seq}: "
                "events were removed"
            ),
        )
    return VerifyResult(ok=True, checked=checked)


def audit_events_for(subject: str, *, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    """Events about one person (their pseudonym), newest first: ``limit`` of them after skipping
    the ``offset`` newest (a page of a long history reads only that page)."""
    return list(
        AuditEvent.objects.filter(subject=subject).order_by("-seq")[offset : offset + limit]
    )
