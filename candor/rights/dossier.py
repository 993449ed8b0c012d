"""Reading a person's dossier from the registry, for the access and portability exports.

``sections()`` turns ``registry.declarations()`` into one ``Section`` per declared model whose
``subject`` path reaches ``Person`` (the path erasure walks): its personal fields, the
non-personal fields that make them readable (``context``), the links to show (staff by role,
organisations and vacancies by name, another Person never), and whether rows carry a source.
``read_sections(person_id)`` reads the person's rows: one indexed query per section, as plain
values, then the rows links point to once per target model — a fixed number of queries whatever
the size of the database. Nothing here names a model but ``Person``, ``Provenance`` and the
ledger (whose copies of earlier exports are not nested in the next one).

When you add a non-personal field that is an internal reference (it means nothing outside
Candor), add it to ``INTERNAL``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import Case, F, Func, Subquery, Value, When
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candor.disclosure.models import Disclosure, RecipientKind
from candor.people.models import Person, Provenance
from candor.privacy.registry import Category, ModelDeclaration, declarations
from candor.privacy.ropa import category_label

# Non-personal references that only mean something inside Candor (the audit pseudonym, the
# reference of the process or staff member that sent something): never part of a report.
INTERNAL = frozenset(
    {
        "people.person.pseudonym",
        "disclosure.disclosure.actor",
        "privacy.noticeduty.sent_by",
    }
)


class NoSuchPerson(LookupError):
    """The person does not exist (or the id is not a number): nothing was built."""


# --- the registry's sections ------------------------------------------------------------------


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

    @property
    def withholds_copies(self) -> bool:
        """The ledger: its ``content`` (the copy that was sent) is withheld when the recipient
        was the person themselves, so that column is read only for the other rows."""
        return self.model is Disclosure and "content" in self.personal

    def _queryset(self, person_id: int) -> models.QuerySet[Any]:
        key = self.declaration.subject or "pk"
        found = self.model._default_manager.filter(**{key: person_id})
        if self.withholds_copies:
            found = found.annotate(
                **{
                    _SENT_COPY: Case(
                        When(recipient_kind=RecipientKind.PERSON, then=Value("")),
                        default=F("content"),
                        output_field=models.TextField(),
                    )
                }
            )
        return found

    def _values(self, found: models.QuerySet[Any], *extra: str) -> list[dict[str, Any]]:
        columns = self.columns()
        if self.withholds_copies:
            columns = [_SENT_COPY if c == "content" else c for c in columns]
        rows = list(found.values(*columns, *extra))
        if self.withholds_copies:
            for row in rows:
                row["content"] = row.pop(_SENT_COPY)
        return rows

    def rows(self, person_id: int) -> list[dict[str, Any]]:
        found = self._values(self._queryset(person_id).order_by())
        return sorted(found, key=lambda row: row["pk"])

    def first_rows(self, person_id: int, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` rows, by id."""
        return self._values(self._queryset(person_id).order_by("pk")[:limit])

    def count(self, person_id: int) -> Subquery:
        """How many rows the person has here, as a subquery (``section_counts``)."""
        key = self.declaration.subject or "pk"
        found = self.model._default_manager.filter(**{key: person_id}).order_by()
        return Subquery(
            found.values(n=Func(F("pk"), function="COUNT")), output_field=models.IntegerField()
        )


def section_counts(person_id: int, chosen: Sequence[Section]) -> list[int]:
    """How many rows the person has in each of ``chosen``, in one query."""
    columns = {f"section_{i}": section.count(person_id) for i, section in enumerate(chosen)}
    found: Any = Person.objects.filter(pk=person_id).order_by().values(**columns).first()
    found = found or {}
    return [int(found.get(f"section_{i}") or 0) for i in range(len(chosen))]


# The column computed for the ledger's copies (not a field of any model).
_SENT_COPY = "dossier_sent_copy"


def _path_fields(declaration: ModelDeclaration) -> set[str]:
    """The first hop of the subject path: the link to the person (or to the row that leads to
    them), which the section itself stands for."""
    return {declaration.subject.split("__")[0]} if declaration.subject else set()


# Credentials other than the password: said to exist, never handed out (Art. 15(4)).
CREDENTIALS = frozenset(
    {("accounts.secondfactor", "secret"), ("accounts.recoverycode", "code_hash")}
)


def _is_secret(model: type[models.Model], name: str) -> bool:
    if issubclass(model, AbstractBaseUser) and name == "password":
        return True
    return (model._meta.label_lower, name) in CREDENTIALS


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


@cache
def _choice_labels(f: Any) -> dict[Any, Any]:
    """A field's choices as a mapping, built once per field (the labels stay lazy: they are
    translated when shown)."""
    return dict(f.flatchoices)


def _display(f: Any, value: Any) -> str:
    """A value as a reader sees it: choice labels, Belgian dates."""
    if value is None or value == "":
        return ""
    if f.choices:
        return str(_choice_labels(f).get(value, value))
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


def _fetch(
    person_id: int, chosen: Sequence[Section], limit: int | None
) -> list[tuple[Section, list[dict[str, Any]], int]]:
    """Each section's rows (all, or the first ``limit``) and how many there are."""
    if limit is None:
        return [
            (section, rows, len(rows)) for section in chosen for rows in [section.rows(person_id)]
        ]
    counted = zip(chosen, section_counts(person_id, chosen), strict=True)
    return [
        (section, section.first_rows(person_id, limit), count)
        for section, count in counted
        if count
    ]


def _lookups(fetched: list[tuple[Section, list[dict[str, Any]], int]]) -> _Lookups:
    """The rows that the fetched rows' links and sources point to."""
    pending: dict[type[models.Model], set[int]] = {}
    provenance: set[int] = set()
    for section, rows, _count in fetched:
        for row in rows:
            for link in section.links:
                if row[link.attname] is not None:
                    pending.setdefault(link.target, set()).add(row[link.attname])
            if section.sourced and row["provenance_id"] is not None:
                provenance.add(row["provenance_id"])
    return _Lookups(pending, provenance)


def read_sections(
    person_id: int, *, limit: int | None = None, only: str | None = None
) -> list[dict[str, Any]]:
    """The person's rows, section by section (only sections with rows), labelled in the active
    language: one query per section, then one per model that links point to.

    ``limit`` makes a summary (the access export itself never passes it): each section keeps
    its first rows (by id) and says how many there are (``count``), and the sections are read
    after one query that counts them all, so only those with rows cost a query of their own.
    ``only`` reads one section, by its model label (``"recruitment.application"``)."""
    chosen = [s for s in sections() if only is None or s.label == only]
    fetched = _fetch(person_id, chosen, limit)
    lookups = _lookups(fetched)
    categories = {c.value: category_label(c) for c in Category}
    found = []
    for section, rows, count in fetched:
        if not rows:
            continue
        labels = _labels(section, categories)
        entry: dict[str, Any] = {
            "model": section.label,
            "title": str(section.model._meta.verbose_name_plural).capitalize(),
            "description": section.declaration.description,
            "rows": [_row(section, row, labels, lookups) for row in rows],
        }
        if limit is not None:
            entry["count"] = count
        found.append(entry)
    return found


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
