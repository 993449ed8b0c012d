"""Authorization decisions for the governance pages; merged into SITE_EXPECTATIONS by the matrix."""

from __future__ import annotations

import datetime as dt

from candor.core.actor import Actor
from candor.privacy.statement import statement_publish
from candor.site.tests.matrix_roles import REGISTRY_READERS, Expectations

DPO = frozenset({"dpo"})

SITE: Expectations = {
    "governance/ropa/": (REGISTRY_READERS, 200),  # the Art. 30 register, generated
    "governance/ropa/register.html": (REGISTRY_READERS, 200),  # its download as HTML
    "governance/ropa/register.pdf": (REGISTRY_READERS, 200),  # ... as PDF
    "governance/ropa/register.md": (REGISTRY_READERS, 200),  # ... as Markdown
    "governance/statement/": (DPO, 200),  # privacy statement versions
    "governance/statement/new/": (DPO, 200),  # form: publish a new version
    "governance/statement/unseen/": (DPO, 200),  # people who have not seen the latest one
    "governance/statement/<int:version_id>/": (DPO, 200),  # one version, in one language
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """Real objects for this area's URL parameters (``found`` holds the shared ones)."""
    version = statement_publish(actor=actor, version="1.0", published_on=dt.date(2026, 1, 1))
    return {"version_id": version.pk}
