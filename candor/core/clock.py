"""The one clock (DESIGN invariant 5).

Every date and time the system reasons about (provenance, audit, deadlines, retention) comes
from here, so tests move time with ``time_machine`` and nothing reads the wall clock on its own.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current moment, timezone-aware (UTC)."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in the agency's time zone (Europe/Brussels by default)."""
    return timezone.localdate(now())


def localdate(moment: dt.datetime) -> dt.date:
    """The agency-local date of a stored moment (a sign-in, a collection)."""
    return timezone.localdate(moment)
