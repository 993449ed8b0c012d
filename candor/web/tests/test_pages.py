"""The public pages: what a visitor sees, in their language, and what they never see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from candor.api.tests.factories import make_client, make_vacancy
from candor.core import clock
from candor.privacy.policy import policy
from candor.privacy.statement import statement_publish
from candor.recruitment.models import VacancyStatus
from candor.web.selectors import STAMP_SECONDS

pytestmark = pytest.mark.django_db


def _visitor(language: str = "en") -> Client:
    return Client(headers={"accept-language": language})


@pytest.mark.req("R8.3")
def test_the_home_page_introduces_the_agency_and_its_latest_vacancies(vacancy):
    page = _visitor().get("/public/").content.decode()

    assert policy().controller.name in page
    assert policy().controller.email in page
    assert vacancy.title in page
    assert 'href="/public/my/"' in page
    assert 'href="/login/"' in page  # staff log-in, discreetly in the footer


def test_an_anonymous_visitor_of_the_root_lands_on_the_public_home():
    response = _visitor().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/public/"


def test_staff_still_reach_their_dashboard_at_the_root(client, consultant):
    client.force_login(consultant)

    assert client.get("/").status_code == 200


def test_only_open_vacancies_are_listed_and_never_the_clients_name(actor, vacancy):
    client = make_client(actor, name="Verborgen Opdrachtgever BV")
    draft = make_vacancy(actor, client, title="Kladversie", status=VacancyStatus.DRAFT)
    closed = make_vacancy(actor, client, title="Afgesloten job", status=VacancyStatus.CLOSED)

    page = _visitor().get("/public/vacancies/").content.decode()

    assert vacancy.title in page
    assert draft.title not in page
    assert closed.title not in page
    assert "Geheime Klant" not in page
    assert "Verborgen" not in page
    assert _visitor().get(f"/public/vacancies/{draft.pk}/").status_code == 404
    assert _visitor().get(f"/public/vacancies/{closed.pk}/apply/").status_code == 404
    detail = _visitor().get(f"/public/vacancies/{vacancy.pk}/").content.decode()
    assert vacancy.description in detail
    assert "Geheime Klant" not in detail


def test_search_and_filters_narrow_the_list(actor, vacancy):
    client = make_client(actor, sector="zorg")
    nurse = make_vacancy(
        actor, client, title="Verpleegkundige", postcode="4000", city="Liège",
        description="Soins à domicile.", opened_on=clock.today() - dt.timedelta(days=60),
    )  # fmt: skip

    def titles(query: str) -> tuple[bool, bool]:
        page = _visitor().get(f"/public/vacancies/?{query}").content.decode()
        return vacancy.title in page, nurse.title in page

    assert titles("") == (True, True)
    assert titles("q=voorraad") == (True, False)  # description
    assert titles("q=li%C3%A8ge") == (False, True)  # city, any case
    assert titles("region=antwerp") == (True, False)
    assert titles("region=liege") == (False, True)
    assert titles("sector=zorg") == (False, True)
    assert titles("since=30") == (True, False)
    assert titles("q=nothing-like-this") == (False, False)


def test_a_changed_vacancy_shows_within_seconds_despite_the_cache(actor, vacancy, time_machine):
    from candor.recruitment.services import vacancy_update

    assert vacancy.title in _visitor().get("/public/vacancies/").content.decode()
    vacancy_update(
        actor=actor,
        vacancy_id=vacancy.pk,
        changes={"status": VacancyStatus.FILLED},
        seen_updated_at=vacancy.updated_at,
    )
    time_machine.move_to(clock.now() + dt.timedelta(seconds=STAMP_SECONDS + 1))

    assert vacancy.title not in _visitor().get("/public/vacancies/").content.decode()
    assert vacancy.title not in _visitor().get("/public/").content.decode()


def test_the_list_is_paginated(actor):
    client = make_client(actor)
    for i in range(25):
        make_vacancy(actor, client, title=f"Functie {i:02d}")

    first = _visitor().get("/public/vacancies/").content.decode()
    second = _visitor().get("/public/vacancies/?page=2").content.decode()

    assert "25 open vacancies" in first
    assert first.count('class="card"') == 20
    assert second.count('class="card"') == 5
    assert 'rel="next" href="?page=2"' in first


@pytest.mark.req("R8.1", "R8.2", "R8.3")
def test_the_privacy_page_shows_the_statement_its_versions_and_the_contacts(actor, statement):
    later = statement_publish(
        actor=actor,
        version="2026.2",
        published_on=clock.today(),
        changes={"nl": "Nieuwe termijnen.", "fr": "Nouveaux délais.", "en": "New periods."},
    )
    statement_publish(
        actor=actor,
        version="2027.1",
        published_on=clock.today() + dt.timedelta(days=30),
        changes={"nl": "Later.", "fr": "Plus tard.", "en": "Later."},
    )

    page = _visitor("fr").get("/public/privacy/").content.decode()

    assert "2026.2" in page
    assert "Nouveaux délais." in page
    assert 'href="/public/privacy/versions/2026.1/"' in page
    assert "2027.1" not in page  # not published yet
    assert policy().dpo.email in page
    assert policy().controller.address in page
    assert "candor_consent" in page
    assert "candor_search" in page
    older = _visitor("fr").get("/public/privacy/versions/2026.1/").content.decode()
    assert "2026.1" in older
    assert later.body_fr.splitlines()[0].lstrip("# ") in older
    assert _visitor().get("/public/privacy/versions/2027.1/").status_code == 404


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_page_answers_in_each_language(language, vacancy, statement):
    for url in (
        "/public/",
        "/public/vacancies/",
        f"/public/vacancies/{vacancy.pk}/",
        f"/public/vacancies/{vacancy.pk}/apply/",
        f"/public/vacancies/{vacancy.pk}/applied/",
        "/public/privacy/",
        "/public/privacy/request/",
        "/public/privacy/request/sent/",
        "/public/cookies/",
    ):
        response = _visitor(language).get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url


def test_a_vacancy_text_shows_as_paragraphs_headings_and_lists_never_as_html(actor):
    client = make_client(actor)
    text = "Intro <script>alert(1)</script>.\n\nWat ga je doen?\n- Plannen\n- Laden\n\nTot snel."
    found = make_vacancy(actor, client, title="Planner <b>", description=text)

    page = _visitor().get(f"/public/vacancies/{found.pk}/").content.decode()
    listing = _visitor().get("/public/vacancies/").content.decode()

    assert "<h2>Wat ga je doen?</h2>" in page
    assert "<li>Plannen</li>" in page
    assert "<li>Laden</li>" in page
    assert "<h1>Planner &lt;b&gt;</h1>" in page
    assert "<p>Tot snel.</p>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "Plannen" not in listing  # the list shows the first paragraph only
