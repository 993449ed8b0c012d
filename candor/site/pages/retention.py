"""Back-office page: the retention review queue (R5.1) — who the sweep will erase soon.

The data protection officer checks it before the daily sweep: a person listed here is erased
once their date has passed, unless the facts change (a new contract, a recorded career end) or a
restriction asked by the person holds the data. Reading it writes nothing.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from candor.accounts.permissions import can
from candor.core import clock
from candor.privacy.policy import policy
from candor.privacy.selectors import Due, retention_due
from candor.site.access import require

PER_PAGE = 50
MAX_DAYS = 366

RULES = {
    "candidate": _("End of the active career"),
    "candidate_max": _("Longest period after collection"),
    "contract_party": _("Bookkeeping period after the last contract"),
    "site_user": _("Site account unused"),
    "collected": _("No role left"),
}


def _days(value: str | None) -> int:
    default = policy().retention.review_days
    if value is None or not value.isdigit():
        return default
    return min(int(value), MAX_DAYS)


@require("retention.review")
def retention_review(request: HttpRequest) -> HttpResponse:
    days = _days(request.GET.get("days"))
    queue: Paginator[Due] = Paginator(retention_due(within_days=days), PER_PAGE)
    page = queue.get_page(request.GET.get("page"))
    today = clock.today()
    return render(
        request,
        "site/retention/review.html",
        {
            "page": page,
            "days": days,
            "today": today,
            "rules": RULES,
            "can_view_dossier": can(request.user, "candidate.view"),
        },
    )


urlpatterns: list[URLPattern] = [
    path("privacy/retention/", retention_review, name="retention_review"),
]
