"""Helpers for the staff log-in tests: a real password log-in through the page, and codes."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.test import Client

from candor.accounts import second_factor
from candor.accounts.models import User
from candor.testing.personas import PASSWORD


@pytest.fixture
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow and not what the log-in tests are about."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def password_log_in(
    client: Client, user: User | str, password: str = PASSWORD, **extra: Any
) -> Any:
    username = user if isinstance(user, str) else user.username
    return client.post("/login/", {"username": username, "password": password}, **extra)


def code_at(secret: str, step_offset: int = 0) -> str:
    """The TOTP code of the current time step (or one step before/after)."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(second_factor.current_step() + step_offset)
