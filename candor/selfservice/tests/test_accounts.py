"""Site accounts (R1.4): registration, confirmation, log-in, password reset, and the wall
between site accounts and the back office."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils.html import escape

from candor.accounts.models import Role, User
from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.people.models import ContactPoint, Person, SourceKind
from candor.privacy.erasure import person_erase
from candor.privacy.models import Consent, StatementReceipt, Suppression, SuppressionReason
from candor.privacy.policy import policy
from candor.privacy.statement import statement_publish
from candor.privacy.suppression import suppress_person, suppression_matches
from candor.selfservice.accounts import REGISTRATION_PURPOSE
from candor.selfservice.tests.conftest import PASSWORD, confirm_path, nl, registration_data

pytestmark = [pytest.mark.django_db, pytest.mark.req("R1.4")]


def _html(message: Any) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


def test_registration_creates_an_inactive_account_and_mails_a_link_in_the_persons_language():
    web = Client()
    response = web.post(
        "/public/my/register/", registration_data("Lotte.Vermeulen@Example.com", language="nl")
    )

    assert response.status_code == 302
    user = User.objects.get(email="lotte.vermeulen@example.com")
    assert (user.role, user.is_active, user.person_id) == (Role.SITE, False, None)
    assert (user.first_name, user.last_name, user.language) == ("Lotte", "Vermeulen", "nl")
    assert user.date_joined is not None  # the registration date
    assert Person.objects.count() == 0  # nothing about a person before confirmation
    (message,) = mail.outbox
    assert message.to == ["lotte.vermeulen@example.com"]
    assert message.subject.startswith(nl("Confirm your e-mail address"))
    html = _html(message)
    assert "Beste Lotte" in message.body
    assert "Beste Lotte" in html
    assert '<html lang="nl">' in html
    assert "/public/my/confirm/" in html


def test_a_password_is_stored_as_an_argon2_hash(register, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = register("argon@example.com", confirm=False)
    assert user.password.startswith("argon2")


def test_bad_registration_input_is_refused_inline_in_dutch_and_nothing_is_stored():
    web = Client(headers={"accept-language": "nl"})
    web.cookies["django_language"] = "nl"
    data = registration_data("niet-een-adres", password1="1234", password2="1234")
    del data["consent"]
    response = web.post("/public/my/register/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Voer een geldig e-mailadres in." in page
    assert "Dit wachtwoord bevat alleen cijfers." in page  # Django's validators, in Dutch
    assert nl("Without this consent we cannot keep your profile.") in page
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_the_link_activates_the_account_and_records_the_consent_and_the_statement_version(
    actor,
):
    version = statement_publish(actor=actor, version="3.1", published_on=clock.today())
    web = Client()
    page = web.get("/public/my/register/").content.decode()
    assert 'name="statement_version" value="3.1"' in page  # the version shown is sent back
    web.post("/public/my/register/", registration_data("nina@example.com", statement_version="3.1"))
    assert web.get(confirm_path(mail.outbox[0])).status_code == 200  # a button, not a change
    assert not User.objects.get(email="nina@example.com").is_active

    response = web.post(confirm_path(mail.outbox[0]))

    assert response.status_code == 302
    assert response["Location"] == "/public/my/login/"
    user = User.objects.get(email="nina@example.com")
    assert user.is_active
    person = user.person
    assert person is not None
    assert person.is_site_user
    assert person.is_candidate
    assert person.provenance.kind == SourceKind.SUBJECT
    consent = Consent.objects.get(person=person)
    rule = policy().purpose(REGISTRATION_PURPOSE).consent
    assert rule is not None
    assert (consent.purpose, consent.text_version) == (REGISTRATION_PURPOSE, rule.version)
    assert consent.text_shown == rule.text.nl
    assert consent.given_via == "portal"
    receipt = StatementReceipt.objects.get(person=person)
    assert (receipt.version, receipt.kind) == (version, "accepted")


def test_a_tampered_or_reused_link_confirms_nothing_new():
    web = Client()
    web.post("/public/my/register/", registration_data("tamper@example.com"))
    path = confirm_path(mail.outbox[0])

    assert web.post(path[:-3] + "xx/").status_code == 400
    assert not User.objects.get(email="tamper@example.com").is_active
    assert web.post(path).status_code == 302
    assert web.post(path).status_code == 302  # already confirmed: nothing twice
    assert Person.objects.count() == 1
    assert Consent.objects.count() == 1


def test_the_account_is_linked_to_a_known_person_only_after_the_address_is_confirmed(actor):
    known = make_candidate(actor, source="agency", emails=["gekend@example.com"])
    web = Client()
    web.post("/public/my/register/", registration_data("gekend@example.com"))
    user = User.objects.get(email="gekend@example.com")
    assert user.person_id is None  # registering proves nothing yet

    web.post(confirm_path(mail.outbox[0]))

    user.refresh_from_db()
    assert user.person_id == known.pk
    assert Person.objects.count() == 1  # no second person
    assert Consent.objects.get(person=known).purpose == REGISTRATION_PURPOSE


def test_an_address_several_people_hold_links_nobody(actor):
    first = make_candidate(actor, emails=["gedeeld@example.com"])
    second = make_candidate(actor, emails=["ander@example.com"])
    ContactPoint.objects.create(  # a shared family address, entered by hand
        person=second,
        kind="email",
        value="gedeeld@example.com",
        normalised="gedeeld@example.com",
        provenance=first.provenance,
    )
    web = Client()
    web.post("/public/my/register/", registration_data("gedeeld@example.com"))
    web.post(confirm_path(mail.outbox[0]))

    user = User.objects.get(email="gedeeld@example.com")
    assert user.is_active
    assert user.person_id is None
    web.force_login(user)
    page = web.get("/public/my/").content.decode()
    assert "more than one of our records" in page or "meer dan" in page


def test_registering_an_address_that_has_an_account_changes_nothing_and_says_the_same(register):
    register("dubbel@example.com")
    response = Client().post("/public/my/register/", registration_data("dubbel@example.com"))

    assert response.status_code == 302
    assert response["Location"] == "/public/my/register/done/"
    assert User.objects.filter(email="dubbel@example.com").count() == 1
    notice = mail.outbox[-1]
    expected = nl(
        "Someone tried to create an account on our site with this e-mail address, which "
        "already has one. Nothing was changed. Forgot your password? Ask for a new one on the "
        "log-in page."
    )
    assert expected in notice.body
    assert expected in _html(notice)
    assert "Beste Lotte" in notice.body


@pytest.mark.req("R6.11")
def test_an_erased_person_can_come_back_by_registering_and_the_suppression_is_lifted(actor):
    person = make_candidate(actor, emails=["terug@example.com"])
    suppress_person(actor=actor, person=person, reason=SuppressionReason.ERASURE)
    person_erase(actor=actor, person=person, reason="request")
    assert suppression_matches(emails=["terug@example.com"])

    web = Client()
    web.post("/public/my/register/", registration_data("terug@example.com"))
    web.post(confirm_path(mail.outbox[0]))

    user = User.objects.get(email="terug@example.com")
    assert user.is_active
    assert user.person_id not in (None, person.pk)
    assert suppression_matches(emails=["terug@example.com"]) == set()
    lifted = Suppression.objects.get(kind="email")
    assert lifted.lifted_how == "self_registration"
    assert f"site account {user.pk}" in lifted.lifted_reference
    assert REGISTRATION_PURPOSE in lifted.lifted_reference
    event = AuditEvent.objects.get(action="suppression.lift")
    assert "terug@example.com" not in str(event.detail) + event.subject + str(event.object_id)


@pytest.mark.req("R6.11")
def test_an_objecting_person_who_registers_is_linked_and_their_suppression_lifted(actor):
    from candor.privacy.services import objection_record

    person = make_candidate(actor, emails=["bezwaar@example.com"])
    objection_record(actor=actor, person=person, purpose="mediation", via="email")
    web = Client()
    web.post("/public/my/register/", registration_data("bezwaar@example.com"))
    web.post(confirm_path(mail.outbox[0]))

    assert User.objects.get(email="bezwaar@example.com").person_id == person.pk
    assert suppression_matches(emails=["bezwaar@example.com"]) == set()


def test_a_confirmed_account_logs_in_through_the_site_log_in(register):
    register("inlog@example.com")
    web = Client()
    response = web.post(
        "/public/my/login/", {"username": "Inlog@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/public/my/"
    assert web.get("/public/my/").status_code == 200
    assert web.post("/public/my/logout/").status_code == 302
    assert web.get("/public/my/").status_code == 302


def test_an_unconfirmed_account_cannot_log_in(register):
    register("wacht@example.com", confirm=False)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/public/my/login/", {"username": "wacht@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Confirm your e-mail address first" in response.content.decode()


@pytest.mark.req("R7.1")
def test_staff_cannot_log_in_through_the_site_log_in(consultant):
    from candor.testing.personas import PASSWORD as STAFF_PASSWORD

    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = web.post(
        "/public/my/login/", {"username": consultant.username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in web.session
    assert "Wrong e-mail address or password" in response.content.decode()


@pytest.mark.req("R7.1")
def test_a_site_account_never_enters_the_back_office(member_client, member):
    for url in ("/", "/candidates/", f"/candidates/{member.person_id}/", "/corrections/"):
        assert member_client.get(url).status_code == 403, url


@pytest.mark.req("R7.1")
def test_staff_get_403_on_the_self_service_pages(consultant):
    web = Client()
    web.force_login(consultant)
    assert web.get("/public/my/").status_code == 403


def test_log_in_is_throttled_per_account_with_a_clear_message_in_dutch(register):
    register("traag@example.com")
    web = Client()
    web.cookies["django_language"] = "nl"
    statuses = [
        web.post(
            "/public/my/login/", {"username": "traag@example.com", "password": "fout"}
        ).status_code
        for _ in range(5)
    ]
    blocked = web.post("/public/my/login/", {"username": "traag@example.com", "password": PASSWORD})

    assert statuses == [200] * 5
    assert blocked.status_code == 429
    page = blocked.content.decode()
    assert '<html lang="nl">' in page
    assert (
        nl("Too many attempts. Wait a quarter of an hour and try again, or reset your password.")
        in page
    )
    assert "_auth_user_id" not in web.session  # not even the right password gets through


def test_log_in_is_throttled_per_client_address(register, settings):
    from candor.selfservice import account_views as views

    register("adres@example.com")
    web = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(views.LOGIN_PER_ADDRESS.limit):
        web.post("/public/my/login/", {"username": f"iemand{number}@example.com", "password": "x"})
    response = web.post(
        "/public/my/login/", {"username": "adres@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert (
        other.post(
            "/public/my/login/", {"username": "adres@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )


def test_password_reset_mails_a_site_account_in_its_language_and_the_new_password_works(register):
    register("vergeten@example.com")
    mail.outbox.clear()
    web = Client()
    response = web.post("/public/my/password/reset/", {"email": "vergeten@example.com"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.subject == nl("Choose a new password")
    assert "Beste Lotte" in message.body
    html = _html(message)
    link = next(line for line in message.body.splitlines() if "/public/my/password/reset/" in line)
    assert link.split("testserver")[1] in html
    path = link.split("testserver")[1]
    form_page = web.get(path, follow=True)
    assert form_page.status_code == 200
    new = "Nieuw-Wachtwoord-Kade-2026"
    done = web.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert Client().login(username="vergeten@example.com", password=new)


def test_password_reset_sends_nothing_to_staff(consultant):
    Client().post("/public/my/password/reset/", {"email": consultant.email})
    assert mail.outbox == []


def test_a_french_visitor_reads_the_consent_and_the_e_mail_in_french():
    web = Client()
    web.cookies["django_language"] = "fr"
    page = web.get("/public/my/register/").content.decode()
    assert "Je souhaite" not in page  # the consent text of the candidate database, not alerts
    rule = policy().purpose(REGISTRATION_PURPOSE).consent
    assert rule is not None
    assert escape(rule.text.fr) in page
    web.post("/public/my/register/", registration_data("francais@example.com", language="fr"))
    assert '<html lang="fr">' in _html(mail.outbox[0])
    assert "Bonjour Lotte" in mail.outbox[0].body


def test_only_site_accounts_may_hold_a_contact_point_link(register):
    user = register("link@example.com")
    assert ContactPoint.objects.get(person=user.person).value == "link@example.com"


def test_registering_again_before_confirming_changes_neither_name_nor_password():
    owner, other = Client(), Client()
    owner.post("/public/my/register/", registration_data("eigen@example.com"))
    other.post(
        "/public/my/register/",
        registration_data(
            "eigen@example.com",
            first_name="Indringer",
            password1="Iemand-Anders-Wachtwoord-9",
            password2="Iemand-Anders-Wachtwoord-9",
        ),
    )

    assert len(mail.outbox) == 2  # the link again, to the owner's mailbox only
    assert {m.to[0] for m in mail.outbox} == {"eigen@example.com"}
    owner.post(confirm_path(mail.outbox[1]))
    user = User.objects.get(email="eigen@example.com")
    assert user.is_active
    assert user.first_name == "Lotte"
    assert Client().login(username="eigen@example.com", password=PASSWORD)
    assert not Client().login(username="eigen@example.com", password="Iemand-Anders-Wachtwoord-9")
