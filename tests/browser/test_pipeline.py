"""A consultant opens a vacancy and moves an application to the next stage on the board (R1.2)."""

from __future__ import annotations

from typing import Any

import pytest

from candor.api.tests.factories import make_application, make_candidate, make_client, make_vacancy
from candor.recruitment.models import Application, Stage
from candor.testing.personas import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("R1.2")
def test_consultant_moves_an_application_to_the_next_column(
    page: Any, consultant: Any, actor: Any
) -> None:
    vacancy = make_vacancy(actor, make_client(actor), title="Magazijnier")
    lotte = make_application(
        actor, make_candidate(actor, first_name="Lotte", last_name="Janssens"), vacancy
    )
    make_application(
        actor, make_candidate(actor, first_name="Maxime", last_name="Lefèvre"), vacancy
    )

    log_in(page, consultant.username, PASSWORD)
    page.goto(f"/vacancies/{vacancy.pk}/")
    new = page.locator("section.column[data-stage=new]")
    screening = page.locator("section.column[data-stage=screening]")
    card = new.locator(f"#application-{lotte.pk}")
    assert card.is_visible()
    assert "Lotte Janssens" in card.inner_text()
    assert screening.locator(".application-card").count() == 0

    with page.expect_response(f"**/applications/{lotte.pk}/move/"):
        card.locator("button.move-next").click()

    moved = screening.locator(f"#application-{lotte.pk}")
    moved.wait_for()
    assert "Lotte Janssens" in moved.inner_text()
    assert new.locator(f"#application-{lotte.pk}").count() == 0
    assert new.locator(".application-card").count() == 1  # Maxime stays where she was
    assert screening.locator(".column-count").inner_text() == "1"
    assert page.locator("#pipeline [role=status]").is_visible()  # the confirmation
    assert page.url.endswith(f"/vacancies/{vacancy.pk}/")  # swapped in place, no reload
    lotte.refresh_from_db()
    assert lotte.stage == Stage.SCREENING
    assert Application.objects.filter(vacancy=vacancy, stage=Stage.NEW).count() == 1
