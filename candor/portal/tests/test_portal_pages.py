"""The client portal and the consent page through the Django test client (R4.1, R7.1): what a
client contact sees, that another client's ids answer 404, and the candidate's answer page."""

from __future__ import annotations

import logging

import pytest
from django.core import mail

from candor.api.tests.factories import make_candidate, make_vacancy
from candor.core.actor import Actor
from candor.disclosure.models import Disclosure
from candor.portal.models import Introduction, IntroductionStatus
from candor.portal.services import introduction_ask, introduction_request
from candor.portal.tests.conftest import consent_link, send_profile
from candor.testing.personas import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.1")]


def _introduction(actor, user, org, person, *, ask=True):
    code = send_profile(actor, person, org)
    introduction = introduction_request(
        actor=Actor.for_user(user), organisation_id=org.pk, code=code, user_id=user.pk
    )
    if ask:
        introduction = introduction_ask(
            actor=actor, introduction=introduction, base_url="http://testserver"
        )
    return introduction


def test_a_client_contact_logs_in_onto_the_portal_and_sees_its_vacancies_and_profiles(
    client, actor, *, portal_user, client_org, other_org, candidate
):
    mine = make_vacancy(actor, client_org, title="Heftruckchauffeur")
    make_vacancy(actor, other_org, title="Metselaar")
    code = send_profile(actor, candidate, client_org)

    response = client.post("/login/", {"username": portal_user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/clients/"

    home = client.get("/clients/").content.decode()
    assert "Logistiek Noord NV" in home
    vacancies = client.get("/clients/vacancies/").content.decode()
    assert "Heftruckchauffeur" in vacancies
    assert "Metselaar" not in vacancies
    assert client.get(f"/clients/vacancies/{mine.pk}/").status_code == 200
    profiles = client.get("/clients/profiles/").content.decode()
    assert code in profiles
    profile = client.get(f"/clients/profiles/{code}/").content.decode()
    assert "Ask to meet" in profile
    assert "Vermeulen" not in profile
    assert "sofie.vermeulen" not in profile
    assert client.get("/").status_code == 403  # no back office for clients


def test_asking_to_meet_from_the_profile_page_creates_the_request(
    client, actor, portal_user, client_org, candidate
):
    code = send_profile(actor, candidate, client_org)
    client.force_login(portal_user)

    response = client.post(f"/clients/profiles/{code}/introduce/", follow=True)

    introduction = Introduction.objects.get()
    assert (introduction.organisation_id, introduction.person_id) == (client_org.pk, candidate.pk)
    assert introduction.requested_by_id == portal_user.pk
    assert "was sent to the agency" in response.content.decode()
    assert code in client.get("/clients/introductions/").content.decode()


def test_asking_for_a_candidate_not_sent_to_us_is_refused_with_a_clear_message(
    client, actor, *, portal_user, client_org, other_org, candidate, caplog
):
    code = send_profile(actor, candidate, other_org)
    client.force_login(portal_user)

    with caplog.at_level(logging.WARNING):
        response = client.post(f"/clients/profiles/{code}/introduce/", follow=True)

    assert f"Candidate {code} was not sent to your organisation." in response.content.decode()
    assert "not sent" in caplog.text
    assert Introduction.objects.count() == 0
    assert client.get(f"/clients/profiles/{code}/").status_code == 404


def test_another_client_s_vacancy_profile_and_introduction_answer_404(
    client, actor, *, portal_user, portal_user_for, client_org, other_org, candidate
):
    theirs = make_vacancy(actor, other_org)
    rival = portal_user_for(other_org)
    introduction = _introduction(actor, rival, other_org, candidate, ask=False)
    client.force_login(portal_user)

    assert client.get(f"/clients/vacancies/{theirs.pk}/").status_code == 404
    assert client.get(f"/clients/profiles/{introduction.code}/").status_code == 404
    assert client.get(f"/clients/introductions/{introduction.pk}/").status_code == 404
    assert introduction.code not in client.get("/clients/introductions/").content.decode()


def test_the_revealed_candidate_shows_only_to_the_client_that_asked(
    client, actor, *, portal_user, portal_user_for, client_org, other_org, candidate
):
    introduction = _introduction(actor, portal_user, client_org, candidate)
    _, token = consent_link()
    send_profile(actor, candidate, other_org)
    rival = portal_user_for(other_org)

    client.post(f"/clients/consent/{introduction.pk}/{token}/", {"answer": "yes"})

    client.force_login(portal_user)
    assert "sofie.vermeulen@example.com" in client.get("/clients/revealed/").content.decode()
    detail = client.get(f"/clients/introductions/{introduction.pk}/").content.decode()
    assert "Sofie Vermeulen" in detail
    assert "+32470123456" in detail
    client.force_login(rival)
    assert "Vermeulen" not in client.get("/clients/revealed/").content.decode()


def test_the_consent_page_names_the_client_and_vacancy_and_offers_yes_and_no(
    client, actor, portal_user, client_org, candidate
):
    introduction = _introduction(actor, portal_user, client_org, candidate)
    _, token = consent_link()
    url = f"/clients/consent/{introduction.pk}/{token}/"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # a visitor gets the browser's language

    page = client.get(url).content.decode()
    assert "Logistiek Noord NV" in page
    assert 'value="yes"' in page
    assert 'value="no"' in page

    answered = client.post(url, {"answer": "no"}, follow=True).content.decode()
    assert "nothing about you was passed on" in answered
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.DECLINED
    assert not Disclosure.objects.filter(reference=f"introduction:{introduction.pk}").exists()


def test_a_tampered_consent_link_shows_an_error_page_and_changes_nothing(
    client, actor, portal_user, client_org, candidate
):
    introduction = _introduction(actor, portal_user, client_org, candidate)
    _, token = consent_link()
    bad = f"/clients/consent/{introduction.pk}/{token[:-3]}xyz/"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    assert client.get(bad).status_code == 400
    response = client.post(bad, {"answer": "yes"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ASKED
    assert not Disclosure.objects.filter(reference__startswith="introduction:").exists()


def test_a_consultant_asks_by_e_mail_and_records_a_paper_answer_in_the_back_office(
    client, actor, *, consultant, portal_user, client_org, candidate
):
    introduction = _introduction(actor, portal_user, client_org, candidate, ask=False)
    other = _introduction(actor, portal_user, client_org, make_candidate(actor), ask=False)
    client.force_login(consultant)
    mail.outbox.clear()

    assert "Sofie" in client.get("/disclosure/introductions/").content.decode()
    client.post(f"/disclosure/introductions/{introduction.pk}/ask/")
    assert len(mail.outbox) == 1
    refused = client.post(
        f"/disclosure/introductions/{other.pk}/answer/",
        {"answer": "yes", "via": "paper", "evidence": ""},
        follow=True,
    ).content.decode()
    assert "Give the answer" in refused
    client.post(
        f"/disclosure/introductions/{other.pk}/answer/",
        {"answer": "yes", "via": "paper", "evidence": "Getekend formulier, ref. INT-7"},
    )

    introduction.refresh_from_db()
    other.refresh_from_db()
    assert introduction.status == IntroductionStatus.ASKED
    assert other.status == IntroductionStatus.REVEALED
    assert other.evidence.startswith("Getekend")
    page = client.get(f"/disclosure/introductions/{other.pk}/").content.decode()
    assert "INT-7" in page
    assert f"ledger entry {other.disclosure_id}" in page


def test_the_consent_page_speaks_the_visitors_language_dutch_by_default(
    client, actor, portal_user, client_org, candidate
):
    introduction = _introduction(actor, portal_user, client_org, candidate)
    _, token = consent_link()
    url = f"/clients/consent/{introduction.pk}/{token}/"

    assert '<html lang="nl">' in client.get(url).content.decode()
    assert '<html lang="fr">' in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
