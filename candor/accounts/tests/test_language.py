"""Each user works in their own language (Dutch, French or English): the one stored on their
account is switched on when they log in, and the selector stores a new choice on the account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from candor.accounts.models import Role, User
from candor.audit.models import AuditEvent
from candor.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

LOG_OUT = {"nl": "Afmelden", "fr": "Se déconnecter", "en": "Log out"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Real log-ins below; Argon2 is deliberately slow and not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def francophone(make_user: Callable[..., User]) -> User:
    return make_user("marie.dupont", Role.CONSULTANT, first_name="Marie", language="fr")


def _log_in(client: Client, user: User) -> str:
    response = client.post(
        reverse("site:login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    return response.content.decode()


def _language_of(page: str) -> str:
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.req("R7.1")
def test_a_user_whose_language_is_french_gets_french_pages_right_after_logging_in(
    francophone: User,
) -> None:
    browser = Client(headers={"accept-language": "nl-BE,nl;q=0.9"})  # a Dutch browser

    page = _log_in(browser, francophone)

    assert _language_of(page) == "fr"
    assert LOG_OUT["fr"] in page
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    # And it stays French on the next pages.
    assert LOG_OUT["fr"] in browser.get(reverse("site:candidates")).content.decode()


@pytest.mark.req("R7.1")
def test_switching_to_dutch_is_remembered_at_the_next_log_in(francophone: User) -> None:
    browser = Client()
    _log_in(browser, francophone)

    switched = browser.post(
        reverse("set_language"), {"language": "nl", "next": "/candidates/"}, follow=True
    )
    browser.post(reverse("site:logout"))

    assert _language_of(switched.content.decode()) == "nl"
    francophone.refresh_from_db()
    assert francophone.language == "nl"
    event = AuditEvent.objects.get(object_type="accounts.user", action="update")
    assert (event.actor, event.detail) == (f"staff:{francophone.pk}", {"fields": ["language"]})

    elsewhere = Client(headers={"accept-language": "en"})  # another browser, in English
    elsewhere.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # left over from long ago
    page = _log_in(elsewhere, francophone)

    assert _language_of(page) == "nl"
    assert LOG_OUT["nl"] in page


def test_the_language_chosen_before_logging_in_is_not_stored_on_anybody(
    francophone: User,
) -> None:
    browser = Client()

    browser.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    page = _log_in(browser, francophone)

    francophone.refresh_from_db()
    assert francophone.language == "fr"  # the account's choice wins at log-in
    assert _language_of(page) == "fr"
    assert not AuditEvent.objects.filter(object_type="accounts.user").exists()


def test_a_language_the_interface_does_not_offer_is_not_stored(francophone: User) -> None:
    browser = Client()
    _log_in(browser, francophone)

    browser.post(reverse("set_language"), {"language": "de", "next": "/"})

    francophone.refresh_from_db()
    assert francophone.language == "fr"


def test_choosing_the_language_one_already_has_writes_nothing(francophone: User) -> None:
    browser = Client()
    _log_in(browser, francophone)

    browser.post(reverse("set_language"), {"language": "fr", "next": "/"})

    assert not AuditEvent.objects.filter(object_type="accounts.user").exists()
