"""A consultant opens a supervision session; the client's user searches and opens a profile;
the consultant's live page shows the view without reloading (R4.2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from candor.accounts.models import Role
from candor.api.tests.factories import make_candidate, make_client, make_vacancy
from candor.core import clock
from candor.inhouse.services import posting_create
from candor.testing.personas import PASSWORD
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.req("R4.2")
def test_the_consultant_sees_live_what_the_client_user_opens(  # noqa: PLR0917 - pytest fixtures
    page: Any, browser: Any, live_server: Any, consultant: Any, make_user: Any, actor: Any
) -> None:
    client = make_client(actor, name="Havenlogistiek NV")
    vacancy = make_vacancy(actor, client, title="Heftruckchauffeur")
    posting_create(
        actor=actor,
        consultant=consultant,
        organisation=client,
        starts_on=clock.today() - dt.timedelta(days=1),
    )
    client_user = make_user("hr.haven", Role.INHOUSE_CLIENT, first_name="Ines", client=client)
    make_candidate(actor, desired_function="Heftruckchauffeur", last_name="Wouters")

    log_in(page, consultant.username, PASSWORD)
    page.goto("/inhouse/sessions/new/")
    page.select_option("select[name=client_user]", str(client_user.pk))
    page.check(f"input[name=vacancies][value='{vacancy.pk}']")
    page.check("input[name=filters][value=function]")
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    page.wait_for_selector("#live-views")
    assert "Nothing viewed yet" in page.inner_text("#live-views")

    other = browser.new_context(base_url=live_server.url, locale="nl-BE")
    client_page = other.new_page()
    client_page.set_default_timeout(30_000)
    log_in(client_page, client_user.username, PASSWORD)
    client_page.goto("/inhouse/")
    client_page.select_option("select[name=vacancy]", str(vacancy.pk))
    client_page.fill("input[name=function]", "heftruckchauffeur")
    with client_page.expect_navigation():
        client_page.click("form.search-form button[type=submit]")
    client_page.wait_for_selector("table.list tbody tr a")
    assert "Wouters" not in client_page.inner_text("main")
    code = client_page.inner_text("table.list tbody tr a")
    with client_page.expect_navigation():
        client_page.click("table.list tbody tr a")
    client_page.wait_for_selector("article.card")
    assert code in client_page.inner_text("main")
    assert "Wouters" not in client_page.inner_text("main")

    # The consultant's page polls: the view appears without a reload.
    page.wait_for_selector(f"#live-views .view-dossier:has-text('{code}')")
    assert "heftruckchauffeur" in page.inner_text("#live-views")
    other.close()
