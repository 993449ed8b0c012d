"""The consultant logs in, finds a candidate by source and opens the dossier with provenance."""

from __future__ import annotations

from typing import Any

import pytest

from candor.core import clock
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.recruitment.intake import candidates_write
from candor.recruitment.records import CandidateRecord, clean_candidate
from candor.testing.personas import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _candidate(actor: Any, first: str, last: str, source: str, notes: str = "") -> Person:
    record = clean_candidate(
        CandidateRecord(
            first_name=first,
            last_name=last,
            emails=[f"{first}.{len(last)}@example.com".lower()],
            desired_function="Boekhouder",
            notes=notes,
            languages={"nl": "native", "fr": "B2"},
        ),
        today=clock.today(),
    )
    spec = ProvenanceSpec.parse(source, channel="import")
    outcome = candidates_write(actor=actor, source=spec, records=[record])[0]
    return Person.objects.get(pk=outcome.person_id)


@pytest.mark.req("R1.1", "R2.1")
def test_consultant_filters_by_source_and_sees_provenance_in_the_dossier(
    page: Any, consultant: Any, actor: Any
) -> None:
    _candidate(actor, "Lotte", "Janssens", "medium:LinkedIn", notes="<script>alert(1)</script>")
    _candidate(actor, "Maxime", "Lefèvre", "self")

    log_in(page, consultant.username, PASSWORD)
    page.goto("/candidates/")
    page.click("text=Filters")  # the filters fold open under the search box
    page.select_option("select[name=source]", "medium")
    with page.expect_navigation():  # the count below must read the filtered page, not this one
        page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("table.list")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "Lotte Janssens" in rows.first.inner_text()
    assert "LinkedIn" in rows.first.inner_text()

    page.click("text=Lotte Janssens")
    page.wait_for_selector("h1:has-text('Lotte Janssens')")
    body = page.inner_text("main")
    assert "LinkedIn" in body  # each item names its source
    assert "<script>alert(1)</script>" in body  # shown as text, not executed
    assert page.locator("main script").count() == 0


@pytest.mark.req("R7.1")
def test_wrong_password_is_refused_with_a_message(page: Any, consultant: Any) -> None:
    log_in(page, consultant.username, "not-the-password", expect_success=False)
    assert page.locator("[role=alert]").is_visible()
    assert "/login/" in page.url


@pytest.mark.req("R1.1", "R2.1")
def test_a_consultant_fixes_a_bad_email_in_the_form_and_the_candidate_is_saved(
    page: Any, consultant: Any
) -> None:
    log_in(page, consultant.username, PASSWORD)
    page.goto("/candidates/")
    page.click("a[href='/candidates/new/']")
    page.fill("#id_first_name", "Jolien")
    page.fill("#id_last_name", "Wuyts")
    page.fill("#id_email", "jolien@")
    page.fill("#id_mobile", "0479 11 22 33")
    page.select_option("#id_source", "medium")
    page.fill("#id_source_name", "Jobat")
    with page.expect_navigation():  # the form comes back from the server with its errors
        page.click("main form button[type=submit]")

    error = page.locator("#id_email-error")
    assert error.is_visible()
    assert page.input_value("#id_last_name") == "Wuyts"  # nothing typed is lost
    assert not Person.objects.filter(last_name="Wuyts").exists()

    page.fill("#id_email", "jolien.wuyts@example.com")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h1:has-text('Jolien Wuyts')")
    assert "Jobat" in page.inner_text("main")
    person = Person.objects.get(last_name="Wuyts")
    assert person.provenance.name == "Jobat"


def test_the_interface_switches_to_french(page: Any, consultant: Any) -> None:
    log_in(page, consultant.username, PASSWORD)
    page.goto("/candidates/")
    page.select_option("#language", "fr")
    page.wait_for_selector("html[lang=fr]")
    assert page.inner_text("h1") == "Candidats"
    assert page.locator("a[href='/candidates/new/']").inner_text() == "Nouveau candidat"
