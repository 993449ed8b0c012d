"""The staff statistics page (R1.5): charts of visits, pages, referrers, browsers and screens,
drawn on the server with a table of the same figures, for a chosen period, in every language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import translation

from candor.stats.charts import nice_ceiling
from candor.stats.services import daily_job
from candor.stats.tests.conftest import CHROME, Beacon

pytestmark = [pytest.mark.django_db, pytest.mark.req("R1.5")]

NOW = dt.datetime(2026, 5, 20, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def counted(beacon: Beacon) -> None:
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        beacon("/public/", referrer="https://jobs.example.com/", address="192.0.2.1")
        beacon("/public/", referrer="https://jobs.example.com/", address="192.0.2.2")
        beacon("/public/", address="192.0.2.2", agent=CHROME, screen="small")
    daily_job(today=(NOW - dt.timedelta(days=2)).date())
    with time_machine.travel(NOW, tick=False):  # today: not folded yet, counted live
        beacon("/public/", address="192.0.2.9")


def _page(client, user, **query):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get("/statistics/", query)


def test_staff_see_visits_pages_referrers_browsers_and_screens(client, dpo, counted):
    response = _page(client, dpo)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count('role="img"') == 5  # visits, pages, referrers, browsers, screens
    days = response.context["report"].days
    assert len(days) == 30
    assert (days[-4].views, days[-4].uniques) == (3, 3)  # two addresses, one in two browsers
    assert (days[-1].views, days[-1].uniques) == (1, 1)
    assert "4 page views, 4 daily visitors." in html
    assert "jobs.example.com" in html
    assert "Direct or not told" in html
    assert "Small (phone, under 600 pixels)" in html
    assert "Firefox" in html
    assert "Chrome" in html


def test_the_period_can_be_chosen(client, consultant, counted):
    week = _page(client, consultant, days="7").context["report"]
    assert len(week.days) == 7
    assert week.views == 4

    assert len(_page(client, consultant, days="2").context["report"].days) == 30  # not offered


def test_an_empty_period_says_so(client, administrator):
    html = _page(client, administrator).content.decode()

    assert "No page views in this period." in html
    assert "0 page views, 0 daily visitors." in html


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_charts_draw_the_same_in_every_language(client, consultant, counted, language):
    consultant.language = language
    consultant.save(update_fields=["language"])

    with translation.override(language):
        html = _page(client, consultant).content.decode()

    # Belgian number formats write decimals with a comma; SVG coordinates must not.
    coordinates = re.findall(r'\b(?:x|y|width|height)="([^"]*)"', html)
    assert coordinates
    assert all(re.fullmatch(r"-?\d+(\.\d+)?%?", c) for c in coordinates), coordinates


@pytest.mark.parametrize(
    ("largest", "axis"), [(0, 2), (1, 2), (3, 4), (7, 8), (10, 10), (260, 300), (4741, 5000)]
)
def test_the_visits_axis_ends_on_a_round_number_just_above_the_busiest_day(largest, axis):
    assert nice_ceiling(largest) == axis
