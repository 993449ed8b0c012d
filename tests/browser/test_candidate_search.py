"""A consultant finds a candidate by function and language with a minimum level, and opens the
dossier from the results (R1.1)."""

from __future__ import annotations

from typing import Any

import pytest

from candor.api.tests.factories import make_candidate
from candor.recruitment.records import AddressData
from candor.testing.personas import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("R1.1")
def test_a_consultant_finds_a_candidate_by_function_and_language(
    page: Any, consultant: Any, actor: Any
) -> None:
    make_candidate(
        actor,
        first_name="Lotte",
        last_name="Janssens",
        desired_function="Boekhouder",
        languages={"nl": "native", "fr": "C1"},
        address=AddressData(postcode="2000", city="Antwerpen"),
    )
    make_candidate(
        actor, first_name="Pieter", last_name="Peeters", desired_function="Boekhouder",
        languages={"nl": "native", "fr": "A2"},
    )  # fmt: skip
    make_candidate(
        actor, first_name="Sarah", last_name="Maes", desired_function="Lasser",
        languages={"fr": "native"},
    )  # fmt: skip

    log_in(page, consultant.username, PASSWORD)
    page.click("header nav >> text=Candidates")
    page.click("text=Filters")
    page.fill("#id_function", "boekhouder")
    page.select_option("#id_language", "fr")
    page.select_option("#id_min_level", "B2")
    with page.expect_navigation():  # count the rows of the answer, not of the page before
        page.click("form[role=search] button[type=submit]")

    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "Lotte Janssens" in rows.first.inner_text()
    assert page.input_value("#id_function") == "boekhouder"  # the search stays on the page

    page.click("text=Lotte Janssens")
    page.wait_for_selector("h1:has-text('Lotte Janssens')")
    assert "Boekhouder" in page.inner_text("main")
