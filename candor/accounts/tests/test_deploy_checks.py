"""``candor check --deploy`` refuses unsafe production settings (R7.1), each with an id."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from candor import checks

pytestmark = pytest.mark.req("R7.1")

GOOD_KEY = "k3J9-pQ2_vX8mZ4nR7tY1wE5uI0oP6aS-dF3gH8jK2lZ9xC4vB7nM1qW5eR0tY6u"
GOOD_MASTER = base64.b64encode(bytes(range(32))).decode()
SAFE: dict[str, Any] = {
    "DEBUG": False,
    "SECRET_KEY": GOOD_KEY,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "ALLOWED_HOSTS": ["candor.example.com"],
    "MAILERS": {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}},
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SECOND_FACTOR_REQUIRED_ROLES": ["dpo", "administrator"],
}


@pytest.fixture(autouse=True)
def _master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANDOR_MASTER_KEY_FILE", raising=False)
    monkeypatch.setenv("CANDOR_MASTER_KEY", GOOD_MASTER)


def _ids(**unsafe: Any) -> set[str]:
    with override_settings(**{**SAFE, **unsafe}):
        return {message.id for message in checks.deploy_check(None)}


def test_safe_production_settings_pass():
    assert _ids() == set()


@pytest.mark.parametrize(
    ("unsafe", "error"),
    [
        ({"DEBUG": True}, "candor.E001"),
        ({"SECRET_KEY": "insecure-local-development-key-not-for-production"}, "candor.E002"),
        ({"SECRET_KEY": "short-key"}, "candor.E002"),
        ({"SECRET_KEY": "a" * 60}, "candor.E002"),
        ({"SECRET_KEY": "django-insecure-" + GOOD_KEY}, "candor.E002"),
        ({"SECURE_SSL_REDIRECT": False}, "candor.E005"),
        ({"SECURE_HSTS_SECONDS": 0}, "candor.E006"),
        ({"SESSION_COOKIE_SECURE": False}, "candor.E007"),
        ({"CSRF_COOKIE_SECURE": False}, "candor.E007"),
        ({"ALLOWED_HOSTS": ["*"]}, "candor.E008"),
        (
            {"MAILERS": {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}},
            "candor.E009",
        ),
        ({"SECOND_FACTOR_REQUIRED_ROLES": ["dpo"]}, "candor.E010"),
        ({"SECOND_FACTOR_REQUIRED_ROLES": []}, "candor.E010"),
        ({"SESSION_COOKIE_HTTPONLY": False}, "candor.E011"),
        ({"SECURE_CSP": {}}, "candor.E013"),
        ({"SECURE_CSP": {"script-src": ["'self'", "'unsafe-inline'"]}}, "candor.E013"),
    ],
)
def test_each_unsafe_setting_is_an_error_with_its_id_and_a_hint(unsafe, error):
    assert _ids(**unsafe) == {error}
    with override_settings(**{**SAFE, **unsafe}):
        (message,) = checks.deploy_check(None)
    assert message.is_serious()
    assert message.hint


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", "candor.E003"),
        ("not base64!", "candor.E004"),
        (base64.b64encode(b"sixteen bytes!!!").decode(), "candor.E004"),
    ],
)
def test_a_missing_or_malformed_master_key_is_an_error(monkeypatch, value, error):
    monkeypatch.setenv("CANDOR_MASTER_KEY", value)

    assert _ids() == {error}


def test_the_master_key_may_come_from_a_file(monkeypatch, tmp_path):
    key_file = tmp_path / "master.key"
    key_file.write_text(GOOD_MASTER + "\n")
    monkeypatch.delenv("CANDOR_MASTER_KEY")
    monkeypatch.setenv("CANDOR_MASTER_KEY_FILE", str(key_file))

    assert _ids() == set()


def test_a_misspelt_role_in_the_2fa_policy_is_refused_even_without_deploy():
    with override_settings(SECOND_FACTOR_REQUIRED_ROLES=["dpo", "admin"]):
        (message,) = checks.second_factor_roles_check(None)
    assert message.id == "candor.E012"


@pytest.mark.django_db
def test_candor_check_deploy_fails_on_unsafe_settings():
    unsafe = override_settings(**{**SAFE, "DEBUG": True, "ALLOWED_HOSTS": ["*"]})
    with unsafe, pytest.raises(SystemCheckError) as failure:
        call_command("check", deploy=True)
    assert "candor.E001" in str(failure.value)
    assert "candor.E008" in str(failure.value)


@pytest.mark.django_db
def test_candor_check_deploy_passes_our_checks_on_safe_settings(capsys, monkeypatch):
    # The browser tests' process allows sync ORM calls inside Playwright's loop; a deployment
    # never does (Django's async.E001), and that is not one of our checks.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    with override_settings(**SAFE):
        call_command("check", deploy=True, fail_level="ERROR")
    assert "candor.E0" not in capsys.readouterr().out


def test_a_list_of_master_keys_during_rotation_is_accepted(monkeypatch):
    other = base64.b64encode(bytes(range(32, 64))).decode()
    monkeypatch.delenv("CANDOR_MASTER_KEY")
    monkeypatch.setenv("CANDOR_MASTER_KEYS", f"2026b:{GOOD_MASTER},2026a:{other}")

    assert _ids() == set()


def test_a_malformed_list_of_master_keys_is_an_error(monkeypatch):
    monkeypatch.delenv("CANDOR_MASTER_KEY")
    monkeypatch.setenv("CANDOR_MASTER_KEYS", f"{GOOD_MASTER}")  # no id

    assert _ids() == {"candor.E004"}


def test_encryption_switched_off_is_refused(monkeypatch):
    monkeypatch.setenv("CANDOR_ENCRYPTION", "off")

    assert _ids() == {"candor.E014"}
