"""Counting page views, and the daily rollover that leaves only counts (R1.5).

The writes here are not audited on purpose: an audit event per page view would be a timestamped
row per visit, the very thing these statistics promise not to keep. The worker records each
rollover in ``JobRun`` with its counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Count, F

from candor.core import clock
from candor.stats.collect import View
from candor.stats.models import SITE, DailySalt, DayTotal, Dimension, PageDay, Sighting, Tally

DIGEST_CHARS = 32  # 128 bits of the HMAC: collisions between a day's visitors are negligible


def salt_for(day: dt.date) -> bytes:
    """The salt of ``day``, made on the day's first view. Making it deletes every other day's
    salt, so the previous day's digests can no longer be recomputed from anyone's address even
    before the rollover job has run."""
    found = DailySalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if found is not None:
        return bytes(found)
    try:
        with transaction.atomic():
            DailySalt.objects.create(day=day, salt=secrets.token_bytes(32))
            DailySalt.objects.exclude(day=day).delete()
    except IntegrityError:  # another request made it first
        pass
    return bytes(DailySalt.objects.values_list("salt", flat=True).get(day=day))


def visitor_digest(*, salt: bytes, address: str, user_agent: str, host: str, page: str) -> str:
    """Who is who within one day, and only within it: HMAC-SHA256 under the day's salt.

    The page is part of the message, so one visitor's digests on two pages differ: the day's
    digests count visitors per page (and, with ``page=SITE``, over the site) but cannot be put
    together into anyone's path through the site."""
    message = "\x00".join((address, user_agent, host, page)).encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:DIGEST_CHARS]


def _bump(model: type[models.Model], **keys: Any) -> None:
    manager = model._default_manager
    if manager.filter(**keys).update(views=F("views") + 1):
        return
    try:
        with transaction.atomic():
            manager.create(**keys, views=1)
    except IntegrityError:  # created meanwhile by a concurrent view
        manager.filter(**keys).update(views=F("views") + 1)


def page_view_record(*, view: View, address: str, user_agent: str, host: str) -> None:
    """Count one page view of today. ``address`` and ``user_agent`` only feed the day's digest;
    neither is stored, and nothing of the request but ``view`` (already reduced) is kept."""
    day = clock.today()
    salt = salt_for(day)

    def digest(page: str) -> str:
        return visitor_digest(
            salt=salt, address=address, user_agent=user_agent, host=host, page=page
        )

    with transaction.atomic():
        _bump(DayTotal, day=day)
        _bump(PageDay, day=day, page=view.page)
        _bump(Tally, day=day, dimension=Dimension.REFERRER, value=view.referrer)
        _bump(Tally, day=day, dimension=Dimension.BROWSER, value=view.browser)
        _bump(Tally, day=day, dimension=Dimension.SCREEN, value=view.screen)
        Sighting.objects.bulk_create(
            [Sighting(day=day, page=page, digest=digest(page)) for page in (SITE, view.page)],
            ignore_conflicts=True,
        )


def day_fold(day: dt.date) -> int:
    """Write ``day``'s distinct visitors into its counts and delete its digests. Returns the
    number of digests deleted. Atomic: interrupted, the day is either folded or untouched."""
    with transaction.atomic():
        sightings = Sighting.objects.filter(day=day)
        per_page = dict(
            sightings.values("page").annotate(n=Count("digest")).values_list("page", "n")
        )
        total = per_page.pop(SITE, 0)
        for page, uniques in per_page.items():
            PageDay.objects.filter(day=day, page=page).update(uniques=uniques)
        DayTotal.objects.filter(day=day).update(uniques=total)
        deleted, _ = sightings.delete()
    return deleted


def daily_job(*, today: dt.date) -> dict[str, int]:
    """``candor worker`` (``stats_rollover``): fold every finished day into counts, then delete
    its digests and every salt but today's. Safe to re-run: a folded day has no digests left,
    and folding sets counts rather than adding to them."""
    days = sorted(set(Sighting.objects.filter(day__lt=today).values_list("day", flat=True)))
    digests = sum(day_fold(day) for day in days)
    salts, _ = DailySalt.objects.exclude(day=today).delete()
    return {"days": len(days), "digests_deleted": digests, "salts_deleted": salts}
