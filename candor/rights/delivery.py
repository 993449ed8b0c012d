"""Handing an export to the person: the files, the ledger row and the audit event (R4.5).

An export given to the person is a disclosure: ``record_delivery`` writes one ledger row
(``disclose`` with ``Recipient.person()``; the JSON as the copy of what was sent) and one
``rights.<kind>_export`` audit event naming the files' formats, sizes and SHA-256, never a value,
in the caller's transaction. ``fulfil_result`` stores the files for the request workflow and
describes them in JSON-safe form.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.services import Recipient, disclose
from candor.people.models import Person
from candor.rights.dossier import json_value

EXPORTS_DIR = "rights"  # storage folder of delivered files: rights/<pseudonym>/<random>.<ext>


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file handed to the person."""

    name: str  # a file name for the person: the kind, the date and the extension
    format: str
    content: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "format": self.format,
            "size": len(self.content),
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class Delivery:
    kind: str  # "access" | "portability"
    person_id: int
    language: str
    files: list[ExportFile]
    disclosure_id: int | None


def check_formats(formats: Iterable[str], allowed: Sequence[str], kind: str) -> list[str]:
    chosen = list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in allowed]
    if unknown or not chosen:
        raise ValueError(
            f"a {kind} export is {' / '.join(allowed)}; not {', '.join(unknown) or 'nothing'}"
        )
    return chosen


def record_delivery(
    *,
    actor: Actor,
    kind: str,
    person_id: int,
    copy: str,
    categories: Sequence[str],
    files: Sequence[ExportFile],
    channel: str,
    reference: str = "",
) -> int | None:
    """The ledger row (recipient: the person; the JSON as the copy of what was sent) and the
    ``rights.<kind>_export`` audit event naming the formats and checksums, never a value. Runs in
    the caller's transaction."""
    rows = disclose(
        actor=actor,
        recipient=Recipient.person(),
        contents={person_id: copy},
        categories=list(categories) or ["identity"],
        purpose="",
        channel=channel,
        reference=reference or f"{kind}-export",
    )
    pseudonym = Person.objects.filter(pk=person_id).values_list("pseudonym", flat=True).get()
    audit_record(
        actor=actor,
        action=f"rights.{kind}_export",
        object_type="people.person",
        object_id=person_id,
        subject=str(pseudonym),
        detail={
            "files": [
                {"format": f.format, "size": len(f.content), "sha256": f.sha256} for f in files
            ],
            "disclosure": rows[0].pk,
            "channel": channel,
        },
    )
    return rows[0].pk


def file_name(kind: str, fmt: str) -> str:
    return f"{kind}-{clock.today().isoformat()}.{fmt}"


@transaction.atomic
def store(delivery: Delivery) -> list[dict[str, Any]]:
    """Save the delivered files through Django's storage, under ``rights/<pseudonym>/`` with a
    random name (no personal data in the path), and describe them for the request record."""
    pseudonym = (
        Person.objects.filter(pk=delivery.person_id).values_list("pseudonym", flat=True).get()
    )
    stored = []
    for f in delivery.files:
        path = default_storage.save(
            f"{EXPORTS_DIR}/{pseudonym}/{uuid.uuid4().hex}.{f.format}", ContentFile(f.content)
        )
        stored.append({**f.describe(), "path": path})
    return stored


def fulfil_result(delivery: Delivery) -> dict[str, Any]:
    return {
        "kind": delivery.kind,
        "language": delivery.language,
        "generated_at": json_value(clock.now()),
        "disclosure": delivery.disclosure_id,
        "files": store(delivery),
    }
