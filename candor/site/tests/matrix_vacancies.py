"""Authorization decisions for these pages; merged into SITE_EXPECTATIONS by the matrix."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.site.tests.matrix_roles import CONSULTANT, Expectations

SITE: Expectations = {
    "vacancies/": (CONSULTANT, 200),  # vacancy list: filters, counts per stage
    "vacancies/new/": (CONSULTANT, 200),  # form: new vacancy
    "vacancies/<int:vacancy_id>/": (CONSULTANT, 200),  # a vacancy with its pipeline board
    "vacancies/<int:vacancy_id>/edit/": (CONSULTANT, 200),  # form: edit a vacancy
    "vacancies/<int:vacancy_id>/applications/": (CONSULTANT, 200),  # all applications, paged
    # Moving a card only takes a POST: an allowed GET is 405, a refused role still gets 403.
    "applications/<int:application_id>/move/": (CONSULTANT, 405),
    "applications/<int:application_id>/steps/new/": (CONSULTANT, 200),  # form: interview, test
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """Real objects for this area's URL parameters (``found`` holds the shared ones)."""
    return {}  # vacancy_id and application_id are shared
