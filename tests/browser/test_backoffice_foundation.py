"""The consultant logs in, finds a candidate by source and opens the dossier with provenance."""

from __future__ import annotations

from typing import Any

import pytest

from candor.testing.personas import PASSWORD
from candor.core import clock
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.recruitment.intake import candidates_write
from candor.recruitment.records import CandidateRecord, clean_candidate
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
    page.select_option("select[name=source]", "medium")
    page.click("form.filters button[type=submit]")
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
    log_in(page, consultant.username, "not-the-password")
    assert page.locator("[role=alert]").is_visible()
    assert "/login/" in page.url
