"""The daily rollover (R1.5): a finished day becomes counts; its digests and its salt are gone,
and the next day's salt makes the same visitor unrecognisable."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from candor.privacy.worker import run_due
from candor.stats.models import SITE, DailySalt, DayTotal, PageDay, Sighting, Tally
from candor.stats.services import salt_for, visitor_digest
from candor.stats.tests.conftest import CHROME, FIREFOX, Beacon

pytestmark = [pytest.mark.django_db, pytest.mark.req("R1.5")]

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
TUESDAY = MONDAY + dt.timedelta(days=1)


def _monday_visits(beacon: Beacon) -> None:
    beacon("/public/", address="192.0.2.1", referrer="https://news.example.com/a")
    beacon("/public/", address="192.0.2.1", referrer="https://news.example.com/b")
    beacon("/public/", address="192.0.2.2", agent=CHROME, screen="small")
    beacon("/public/", address="2001:db8::7", agent=CHROME, screen="small")


def test_the_rollover_keeps_the_counts_and_deletes_the_digests_and_the_salt(beacon: Beacon):
    with time_machine.travel(MONDAY, tick=False):
        _monday_visits(beacon)
        assert Sighting.objects.filter(page=SITE).count() == 3
    with time_machine.travel(TUESDAY, tick=False):
        [ran] = run_due(jobs={"stats_rollover": "candor.stats.services:daily_job"})

    assert ran.status == "done"
    assert ran.outcome["days"] == 1
    assert ran.outcome["digests_deleted"] == 6  # three visitors: on the site, on the page
    assert not Sighting.objects.exists()
    assert not DailySalt.objects.exists()
    monday = MONDAY.date()
    total = DayTotal.objects.get(day=monday)
    assert (total.views, total.uniques) == (4, 3)
    page = PageDay.objects.get(day=monday, page="/public/")
    assert (page.views, page.uniques) == (4, 3)
    tallies = {(t.dimension, t.value): t.views for t in Tally.objects.filter(day=monday)}
    assert tallies == {
        ("referrer", "news.example.com"): 2,
        ("referrer", "=direct"): 2,
        ("browser", "firefox"): 2,
        ("browser", "chrome"): 2,
        ("screen", "large"): 2,
        ("screen", "small"): 2,
    }


def test_running_the_rollover_again_changes_nothing(beacon: Beacon):
    from candor.stats.services import daily_job

    with time_machine.travel(MONDAY, tick=False):
        _monday_visits(beacon)
    daily_job(today=TUESDAY.date())
    before = list(DayTotal.objects.values_list("day", "views", "uniques"))

    assert daily_job(today=TUESDAY.date()) == {"days": 0, "digests_deleted": 0, "salts_deleted": 0}
    assert list(DayTotal.objects.values_list("day", "views", "uniques")) == before


def test_the_day_being_counted_keeps_its_digests_until_it_is_over(beacon: Beacon):
    from candor.stats.services import daily_job

    with time_machine.travel(TUESDAY, tick=False):
        beacon("/public/")
        daily_job(today=TUESDAY.date())

        assert Sighting.objects.count() == 2  # the visitor on the site and on the page
        assert DailySalt.objects.get().day == TUESDAY.date()


def test_a_new_day_has_a_new_salt_so_the_same_visitor_is_not_recognised(beacon: Beacon):
    with time_machine.travel(MONDAY, tick=False):
        beacon(address="192.0.2.1")
        monday_salt = salt_for(MONDAY.date())
        monday_digest = Sighting.objects.get(page=SITE).digest
    with time_machine.travel(TUESDAY, tick=False):
        beacon(address="192.0.2.1")
        tuesday_digest = Sighting.objects.get(day=TUESDAY.date(), page=SITE).digest

        # Making Tuesday's salt threw Monday's away, before any rollover ran.
        assert list(DailySalt.objects.values_list("day", flat=True)) == [TUESDAY.date()]
        tuesday_salt = salt_for(TUESDAY.date())
    assert tuesday_salt != monday_salt
    assert tuesday_digest != monday_digest
    # Each digest is reproducible only with its own day's salt, and Monday's is gone.
    visitor = {"address": "192.0.2.1", "user_agent": FIREFOX, "host": "testserver", "page": SITE}
    assert visitor_digest(salt=monday_salt, **visitor) == monday_digest
    assert visitor_digest(salt=tuesday_salt, **visitor) == tuesday_digest
