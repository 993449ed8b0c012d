"""Back-office page: page-view statistics of the public site (R1.5).

Counts per day, per page, per referrer domain, browser family and screen class; nobody can be
found in them (``candor.stats``). Charts are inline SVG drawn on the server, each with a table
of the same figures. Reading the page writes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from candor.core import clock
from candor.site.access import require
from candor.stats.charts import bar_chart, day_chart
from candor.stats.selectors import statistics_report

PERIODS = {
    7: _("Last 7 days"),
    30: _("Last 30 days"),
    90: _("Last 90 days"),
    365: _("Last 365 days"),
}
DEFAULT_PERIOD = 30


def _period(value: str | None) -> int:
    if value is not None and value.isdigit() and int(value) in PERIODS:
        return int(value)
    return DEFAULT_PERIOD


@require("statistics.view")
def statistics(request: HttpRequest) -> HttpResponse:
    days = _period(request.GET.get("days"))
    end = clock.today()
    report = statistics_report(start=end - dt.timedelta(days=days - 1), end=end)
    return render(
        request,
        "site/statistics/page.html",
        {
            "report": report,
            "period": days,
            "periods": PERIODS,
            "visits": day_chart(report.days),
            "charts": [
                ("pages", _("Top pages"), bar_chart(report.pages), report.pages),
                (
                    "referrers",
                    _("Top referrer domains"),
                    bar_chart(report.referrers),
                    report.referrers,
                ),
                ("browsers", _("Browser families"), bar_chart(report.browsers), report.browsers),
                ("screens", _("Screen sizes"), bar_chart(report.screens), report.screens),
            ],
        },
    )


urlpatterns: list[URLPattern] = [
    path("statistics/", statistics, name="statistics"),
]
