"""The public web site in a real browser: applying as a new visitor, the cookie choice, and an
automated WCAG 2.1 AA check (axe-core) of every public page in Dutch and French."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from candor.accounts.models import User
from candor.api.tests.factories import make_client, make_vacancy
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Document, Person, SourceKind
from candor.privacy.models import Consent, StatementReceipt
from candor.privacy.policy import policy
from candor.privacy.statement import statement_publish
from candor.recruitment.models import Application, Vacancy
from candor.testing.documents import PDF
from candor.testing.personas import PASSWORD
from candor.web.cookies import cookies
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def open_vacancy(actor: Actor) -> Vacancy:
    statement_publish(actor=Actor.system("test"), version="2026.1", published_on=clock.today())
    client = make_client(actor, name="Geheime Klant NV", sector="logistiek")
    return make_vacancy(
        actor,
        client,
        title="Heftruckchauffeur",
        description="Je laadt en lost vrachtwagens in ons distributiecentrum.\n\nVlotte collega's.",
        postcode="9000",
        city="Gent",
    )


@pytest.mark.req("R1.1", "R2.1", "R3.3", "R8.2")
def test_a_new_visitor_applies_for_a_vacancy_and_the_consultant_sees_it(
    page: Any,
    *, browser: Any, live_server: Any, open_vacancy: Vacancy, consultant: User,
    tmp_path: Path,
) -> None:  # fmt: skip
    cv = tmp_path / "cv-an-peeters.pdf"
    cv.write_bytes(PDF)

    page.goto("/public/vacancies/")
    page.click("text=Heftruckchauffeur")
    page.click(f"a[href='/public/vacancies/{open_vacancy.pk}/apply/']")
    page.fill("#id_first_name", "An")
    page.fill("#id_last_name", "Peeters")
    page.fill("#id_email", "an.peeters@example.com")
    page.fill("#id_phone", "0478 11 22 33")
    page.fill("#id_motivation", "Ik heb mijn heftruckattest.")
    page.set_input_files("#id_cv", str(cv))
    page.check("#id_consent_talent_pool")
    page.check("#id_statement")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")

    assert page.url.endswith(f"/public/vacancies/{open_vacancy.pk}/applied/")
    assert page.locator("h1").inner_text()
    person = Person.objects.get(last_name="Peeters")
    assert person.provenance.kind == SourceKind.SUBJECT
    assert person.is_candidate
    assert Application.objects.filter(person=person, vacancy=open_vacancy).exists()
    document = Document.objects.get(person=person)
    assert document.original_name == "cv-an-peeters.pdf"
    assert document.content_type == "application/pdf"
    consent = Consent.objects.get(person=person, purpose="talent_pool")
    rule = policy().purpose("talent_pool").consent
    assert rule is not None
    assert consent.text_version == rule.version
    assert consent.text_shown == rule.text.nl
    assert StatementReceipt.objects.get(person=person).version.version == "2026.1"

    staff = browser.new_page(base_url=live_server.url)
    log_in(staff, consultant.username, PASSWORD)
    staff.goto(f"/candidates/{person.pk}/")
    assert "Heftruckchauffeur" in staff.inner_text("main")
    assert "cv-an-peeters.pdf" in staff.inner_text("main")
    staff.close()


def _cookie_names(page: Any) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


@pytest.mark.req("R1.6")
def test_refusing_cookies_sets_none_but_the_essential_and_the_choice_can_change(
    page: Any, open_vacancy: Vacancy
) -> None:
    optional = {cookie.name for cookie in cookies() if not cookie.essential}
    essential = {cookie.name for cookie in cookies() if cookie.essential}

    page.goto("/public/")
    banner = page.locator(".cookie-banner")
    assert banner.is_visible()
    with page.expect_navigation():
        banner.locator("button[value=refused]").click()
    assert not page.locator(".cookie-banner").count()
    page.goto("/public/vacancies/?q=gent")
    assert "Heftruckchauffeur" in page.inner_text("main")  # refusing changes nothing essential
    assert _cookie_names(page) <= essential
    assert not _cookie_names(page) & optional

    page.click("footer a[href^='/public/cookies/']")
    assert page.locator("main [role=status]").inner_text()
    with page.expect_navigation():
        page.click("main button[value=accepted]")
    page.goto("/public/vacancies/?q=gent")
    assert "candor_search" in _cookie_names(page)

    page.click("footer a[href^='/public/cookies/']")
    with page.expect_navigation():
        page.click("main button[value=refused]")
    assert "candor_search" not in _cookie_names(page)


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    assert result["passes"], "axe checked nothing"
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_the_public_pages_pass_an_automated_wcag_2_1_aa_check(
    browser: Any, live_server: Any, open_vacancy: Vacancy, language: str
) -> None:
    # The site's Content-Security-Policy forbids injected scripts, the checker's included: the
    # checker's own context lets it in (the pages themselves are served unchanged).
    context = browser.new_context(
        base_url=live_server.url, locale=f"{language}-BE", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: dict[str, Any] = {}

    def check(name: str) -> None:
        found = _axe(page)
        if found:
            problems[name] = found

    for name, url in (
        ("home", "/public/"),
        ("vacancies", "/public/vacancies/"),
        ("vacancy", f"/public/vacancies/{open_vacancy.pk}/"),
        ("privacy", "/public/privacy/"),
        ("request", "/public/privacy/request/"),
        ("cookies", "/public/cookies/"),
        ("apply", f"/public/vacancies/{open_vacancy.pk}/apply/"),
    ):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        check(name)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")  # empty: every error shown inline
    assert page.locator(".errorlist").count() > 0
    check("apply with errors")
    page.goto("/public/privacy/request/")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    check("request with errors")
    context.close()

    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)
