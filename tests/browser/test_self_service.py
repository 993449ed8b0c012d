"""A candidate registers on the site, confirms by the link in the e-mail, sees their data,
withdraws a consent (a consultant sees it on the dossier at once), downloads their data and
asks to be erased (the DPO finds the request in the queue)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from candor.accounts.models import User
from candor.privacy import gate
from candor.rights.models import SubjectRequest
from candor.testing.personas import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SITE_PASSWORD = "Zonnebloem-Kade-1987"
EMAIL = "wout.segers@example.com"


def _register_and_confirm(page: Any) -> User:
    page.goto("/public/my/register/")
    page.fill("#id_first_name", "Wout")
    page.fill("#id_last_name", "Segers")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", SITE_PASSWORD)
    page.fill("#id_password2", SITE_PASSWORD)
    page.select_option("#id_language", "en")
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url.endswith("/public/my/register/done/")
    (message,) = mail.outbox
    link = re.search(r"https?://\S+(/public/my/confirm/\S+/)", message.body)
    assert link is not None
    page.goto(link.group(1))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_selector(".messages [role=status]")
    return User.objects.get(email=EMAIL)


def _site_log_in(page: Any) -> None:
    page.goto("/public/my/login/")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", SITE_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


@pytest.mark.req("R1.4", "R3.3", "R6.10", "R6.9", "R6.1")
def test_a_candidate_registers_sees_their_data_withdraws_downloads_and_asks_erasure(
    page: Any, browser: Any, live_server: Any, consultant: User, dpo: User
) -> None:
    user = _register_and_confirm(page)
    assert user.is_active
    assert user.person_id is not None
    _site_log_in(page)
    assert page.url.endswith("/public/my/")
    report = page.inner_text("main")
    assert "Your personal data" in report
    assert "Segers" in report
    assert EMAIL in report

    page.goto("/public/my/consents/")
    with page.expect_navigation():
        page.click("#consent-job_alerts button[type=submit]")  # I agree
    assert gate.may(user.person_id, "job_alerts")
    with page.expect_navigation():
        page.click("#consent-job_alerts button[type=submit]")  # withdraw, one click
    assert "Withdrawn on" in page.inner_text("#consent-job_alerts")
    assert not gate.may(user.person_id, "job_alerts")

    office = browser.new_context(base_url=live_server.url, locale="nl-BE")
    desk = office.new_page()
    log_in(desk, consultant.username, PASSWORD)
    desk.goto(f"/candidates/{user.person_id}/")
    panel = desk.locator("#privacy ul.purposes")  # loaded by htmx after the page
    panel.wait_for()
    alerts = panel.locator("li", has_text="Vacancies by e-mail")
    assert "denied" in (alerts.get_attribute("class") or "").split()
    assert "withdrawn" in alerts.inner_text().lower()

    page.goto("/public/my/download/")
    with page.expect_download() as download:
        page.click("button[name=download-json]")
    data = json.loads(Path(download.value.path()).read_text())
    assert data["resume"]["basics"]["email"] == EMAIL

    page.goto("/public/my/requests/")
    page.select_option("#id_kind", "erasure")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    request = SubjectRequest.objects.get(person_id=user.person_id)
    assert request.reference in page.inner_text("main table")

    dpo_desk = browser.new_context(base_url=live_server.url, locale="nl-BE").new_page()
    log_in(dpo_desk, dpo.username, PASSWORD)
    dpo_desk.goto("/privacy/requests/?queue=open")
    assert request.reference in dpo_desk.inner_text("main")
    office.close()
    dpo_desk.context.close()
