"""Authorization decisions for these pages; merged into SITE_EXPECTATIONS by the matrix."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.site.tests.matrix_roles import CONSULTANT, DOSSIER_READERS, Expectations

SITE: Expectations = {
    "organisations/": (DOSSIER_READERS, 200),  # clients and suppliers: filters, counts
    # one organisation: financial details, contact persons, contracts and invoices
    "organisations/<int:organisation_id>/": (DOSSIER_READERS, 200),
    "organisations/<int:organisation_id>/edit/": (CONSULTANT, 200),  # form: edit, stale-safe
    "organisations/<int:organisation_id>/contacts/new/": (CONSULTANT, 200),  # form: contact
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """Real objects for this area's URL parameters (``found`` holds the shared ones)."""
    return {}  # organisation_id is shared
