"""Fixtures for the site and authorization tests (personas come from candor/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from candor.accounts.models import User
from candor.core.actor import Actor

ANONYMOUS = "anonymous"
ROLE_NAMES = (ANONYMOUS, "consultant", "dpo", "administrator", "inhouse_client", "client", "site")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Personas are created per test; Argon2 is deliberately slow and not what is tested here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def users_by_role(
    *,
    consultant: User,
    dpo: User,
    administrator: User,
    inhouse_user: User,
    client_contact: User,
    site_user: User,
) -> dict[str, User | None]:
    """One persona per role; ``anonymous`` is nobody."""
    users: dict[str, User | None] = {
        ANONYMOUS: None,
        "consultant": consultant,
        "dpo": dpo,
        "administrator": administrator,
        "inhouse_client": inhouse_user,
        "client": client_contact,
        "site": site_user,
    }
    for name, user in users.items():
        assert user is None or user.role == name, (name, user.role)
    return users


@pytest.fixture
def consultant_actor(consultant: User) -> Actor:
    return Actor.for_user(consultant)


@pytest.fixture
def staff_client(client: Any) -> Any:
    """``staff_client(user)``: the Django test client logged in as ``user`` (None: anonymous)."""

    def make(user: User | None) -> Any:
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return make
