"""Staff log-in throttling (R7.1): lock-out per user name and per address, and its end."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from candor.accounts.tests.conftest import password_log_in
from candor.audit.models import AuditEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.req("R7.1"),
    pytest.mark.usefixtures("fast_password_hashing"),
]


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to("2026-03-03 09:00:00+00:00", tick=False)


def _fail(client: Client, username: str, times: int) -> list[int]:
    return [password_log_in(client, username, "wrong-password").status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_user_name_with_a_clear_message(client, consultant):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the message is read in English here
    statuses = _fail(client, consultant.username, 5)

    assert statuses == [200, 200, 200, 200, 429]
    response = password_log_in(client, consultant)  # even the right password waits
    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed attempts" in page
    assert "15 minutes" in page
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.lockout")
    assert event.object_id == str(consultant.pk)
    assert event.detail == {"by": ["username"], "step": "password"}


def test_the_lock_out_says_the_same_whether_or_not_the_account_exists(client, consultant):
    known = _fail(Client(REMOTE_ADDR="192.0.2.1"), consultant.username, 6)
    unknown = _fail(Client(REMOTE_ADDR="192.0.2.2"), "nobody.here", 6)
    known_page = password_log_in(Client(REMOTE_ADDR="192.0.2.1"), consultant).content
    unknown_page = password_log_in(Client(REMOTE_ADDR="192.0.2.2"), "nobody.here").content

    assert known == unknown == [200, 200, 200, 200, 429, 429]
    strip = lambda html: html.replace(b"nobody.here", b"").replace(b"an.peeters", b"")  # noqa: E731
    assert _message(strip(known_page)) == _message(strip(unknown_page))
    assert AuditEvent.objects.filter(action="auth.lockout", object_id="").count() == 1


def _message(html: bytes) -> bytes:
    start = html.index(b'role="alert"')
    return html[start : html.index(b"</p>", start)]


def test_the_lock_out_ends_after_its_window(client, consultant, time_machine):
    _fail(client, consultant.username, 5)
    assert password_log_in(client, consultant).status_code == 429

    time_machine.move_to("2026-03-03 09:15:30+00:00", tick=False)

    assert password_log_in(client, consultant)["Location"] == "/"


def test_a_correct_password_clears_earlier_failures_of_that_user_name(client, consultant):
    _fail(client, consultant.username, 4)
    assert password_log_in(client, consultant).status_code == 302
    client.logout()

    assert _fail(client, consultant.username, 4) == [200, 200, 200, 200]


def test_one_address_trying_many_user_names_is_locked_out_too(settings, consultant):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(6):
        password_log_in(attacker, f"guess{n}", "wrong-password")

    assert password_log_in(attacker, consultant).status_code == 429
    assert password_log_in(Client(REMOTE_ADDR="198.51.100.8"), consultant).status_code == 302
    assert AuditEvent.objects.get(action="auth.lockout").detail["by"] == ["address"]
