"""Authorization decisions for the page-view statistics (R1.5); merged by the matrix."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.site.tests.matrix_roles import BACK_OFFICE, EVERYONE, Expectations

SITE: Expectations = {
    "statistics/": (BACK_OFFICE, 200),  # counts of the public site: nobody in them
    # The beacon's endpoint: anyone's browser posts to it; a GET is not a page view (405).
    "public/stats/hit/": (EVERYONE, 405),
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    return {}
