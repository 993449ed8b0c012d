from __future__ import annotations

from django.http import HttpRequest

from candor.accounts.permissions import can


def navigation(request: HttpRequest) -> dict[str, bool]:
    """Which navigation links the signed-in user's role may follow."""
    user = getattr(request, "user", None)
    return {
        "show_candidates": can(user, "candidate.view"),
        "show_vacancies": can(user, "vacancy.view"),
        "show_organisations": can(user, "organisation.view"),
        "show_trajectories": can(user, "trajectory.view"),
        "show_registry": can(user, "registry.view"),
        "show_privacy_desk": can(user, "privacy.dashboard"),
        "show_ropa": can(user, "ropa.view"),
        "show_mailings": can(user, "mailing.view"),
        "show_processors": can(user, "processor.view"),
        "show_requests": can(user, "requests.manage"),
        "show_statistics": can(user, "statistics.view"),
        "show_introductions": can(user, "introduction.manage"),
        "show_corrections": can(user, "correction.review"),
        "show_portal": bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and getattr(user, "role", "") == "client"
        ),
        "show_inhouse_sessions": can(user, "inhouse.supervise"),
        "show_postings": can(user, "posting.manage"),
        "show_account": can(user, "backoffice.enter"),
        "show_staff_security": can(user, "second_factor.reset"),
        "show_inhouse_client": bool(
            user is not None
            and getattr(user, "is_authenticated", False)
            and getattr(user, "role", "") == "inhouse_client"
        ),
    }
