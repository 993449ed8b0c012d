"""A consultant sees on the dossier why each purpose is allowed, records an objection for the
candidate on the privacy page, and the candidate leaves the search at once."""

from __future__ import annotations

from typing import Any

import pytest

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.testing.personas import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("R3.1", "R6.8")
def test_an_objection_recorded_on_the_privacy_page_takes_the_candidate_out_of_search(
    page: Any, consultant: User, actor: Actor
) -> None:
    person = make_candidate(actor, first_name="Wout", last_name="Segers", desired_function="Lasser")
    log_in(page, consultant.username, PASSWORD)
    page.goto("/candidates/?function=lasser")
    page.wait_for_selector("text=Wout Segers")

    page.goto(f"/candidates/{person.pk}/")
    summary = page.locator("#privacy ul.purposes")  # loaded by htmx after the page
    summary.wait_for()
    mediation = summary.locator("li", has_text="Mediation")
    assert "allowed" in (mediation.get_attribute("class") or "").split()
    assert "legitimate interest" in mediation.inner_text()

    page.click(f"a[href='/people/{person.pk}/privacy/']")
    page.click("#objections summary")
    page.select_option("#objection-form select[name=purpose]", "mediation")
    page.select_option("#objection-form select[name=via]", "letter")
    page.fill("#objection-form textarea[name=reason]", "Ik heb werk gevonden.")
    page.click("#objection-form button[type=submit]")
    page.wait_for_selector(".messages [role=status]")
    denied = page.locator("#purposes li", has_text="Mediation")
    assert "denied" in (denied.get_attribute("class") or "").split()
    assert "objected" in denied.inner_text()

    page.goto("/candidates/?function=lasser")
    page.wait_for_selector("main")
    assert "Wout Segers" not in page.inner_text("main")
