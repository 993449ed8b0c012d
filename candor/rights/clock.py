"""The clock of a subject request (R6.1, GDPR Art. 12(3)).

- **Start.** The period starts on the day the request is received (``received_at`` in the
  agency's time zone), whatever the channel; a letter counts from the day it arrives.
- **One month.** The answer is due one calendar month later, on the same day of the month
  (Regulation 1182/71, Art. 3(2)(c)); when that month has no such day, on its last day:
  31 January → 28 February (29 in a leap year), 30 April → 30 May, 31 March → 30 April. We do not
  move a deadline that falls on a weekend or holiday to the next working day: answering earlier
  is always allowed, later is not.
- **Identity.** Asking the person to prove who they are (only with reasonable doubts,
  Art. 12(6)) suspends the period: the days from the day we ask to the day the identity is
  verified are added to the due date (EDPB Guidelines 01/2022 on the right of access, on
  requests for additional information). The policy's ``[requests] identity_suspends_clock = false``
  turns this off: the period then runs from receipt whatever happens.
- **Extension.** Once, by at most two further months (``[requests] extension_months``), counted
  like the first month from receipt (31 January + 3 months = 30 April), plus any suspension; only
  with a reason, and only while the first period runs: the person must be told inside it.
"""

from __future__ import annotations

import datetime as dt

from candor.core import clock
from candor.privacy.policy import add_months, policy


def received_on(received_at: dt.datetime) -> dt.date:
    """The day a request was received, in the agency's time zone."""
    return clock.localdate(received_at)


def first_due(received: dt.date, paused_days: int = 0) -> dt.date:
    """The end of the first period: one month after receipt, plus the days suspended."""
    return add_months(received, policy().requests.answer_months) + dt.timedelta(days=paused_days)


def extended_due(received: dt.date, months: int, paused_days: int = 0) -> dt.date:
    """The end of the period extended by ``months`` further months."""
    total = policy().requests.answer_months + months
    return add_months(received, total) + dt.timedelta(days=paused_days)


def suspended_days(paused_since: dt.datetime | None, until: dt.date) -> int:
    """Whole days between asking for proof of identity and ``until`` (0 the same day)."""
    if paused_since is None or not policy().requests.identity_suspends_clock:
        return 0
    return max(0, (until - clock.localdate(paused_since)).days)
