"""Fixtures for the REST API tests (personas and ``api_client`` come from candor/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from candor.accounts.models import User
from candor.core.actor import Actor


class JsonClient:
    """``api_client`` plus JSON bodies: ``post(path, data)`` sends ``data`` as JSON."""

    def __init__(self, client: Client):
        self.client = client

    def get(self, path: str, data: dict | None = None, **extra: Any) -> Any:
        return self.client.get(path, data, **extra)

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.post(path, data or {}, content_type="application/json", **extra)

    def patch(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.patch(path, data or {}, content_type="application/json", **extra)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Personas are created per test; Argon2 is deliberately slow and not what is tested here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(consultant: User, api_client: Callable[[User], Client]) -> JsonClient:
    """The consultant's authenticated API client."""
    return JsonClient(api_client(consultant))


@pytest.fixture
def json_client(api_client: Callable[[User], Client]) -> Callable[[User], JsonClient]:
    return lambda user: JsonClient(api_client(user))


@pytest.fixture
def consultant_actor(consultant: User) -> Actor:
    return Actor.for_user(consultant)
