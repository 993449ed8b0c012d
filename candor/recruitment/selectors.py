"""Reads of candidates for features; every dossier read is audited (DESIGN invariant 4)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from candor.core.actor import Actor
from candor.people.models import Person
from candor.people.services import person_viewed
from candor.recruitment.models import Application, Experience


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
    """One candidate with every section, each with its provenance; records the view."""
    person = (
        Person.objects.select_related("provenance", "candidate", "candidate__provenance")
        .prefetch_related(
            "contact_points__provenance",
            "addresses__provenance",
            "education__provenance",
            Prefetch("experience", queryset=Experience.objects.select_related("provenance")),
            "languages__provenance",
            "skills__provenance",
            "documents__provenance",
            Prefetch(
                "applications",
                queryset=Application.objects.select_related(
                    "vacancy", "provenance"
                ).prefetch_related("steps"),
            ),
            "trajectories__sessions",
        )
        .get(pk=person_id, is_candidate=True)
    )
    person_viewed(actor=actor, person=person, where=where)
    return person
