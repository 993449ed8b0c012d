"""The access export (GDPR Art. 15, R6.4): a complete copy of what the agency holds on a person,
derived from the registry — nothing here names a model.

``access_export(person_id)`` walks ``registry.declarations()``: every declaration whose
``subject`` path reaches ``Person`` is a section, and its rows about the person are read with one
indexed query (``{subject}=person_id``, the same path erasure walks). Each row gives:

- ``fields``: every declared personal field with its value, label, category and whether the
  person provided it (JSON-safe values: dates ISO, decimals as text; a stored file by its
  meaningless storage key);
- ``source``: the row's provenance (R2.1) when the model has one — the kind of source, a medium
  or partner's name, the channel, when, and the *role* of the staff member who recorded it;
- ``context``: the row's non-personal fields that make the values readable (the kind of contact
  point, a document's type and size, the vacancy an application is for). Links to staff appear
  by role only ("Consultant"), never by name: a colleague's name is their personal data, not the
  person's. Links to another Person are left out altogether. Internal references
  (``INTERNAL``: pseudonyms and process references) are left out: they mean nothing outside the
  system and only help someone correlate the audit trail.

Two fields are shown without their stored value, on purpose: a password hash (``secret``: a
credential, not information about the person; Art. 15(4) — handing it out weakens the account)
and the stored copy of an earlier export sent to the person themselves (it would nest every
earlier report in the next one; the ledger row and its SHA-256 are shown instead).

Beside the sections: the person's purposes with legal basis and the gate's answer today
(``gate.overview``), recipients from the disclosure ledger, the retention date and rule, and the
rights and complaint route from the policy. ``render_html`` / ``render_pdf`` give the readable
report in the person's language (WeasyPrint, as ``candor ropa``).

The builder reads and records nothing: ``access_deliver`` (and ``access_fulfil`` for the request
workflow) records the disclosure to the person in the ledger and an audit event, in one
transaction, when a report is actually handed over.

When you add a model that holds personal data: declare it in the registry with its ``subject``
path; it appears here by itself, and ``tests/test_access.py`` fails until ``full_dossier`` fills
it. When you add a non-personal field that is an internal reference, add it to ``INTERNAL``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import os
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import Disclosure, RecipientKind
from candor.disclosure.selectors import recipients
from candor.disclosure.services import Recipient, disclose
from candor.people.models import Person, Provenance
from candor.privacy import gate
from candor.privacy.policy import LANGUAGES, Party, policy
from candor.privacy.registry import Category, ModelDeclaration, declarations
from candor.privacy.retention import describe_rule, retention_of
from candor.privacy.ropa import basis_words, category_label

SCHEMA = "candor.access/1"
FORMATS = ("json", "html", "pdf", "zip")
# Non-personal references that only mean something inside Candor (the audit pseudonym, the
# reference of the process or staff member that sent something): never part of a report.
INTERNAL = frozenset(
    {
        "people.person.pseudonym",
        "disclosure.disclosure.actor",
        "privacy.noticeduty.sent_by",
    }
)
EXPORTS_DIR = "rights"  # storage folder of delivered files: rights/<pseudonym>/<random>.<ext>


class NoSuchPerson(LookupError):
    """The person does not exist (or the id is not a number): nothing was built."""


def report_language(person_id: int, requested: str | None = None) -> str:
    """The language of the report: the one asked for, else the person's preferred language when
    Candor writes it, else Dutch (the agency's first language). Raises ``NoSuchPerson``."""
    if requested is not None and requested not in LANGUAGES:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, not {requested!r}")
    found = Person.objects.filter(pk=person_id).values_list("preferred_language", flat=True)
    preferred = found.first()
    if preferred is None:
        raise NoSuchPerson(person_id)
    if requested:
        return requested
    return preferred if preferred in LANGUAGES else "nl"


# --- reading the registry ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Link:
    """A foreign key shown as context: by ``str()`` of its target, or by role for a user."""

    name: str
    attname: str
    target: type[models.Model]
    staff: bool


@dataclass(slots=True)
class Section:
    """How one declared model is read for a person: its personal fields, its context fields and
    the links to show. Its rows cost one indexed query, as plain values (no model instances, no
    joins); the rows that links point to are read afterwards, once per target model for the
    whole export."""

    declaration: ModelDeclaration
    personal: list[str]
    context: list[str] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    sourced: bool = False
    secret: frozenset[str] = frozenset()
    files: frozenset[str] = frozenset()

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model

    @property
    def label(self) -> str:
        return self.declaration.label

    def columns(self) -> list[str]:
        meta = self.model._meta
        names = ["pk", *(meta.get_field(n).attname for n in self.personal)]  # type: ignore[union-attr]
        names += [*self.context, *(link.attname for link in self.links)]
        if self.sourced:
            names.append("provenance_id")
        return list(dict.fromkeys(names))

    def rows(self, person_id: int) -> list[dict[str, Any]]:
        key = self.declaration.subject or "pk"
        found = self.model._default_manager.filter(**{key: person_id}).order_by()
        return sorted(found.values(*self.columns()), key=lambda row: row["pk"])


def _path_fields(declaration: ModelDeclaration) -> set[str]:
    """The first hop of the subject path: the link to the person (or to the row that leads to
    them), which the section itself stands for."""
    return {declaration.subject.split("__")[0]} if declaration.subject else set()


def _is_secret(model: type[models.Model], name: str) -> bool:
    return issubclass(model, AbstractBaseUser) and name == "password"


@cache
def sections() -> tuple[Section, ...]:
    """Every declared model that reaches a Person, in registry order (the Person first)."""
    found = []
    for declaration in declarations():
        if declaration.subject is None:
            continue
        model = declaration.model
        section = Section(
            declaration=declaration,
            personal=list(declaration.fields),
            secret=frozenset(n for n in declaration.fields if _is_secret(model, n)),
            files=frozenset(
                n
                for n in declaration.fields
                if isinstance(model._meta.get_field(n), models.FileField)
            ),
        )
        skip = _path_fields(declaration) | {model._meta.pk.name}
        for name in declaration.not_personal:
            f = model._meta.get_field(name)
            if name in skip or f"{declaration.label}.{name}" in INTERNAL or f.many_to_many:
                continue
            if isinstance(f, models.UUIDField):
                continue
            if f.is_relation:
                target = f.related_model
                if target is Provenance:
                    section.sourced = True
                elif isinstance(target, type) and target is not Person:
                    staff = issubclass(target, AbstractBaseUser)
                    section.links.append(_Link(name, f.attname, target, staff))  # type: ignore[union-attr]
                continue
            section.context.append(name)
        found.append(section)
    found.sort(key=lambda s: s.model is not Person)
    return tuple(found)


# --- values --------------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A stored value as JSON: dates ISO (moments in local time), decimals and UUIDs as text."""
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return file_key(value.name)
    return value


def file_key(name: str | None) -> str:
    """A stored file by the last part of its storage key: random, unlike the folder (which
    carries the audit pseudonym); the file's own name is a field of its own."""
    return os.path.basename(name) if name else ""


def _display(f: Any, value: Any) -> str:
    """A value as a reader sees it: choice labels, Belgian dates."""
    if value is None or value == "":
        return ""
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


class _Lookups:
    """The rows links point to, read once per target model for the whole export: provenance
    (with the role of whoever recorded it), staff by role, anything else by ``str()``."""

    def __init__(self, pending: dict[type[models.Model], set[int]], provenance: set[int]) -> None:
        self.sources: dict[int, dict[str, Any]] = {}
        if provenance:
            rows = Provenance.objects.filter(pk__in=provenance).order_by()
            for p in rows.values("pk", "kind", "name", "channel", "obtained_at", "recorded_by_id"):
                self.sources[p["pk"]] = dict(p)
                if p["recorded_by_id"]:
                    pending.setdefault(_user_model(), set()).add(p["recorded_by_id"])
        self.shown: dict[tuple[type[models.Model], int], str] = {}
        for target, ids in pending.items():
            if not ids:
                continue
            manager: Any = target._default_manager
            if issubclass(target, AbstractBaseUser):
                roles = dict(manager.filter(pk__in=ids).order_by().values_list("pk", "role"))
                role_field: Any = _user_model()._meta.get_field("role")
                choices = dict(role_field.flatchoices)
                for pk, role in roles.items():
                    self.shown[(target, pk)] = str(choices.get(role, _("staff member")))
            else:
                for obj in manager.filter(pk__in=ids).order_by():
                    self.shown[(target, obj.pk)] = str(obj)

    def show(self, target: type[models.Model], pk: int | None) -> str:
        return self.shown.get((target, pk), "") if pk is not None else ""

    def source(self, pk: int | None) -> dict[str, Any] | None:
        p = self.sources.get(pk) if pk is not None else None
        if p is None:
            return None
        meta = Provenance._meta
        return {
            "kind": p["kind"],
            "kind_label": _display(meta.get_field("kind"), p["kind"]),
            "name": p["name"],
            "channel": p["channel"],
            "channel_label": _display(meta.get_field("channel"), p["channel"]),
            "obtained_at": json_value(p["obtained_at"]),
            "obtained_at_label": _display(meta.get_field("obtained_at"), p["obtained_at"]),
            "recorded_by": self.show(_user_model(), p["recorded_by_id"]),
        }


def _user_model() -> type[models.Model]:
    from django.contrib.auth import get_user_model

    return get_user_model()


@dataclass(frozen=True, slots=True)
class _Labels:
    """Field labels and category names, translated once per section and export."""

    fields: dict[str, str]
    categories: dict[str, str]


def _labels(section: Section, categories: dict[str, str]) -> _Labels:
    meta = section.model._meta
    names = [*section.personal, *section.context, *(link.name for link in section.links)]
    return _Labels(
        {n: str(getattr(meta.get_field(n), "verbose_name", n)) for n in names}, categories
    )


def _row(
    section: Section, row: dict[str, Any], labels: _Labels, lookups: _Lookups
) -> dict[str, Any]:
    meta = section.model._meta
    fields = []
    for name in section.personal:
        f = meta.get_field(name)
        pd = section.declaration.fields[name]
        raw = row[f.attname]  # type: ignore[union-attr]
        entry: dict[str, Any] = {
            "field": name,
            "label": labels.fields[name],
            "category": pd.category.value,
            "category_label": labels.categories[pd.category.value],
            "provided": pd.provided,
            "description": pd.description,
        }
        if name in section.secret:
            entry["value"] = None
            entry["display"] = _("set, stored only as a one-way hash (not shown)") if raw else ""
            entry["withheld"] = "credential"
        elif (
            section.model is Disclosure
            and name == "content"
            and row["recipient_kind"] == RecipientKind.PERSON
        ):
            entry["value"] = None
            entry["display"] = _("an earlier export sent to you (SHA-256 %(hash)s)") % {
                "hash": row["content_sha256"]
            }
            entry["withheld"] = "earlier_export"
        elif name in section.files:
            entry["value"] = file_key(raw)
            entry["display"] = _("stored file") if raw else ""
        else:
            entry["value"] = json_value(raw)
            entry["display"] = _display(f, raw)
        fields.append(entry)
    context = [
        {
            "field": name,
            "label": labels.fields[name],
            "value": json_value(row[name]),
            "display": _display(meta.get_field(name), row[name]),
        }
        for name in section.context
    ]
    for link in section.links:
        shown = lookups.show(link.target, row[link.attname])
        context.append(
            {
                "field": link.name,
                "label": labels.fields[link.name],
                "value": shown,
                "display": shown,
            }
        )
    return {
        "id": row["pk"],
        "source": lookups.source(row["provenance_id"]) if section.sourced else None,
        "fields": fields,
        "context": context,
    }


# --- the export ----------------------------------------------------------------------------


def _party(party: Party) -> dict[str, str]:
    return {
        "name": party.name,
        "address": party.address,
        "email": party.email,
        "phone": party.phone,
        "website": party.website,
    }


def rights_texts() -> list[dict[str, str]]:
    """The person's rights, each with its article, in the active language."""
    return [
        {
            "right": "access",
            "article": "15",
            "text": _("See the data held on you and receive a copy of it."),
        },
        {
            "right": "rectification",
            "article": "16",
            "text": _("Have wrong or incomplete data corrected."),
        },
        {
            "right": "erasure",
            "article": "17",
            "text": _("Have your data erased when nothing justifies keeping it any longer."),
        },
        {
            "right": "restriction",
            "article": "18",
            "text": _("Have the use of your data suspended while a question about it is settled."),
        },
        {
            "right": "portability",
            "article": "20",
            "text": _(
                "Receive the data you gave us in a machine-readable file, or have it sent "
                "to another organisation."
            ),
        },
        {
            "right": "objection",
            "article": "21",
            "text": _(
                "Object to uses that rest on the agency's legitimate interest; an objection "
                "to direct marketing always ends it."
            ),
        },
        {
            "right": "withdraw_consent",
            "article": "7(3)",
            "text": _(
                "Withdraw a consent at any time, as easily as you gave it; what was done "
                "before stays lawful."
            ),
        },
    ]


def _purposes(person_id: int) -> list[dict[str, Any]]:
    return [
        {
            "purpose": d.purpose.key,
            "label": d.purpose.label.get(),
            "legal_basis": d.purpose.legal_basis.value,
            "legal_basis_label": basis_words(d.purpose),
            "categories": [c.value for c in d.purpose.categories],
            "allowed": d.allowed,
            "code": d.code,
            "reasons": list(d.reasons),
        }
        for d in gate.overview(person_id)
    ]


def _recipients(person_id: int) -> list[dict[str, Any]]:
    kinds = dict(RecipientKind.choices)
    return [
        {
            "kind": r.kind,
            "kind_label": str(kinds.get(r.kind, r.kind)),
            "name": r.name,
            "categories": sorted(r.categories),
            "category_labels": [category_label(c) for c in sorted(r.categories)],
            "purposes": sorted(r.purposes),
            "first": json_value(r.first),
            "last": json_value(r.last),
            "last_label": date_format(timezone.localtime(r.last), "DATE_FORMAT") if r.last else "",
            "times": r.times,
        }
        for r in recipients(person_id)
    ]


def _retention(person_id: int) -> dict[str, Any] | None:
    found = retention_of(person_id)
    if found is None:
        return None
    date, rule = found
    return {
        "kept_until": date.isoformat(),
        "kept_until_label": date_format(date, "DATE_FORMAT"),
        "rule": rule,
        "rule_text": describe_rule(rule),
    }


def access_export(person_id: int, *, language: str | None = None) -> dict[str, Any]:
    """Everything held on the person (R6.4), as a JSON-safe dict, labels in ``language`` (the
    person's own by default). Reads only: a fixed number of indexed queries (one per declared
    model reaching a person, plus the gate's three, the ledger's one and the retention facts),
    whatever the size of the database. Raises ``NoSuchPerson``."""
    language = report_language(person_id, language)  # and whether the person exists
    rules = policy()
    with translation.override(language):
        fetched = [(section, section.rows(person_id)) for section in sections()]
        pending: dict[type[models.Model], set[int]] = {}
        provenance: set[int] = set()
        for section, rows in fetched:
            for row in rows:
                for link in section.links:
                    if row[link.attname] is not None:
                        pending.setdefault(link.target, set()).add(row[link.attname])
                if section.sourced and row["provenance_id"] is not None:
                    provenance.add(row["provenance_id"])
        lookups = _Lookups(pending, provenance)
        categories = {c.value: category_label(c) for c in Category}
        found: list[dict[str, Any]] = [
            {
                "model": section.label,
                "title": str(section.model._meta.verbose_name_plural).capitalize(),
                "description": section.declaration.description,
                "rows": [_row(section, row, labels, lookups) for row in rows],
            }
            for section, rows in fetched
            if rows
            for labels in [_labels(section, categories)]
        ]
        person = found[0]["rows"][0] if found else {"fields": []}
        names = {f["field"]: f["value"] for f in person["fields"]}
        return {
            "schema": SCHEMA,
            "language": language,
            "generated_at": json_value(clock.now()),
            "generated_on_label": date_format(clock.today(), "DATE_FORMAT"),
            "policy_version": rules.version,
            "person": {
                "id": person_id,
                "name": " ".join(p for p in (names.get("first_name"), names.get("last_name")) if p),
            },
            "controller": _party(rules.controller),
            "dpo": _party(rules.dpo),
            "sections": found,
            "categories": sorted(
                {f["category"] for s in found for r in s["rows"] for f in r["fields"]}
            ),
            "purposes": _purposes(person_id),
            "recipients": _recipients(person_id),
            "retention": _retention(person_id),
            "rights": rights_texts(),
            "complaint": {
                "authority": rules.authority.name.get(language),
                "address": rules.authority.address,
                "email": rules.authority.email,
                "website": rules.authority.website,
            },
        }


# --- renderings ----------------------------------------------------------------------------


def render_json(export: dict[str, Any]) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=2, sort_keys=False).encode()


def render_html(export: dict[str, Any]) -> str:
    """A standalone HTML document in the report's language (styles inline: also the PDF's
    source)."""
    with translation.override(export["language"]):
        return render_to_string("rights/access/document.html", {"export": export})


def render_pdf(export: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    pdf: bytes = HTML(string=render_html(export)).write_pdf()
    return pdf


def stored_files(person_id: int) -> list[tuple[Any, str, str]]:
    """Every stored file of the person's rows (a CV), as (storage, storage name, name in the
    zip). The name in the zip carries the key shown in the JSON (``file_key``) and the extension
    of the file's own name when the row declares one (``original_name``)."""
    found = []
    for section in sections():
        for name in sorted(section.files):
            f: Any = section.model._meta.get_field(name)
            columns = ["pk", f.attname]
            named = "original_name" in section.declaration.fields
            rows = section.model._default_manager.filter(
                **{section.declaration.subject or "pk": person_id}
            ).order_by("pk")
            for row in rows.values(*columns, *(["original_name"] if named else [])):
                stored = row[f.attname]
                if not stored:
                    continue
                extension = os.path.splitext(row.get("original_name") or "")[1][:10]
                model = section.model._meta.model_name
                found.append((f.storage, stored, f"files/{model}-{file_key(stored)}{extension}"))
    return found


def render_zip(export: dict[str, Any]) -> bytes:
    """The report (JSON, PDF) and the person's stored files, in one zip (Art. 15(3): a copy of
    the data, the documents included). A file missing from storage is named in
    ``files/MISSING.txt`` rather than failing the whole export."""
    out = io.BytesIO()
    missing = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("access.json", render_json(export))
        archive.writestr("access.pdf", render_pdf(export))
        for storage, stored, arcname in stored_files(export["person"]["id"]):
            try:
                with storage.open(stored, "rb") as handle:
                    archive.writestr(arcname, handle.read())
            except FileNotFoundError:
                missing.append(arcname)
        if missing:
            archive.writestr("files/MISSING.txt", "\n".join(missing) + "\n")
    return out.getvalue()


def render(export: dict[str, Any], fmt: str) -> bytes:
    if fmt == "zip":
        return render_zip(export)
    if fmt == "json":
        return render_json(export)
    if fmt == "html":
        return render_html(export).encode()
    if fmt == "pdf":
        return render_pdf(export)
    raise ValueError(f"an access export is {' / '.join(FORMATS)}, not {fmt!r}")


# --- delivery: the ledger and the audit trail ---------------------------------------------


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
def access_deliver(
    *,
    actor: Actor,
    person_id: int,
    language: str | None = None,
    formats: Iterable[str] = ("json", "pdf"),
    channel: str = "download",
    reference: str = "",
) -> Delivery:
    """Build the access report (R6.4) in ``formats`` and record that it was handed to the person:
    one ledger row (R4.5) and one audit event, in one transaction. Bad input (unknown person,
    format or language) raises before anything is recorded."""
    chosen = check_formats(formats, FORMATS, "access")
    export = access_export(person_id, language=language)
    files = [ExportFile(file_name("access", fmt), fmt, render(export, fmt)) for fmt in chosen]
    copy = render_json(export).decode()
    disclosure_id = record_delivery(
        actor=actor,
        kind="access",
        person_id=person_id,
        copy=copy,
        categories=export["categories"],
        files=files,
        channel=channel,
        reference=reference,
    )
    return Delivery("access", person_id, export["language"], files, disclosure_id)


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


def access_fulfil(
    *,
    actor: Actor,
    request_person_id: int,
    language: str | None = None,
    formats: Iterable[str] = ("json", "pdf"),
    reference: str = "",
) -> dict[str, Any]:
    """For the subject-request workflow (``fulfil.register("access", access_fulfil)``): deliver
    the access report, store its files and return what the request keeps — JSON-safe: the kind,
    the language, the ledger row id, and per file its name, format, size, SHA-256 and storage
    path."""
    with transaction.atomic():
        delivery = access_deliver(
            actor=actor,
            person_id=request_person_id,
            language=language,
            formats=formats,
            reference=reference,
        )
        return fulfil_result(delivery)
