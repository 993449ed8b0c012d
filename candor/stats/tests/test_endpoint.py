"""The collection endpoint (R1.5): 204 and no cookie; nothing counted for visitors who opt out
or for robots; malformed views refused with the reason; one address cannot flood the counts."""

from __future__ import annotations

import pytest

from candor.stats.models import SITE, DayTotal, PageDay, Sighting, Tally
from candor.stats.tests.conftest import CHROME, EDGE, HIT, SAFARI, Beacon

pytestmark = [pytest.mark.django_db, pytest.mark.req("R1.5")]


def _views() -> int:
    return sum(DayTotal.objects.values_list("views", flat=True))


def test_a_page_view_is_counted_and_answered_204_without_a_cookie(beacon: Beacon):
    response = beacon("/public/", referrer="https://www.search.example.com/q?x=anything")

    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    assert _views() == 1
    assert PageDay.objects.get().page == "/public/"
    assert set(Tally.objects.values_list("dimension", "value")) == {
        ("referrer", "search.example.com"),
        ("browser", "firefox"),
        ("screen", "large"),
    }


def test_a_signed_in_visitor_gets_no_cookie_either(beacon: Beacon, client, consultant):
    client.force_login(consultant)

    response = beacon(client=client)

    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("header", [{"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}])
def test_a_visitor_who_asks_not_to_be_tracked_is_not_counted(beacon: Beacon, header):
    response = beacon(**header)

    assert response.status_code == 204
    assert _views() == 0
    assert not Sighting.objects.exists()


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0.0.0",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_robots_and_scripts_are_not_counted(beacon: Beacon, agent):
    assert beacon(agent=agent).status_code == 204
    assert _views() == 0


@pytest.mark.parametrize(
    ("agent", "family"),
    [(CHROME, "chrome"), (EDGE, "edge"), (SAFARI, "safari"), ("Lynx/2.9.0", "other")],
)
def test_the_browser_is_counted_as_its_family_only(beacon: Beacon, agent, family):
    beacon(agent=agent)

    assert Tally.objects.get(dimension="browser").value == family


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "must be JSON"),
        ([1, 2], "JSON object"),
        ({"page": "/public/", "email": "x@example.com"}, "unknown fields: email"),
        ({"referrer": ""}, "page is required"),
        ({"page": "https://elsewhere.example.com/public/"}, "path on this site"),
        ({"page": "//elsewhere.example.com/public/"}, "path on this site"),
        ({"page": "/candidates/"}, "public site"),
        ({"page": "/public/no-such-page/"}, "not a page of this site"),
        ({"page": "/public/", "screen": "1920x1080"}, "screen must be one of"),
        ({"page": "/public/", "referrer": "javascript:alert(1)"}, "http or https"),
        ({"page": "/public/", "referrer": "https://bad_host!/"}, "invalid domain"),
    ],
)
def test_a_malformed_view_is_refused_with_the_reason(beacon: Beacon, body, reason):
    response = beacon(body=body)

    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert _views() == 0


def test_the_query_string_is_dropped_and_our_own_domain_counts_as_internal(beacon: Beacon):
    beacon("/public/?utm_source=mail&email=someone@example.com", referrer="http://testserver/x")

    assert PageDay.objects.get().page == "/public/"
    assert Tally.objects.get(dimension="referrer").value == "=internal"


def test_a_referrer_given_as_an_address_is_counted_without_the_address(beacon: Beacon):
    beacon(referrer="http://198.51.100.23:8080/intranet")

    assert Tally.objects.get(dimension="referrer").value == "=address"


def test_a_view_posted_from_another_site_is_refused(beacon: Beacon):
    response = beacon(HTTP_ORIGIN="https://elsewhere.example.com")

    assert response.status_code == 403
    assert _views() == 0
    assert beacon(HTTP_ORIGIN="http://testserver").status_code == 204


def test_reading_the_endpoint_is_not_a_page_view(client):
    assert client.get(HIT).status_code == 405
    assert _views() == 0


def test_one_address_cannot_flood_the_counts(beacon: Beacon):
    answers = [beacon(address="203.0.113.5").status_code for _ in range(61)]

    assert answers[:60] == [204] * 60
    assert answers[60] == 429
    assert _views() == 60
    assert beacon(address="203.0.113.6").status_code == 204  # another visitor is not held up


def test_the_same_visitor_counts_once_a_day_per_page(beacon: Beacon):
    beacon("/public/")
    beacon("/public/")
    beacon("/public/", address="192.0.2.11")
    beacon("/public/", agent=CHROME)  # same address, another browser: another visitor

    assert DayTotal.objects.get().views == 4
    assert Sighting.objects.filter(page=SITE).count() == 3
    assert Sighting.objects.filter(page="/public/").count() == 3


def test_one_visitors_digests_differ_from_page_to_page(beacon: Beacon, settings):
    settings.ROOT_URLCONF = "candor.stats.tests.urls_for_tests"
    beacon("/public/")
    beacon("/public/other/")

    digests = list(Sighting.objects.values_list("digest", flat=True))
    assert len(digests) == 3  # the site, and each page
    assert len(set(digests)) == 3  # nothing to join the two page views on


@pytest.mark.parametrize(
    ("sent", "counted"),
    [
        ("/public/vacancies/12/", "/public/vacancies/12/"),  # a vacancy: public, kept
        ("/public/apply/k3Y-s3cr3t/", "/public/apply/<token>/"),  # a link's token: never kept
        ("/public/my/requests/41/", "/public/my/requests/<request_id>/"),  # someone's request
    ],
)
def test_a_page_is_counted_without_anything_its_address_says_about_someone(
    beacon: Beacon, settings, sent, counted
):
    settings.ROOT_URLCONF = "candor.stats.tests.urls_for_tests"

    assert beacon(sent).status_code == 204

    assert PageDay.objects.get().page == counted
