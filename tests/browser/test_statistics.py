"""A visitor opens a public page in Chromium: the page's own script reports the view, which is
counted, under a strict Content-Security-Policy and without any non-essential cookie (R1.5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from candor.core import clock
from candor.stats.models import DayTotal, PageDay, Tally

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.req("R1.5")]

# A desktop Chrome: Playwright's own headless user agent is (rightly) ignored as a robot.
DESKTOP_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
STRICT_CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self'"
ESSENTIAL = {settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


@pytest.fixture
def visitor(browser: Any, live_server: Any) -> Iterator[Any]:
    def open_context(**options: Any) -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            locale="fr-BE",
            user_agent=DESKTOP_CHROME,
            viewport={"width": 1280, "height": 800},
            screen={"width": 1280, "height": 800},
            **options,
        )
        contexts.append(context)
        return context

    contexts: list[Any] = []
    yield open_context
    for context in contexts:
        context.close()


def _with_strict_csp(route: Any) -> None:
    response = route.fetch()
    route.fulfill(
        response=response, headers={**response.headers, "content-security-policy": STRICT_CSP}
    )


def test_a_public_page_reports_its_view_and_sets_no_tracking_cookie(visitor: Any) -> None:
    context = visitor()
    page = context.new_page()
    page.route("**/public/", _with_strict_csp)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "stats" in m.text else None)

    with page.expect_response(lambda r: "/public/stats/hit/" in r.url) as answer:
        page.goto("/public/")

    response = answer.value
    assert response.status == 204
    assert "set-cookie" not in response.headers
    sent = json.loads(response.request.post_data or "{}")
    assert sent == {"page": "/public/", "referrer": "", "screen": "large"}
    assert violations == []
    today = clock.today()
    assert DayTotal.objects.get(day=today).views == 1
    assert PageDay.objects.get(day=today).page == "/public/"
    assert Tally.objects.get(day=today, dimension="browser").value == "chrome"
    assert Tally.objects.get(day=today, dimension="screen").value == "large"
    cookies = {c["name"] for c in context.cookies()}
    assert cookies <= ESSENTIAL, cookies - ESSENTIAL


def test_a_visitor_who_asks_not_to_be_tracked_is_not_counted(visitor: Any) -> None:
    page = visitor(extra_http_headers={"Sec-GPC": "1"}).new_page()

    with page.expect_response(lambda r: "/public/stats/hit/" in r.url) as answer:
        page.goto("/public/")

    assert answer.value.status == 204
    assert not DayTotal.objects.exists()
