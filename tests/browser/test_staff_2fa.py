"""The DPO's first log-in sets up two-factor log-in; the next one asks for a code (R7.1)."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from candor.accounts import second_factor
from candor.audit.models import AuditEvent
from candor.testing.personas import PASSWORD
from tests.browser.conftest import unused_code

pytestmark = pytest.mark.django_db(transaction=True)


def _password(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


@pytest.mark.req("R7.1")
def test_the_dpo_enrols_at_first_log_in_and_needs_a_code_the_next_time(page: Any, dpo: Any) -> None:
    _password(page, dpo.username)

    # Forced to enrol: no back-office navigation until it is done, only the QR code and the key.
    assert page.url.endswith("/account/second-factor/enrol/")
    assert page.locator("header nav .who").count() == 0
    assert page.locator("figure.qr svg").is_visible()
    secret = page.get_attribute("#totp-secret", "data-secret")
    assert secret
    assert page.inner_text("#totp-secret").replace(" ", "") == secret

    # A wrong code first: an inline message, still on the page.
    page.fill("#id_code", "000000")
    with page.expect_navigation():
        page.click("main button.primary[type=submit]")
    assert page.locator("[role=alert]").is_visible()

    page.fill("#id_code", pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.click("main button.primary[type=submit]")
    assert page.url.endswith("/account/second-factor/recovery-codes/")
    assert page.locator("ul.recovery-codes li").count() == 10
    with page.expect_navigation():
        page.click("#recovery-codes-done")
    page.wait_for_selector("header nav .who")
    assert second_factor.enrolled(dpo)

    with page.expect_navigation():
        page.click("header nav form button[type=submit]")  # log out

    _password(page, dpo.username)
    assert page.url.endswith("/account/second-factor/verify/")
    page.goto("/registry/")  # nothing opens before the code
    assert page.url.endswith("/account/second-factor/verify/")
    page.fill("#id_code", unused_code(dpo.username))
    with page.expect_navigation():
        page.click("main button.primary[type=submit]")
    page.wait_for_selector("header nav .who")
    assert page.url.endswith("/registry/")  # on to the page asked for
    assert AuditEvent.objects.filter(action="auth.2fa_enrol").count() == 1


@pytest.mark.req("R7.1")
def test_the_language_selector_still_switches_under_the_content_security_policy(
    page: Any,
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/login/")

    with page.expect_navigation():
        page.select_option("#language", "fr")

    assert page.locator("html").get_attribute("lang") == "fr"
    assert not [e for e in errors if "Content Security Policy" in e]
