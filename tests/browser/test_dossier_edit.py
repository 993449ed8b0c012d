"""A consultant corrects a candidate's details and finds the change in the dossier's history;
a user switches the interface to French and keeps it at the next log-in."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.people.models import Person
from candor.testing.personas import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("R1.1", "R2.1", "R7.1")
def test_a_consultant_edits_a_dossier_and_sees_the_edit_in_its_history(
    page: Any, consultant: User, actor: Actor
) -> None:
    person = make_candidate(
        actor, source="medium:Jobat", first_name="Lotte", last_name="Janssens", contact_times=""
    )
    consultant.language = "nl"  # the agency's default language, as a new account gets it
    consultant.save(update_fields=["language"])
    with translation.override("nl"):
        label = str(Person._meta.get_field("contact_times").verbose_name)

    log_in(page, consultant.username, PASSWORD)
    page.goto(f"/candidates/{person.pk}/")
    page.wait_for_selector("h1:has-text('Lotte Janssens')")
    assert "Jobat" in page.inner_text("#identity")  # the source of the personal details
    page.click(f"a[href='/people/{person.pk}/edit/']")
    page.fill("#id_contact_times", "na 17 uur")
    page.click("main form button[type=submit]")

    page.wait_for_selector("h1:has-text('Lotte Janssens')")
    assert "na 17 uur" in page.inner_text("#identity")
    assert page.locator(".messages [role=status]").is_visible()
    change = page.locator("#history tr.action-update").first
    assert "An Peeters" in change.inner_text()
    assert label in change.inner_text()
    assert "na 17 uur" not in page.inner_text("#history")  # field names, never values

    page.click(f"a[href='/candidates/{person.pk}/history/']")
    page.wait_for_selector("table.history")
    rows = page.locator("table.history tbody tr")
    assert rows.count() == 5  # created, viewed, changed, viewed, and this page
    assert label in page.inner_text("table.history tr.action-update")
    person.refresh_from_db()
    assert person.contact_times == "na 17 uur"


@pytest.mark.req("R7.1")
def test_a_user_switches_to_french_and_gets_french_at_the_next_log_in(
    page: Any, browser: Any, live_server: Any, consultant: User
) -> None:
    consultant.language = "nl"  # the agency's default language, as a new account gets it
    consultant.save(update_fields=["language"])
    log_in(page, consultant.username, PASSWORD)
    assert page.get_attribute("html", "lang") == "nl"

    page.select_option("#language", "fr")
    page.wait_for_selector("html[lang=fr]")
    assert page.locator("header button.link").inner_text() == "Se déconnecter"
    consultant.refresh_from_db()
    assert consultant.language == "fr"

    # Another browser, which never saw the switch: French straight after logging in.
    context = browser.new_context(base_url=live_server.url, locale="nl-BE")
    try:
        other = context.new_page()
        log_in(other, consultant.username, PASSWORD)
        assert other.get_attribute("html", "lang") == "fr"
        assert other.locator("header button.link").inner_text() == "Se déconnecter"
    finally:
        context.close()
