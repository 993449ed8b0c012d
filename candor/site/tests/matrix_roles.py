"""Role groups for the authorization matrix, shared by its per-area decision tables."""

from __future__ import annotations

from candor.site.tests.conftest import ROLE_NAMES

# route → (roles that may open it, status the allowed GET answers)
Expectations = dict[str, tuple[frozenset[str], int]]

EVERYONE = frozenset(ROLE_NAMES)
BACK_OFFICE = frozenset({"consultant", "dpo", "administrator"})
DOSSIER_READERS = frozenset({"consultant", "dpo"})
CONSULTANT = frozenset({"consultant"})
REGISTRY_READERS = frozenset({"dpo", "administrator"})
