"""Authorization decisions for the staff log-in security pages (R7.1); merged into
SITE_EXPECTATIONS by the matrix. The matrix signs in with ``force_login``, which stands for a
finished log-in (second step passed), so the second-step pages send it on (302)."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.site.tests.matrix_roles import BACK_OFFICE, Expectations

ADMINISTRATOR = frozenset({"administrator"})

SITE: Expectations = {
    "account/": (BACK_OFFICE, 200),  # one's own log-in security: 2FA on/off, recovery codes
    "account/second-factor/enrol/": (BACK_OFFICE, 200),  # QR code and secret, confirm a code
    "account/second-factor/verify/": (BACK_OFFICE, 302),  # second step; passed: go on
    "account/second-factor/recovery-codes/": (BACK_OFFICE, 302),  # shown once; none: go on
    "account/staff/": (ADMINISTRATOR, 200),  # who has 2FA; reset a colleague's (audited)
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """No URL parameters in this area."""
    return {}
