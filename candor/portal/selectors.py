"""What a client contact may read in the portal: its own organisation's, nothing else.

Every function takes the organisation id of the signed-in contact; object look-ups filter on it,
so another client's vacancy, profile or introduction is simply not found (the page answers 404).
Profiles come from the ledger (``candor.disclosure.selectors``): the client sees exactly what was
sent to it, never the live dossier.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from candor.disclosure.selectors import Received, received_profile, received_profiles
from candor.portal.models import Introduction, IntroductionStatus
from candor.recruitment.models import Vacancy, VacancyStatus

REVEAL_PREFIX = "introduction:"


def organisation_id_of(user: Any) -> int | None:
    """The client organisation of a portal log-in (through its contact person), or None."""
    contact = getattr(user, "contact", None)
    return contact.organisation_id if contact is not None else None


def client_vacancies(organisation_id: int) -> QuerySet[Vacancy]:
    """The organisation's vacancies, but not the agency's drafts."""
    return (
        Vacancy.objects.filter(client_id=organisation_id)
        .exclude(status=VacancyStatus.DRAFT)
        .order_by("-opened_on", "-pk")
    )


def client_vacancy(organisation_id: int, vacancy_id: int) -> Vacancy | None:
    return client_vacancies(organisation_id).filter(pk=vacancy_id).first()


def client_profiles(organisation_id: int) -> list[Received]:
    """The anonymous profiles the client received, newest first, one per candidate (the latest
    sent); reveals of identities are not profiles and are left out."""
    seen: set[str] = set()
    profiles = []
    for received in received_profiles(organisation_id):
        if received.reference.startswith(REVEAL_PREFIX) or received.code in seen:
            continue
        seen.add(received.code)
        profiles.append(received)
    return profiles


def client_profile(organisation_id: int, code: str) -> Received:
    """One received profile by its code; ``NotSentToClient`` (logged) when never sent."""
    for received in client_profiles(organisation_id):
        if received.code == code.strip().upper():
            return received
    return received_profile(organisation_id, code)  # raises and logs when never sent


def client_introductions(organisation_id: int) -> QuerySet[Introduction]:
    return Introduction.objects.filter(organisation_id=organisation_id).select_related("vacancy")


def client_introduction(organisation_id: int, introduction_id: int) -> Introduction | None:
    return (
        client_introductions(organisation_id)
        .select_related("disclosure")
        .filter(pk=introduction_id)
        .first()
    )


def revealed_candidates(organisation_id: int) -> QuerySet[Introduction]:
    """Introductions whose candidate agreed and was introduced, not withdrawn since: the
    identity shown is the copy the ledger holds of what was disclosed."""
    return (
        client_introductions(organisation_id)
        .filter(status=IntroductionStatus.REVEALED, revoked_at__isnull=True)
        .select_related("disclosure")
        .order_by("-revealed_at", "-pk")
    )


def open_codes(organisation_id: int) -> dict[str, Introduction]:
    """Reference code → the client's latest introduction for it (for the profile pages)."""
    found: dict[str, Introduction] = {}
    for introduction in client_introductions(organisation_id).order_by("requested_at", "pk"):
        found[introduction.code] = introduction
    return found


def introductions_to_act_on() -> QuerySet[Introduction]:
    """The back office's list: requests still waiting first, then the rest, newest first."""
    return Introduction.objects.select_related("organisation", "vacancy", "person").order_by(
        "-requested_at", "-pk"
    )
