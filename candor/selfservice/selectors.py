"""Reads for a person's own pages; every one takes the signed-in person, never an id from
the URL, so nobody can reach someone else's data by changing a link."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from candor.people.models import ContactKind, ContactPoint, Person
from candor.privacy import gate
from candor.privacy.models import Consent
from candor.privacy.policy import Purpose, policy
from candor.rights.models import SubjectRequest
from candor.selfservice.models import Correction, CorrectionStatus


@dataclass(frozen=True, slots=True)
class ConsentState:
    purpose: Purpose
    label: str
    text: str  # the policy's current text, in the person's language
    version: str
    live: Consent | None
    last: Consent | None  # the latest record, live or withdrawn
    allowed: bool  # the gate's answer today


def consent_states(person: Person, language: str) -> list[ConsentState]:
    """Every purpose resting on consent, with the person's consent (if any) and the gate's
    answer: three queries for the gate, one for the consents."""
    decisions = {d.purpose.key: d for d in gate.overview(person)}
    records: dict[str, list[Consent]] = {}
    for consent in Consent.objects.filter(person=person).order_by("given_at", "pk"):
        records.setdefault(consent.purpose, []).append(consent)
    states = []
    for purpose in policy().purposes.values():
        if purpose.consent is None:
            continue
        mine = records.get(purpose.key, [])
        live = next((c for c in reversed(mine) if c.withdrawn_at is None), None)
        decision = decisions.get(purpose.key)
        states.append(
            ConsentState(
                purpose=purpose,
                label=purpose.label.get(language),
                text=purpose.consent.text.get(language),
                version=purpose.consent.version,
                live=live,
                last=mine[-1] if mine else None,
                allowed=bool(decision and decision.allowed),
            )
        )
    return states


def my_requests(person: Person) -> QuerySet[SubjectRequest]:
    return SubjectRequest.objects.filter(person=person).order_by("-received_at", "-pk")


def my_corrections(person: Person) -> QuerySet[Correction]:
    return Correction.objects.filter(person=person).order_by("-created_at", "-pk")


def pending_corrections() -> QuerySet[Correction]:
    """The consultants' queue: proposals waiting for review, oldest first."""
    return (
        Correction.objects.filter(status=CorrectionStatus.PENDING)
        .select_related("person")
        .order_by("created_at", "pk")
    )


def decided_corrections(limit: int = 20) -> list[Correction]:
    return list(
        Correction.objects.exclude(status=CorrectionStatus.PENDING)
        .select_related("person", "decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )


def account_emails(person: Person) -> list[str]:
    return list(
        ContactPoint.objects.filter(person=person, kind=ContactKind.EMAIL)
        .order_by("-is_primary", "pk")
        .values_list("value", flat=True)
    )
