"""The mail server from one environment variable (``CANDOR_EMAIL_URL``), for the notices that
people are owed (R2.2)."""

from __future__ import annotations

import pytest

from candor.core.env import SMTP_BACKEND, ConfigurationError, parse_email_url

pytestmark = pytest.mark.req("R2.2")


def test_a_starttls_url_gives_host_port_and_decoded_credentials():
    mailer = parse_email_url("smtp+tls://notices%40agency.example.com:p%40ss@mail.example.com")

    assert mailer == {
        "BACKEND": SMTP_BACKEND,
        "OPTIONS": {
            "host": "mail.example.com",
            "port": 587,
            "username": "notices@agency.example.com",
            "password": "p@ss",
            "use_tls": True,
            "use_ssl": False,
        },
    }


def test_tls_from_the_start_and_a_plain_relay_take_their_usual_ports():
    assert parse_email_url("smtps://mail.example.com")["OPTIONS"]["port"] == 465
    assert parse_email_url("smtps://mail.example.com")["OPTIONS"]["use_ssl"] is True
    assert parse_email_url("smtp://relay.example.com")["OPTIONS"]["port"] == 25
    assert parse_email_url("smtp://relay.example.com:2525")["OPTIONS"]["port"] == 2525


def test_console_and_dummy_need_no_server():
    assert parse_email_url("console://") == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    assert parse_email_url("dummy://")["BACKEND"].endswith("dummy.EmailBackend")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://mail.example.com", "unknown scheme"),
        ("smtp+tls://", "no host name"),
        ("smtp://mail.example.com:port", "not a number"),
    ],
)
def test_a_wrong_url_is_refused_with_the_reason(url, problem):
    with pytest.raises(ConfigurationError, match=problem):
        parse_email_url(url)
