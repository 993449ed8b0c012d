"""Writes about people: provenance, person fields, documents, views of a dossier.

Every function here takes a keyword-only ``actor`` and writes its audit event in the same
transaction as the change (DESIGN invariant 4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.core.editing import StaleEdit, locked_unless_stale
from candor.core.normalise import normalise_name, validate_birth_date
from candor.people.models import (
    Channel,
    Document,
    DocumentKind,
    Person,
    Provenance,
    SourceKind,
    source_code,
)


@dataclass(slots=True)
class ProvenanceSpec:
    """How a batch of data was obtained; stored as one ``Provenance`` row on first use, so a
    run that writes nothing leaves nothing behind (R2.1)."""

    kind: str
    channel: str
    name: str = ""
    reference: str = ""
    recorded_by_id: int | None = None
    _row: Provenance | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in SourceKind.values:
            raise ValueError(f"unknown source kind {self.kind!r}")
        if self.kind in {SourceKind.MEDIUM, SourceKind.PARTNER} and not self.name.strip():
            raise ValueError(f"a {self.kind} source needs a name (e.g. medium:LinkedIn)")
        if self.channel not in Channel.values:
            raise ValueError(f"unknown channel {self.channel!r}")

    @classmethod
    def by_staff(cls, actor: Actor) -> ProvenanceSpec:
        """What a staff member records in a back-office form: produced by the agency."""
        return cls(kind=SourceKind.AGENCY, channel=Channel.FORM, recorded_by_id=actor.user_id)

    @classmethod
    def parse(cls, code: str, *, channel: str, **extra: Any) -> ProvenanceSpec:
        """``self``, ``third-party``, ``agency``, ``medium:NAME`` or ``partner:NAME``."""
        code = (code or "").strip()
        simple = {"self": SourceKind.SUBJECT, "third-party": SourceKind.THIRD_PARTY}
        simple["agency"] = SourceKind.AGENCY
        if code in simple:
            return cls(kind=simple[code], channel=channel, **extra)
        prefix, _, name = code.partition(":")
        if prefix in {"medium", "partner"} and name.strip():
            return cls(kind=prefix, name=name.strip()[:120], channel=channel, **extra)
        raise ValueError(
            f"source {code!r} is not one of: self, third-party, agency, medium:NAME, partner:NAME"
        )

    def row(self) -> Provenance:
        if self._row is None:
            self._row = Provenance.objects.create(
                kind=self.kind,
                name=self.name,
                channel=self.channel,
                reference=self.reference[:200],
                obtained_at=clock.now(),
                recorded_by_id=self.recorded_by_id,
            )
        return self._row

    @contextmanager
    def forgotten_on_rollback(self) -> Iterator[None]:
        """Wrap a transaction that may store the row: if it rolls back, the row is gone with
        it, so forget it; otherwise a retry (or the next batch) would point at nothing."""
        stored_before = self._row is not None
        try:
            yield
        except BaseException:
            if not stored_before:
                self._row = None
            raise

    @property
    def code(self) -> str:
        """The source as audit events and search facets name it; an import asks it for every
        record, so no model instance is built for it."""
        return source_code(self.kind, self.name)


PERSON_EDITABLE = (
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "civil_status",
    "nationality",
    "preferred_language",
    "contact_channel",
    "contact_times",
    "notes",
)


def person_update(
    *,
    actor: Actor,
    person: Person,
    changes: dict[str, Any],
    expected_updated_at: dt.datetime | None = None,
) -> list[str]:
    """Change a person's own fields (R6.5); returns the names of fields that changed.

    Values are validated with the model's rules; the audit event names the fields, never the
    old or new values. With ``expected_updated_at`` (the ``updated_at`` the editor loaded), the
    stored row is locked and compared inside the write transaction: if someone saved in between,
    ``StaleEdit`` is raised, nothing is written and ``person`` keeps its loaded values, so two
    consultants never silently overwrite each other. An erased person (R6.6) is refused with a
    ``ValidationError``, also when the erasure (say by the worker's retention sweep) came after
    ``person`` was loaded: no save refills an anonymised record.
    """
    if person.erased_at is not None:
        raise _erased()
    unknown = set(changes) - set(PERSON_EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed here."))
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    if not changed:
        return []
    loaded = {name: getattr(person, name) for name in (*changed, "name_key")}
    for name in changed:
        setattr(person, name, changes[name])
    if "birth_date" in changed and person.birth_date is not None:
        try:
            validate_birth_date(person.birth_date, today=clock.today())
        except ValidationError as exc:
            raise ValidationError({"birth_date": exc.messages}) from None
    person.full_clean(exclude=["provenance"])
    with transaction.atomic():
        try:
            current: Person = locked_unless_stale(Person.objects, person.pk, expected_updated_at)
        except StaleEdit:
            for name, value in loaded.items():
                setattr(person, name, value)
            raise
        if current.erased_at is not None:
            for name, value in loaded.items():
                setattr(person, name, value)
            raise _erased()
        # Without a version check (the API's PATCH) a name this change leaves alone may have
        # been saved by someone else since ``person`` was loaded: the key follows the stored one.
        first = person.first_name if "first_name" in changed else current.first_name
        last = person.last_name if "last_name" in changed else current.last_name
        person.name_key = normalise_name(f"{first} {last}")
        person.save(update_fields=[*changed, "name_key", "updated_at"])
        if "birth_date" in changed:  # the statutory pension date follows the birth date (R5.1)
            from candor.privacy.retention import retention_refresh

            retention_refresh([person.pk])
        audit_record(
            actor=actor,
            action="update",
            object_type="people.person",
            object_id=person.pk,
            subject=str(person.pseudonym),
            detail={"fields": sorted(changed)},
        )
    return changed


def _erased() -> ValidationError:
    return ValidationError(
        {NON_FIELD_ERRORS: [_("This person's data was erased: nothing can be changed.")]}
    )


def person_viewed(*, actor: Actor, person: Person, where: str) -> None:
    """Record that a staff member opened a dossier (DESIGN invariant 4)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="view",
            object_type="people.person",
            object_id=person.pk,
            subject=str(person.pseudonym),
            detail={"where": where},
        )


def document_add(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    upload: UploadedFile,
    source: ProvenanceSpec,
    content_type: str,
) -> Document:
    """Store a document of the person (a CV, a report) through Django's storage, under
    ``documents/<pseudonym>/`` with a random name (never the person's name), with its size and
    SHA-256, and write the audit event (R1.1, R2.1). ``content_type`` is what the content was
    found to be (``candor.core.uploads.validate_document``), not what the sender claimed.

    A failure here deletes the stored file; a caller that writes more after this in its own
    transaction deletes ``document.file`` itself if that later part fails."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "unknown kind of document"})
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    name = (upload.name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    with transaction.atomic():
        document = Document(
            person=person,
            kind=kind,
            original_name=name[:200],
            content_type=content_type[:100],
            size=size,
            sha256=digest.hexdigest(),
            provenance=source.row(),
        )
        document.file.save(name, upload, save=False)
        try:
            document.save()
            audit_record(
                actor=actor,
                action="create",
                object_type="people.document",
                object_id=document.pk,
                subject=str(person.pseudonym),
                detail={"kind": kind, "size": size, "content_type": document.content_type},
            )
        except BaseException:
            document.file.storage.delete(document.file.name or "")
            raise
    return document
