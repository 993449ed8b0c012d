"""Fixtures for the self-service tests: a person who registered and confirmed on the site."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from candor.accounts.models import User
from candor.privacy.policy import policy
from candor.selfservice.accounts import REGISTRATION_PURPOSE

PASSWORD = "Zonnebloem-Kade-1987"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/public/my/confirm/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; one test checks it is what production uses."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


def nl(msgid: str) -> str:
    """``msgid`` as the Dutch catalogue has it: what a page or e-mail in Dutch must show."""
    from django.utils import translation

    with translation.override("nl"):
        return translation.gettext(msgid)


def registration_data(email: str, **extra: str) -> dict[str, str]:
    consent = policy().purpose(REGISTRATION_PURPOSE).consent
    assert consent is not None
    data = {
        "first_name": "Lotte",
        "last_name": "Vermeulen",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": "nl",
        "consent": "on",
        "consent_version": consent.version,
        "statement_version": "",
    }
    data.update(extra)
    return data


def confirm_path(message: Any) -> str:
    found = CONFIRM_LINK.search(message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def register(db: Any) -> Callable[..., User]:
    """``register(email, confirm=True, **fields)``: register through the page, confirm through
    the link in the e-mail; returns the account."""

    def make(email: str, *, confirm: bool = True, **extra: str) -> User:
        web = Client()
        before = len(mail.outbox)
        response = web.post("/public/my/register/", registration_data(email, **extra))
        assert response.status_code == 302, response.content.decode()[:2000]
        if confirm:
            path = confirm_path(mail.outbox[before])
            assert web.post(path).status_code == 302
        return User.objects.get(email=email.lower())

    return make


@pytest.fixture
def member(register: Callable[..., User]) -> User:
    """A confirmed site account in Dutch, linked to the new person it created."""
    return register("lotte.vermeulen@example.com")


@pytest.fixture
def member_client(member: User) -> Client:
    web = Client()
    web.force_login(member)
    return web
