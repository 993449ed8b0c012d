"""What a completed import of one record leaves, checked for every person in the database.

A candidate written by the importer (``candor.recruitment.intake``) has, in one transaction:
the person row with its provenance, a candidate profile, an audit ``create`` event naming them by
pseudonym, and a search index entry; every contact point, address and CV section points at an
existing person. A person missing any of these was half-written. Used by the hostile-input and
kill tests.
"""

from __future__ import annotations

from django.db import connection

from candor.audit.models import AuditEvent
from candor.people.models import Address, ContactPoint, Person, Provenance
from candor.recruitment.models import (
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    Skill,
)

SECTIONS = (ContactPoint, Address, CandidateProfile, Education, Experience, LanguageSkill, Skill)


def indexed_person_ids() -> set[int]:
    column = "rowid" if connection.vendor == "sqlite" else "person_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM search_candidate")  # noqa: S608 - fixed names
        return {row[0] for row in cursor.fetchall()}


def half_written() -> list[str]:
    """Every problem found, as a readable line; empty when every person is whole."""
    problems: list[str] = []
    people = dict(Person.objects.filter(is_candidate=True).values_list("pk", "pseudonym"))
    provenances = set(Provenance.objects.values_list("pk", flat=True))
    with_profile = set(CandidateProfile.objects.values_list("person_id", flat=True))
    created = set(AuditEvent.objects.filter(action="create").values_list("subject", flat=True))
    indexed = indexed_person_ids()
    for pk, pseudonym in people.items():
        if pk not in with_profile:
            problems.append(f"person {pk}: no candidate profile")
        if str(pseudonym) not in created:
            problems.append(f"person {pk}: no audit 'create' event")
        if pk not in indexed:
            problems.append(f"person {pk}: no search entry")
    no_provenance = Person.objects.filter(is_candidate=True).exclude(provenance_id__in=provenances)
    problems += [f"person {pk}: no provenance" for pk in no_provenance.values_list("pk", flat=True)]
    everyone = set(Person.objects.values_list("pk", flat=True))
    for model in SECTIONS:
        orphans = set(model.objects.values_list("person_id", flat=True)) - everyone
        problems += [f"{model.__name__} of missing person {pk}" for pk in sorted(orphans)]
    problems += [f"search entry of missing person {pk}" for pk in sorted(indexed - everyone)]
    return problems
