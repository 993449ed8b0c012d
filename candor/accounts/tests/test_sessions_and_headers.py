"""Staff sessions and HTTP hardening (R7.1): idle expiry, cookie flags, security headers."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from candor.accounts.tests.conftest import password_log_in

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.req("R7.1"),
    pytest.mark.usefixtures("fast_password_hashing"),
]


def test_a_staff_session_ends_after_thirty_idle_minutes(client, consultant, time_machine):
    time_machine.move_to("2026-03-03 09:00:00+00:00", tick=False)
    password_log_in(client, consultant)
    time_machine.move_to("2026-03-03 09:29:00+00:00", tick=False)
    assert client.get("/").status_code == 200  # activity keeps it alive
    time_machine.move_to("2026-03-03 09:58:00+00:00", tick=False)
    assert client.get("/").status_code == 200

    time_machine.move_to("2026-03-03 10:29:00+00:00", tick=False)
    response = client.get("/candidates/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/candidates/"
    assert "_auth_user_id" not in client.session
    assert "inactivity" in client.get(response["Location"]).content.decode()


def test_the_absolute_lifetime_of_a_log_in_is_eight_hours():
    assert django_settings.SESSION_COOKIE_AGE == 8 * 3600


def test_log_in_gives_a_new_session_key(client, consultant):
    client.get("/login/")
    client.cookies["sessionid"] = "attacker-chosen-key"
    password_log_in(client, consultant)

    assert client.cookies["sessionid"].value != "attacker-chosen-key"


def test_every_response_carries_the_content_security_policy_and_other_headers(client, consultant):
    for response in (client.get("/login/"), client.get("/public/"), client.get("/nowhere/")):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("style-src")[0]
        assert "frame-ancestors 'none'" in csp
        assert "object-src 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_so_the_policy_can_forbid_it(client, consultant):
    client.force_login(consultant)
    for url in ("/", "/candidates/", "/login/", "/public/"):
        html = client.get(url).content.decode()
        assert "onchange=" not in html
        assert "onclick=" not in html
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith("src=") or 'type="application/json"' in tag[:40]


def test_session_and_csrf_cookies_are_http_only_and_lax(client, consultant):
    response = password_log_in(client, consultant)
    session_cookie = response.cookies["sessionid"]

    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"


def _production_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """candor/settings.py evaluated as production reads it (without touching this process)."""
    for name, value in {
        "CANDOR_ENV": "production",
        "CANDOR_SECRET_KEY": "x" * 10 + "production-secret-for-this-test-only-0123456789",
        "CANDOR_DATA_DIR": str(tmp_path),
        "CANDOR_EMAIL_URL": "smtp+tls://mailer@mail.example.com",
        "CANDOR_ALLOWED_HOSTS": "candor.example.com",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CANDOR_DEBUG", raising=False)
    return runpy.run_path(str(Path(django_settings.BASE_DIR) / "settings.py"))


def test_production_settings_force_https_hsts_and_secure_cookies(monkeypatch, tmp_path):
    production = _production_settings(monkeypatch, tmp_path)

    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] is None  # only when the proxy is declared
    assert production["SECOND_FACTOR_REQUIRED_ROLES"] == ["dpo", "administrator"]


def test_the_tls_proxy_header_is_trusted_only_when_declared(monkeypatch, tmp_path):
    monkeypatch.setenv("CANDOR_TLS_PROXY_HEADER", "1")

    production = _production_settings(monkeypatch, tmp_path)

    assert production["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_production_answers_with_hsts_and_secure_cookies(client, consultant, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True

    plain = client.get("/login/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    secure = client.get("/login/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    response = password_log_in(client, consultant, secure=True)
    assert response.cookies["sessionid"]["secure"] is True
    assert secure.cookies["csrftoken"]["secure"] is True


def test_staff_pages_are_not_kept_in_browser_or_proxy_caches(client, consultant):
    client.force_login(consultant)

    cache_control = client.get("/candidates/")["Cache-Control"]

    assert "no-store" in cache_control
    assert "private" in cache_control


def test_production_cookies_carry_the_host_prefix(monkeypatch, tmp_path):
    production = _production_settings(monkeypatch, tmp_path)

    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")


def test_passwords_shorter_than_twelve_characters_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("Kort-wacht1")  # 11 characters
    validate_password("Lang-genoeg-wachtwoord-7")


def test_a_form_post_without_the_csrf_token_is_refused(consultant):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(consultant)

    assert browser.post("/candidates/new/", {"last_name": "Peeters"}).status_code == 403


def test_logging_out_ends_the_session_on_the_server(client, consultant):
    password_log_in(client, consultant)
    old_key = client.cookies["sessionid"].value

    client.post("/logout/")

    from django.contrib.sessions.backends.cached_db import SessionStore

    assert not SessionStore().exists(old_key)
    replay = _client_with_session(old_key).get("/candidates/")
    assert replay.status_code == 302
    assert replay["Location"].startswith("/login/")


def _client_with_session(session_key: str) -> Any:
    from django.test import Client

    other = Client()
    other.cookies["sessionid"] = session_key
    return other


def test_the_api_docs_load_swagger_from_our_own_static_files(client):
    html = client.get("/api/v1/docs").content.decode()

    assert "cdn." not in html
    for tag in html.split("<script")[1:]:
        assert tag.lstrip().startswith("src=") or 'type="application/json"' in tag[:40]
