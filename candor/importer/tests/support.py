"""Shared helpers for the import tests: where the fixtures are, what a run printed, what is
stored. Only synthetic Belgian people and reserved domains (example.com, .invalid, .test)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from candor.audit.models import AuditEvent
from candor.people.models import Address, ContactPoint, Person, Provenance
from candor.recruitment.models import (
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    Skill,
)

FIXTURES = Path(__file__).parent / "fixtures"

STORED_MODELS = (
    Person,
    ContactPoint,
    Address,
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    Skill,
    Provenance,
    AuditEvent,
)


@dataclass
class Run:
    out: str
    err: str

    @property
    def summary(self) -> str:
        return self.out.strip().splitlines()[-1]

    def lines(self, prefix: str) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith(prefix)]


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STORED_MODELS}


def person_by_email(email: str) -> Person:
    return Person.objects.get(contact_points__kind="email", contact_points__normalised=email)


def all_stored_text() -> str:
    """Every value of every personal table, for 'this was not imported' checks."""
    parts = []
    for model in STORED_MODELS[:-2]:
        for row in model.objects.values():
            parts.extend(str(v) for v in row.values())
    return "\n".join(parts)
