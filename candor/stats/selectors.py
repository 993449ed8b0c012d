"""Reading the statistics for the staff page (R1.5): counts only, over a period of days.

Distinct visitors are known per day (and per page per day) and never across days: the digest
that tells two visits apart lives one day. A period's "visitors" is therefore the sum of its
daily distinct visitors, and the page says so.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from candor.stats.models import (
    ADDRESS,
    DIRECT,
    INTERNAL,
    SITE,
    BrowserFamily,
    DayTotal,
    Dimension,
    PageDay,
    ScreenClass,
    Sighting,
    Tally,
)

TOP = 10

REFERRER_LABELS = {
    DIRECT: _("Direct or not told"),
    INTERNAL: _("This site (internal)"),
    ADDRESS: _("An IP address"),
}


@dataclass(frozen=True, slots=True)
class DayCount:
    day: dt.date
    views: int
    uniques: int


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    views: int
    uniques: int | None = None


@dataclass(frozen=True, slots=True)
class Report:
    start: dt.date
    end: dt.date
    days: list[DayCount]
    pages: list[Row]
    referrers: list[Row]
    browsers: list[Row]
    screens: list[Row]

    @property
    def views(self) -> int:
        return sum(d.views for d in self.days)

    @property
    def uniques(self) -> int:
        return sum(d.uniques for d in self.days)


def _tally(start: dt.date, end: dt.date, dimension: str) -> Counter[str]:
    rows = (
        Tally.objects.filter(day__range=(start, end), dimension=dimension)
        .values("value")
        .annotate(n=Sum("views"))
        .values_list("value", "n")
    )
    return Counter(dict(rows))


def _labelled(
    counts: Counter[str], labels: Mapping[str, object], *, top: int | None = None
) -> list[Row]:
    return [Row(label=str(labels.get(v, v)), views=n) for v, n in counts.most_common(top)]


def statistics_report(*, start: dt.date, end: dt.date) -> Report:
    """Views and daily distinct visitors per day from ``start`` to ``end`` (both included), with
    the top pages and referrer domains and the browser families and screen classes."""
    in_period = {"day__range": (start, end)}
    totals = {t.day: t for t in DayTotal.objects.filter(**in_period)}
    # Days not folded yet (today) still have their digests: count them now.
    live_days = dict(
        Sighting.objects.filter(**in_period, page=SITE)
        .values("day")
        .annotate(n=Count("digest"))
        .values_list("day", "n")
    )
    days = []
    day = start
    while day <= end:
        total = totals.get(day)
        views, uniques = (total.views, total.uniques) if total else (0, 0)
        days.append(DayCount(day=day, views=views, uniques=uniques + live_days.get(day, 0)))
        day += dt.timedelta(days=1)

    page_rows = (
        PageDay.objects.filter(**in_period)
        .values("page")
        .annotate(v=Sum("views"), u=Sum("uniques"))
        .order_by("-v", "page")
    )
    live_pages = Counter(
        dict(
            Sighting.objects.filter(**in_period)
            .exclude(page=SITE)
            .values("page")
            .annotate(n=Count("digest"))
            .values_list("page", "n")
        )
    )
    pages = [
        Row(label=r["page"], views=r["v"], uniques=r["u"] + live_pages.get(r["page"], 0))
        for r in page_rows[:TOP]
    ]
    return Report(
        start=start,
        end=end,
        days=days,
        pages=pages,
        referrers=_labelled(_tally(start, end, Dimension.REFERRER), REFERRER_LABELS, top=TOP),
        browsers=_labelled(_tally(start, end, Dimension.BROWSER), dict(BrowserFamily.choices)),
        screens=_labelled(_tally(start, end, Dimension.SCREEN), dict(ScreenClass.choices)),
    )
