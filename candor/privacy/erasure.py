"""Erasure (R6.6, R5.1): what happens to a person's data when it must go, derived from the registry.

``people_erase`` walks ``registry.declarations()``; nothing here names a model. For each
declaration whose ``subject`` path reaches ``Person`` it selects the person's rows
(``{subject}__in``; ``""`` is the Person itself) and applies ``on_erasure``:

- ``delete_row``: the rows are deleted;
- ``anonymise_fields`` / ``keep_row``: the rows stay and each personal field follows its own
  strategy — ``delete`` empties it (NULL when the column allows it, ``""`` for text, else the
  field's default), ``anonymise`` writes the stated replacement (``"{pk}"`` in it becomes the
  row's key), ``keep`` leaves it and the legal obligation is reported.

All of it runs in bulk, in the caller's transaction: a batch of people costs a fixed number of
queries per model, whatever its size. Rows are deleted with plain ``DELETE`` statements (no
per-row signals: the search index is updated once, by ``search_remove``), so the plan also takes
care of what Django's collector would otherwise do: rows of undeclared models pointing at a
deleted row are set to NULL (``SET_NULL``), automatic many-to-many links are removed, and any
other reference stops the plan with the relation named.

The people's keys (``privacy.PersonKey``) are deleted in the same transaction: whatever was
encrypted for them (sensitive fields, documents; see ``crypto``) is unreadable in every copy,
backups included, and their pseudonyms go to the erasure journal at commit (``journal``).

Stored files (``FileField``) are deleted from storage once the transaction commits, so a
rolled-back erasure leaves them in place. A crash between the commit and the deletion would leave
files that no row points to any more (their names carry no personal data).

When you add a model that holds personal data: declare its ``subject`` path and its erasure
strategies; ``tests/test_erasure.py`` fills every declared field and checks that erasure empties
it, so a declaration that erasure cannot honour fails the suite.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from graphlib import TopologicalSorter
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Count, ForeignObjectRel, ManyToManyRel, Value
from django.db.models.functions import Cast, Concat

from candor.audit.services import Event, audit_record_many
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.crypto import keys_destroy
from candor.privacy.journal import journal_append
from candor.privacy.notices import notice_duties_cancel
from candor.privacy.registry import ModelDeclaration, declarations
from candor.privacy.storage import PERSON_FOLDERS  # storage folders named by a pseudonym
from candor.search.services import search_remove

CHUNK = 500  # people per round of statements: keeps every IN list well inside SQLite's limits
REASON = re.compile(r"^[a-z][a-z0-9_.:-]{0,39}$")  # a code, never a person's words


@dataclass(frozen=True, slots=True)
class _Link:
    """Rows of another model that point at rows about to be deleted."""

    model: type[models.Model]
    field: str  # the column on ``model`` pointing at the deleted model
    delete: bool  # an automatic many-to-many link row: delete it; otherwise set it to NULL


@dataclass(slots=True)
class _Step:
    declaration: ModelDeclaration
    delete: bool
    updates: dict[str, Any] = field(default_factory=dict)  # field → value or SQL expression
    files: list[str] = field(default_factory=list)  # FileFields whose stored files must go
    kept: dict[str, str] = field(default_factory=dict)  # field → legal obligation
    links: list[_Link] = field(default_factory=list)

    @property
    def model(self) -> type[models.Model]:
        return self.declaration.model

    @property
    def key(self) -> str:
        """The lookup from a row to its person's id."""
        return self.declaration.subject or "pk"

    def rows(self, person_ids: Sequence[int]) -> models.QuerySet[Any]:
        return self.model._default_manager.filter(**{f"{self.key}__in": person_ids}).order_by()


@dataclass(slots=True)
class ErasureReport:
    """What an erasure did: people erased, rows per model (deleted or anonymised), stored files
    deleted, and the fields kept with the obligation that requires them."""

    erased: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # unknown or already erased
    deleted: Counter[str] = field(default_factory=Counter)
    anonymised: Counter[str] = field(default_factory=Counter)
    files: int = 0
    kept: dict[str, str] = field(default_factory=dict)

    def merge(self, other: ErasureReport) -> None:
        self.erased += other.erased
        self.skipped += other.skipped
        self.deleted.update(other.deleted)
        self.anonymised.update(other.anonymised)
        self.files += other.files
        self.kept.update(other.kept)


@dataclass(frozen=True, slots=True)
class _Default:
    """A field's default, computed when the erasure runs (not when the plan is built)."""

    field: models.Field[Any, Any]


def _emptied(model: type[models.Model], f: models.Field[Any, Any]) -> Any:
    """The value a field takes when its content is deleted but its row stays."""
    if f.null:
        return None
    if f.empty_strings_allowed:
        return ""
    if f.has_default():
        return _Default(f)  # e.g. a registration date becomes the moment of erasure
    raise ImproperlyConfigured(
        f"{model._meta.label}.{f.name}: erasure 'delete' on a column that allows neither NULL "
        "nor an empty value and has no default; declare anonymise(...) with a replacement"
    )


def _replacement(model: type[models.Model], name: str, value: Any) -> Any:
    """The anonymised value; ``"{pk}"`` in a text becomes the row's own key, in SQL."""
    if not isinstance(value, str) or "{" not in value:
        return value
    before, marker, after = value.partition("{pk}")
    if not marker or "{" in before + after:
        raise ImproperlyConfigured(
            f"{model._meta.label}.{name}: a replacement may only contain the placeholder {{pk}}"
        )
    parts: list[Any] = [Cast("pk", models.CharField())]
    if before:
        parts.insert(0, Value(before))
    if after:
        parts.append(Value(after))
    return Concat(*parts, output_field=models.CharField()) if len(parts) > 1 else parts[0]


def _step(declaration: ModelDeclaration) -> _Step:
    model = declaration.model
    step = _Step(declaration, delete=declaration.on_erasure == "delete_row")
    for name, pd in declaration.personal_fields():
        f = model._meta.get_field(name)
        if not isinstance(f, models.Field) or f.many_to_many:
            raise ImproperlyConfigured(f"{model._meta.label}.{name}: erasure needs a column")
        if isinstance(f, models.FileField) and pd.erasure.kind != "keep":
            step.files.append(name)
        if pd.erasure.kind == "keep":
            if step.delete:
                raise ImproperlyConfigured(
                    f"{model._meta.label}.{name} is kept ({pd.erasure.obligation}) but its rows "
                    "are deleted on erasure; declare on_erasure='keep_row'"
                )
            step.kept[name] = pd.erasure.obligation
        elif not step.delete:
            step.updates[name] = (
                _replacement(model, name, pd.erasure.replacement)
                if pd.erasure.kind == "anonymise"
                else _emptied(model, f)
            )
    return step


def _links(step: _Step, deleted: set[type[models.Model]]) -> list[_Link]:
    """What points at the rows ``step`` deletes from models that are not deleted with them."""
    model = step.model
    found = []
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        if isinstance(m2m, models.ManyToManyField) and through._meta.auto_created:  # type: ignore[union-attr]
            found.append(_Link(through, m2m.m2m_field_name(), delete=True))  # type: ignore[arg-type]
    # include_hidden: a ForeignKey with related_name="+" still points here
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue
        other = relation.related_model
        pointing = relation.field
        if isinstance(relation, ManyToManyRel):
            through = relation.through
            if through is not None and through._meta.auto_created:
                found.append(_Link(through, pointing.m2m_reverse_field_name(), delete=True))  # type: ignore[attr-defined]
            continue
        if other is None or other in deleted or other._meta.auto_created:
            continue  # an automatic many-to-many table is handled with its relation above
        if relation.on_delete is models.SET_NULL:
            found.append(_Link(other, pointing.name, delete=False))
        elif relation.on_delete is not models.DO_NOTHING:
            raise ImproperlyConfigured(
                f"{other._meta.label}.{pointing.name} points at {model._meta.label}, whose "
                "rows erasure deletes: declare its subject path so that erasure reaches it, or "
                "make it SET_NULL"
            )
    return found


@cache
def erasure_plan() -> tuple[_Step, ...]:
    """The steps of an erasure, from the registry: deletions first (rows that point at others
    before the rows they point at), then the rows that stay and are anonymised."""
    steps = [_step(d) for d in declarations() if d.subject is not None]
    deleting = {s.model: s for s in steps if s.delete}
    graph: dict[type[models.Model], set[type[models.Model]]] = {m: set() for m in deleting}
    for model in deleting:
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if target in deleting and target is not model:
                graph[target].add(model)  # ``model`` rows go before the ``target`` rows
    order = list(TopologicalSorter(graph).static_order())
    for model in order:
        deleting[model].links = _links(deleting[model], set(deleting))
    kept = sorted((s for s in steps if not s.delete), key=lambda s: s.model is Person)
    return (*[deleting[m] for m in order], *kept)


def kept_fields() -> dict[str, str]:
    """``model.field`` → the obligation under which erasure keeps it (the registry's ``keep``)."""
    return {
        f"{step.declaration.label}.{name}": obligation
        for step in erasure_plan()
        for name, obligation in step.kept.items()
    }


def _erase_chunk(
    actor: Actor, person_ids: list[int], reason: str, *, journal: bool = True
) -> ErasureReport:
    report = ErasureReport()
    found = dict(
        Person.objects.select_for_update()
        .filter(pk__in=person_ids, erased_at=None)
        .order_by()
        .values_list("pk", "pseudonym")
    )
    report.skipped = [pk for pk in person_ids if pk not in found]
    ids = sorted(found)
    if not ids:
        return report
    per_person: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    files: list[tuple[Any, str]] = []
    for step in erasure_plan():
        label = step.declaration.label
        rows = step.rows(ids)
        counts = rows.values(step.key).annotate(n=Count("pk")).values_list(step.key, "n")
        total = 0
        for person_id, n in counts:
            per_person[person_id][label] = n
            total += n
        if not total:
            continue
        for name in step.files:
            storage = step.model._meta.get_field(name).storage  # type: ignore[union-attr]
            files += [(storage, f) for f in rows.values_list(name, flat=True) if f]
        if step.delete:
            targets = rows.values("pk")
            for link in step.links:
                linked = link.model._default_manager.filter(**{f"{link.field}__in": targets})
                if link.delete:
                    linked._raw_delete(linked.db)
                else:
                    linked.update(**{link.field: None})
            # A plain DELETE: Django's collector would load every row and send a signal each.
            rows._raw_delete(rows.db)
            report.deleted[label] += total
        else:
            if step.updates:
                rows.update(
                    **{
                        name: value.field.get_default() if isinstance(value, _Default) else value
                        for name, value in step.updates.items()
                    }
                )
            report.anonymised[label] += total
            report.kept.update({f"{label}.{n}": o for n, o in step.kept.items()})
    now = clock.now()
    Person.objects.filter(pk__in=ids).update(erased_at=now, updated_at=now)
    # Crypto-shredding: without the key, what is encrypted for these people stays ciphertext in
    # every copy (backups included); the journal makes a restore erase them again.
    keys_destroy(found.values())
    search_remove(ids)
    notice_duties_cancel(ids)  # nobody left to inform (R2.2)
    audit_record_many(
        actor=actor,
        events=[
            Event(
                "erase",
                "people.person",
                str(pk),
                str(found[pk]),
                {"reason": reason, "rows": dict(sorted(per_person[pk].items()))},
            )
            for pk in ids
        ],
    )
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    pseudonyms = {str(found[pk]) for pk in ids}
    transaction.on_commit(lambda: _delete_folders(pseudonyms))
    transaction.on_commit(lambda: _journal(sorted(pseudonyms), reason, enabled=journal))
    report.erased = ids
    report.files = len(files)
    return report


def _journal(pseudonyms: list[str], reason: str, *, enabled: bool) -> None:
    if enabled:
        journal_append(pseudonyms, reason=reason)


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


def _delete_folders(pseudonyms: set[str]) -> None:
    """Whatever else is stored under the people's own folders (copies of exports handed to them,
    a document whose row went earlier): one listing per folder, whatever the number of people."""
    for top in PERSON_FOLDERS:
        if not default_storage.exists(top):
            continue
        folders, _files = default_storage.listdir(top)
        for folder in pseudonyms.intersection(folders):
            for name in default_storage.listdir(f"{top}/{folder}")[1]:
                default_storage.delete(f"{top}/{folder}/{name}")


def people_erase(
    *, actor: Actor, person_ids: Iterable[int], reason: str, journal: bool = True
) -> ErasureReport:
    """Erase these people (R6.6, R5.1) as the registry says, in one transaction: their rows are
    deleted or anonymised, their stored files deleted after commit, they leave the search index,
    ``erased_at`` is set, and one ``erase`` audit event per person records the rows touched per
    model and the ``reason`` code (``retention:candidate``, ``request``…), never a value.

    People already erased, or unknown, are skipped (listed in the report): erasing twice is
    harmless. The gate refuses every purpose for an erased person from the commit on.

    The people's keys are deleted in the same transaction (crypto-shredding, R7.1) and, at
    commit, their pseudonyms are appended to the erasure journal (``journal=False`` only when a
    restore re-applies the journal itself)."""
    if not REASON.match(reason):
        raise ValueError(f"reason must be a short code (letters, digits, _.:-), got {reason!r}")
    ids = list(dict.fromkeys(person_ids))
    report = ErasureReport()
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            report.merge(_erase_chunk(actor, ids[start : start + CHUNK], reason, journal=journal))
    return report


def person_erase(*, actor: Actor, person: Person | int, reason: str) -> ErasureReport:
    """Erase one person; see ``people_erase``."""
    pk = person if isinstance(person, int) else person.pk
    return people_erase(actor=actor, person_ids=[pk], reason=reason)
