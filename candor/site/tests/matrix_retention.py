"""Authorization decisions for the retention pages; merged into SITE_EXPECTATIONS by the matrix."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.site.tests.matrix_roles import Expectations

DPO = frozenset({"dpo"})

SITE: Expectations = {
    "privacy/retention/": (DPO, 200),  # the retention review queue: who the sweep erases soon
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    return {}
