"""The demo's statistics: thirty finished days of counts, and nothing but counts."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from candor.core import clock
from candor.demo.statistics import demo_statistics
from candor.stats.models import DailySalt, DayTotal, PageDay, Sighting, Tally
from candor.stats.selectors import statistics_report

pytestmark = [pytest.mark.django_db, pytest.mark.req("R1.5")]


def test_the_demo_seeds_thirty_days_the_staff_page_can_show():
    seeded = demo_statistics(rng=random.Random(7))  # noqa: S311 - demo figures, not secrets

    today = clock.today()
    days = sorted(DayTotal.objects.values_list("day", flat=True))
    assert days == [today - dt.timedelta(days=n) for n in range(30, 0, -1)]
    for total in DayTotal.objects.all():
        assert 0 < total.uniques <= total.views
        assert sum(PageDay.objects.filter(day=total.day).values_list("views", flat=True)) == (
            total.views
        )
        for dimension in ("referrer", "browser", "screen"):
            tallied = Tally.objects.filter(day=total.day, dimension=dimension)
            assert sum(tallied.values_list("views", flat=True)) == total.views
    report = statistics_report(start=today - dt.timedelta(days=29), end=today)
    assert report.views == seeded["views"] - DayTotal.objects.get(day=days[0]).views
    assert all((report.pages, report.referrers, report.browsers, report.screens))
    assert not Sighting.objects.exists()
    assert not DailySalt.objects.exists()
