"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

``playwright install`` cannot download browsers here, so we launch the system Chromium. When it
is missing the tests are skipped with a loud reason, except in CI, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make for
# set-up are ordinary synchronous calls, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: CI never skips the browser tests")
        pytest.skip("BROWSER TESTS SKIPPED: Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(30_000)  # generous: CI machines are shared and noisy
    yield page
    context.close()


def log_in(page: Any, username: str, password: str, *, expect_success: bool = True) -> None:
    """Log in through the page; staff who need a second factor complete it as a person would
    (see ``complete_second_factor``)."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if expect_success:
        complete_second_factor(page, username)
        page.wait_for_selector("header nav .who")


def complete_second_factor(page: Any, username: str) -> None:
    """On the enrolment page: read the key shown for manual entry (as an app would scan it),
    confirm with its code and accept the recovery codes. On the second-step page: type the
    code the user's app shows now. Anywhere else: nothing to do."""
    path = urlsplit(page.url).path
    if path == "/account/second-factor/enrol/":
        secret = page.get_attribute("#totp-secret", "data-secret")
        _type_code(page, pyotp.TOTP(secret).now())
        with page.expect_navigation():
            page.click("#recovery-codes-done")
    elif path == "/account/second-factor/verify/":
        _type_code(page, unused_code(username))


def unused_code(username: str) -> str:
    """A code of the user's app that the server has not seen yet: the current one, or the next
    step's (accepted for clock drift) when a test logs in twice within 30 seconds."""
    from candor.accounts import second_factor
    from candor.accounts.models import SecondFactor, User

    user = User.objects.get(username=username)
    totp = pyotp.TOTP(second_factor.stored_secret(user))
    while True:
        last = SecondFactor.objects.get(user=user).last_used_step
        for step in (second_factor.current_step(), second_factor.current_step() + 1):
            if step > last:
                return str(totp.generate_otp(step))
        time.sleep(1)  # both used already (a third log-in within one step): wait for the next


def _type_code(page: Any, code: str) -> None:
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.click("main button.primary[type=submit]")
