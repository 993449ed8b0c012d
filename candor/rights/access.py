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
import json
import os
import uuid
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
from candor.privacy.registry import ModelDeclaration, declarations
from candor.privacy.retention import describe_rule, retention_of
from candor.privacy.ropa import basis_words, category_label

SCHEMA = "candor.access/1"
FORMATS = ("json", "html", "pdf")
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
    Candor writes it, else Dutch (the agency's first language)."""
    if requested:
        if requested not in LANGUAGES:
            raise ValueError(f"language must be one of {list(LANGUAGES)}, not {requested!r}")
        return requested
    preferred = (
        Person.objects.filter(pk=person_id).values_list("preferred_language", flat=True).first()
    )
    return preferred if preferred in LANGUAGES else "nl"


# --- reading the registry ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Link:
    """A foreign key shown as context: by ``str()``, or by role when it points at a user."""

    name: str
    staff: bool


@dataclass(slots=True)
class Section:
    """How one declared model is read for a person: its personal fields, its context fields and
    the relations to load with it (so that a section costs one query)."""

    declaration: ModelDeclaration
    personal: list[str]
    context: list[str] = field(default_factory=list)
    links: list[_Link] = field(default_factory=list)
    sourced: bool = False
    secret: frozenset[str] = frozenset()

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model

    @property
    def label(self) -> str:
        return self.declaration.label

    def rows(self, person_id: int) -> models.QuerySet[Any]:
        key = self.declaration.subject or "pk"
        related = [link.name for link in self.links]
        if self.sourced:
            related += ["provenance", "provenance__recorded_by"]
        query = self.model._default_manager.filter(**{key: person_id}).order_by("pk")
        return query.select_related(*related) if related else query


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
        )
        skip = _path_fields(declaration) | {model._meta.pk.name}  # type: ignore[union-attr]
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
                elif target is not Person:
                    staff = isinstance(target, type) and issubclass(target, AbstractBaseUser)
                    section.links.append(_Link(name, staff))
                continue
            section.context.append(name)
        found.append(section)
    found.sort(key=lambda s: s.model is not Person)
    return tuple(found)


# --- values --------------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A stored value as JSON: dates ISO (moments in local time), decimals as text, a stored
    file by the last part of its storage key (random; the file name is a field of its own)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return os.path.basename(value.name) if value.name else ""
    return value


def _display(f: models.Field[Any, Any], value: Any) -> str:
    """A value as a reader sees it: choice labels, Belgian dates."""
    if value is None or value == "":
        return ""
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, FieldFile):
        return _("stored file")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _staff_role(user: Any) -> str:
    if user is None:
        return ""
    get_role = getattr(user, "get_role_display", None)
    return str(get_role()) if get_role else _("staff member")


def _source(provenance: Provenance | None) -> dict[str, Any] | None:
    if provenance is None:
        return None
    return {
        "kind": provenance.kind,
        "kind_label": str(provenance.get_kind_display()),
        "name": provenance.name,
        "channel": provenance.channel,
        "channel_label": str(provenance.get_channel_display()),
        "obtained_at": json_value(provenance.obtained_at),
        "obtained_at_label": _display(Provenance._meta.get_field("obtained_at"), provenance.obtained_at),
        "recorded_by": _staff_role(provenance.recorded_by),
    }


def _row(section: Section, row: models.Model) -> dict[str, Any]:
    meta = row._meta
    fields = []
    for name in section.personal:
        f = meta.get_field(name)
        pd = section.declaration.fields[name]
        raw = getattr(row, f.attname)  # type: ignore[union-attr]
        if isinstance(f, models.FileField):
            raw = getattr(row, name)
        entry: dict[str, Any] = {
            "field": name,
            "label": str(getattr(f, "verbose_name", name)),
            "category": pd.category.value,
            "category_label": category_label(pd.category),
            "provided": pd.provided,
            "description": pd.description,
        }
        if name in section.secret:
            entry["value"] = None
            entry["display"] = _("set, stored only as a one-way hash (not shown)") if raw else ""
            entry["withheld"] = "credential"
        elif (
            isinstance(row, Disclosure)
            and name == "content"
            and row.recipient_kind == RecipientKind.PERSON
        ):
            entry["value"] = None
            entry["display"] = _("an earlier export sent to you (SHA-256 %(hash)s)") % {
                "hash": row.content_sha256
            }
            entry["withheld"] = "earlier_export"
        else:
            entry["value"] = json_value(raw)
            entry["display"] = _display(f, raw)  # type: ignore[arg-type]
        fields.append(entry)
    context = []
    for name in section.context:
        f = meta.get_field(name)
        raw = getattr(row, name)
        context.append(
            {
                "field": name,
                "label": str(getattr(f, "verbose_name", name)),
                "value": json_value(raw),
                "display": _display(f, raw),  # type: ignore[arg-type]
            }
        )
    for link in section.links:
        f = meta.get_field(link.name)
        target = getattr(row, link.name)
        shown = _staff_role(target) if link.staff else ("" if target is None else str(target))
        context.append(
            {
                "field": link.name,
                "label": str(getattr(f, "verbose_name", link.name)),
                "value": shown,
                "display": shown,
            }
        )
    return {
        "id": row.pk,
        "source": _source(row.provenance) if section.sourced else None,  # type: ignore[attr-defined]
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
        {"right": "access", "article": "15", "text": _("See the data held on you and receive a copy of it.")},
        {"right": "rectification", "article": "16", "text": _("Have wrong or incomplete data corrected.")},
        {"right": "erasure", "article": "17", "text": _("Have your data erased when nothing justifies keeping it any longer.")},
        {"right": "restriction", "article": "18", "text": _("Have the use of your data suspended while a question about it is settled.")},
        {"right": "portability", "article": "20", "text": _("Receive the data you gave us in a machine-readable file, or have it sent to another organisation.")},
        {"right": "objection", "article": "21", "text": _("Object to uses that rest on the agency's legitimate interest; an objection to direct marketing always ends it.")},
        {"right": "withdraw_consent", "article": "7(3)", "text": _("Withdraw a consent at any time, as easily as you gave it; what was done before stays lawful.")},
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
    if not Person.objects.filter(pk=person_id).exists():
        raise NoSuchPerson(person_id)
    language = report_language(person_id, language)
    rules = policy()
    with translation.override(language):
        found = []
        for section in sections():
            rows = [_row(section, row) for row in section.rows(person_id)]
            if not rows:
                continue
            meta = section.model._meta
            found.append(
                {
                    "model": section.label,
                    "title": str(meta.verbose_name_plural).capitalize(),
                    "description": section.declaration.description,
                    "rows": rows,
                }
            )
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


def render(export: dict[str, Any], fmt: str) -> bytes:
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
        return {"name": self.name, "format": self.format, "size": len(self.content), "sha256": self.sha256}


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
            "files": [{"format": f.format, "size": len(f.content), "sha256": f.sha256} for f in files],
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
    pseudonym = Person.objects.filter(pk=delivery.person_id).values_list("pseudonym", flat=True).get()
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
