"""A privacy request without an account (R6.1, R8.1) and the cookie choice (R1.6)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from candor.api.tests.factories import make_candidate
from candor.rights.models import RequestChannel, Status, SubjectRequest
from candor.web.cookies import CONSENT_COOKIE, SEARCH_COOKIE, cookies
from candor.web.views import REQUEST_THROTTLE

pytestmark = pytest.mark.django_db

REQUEST = {
    "kind": "access",
    "first_name": "Lotte",
    "last_name": "Janssens",
    "email": "lotte.janssens@example.com",
    "phone": "",
    "purpose": "",
    "details": "Welke gegevens hebben jullie over mij?",
}


@pytest.mark.req("R6.1", "R8.1")
def test_a_visitor_asks_for_access_and_the_request_awaits_verification_at_the_dpo(actor):
    known = make_candidate(actor, emails=["lotte.janssens@example.com"])
    client = Client(headers={"accept-language": "nl"})

    response = client.post("/public/privacy/request/", REQUEST)

    assert response.status_code == 302
    request = SubjectRequest.objects.get()
    assert request.kind == "access"
    assert request.channel == RequestChannel.PORTAL
    assert request.status == Status.RECEIVED
    assert request.identity_verified_at is None
    assert request.person == known
    assert request.language == "nl"
    assert mail.outbox
    assert mail.outbox[0].to == ["lotte.janssens@example.com"]
    sent = client.get(response["Location"]).content.decode()
    assert request.reference in sent


def test_a_second_request_of_the_same_kind_is_refused_without_revealing_the_first():
    client = Client(headers={"accept-language": "en"})
    client.post("/public/privacy/request/", REQUEST)
    first = SubjectRequest.objects.get()

    response = client.post("/public/privacy/request/", REQUEST)

    page = response.content.decode()
    assert response.status_code == 400
    assert "already being handled" in page
    assert first.reference not in page
    assert SubjectRequest.objects.count() == 1


def test_request_form_errors_are_inline_and_keep_what_was_typed():
    response = Client(headers={"accept-language": "nl"}).post(
        "/public/privacy/request/", {**REQUEST, "email": "", "kind": "nonsense"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Dit veld is verplicht." in page
    assert "Welke gegevens hebben jullie over mij?" in page
    assert not SubjectRequest.objects.exists()


def test_an_objection_to_a_purpose_without_that_right_is_explained():
    response = Client(headers={"accept-language": "en"}).post(
        "/public/privacy/request/", {**REQUEST, "kind": "objection", "purpose": "talent_pool"}
    )

    assert response.status_code == 400
    assert "no right to object" in response.content.decode()


@pytest.mark.req("R7.1")
def test_many_requests_from_one_address_are_slowed_down():
    client = Client()
    for _ in range(REQUEST_THROTTLE.limit):
        client.post("/public/privacy/request/", {**REQUEST, "email": ""})

    response = client.post("/public/privacy/request/", REQUEST)

    assert response.status_code == 429
    assert not SubjectRequest.objects.exists()


@pytest.mark.req("R7.1")
def test_the_request_form_needs_its_csrf_token():
    response = Client(enforce_csrf_checks=True).post("/public/privacy/request/", REQUEST)

    assert response.status_code == 403


@pytest.mark.req("R1.6")
def test_the_banner_offers_accept_and_refuse_as_equals_until_a_choice_is_made(vacancy):
    client = Client()
    page = client.get("/public/").content.decode()

    assert 'class="cookie-banner"' in page
    assert '<button type="submit" name="choice" value="accepted">' in page
    assert '<button type="submit" name="choice" value="refused">' in page
    assert "checked" not in page.split('class="cookie-banner"')[1]

    response = client.post("/public/cookies/choice/", {"choice": "refused", "next": "/public/"})

    assert response.status_code == 302
    assert response["Location"] == "/public/"
    assert client.cookies[CONSENT_COOKIE].value == "refused"
    assert 'class="cookie-banner"' not in client.get("/public/").content.decode()


@pytest.mark.req("R1.6")
def test_refusing_sets_no_optional_cookie_and_accepting_remembers_the_search(vacancy):
    client = Client()
    client.post("/public/cookies/choice/", {"choice": "refused"})
    client.get("/public/vacancies/?q=voorraad")
    assert SEARCH_COOKIE not in client.cookies

    client.post("/public/cookies/choice/", {"choice": "accepted"})
    client.get("/public/vacancies/?q=voorraad")
    assert client.cookies[SEARCH_COOKIE].value == "q=voorraad"
    assert 'href="?q=voorraad"' in client.get("/public/vacancies/").content.decode()

    client.post("/public/cookies/choice/", {"choice": "refused"})
    assert client.cookies[SEARCH_COOKIE].value == ""  # deleted (expired, emptied)
    assert client.cookies[SEARCH_COOKIE]["max-age"] == 0
    assert client.get("/public/vacancies/?q=voorraad").status_code == 200  # nothing essential lost


@pytest.mark.req("R1.6")
def test_every_cookie_the_site_sets_is_in_the_registry(vacancy, statement):
    client = Client()
    client.post("/public/cookies/choice/", {"choice": "accepted"})
    for url in ("/public/", "/public/vacancies/?q=a", "/public/privacy/", "/public/cookies/"):
        client.get(url)
    client.post("/public/privacy/request/", REQUEST)

    assert set(client.cookies) <= {cookie.name for cookie in cookies()}


def test_the_cookie_choice_never_redirects_to_another_site():
    response = Client().post(
        "/public/cookies/choice/", {"choice": "accepted", "next": "https://evil.example.com/"}
    )

    assert response["Location"] == "/public/"


def test_an_unknown_choice_is_refused():
    assert Client().post("/public/cookies/choice/", {"choice": "maybe"}).status_code == 400
