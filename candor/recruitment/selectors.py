"""Reads of candidates for features; every dossier read is audited (DESIGN invariant 4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candor.accounts.selectors import staff_names
from candor.audit.models import AuditEvent
from candor.audit.services import audit_events_for
from candor.core.actor import Actor
from candor.guidance.models import Trajectory
from candor.people.models import Address, ContactPoint, Document, Person
from candor.people.services import person_viewed
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
    source (``self``, ``third-party``, ``medium``, ``medium:NAME`` …) or a name fragment."""
    qs = (
        Person.objects.filter(is_candidate=True)
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
                    ("contact_points", ContactPoint),
                    ("addresses", Address),
                    ("education", Education),
                    ("experience", Experience),
                    ("languages", LanguageSkill),
                    ("skills", Skill),
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
    person_viewed(actor=actor, person=person, where=where)
    return person


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
MAX_HISTORY_PAGE = 1000  # audit_events_for reads from the newest event on; bound the window


def candidate_history(*, person: Person, page: int = 1, per_page: int = 50) -> HistoryPage:
    """The audit events about ``person``, newest first, one page at a time (R7.1); staff named
    in one query. Two queries whatever the length of the trail. Records nothing: the caller
    shows the history with the dossier, whose view is recorded."""
    page = max(1, min(page, MAX_HISTORY_PAGE))
    start = (page - 1) * per_page
    events = audit_events_for(str(person.pseudonym), limit=start + per_page + 1)
    window = events[start : start + per_page]
    names = staff_names({event.actor for event in window})
    return HistoryPage(
        entries=[_history_entry(event, names) for event in window],
        number=page,
        has_next=len(events) > start + per_page,
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
