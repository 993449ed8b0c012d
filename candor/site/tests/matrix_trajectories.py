"""Authorization decisions for these pages; merged into SITE_EXPECTATIONS by the matrix."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.site.tests.matrix_roles import Expectations

SITE: Expectations = {}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """Real objects for this area's URL parameters (``found`` holds the shared ones)."""
    return {}
