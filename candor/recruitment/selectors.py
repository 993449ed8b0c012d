"""Reads of candidates for features; every dossier read is audited (DESIGN invariant 4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import BooleanField, CharField, Count, Max, Prefetch, QuerySet, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candor.accounts.models import User
from candor.accounts.selectors import staff_names
from candor.audit.models import AuditEvent
from candor.audit.services import audit_events_for
from candor.core.actor import Actor
from candor.guidance.models import Trajectory
from candor.people.models import Address, ContactPoint, Document, Person, Provenance
from candor.people.services import person_viewed
from candor.privacy.gate import scope
from candor.recruitment.models import (
    Application,
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    ProcedureStep,
    Skill,
)


def candidates(*, source: str = "", search: str = "") -> QuerySet[Person]:
    """Candidates with their profile and provenance, newest first, optionally filtered by
    source (``self``, ``third-party``, ``medium``, ``medium:NAME`` …) or a name fragment. Only
    those the purpose gate allows for the ``search`` feature (R6.7, R6.8)."""
    qs = (
        scope(Person.objects.filter(is_candidate=True), feature="search")
        .select_related("candidate", "provenance")
        .order_by("-id")
    )
    if source:
        kind, _, name = source.partition(":")
        kind = {"self": "subject", "third-party": "third_party"}.get(kind, kind)
        qs = qs.filter(provenance__kind=kind)
        if name:
            qs = qs.filter(provenance__name__iexact=name)
    if search:
        from candor.core.normalise import normalise_name

        qs = qs.filter(name_key__contains=normalise_name(search))
    return qs


def candidate_dossier(*, actor: Actor, person_id: int, where: str) -> Person:
    """One candidate with every section, each with its provenance (and who recorded it);
    records the view. A fixed number of queries, however long the dossier."""
    sourced = ("provenance", "provenance__recorded_by")
    person = (
        Person.objects.select_related(
            *sourced, "candidate", "candidate__provenance", "candidate__provenance__recorded_by"
        )
        .prefetch_related(
            *(
                Prefetch(name, queryset=model.objects.select_related(*sourced))
                for name, model in (
                    ("education", Education),
                    ("experience", Experience),
                    ("documents", Document),
                )
            ),
            Prefetch(
                "applications",
                queryset=Application.objects.select_related(
                    *sourced, "vacancy", "vacancy__client", "consultant"
                ).order_by("-applied_on", "-id"),
            ),
            Prefetch(
                "applications__steps",
                queryset=ProcedureStep.objects.select_related(*sourced, "conducted_by"),
            ),
            Prefetch(  # sessions are counted here and listed, page by page, on the trajectory
                "trajectories",
                queryset=Trajectory.objects.select_related(
                    *sourced, "sponsor", "consultant"
                ).annotate(session_count=Count("sessions"), last_session=Max("sessions__held_at")),
            ),
        )
        .get(pk=person_id, is_candidate=True)
    )
    _short_sections(person)
    person_viewed(actor=actor, person=person, where=where)
    return person


_SOURCE_COLUMNS = (
    "provenance_id",
    "provenance__kind",
    "provenance__name",
    "provenance__channel",
    "provenance__obtained_at",
    "provenance__recorded_by_id",
    "provenance__recorded_by__username",
    "provenance__recorded_by__first_name",
    "provenance__recorded_by__last_name",
)


def _short_sections(person: Person) -> None:
    """Contact points, addresses, languages and skills in one query (a UNION of rows of one
    shape), each item with its source, placed where ``person.contact_points.all()`` and the
    others find them: three queries less per dossier than four prefetches."""
    text, blank = CharField(), Value("", output_field=CharField())

    def rows(model: type[models.Model], tag: str, *columns: Any, flag: Any = False) -> Any:
        padded = [*columns, *[blank] * (6 - len(columns))]
        return model.objects.filter(person_id=person.pk).values_list(  # type: ignore[attr-defined]
            Value(tag, output_field=text),
            "id",
            *padded,
            Value(flag, output_field=BooleanField()) if isinstance(flag, bool) else flag,
            *_SOURCE_COLUMNS,
        )

    union = rows(
        ContactPoint, "contact", "kind", "value", "normalised", "label", flag="is_primary"
    ).union(
        rows(Address, "address", "street", "number", "box", "postcode", "city", "country"),
        rows(LanguageSkill, "language", "language", "level"),
        rows(Skill, "skill", "name"),
        all=True,
    )
    found: dict[str, list[Any]] = {"contact": [], "address": [], "language": [], "skill": []}
    for tag, pk, t1, t2, t3, t4, t5, t6, flag, *source in union:
        common = {"id": pk, "person": person, "provenance": _provenance(source)}
        if tag == "contact":
            item: Any = ContactPoint(
                kind=t1, value=t2, normalised=t3, label=t4, is_primary=bool(flag), **common
            )
        elif tag == "address":
            item = Address(street=t1, number=t2, box=t3, postcode=t4, city=t5, country=t6, **common)
        elif tag == "language":
            item = LanguageSkill(language=t1, level=t2, **common)
        else:
            item = Skill(name=t1, **common)
        found[tag].append(item)
    prefetched = person.__dict__.setdefault("_prefetched_objects_cache", {})
    for tag, name in (
        ("contact", "contact_points"),
        ("address", "addresses"),
        ("language", "languages"),
        ("skill", "skills"),
    ):
        prefetched[name] = sorted(found[tag], key=lambda item: item.id)


def _provenance(source: list[Any]) -> Provenance:
    pk, kind, name, channel, obtained_at, user_id, username, first, last = source
    recorded_by = (
        User(id=user_id, username=username, first_name=first, last_name=last)
        if user_id is not None
        else None
    )
    return Provenance(
        id=pk,
        kind=kind,
        name=name,
        channel=channel,
        obtained_at=obtained_at,
        recorded_by=recorded_by,
    )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One audit event about a person, ready to show: who by name, what by field label."""

    at: dt.datetime
    actor: str  # a staff member's name, or the reference when there is no such account
    code: str  # the action as stored: view, create, update, merge…
    action: str  # the action for people to read
    object_label: str
    fields: list[str]
    notes: list[str]


@dataclass(frozen=True, slots=True)
class HistoryPage:
    entries: list[HistoryEntry]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


ACTIONS = {
    "view": gettext_lazy("viewed"),
    "create": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "merge": gettext_lazy("merged"),
    "delete": gettext_lazy("deleted"),
    "erase": gettext_lazy("erased"),
    "export": gettext_lazy("exported"),
}
MAX_HISTORY_PAGE = 1000  # a bound on the OFFSET the database skips


def candidate_history(*, person: Person, page: int = 1, per_page: int = 50) -> HistoryPage:
    """The audit events about ``person``, newest first, one page at a time (R7.1); staff named
    in one query. Two queries whatever the length of the trail. Records nothing: the caller
    shows the history with the dossier, whose view is recorded."""
    page = max(1, min(page, MAX_HISTORY_PAGE))
    start = (page - 1) * per_page
    events = audit_events_for(str(person.pseudonym), offset=start, limit=per_page + 1)
    window = events[:per_page]
    names = staff_names({event.actor for event in window})
    return HistoryPage(
        entries=[_history_entry(event, names) for event in window],
        number=page,
        has_next=len(events) > per_page,
    )


DETAIL_LABELS = {
    "where": gettext_lazy("where"),
    "source": gettext_lazy("source"),
    "rows": gettext_lazy("records"),
    "conflicts": gettext_lazy("differing values kept"),
    "vacancy": gettext_lazy("vacancy"),
    "kind": gettext_lazy("kind"),
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
}
PLACES = {
    "backoffice": gettext_lazy("back office"),
    "backoffice:history": gettext_lazy("back office, history"),
    "api": gettext_lazy("API"),
}


def _history_entry(event: Any, names: dict[str, str]) -> HistoryEntry:
    model = _model(event.object_type)
    detail = event.detail if isinstance(event.detail, dict) else {}
    return HistoryEntry(
        at=event.at,
        actor=names.get(event.actor) or _actor_label(event.actor),
        code=event.action,
        action=str(ACTIONS.get(event.action, event.action)),
        object_label=str(model._meta.verbose_name) if model else event.object_type,
        fields=[_field_label(model, name) for name in detail.get("fields", [])],
        notes=[
            f"{DETAIL_LABELS.get(key, key)}: {_brief(key, value)}"
            for key, value in detail.items()
            if key != "fields" and value not in ({}, [], "")
        ],
    )


def _actor_label(ref: str) -> str:
    kind, _sep, rest = ref.partition(":")
    if kind == "system":
        return _("system (%(task)s)") % {"task": rest}
    return ref


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_label(model: type[models.Model] | None, name: str) -> str:
    # Merges name candidate-profile fields on the person's event.
    for candidate in (model, CandidateProfile):
        if candidate is None:
            continue
        try:
            return str(candidate._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            continue
    return name


def _brief(key: str, value: Any) -> str:
    # detail holds names, codes and counts, never personal values (audit.services)
    if key == "where":
        return str(PLACES.get(value, value))
    if isinstance(value, dict):
        labels = _model_labels()
        return ", ".join(f"{labels.get(k, k)} {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@cache
def _model_labels() -> dict[str, Any]:
    """Model name → its (lazily translated) verbose name, for the row counts in events."""
    return {str(m._meta.model_name): m._meta.verbose_name for m in apps.get_models()}


def dossier_activity(*, since: dt.datetime) -> dict[str, int]:
    """How many dossier reads and changes the trail holds since ``since``, by action, for the
    DPO's overview: counts only, nobody named."""
    return dict(
        AuditEvent.objects.filter(at__gte=since, object_type="people.person")
        .order_by()
        .values("action")
        .annotate(n=Count("id"))
        .values_list("action", "n")
    )
