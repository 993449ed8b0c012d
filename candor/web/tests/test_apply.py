"""Applying as a visitor (R1.1, R2.1, R3.3, R8.2, R6.11, R7.1): one transaction stores the
person, the application, the CV, the consents and the statement accepted; bad input loses
nothing and is answered in the visitor's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.people.models import ContactPoint, Document, Person, SourceKind
from candor.privacy.models import Consent, StatementReceipt, Suppression
from candor.privacy.policy import policy
from candor.privacy.suppression import suppress_person, suppression_matches
from candor.recruitment.models import Application
from candor.testing.documents import EXE, PDF, docx, zip_bomb
from candor.web.views import APPLY_THROTTLE

pytestmark = pytest.mark.django_db


def _form(shown: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "first_name": "Lotte",
        "last_name": "Janssens",
        "email": "Lotte.Janssens@example.com",
        "phone": "0470 12 34 56",
        "motivation": "Ik werk graag in de logistiek.",
        "cv": SimpleUploadedFile("mijn-cv.pdf", PDF, content_type="application/pdf"),
        "statement": "on",
        "statement_version": shown.version if shown else "",
        "consent_talent_pool": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _apply(vacancy: Any, data: dict[str, Any], language: str = "en", **extra: Any) -> Any:
    client = Client(headers={"accept-language": language})
    return client.post(f"/public/vacancies/{vacancy.pk}/apply/", data, **extra)


@pytest.mark.req("R1.1", "R2.1", "R3.3", "R8.2")
def test_a_new_visitor_applies_and_everything_is_recorded(vacancy, statement):
    response = _apply(vacancy, _form(statement), language="fr")

    assert response.status_code == 302
    assert response["Location"] == f"/public/vacancies/{vacancy.pk}/applied/"
    person = Person.objects.get(last_name="Janssens")
    assert person.is_candidate
    assert person.preferred_language == "fr"
    assert person.provenance.kind == SourceKind.SUBJECT
    application = Application.objects.get(person=person)
    assert application.vacancy == vacancy
    assert application.motivation.startswith("Ik werk")
    assert application.provenance.kind == SourceKind.SUBJECT
    document = Document.objects.get(person=person)
    assert document.kind == "cv"
    assert document.content_type == "application/pdf"
    assert document.original_name == "mijn-cv.pdf"
    assert document.size == len(PDF)
    assert document.file.name.startswith(f"documents/{person.pseudonym}/")
    assert "Janssens" not in document.file.name
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    consent = Consent.objects.get(person=person)
    rule = policy().purpose("talent_pool").consent
    assert consent.purpose == "talent_pool"
    assert consent.given_via == "form"
    assert consent.text_version == rule.version
    assert consent.text_shown == rule.text.fr
    assert not Consent.objects.filter(person=person, purpose="job_alerts").exists()
    receipt = StatementReceipt.objects.get(person=person)
    assert receipt.version == statement
    assert receipt.kind == "accepted"
    assert set(ContactPoint.objects.filter(person=person).values_list("value", flat=True)) == {
        "lotte.janssens@example.com",
        "+32470123456",
    }
    actions = set(
        AuditEvent.objects.filter(subject=str(person.pseudonym)).values_list("action", flat=True)
    )
    assert {"create", "consent.give", "statement.accepted"} <= actions


def test_the_applicant_gets_a_receipt_in_their_language_with_text_and_html(vacancy, statement):
    _apply(vacancy, _form(statement), language="en")

    (message,) = mail.outbox
    assert message.to == ["Lotte.Janssens@example.com"]
    assert vacancy.title in message.subject
    assert vacancy.reference in message.body
    assert policy().dpo.email in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert vacancy.title in html
    assert policy().purpose("talent_pool").label.en in message.body


def test_an_applicant_already_known_by_e_mail_is_matched_not_duplicated(actor, vacancy, statement):
    known = make_candidate(
        actor, emails=["lotte.janssens@example.com"], first_name="Lotte", last_name="Janssens"
    )

    _apply(vacancy, _form(statement, email="LOTTE.JANSSENS@example.com "))

    assert Person.objects.filter(last_name="Janssens").count() == 1
    assert Application.objects.get(vacancy=vacancy).person == known


def test_an_e_mail_known_under_another_name_is_not_merged_and_nothing_leaks(
    actor, vacancy, statement
):
    other = make_candidate(actor, emails=["lotte.janssens@example.com"], last_name="Peeters")

    response = _apply(vacancy, _form(statement))

    page = response.content.decode()
    assert response.status_code == 400
    assert "could not register your application automatically" in page
    assert other.first_name not in page
    assert f"#{other.pk}" not in page
    assert not Application.objects.exists()
    assert not Document.objects.exists()


def test_applying_twice_keeps_one_application_and_adds_the_new_cv(vacancy, statement):
    _apply(vacancy, _form(statement))
    response = _apply(vacancy, _form(statement, cv=SimpleUploadedFile("cv2.docx", docx())))

    assert response.status_code == 302
    assert Application.objects.filter(vacancy=vacancy).count() == 1
    assert Document.objects.count() == 2


@pytest.mark.req("R6.11")
def test_applying_with_explicit_consent_lifts_the_applicants_own_suppression(
    actor, vacancy, statement
):
    gone = make_candidate(actor, emails=["lotte.janssens@example.com"], last_name="Weg")
    suppress_person(actor=actor, person=gone, reason="erasure")
    Person.objects.filter(pk=gone.pk).delete()  # erased; only the keyed hash remains
    assert suppression_matches(emails=["lotte.janssens@example.com"])

    response = _apply(vacancy, _form(statement))

    assert response.status_code == 302
    assert not suppression_matches(emails=["lotte.janssens@example.com"])
    lifted = Suppression.objects.get(lifted_at__isnull=False)
    assert lifted.lifted_how == "self_registration"
    assert "privacy statement 2026.1 accepted" in lifted.lifted_reference
    assert Application.objects.filter(vacancy=vacancy, person__last_name="Janssens").exists()


@pytest.mark.req("R6.11")
def test_without_the_explicit_box_nothing_is_stored_and_the_suppression_stays(
    actor, vacancy, statement
):
    gone = make_candidate(actor, emails=["lotte.janssens@example.com"])
    suppress_person(actor=actor, person=gone, reason="erasure")
    Person.objects.filter(pk=gone.pk).delete()

    response = _apply(vacancy, _form(statement, statement=None))

    assert response.status_code == 400
    assert suppression_matches(emails=["lotte.janssens@example.com"])
    assert not Application.objects.exists()


def test_form_errors_are_shown_inline_in_dutch_and_nothing_typed_is_lost(vacancy, statement):
    response = _apply(vacancy, _form(statement, first_name="", statement=None), language="nl")

    page = response.content.decode()
    assert response.status_code == 400
    assert 'lang="nl"' in page
    assert "Dit veld is verplicht." in page  # Django's own Dutch for a required field
    assert 'aria-invalid="true"' in page
    assert 'value="Janssens"' in page
    assert "Ik werk graag in de logistiek." in page
    assert not Person.objects.exists()
    assert not Document.objects.exists()


def test_a_malformed_phone_number_is_named_next_to_its_field(vacancy, statement):
    response = _apply(vacancy, _form(statement, phone="abc"))

    page = response.content.decode()
    assert response.status_code == 400
    error = page.split('id="id_phone_error"', 1)[1].split("</ul>", 1)[0]
    assert "abc" in error
    assert not Person.objects.exists()


def test_a_program_renamed_pdf_is_refused_on_the_form(vacancy, statement):
    response = _apply(vacancy, _form(statement, cv=SimpleUploadedFile("cv.pdf", EXE)))

    assert response.status_code == 400
    assert "This file is a program, not a document" in response.content.decode()
    assert not Person.objects.exists()
    assert not Document.objects.exists()


def test_a_zip_bomb_is_refused_on_the_form(vacancy, statement):
    response = _apply(vacancy, _form(statement, cv=SimpleUploadedFile("cv.docx", zip_bomb(60))))

    assert response.status_code == 400
    assert "unpacks to far more than a document" in response.content.decode()
    assert not Application.objects.exists()


def test_a_100_mb_upload_is_refused_before_its_body_is_read(vacancy, statement):
    client = Client(headers={"accept-language": "en"})
    response = client.generic(
        "POST",
        f"/public/vacancies/{vacancy.pk}/apply/",
        b"never read",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )

    assert response.status_code == 413
    assert "The file is too large: at most 10 MB." in response.content.decode()
    assert not Person.objects.exists()


def test_a_file_past_the_limit_is_dropped_while_streaming_and_the_fields_survive(
    settings, vacancy, statement
):
    settings.CANDOR_UPLOAD_MAX_BYTES = 64 * 1024
    big = SimpleUploadedFile("cv.pdf", PDF + b"%" * (200 * 1024))

    response = _apply(vacancy, _form(statement, cv=big))

    page = response.content.decode()
    assert response.status_code == 400
    assert "The file is too large" in page
    assert 'value="Janssens"' in page
    assert not Document.objects.exists()


@pytest.mark.req("R7.1")
def test_the_form_refuses_a_post_without_csrf_token(vacancy, statement):
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/public/vacancies/{vacancy.pk}/apply/", _form(statement))

    assert response.status_code == 403
    assert not Person.objects.exists()


@pytest.mark.req("R7.1")
def test_the_form_accepts_a_post_with_its_csrf_token(vacancy, statement):
    client = Client(enforce_csrf_checks=True)
    client.get(f"/public/vacancies/{vacancy.pk}/apply/")
    token = client.cookies["csrftoken"].value

    response = client.post(
        f"/public/vacancies/{vacancy.pk}/apply/", {**_form(statement), "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302


@pytest.mark.req("R7.1")
def test_many_applications_from_one_address_are_slowed_down(vacancy, statement):
    for _ in range(APPLY_THROTTLE.limit):
        _apply(vacancy, _form(statement, first_name=""))

    response = _apply(vacancy, _form(statement))

    assert response.status_code == 429
    assert "Please wait a moment" in response.content.decode()
    assert not Person.objects.exists()
    other = _apply(vacancy, _form(statement), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_a_changed_statement_is_shown_before_it_is_accepted(actor, vacancy, statement):
    response = _apply(vacancy, _form(statement, statement_version="2025.9"))

    assert response.status_code == 400
    assert "privacy statement changed" in response.content.decode()
    assert not Person.objects.exists()


def test_the_back_office_dossier_shows_the_application_and_cv(
    client, consultant, vacancy, statement
):
    _apply(vacancy, _form(statement))
    person = Person.objects.get(last_name="Janssens")
    client.force_login(consultant)

    page = client.get(f"/candidates/{person.pk}/").content.decode()

    assert vacancy.title in page
    assert "mijn-cv.pdf" in page
    Actor.system("test")  # the visitor's acts are in the trail under their own reference
    assert AuditEvent.objects.filter(actor="self:web").exists()
