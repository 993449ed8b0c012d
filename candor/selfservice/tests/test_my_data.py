"""A person's own pages (R6.4, R6.5, R3.3, R6.10, R6.9, R6.1): what they see, what they change,
what happens at once and what waits for a consultant."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.disclosure.models import Disclosure
from candor.people.models import Address, Person
from candor.privacy import gate
from candor.privacy.models import Consent
from candor.privacy.policy import policy
from candor.recruitment.models import CandidateProfile
from candor.rights.models import SubjectRequest
from candor.selfservice.models import Correction
from candor.selfservice.tests.conftest import nl
from candor.selfservice.views import ROWS_SHOWN

pytestmark = pytest.mark.django_db


def _html(message: Any) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


def _profile_data(**changes: str) -> dict[str, str]:
    data = {
        "first_name": "Lotte",
        "last_name": "Vermeulen",
        "birth_date": "",
        "nationality": "",
        "phone": "",
        "address_street": "",
        "address_number": "",
        "address_box": "",
        "address_postcode": "",
        "address_city": "",
        "address_country": "BE",
        "desired_function": "",
        "current_function": "",
        "current_employer": "",
        "available_from": "",
        "summary": "",
    }
    data.update(changes)
    return data


# -- my data -----------------------------------------------------------------------------------


@pytest.mark.req("R6.4")
def test_the_overview_shows_what_is_held_with_sources_purposes_and_retention(member, member_client):
    page = member_client.get("/public/my/").content.decode()

    assert "Vermeulen" in page
    assert "lotte.vermeulen@example.com" in page
    assert policy().purpose("talent_pool").label.get("nl") in page  # purposes, in Dutch
    assert "GDPR Art. 15" in page or "AVG" in page or "art. 15" in page.lower()
    event = AuditEvent.objects.filter(action="view", object_id=str(member.person_id)).get()
    assert event.actor == f"site:{member.pk}"
    assert event.detail == {"where": "self-service"}


@pytest.mark.req("R6.4")
def test_the_overview_lists_who_received_the_data(member, member_client):
    member_client.post("/public/my/download/", {"format": "json"})
    page = member_client.get("/public/my/").content.decode()
    assert Disclosure.objects.filter(person_id=member.person_id).count() == 1
    assert "(" in page
    assert str(Disclosure.objects.get().recipient) in page


@pytest.mark.req("R6.4")
def test_a_long_list_shows_its_first_rows_and_links_to_a_page_with_all_of_them(
    member, member_client
):
    for _ in range(ROWS_SHOWN + 2):
        member_client.post("/public/my/download/", {"format": "json"})
    ledger = list(Disclosure.objects.filter(person_id=member.person_id).order_by("pk"))
    assert len(ledger) == ROWS_SHOWN + 2
    link = "/public/my/data/disclosure.disclosure/"

    page = member_client.get("/public/my/").content.decode()

    shown = [d for d in ledger if d.content_sha256 in page]
    assert shown == ledger[:ROWS_SHOWN]
    assert f'href="{link}"' in page
    assert nl("Show all %(total)s") % {"total": ROWS_SHOWN + 2} in page
    assert 'href="/public/my/data/people.person/"' not in page  # one row: all of it is shown
    everything = member_client.get(link)
    assert everything.status_code == 200
    assert all(d.content_sha256 in everything.content.decode() for d in ledger)
    assert nl("Back to my data") in everything.content.decode()
    views = AuditEvent.objects.filter(action="view", object_id=str(member.person_id))
    assert [e.detail for e in views] == [{"where": "self-service"}] * 2


@pytest.mark.req("R6.4")
def test_a_section_page_reads_only_the_signed_in_persons_rows(member, member_client, register):
    other = register("pieter.janssens@example.com", first_name="Pieter", last_name="Janssens")
    assert other.person_id != member.person_id

    page = member_client.get("/public/my/data/people.person/").content.decode()

    assert "Vermeulen" in page
    assert "Janssens" not in page
    empty = member_client.get("/public/my/data/recruitment.experience/")
    assert nl("We hold nothing of this kind on you.") in empty.content.decode()
    assert member_client.get("/public/my/data/audit.auditevent/").status_code == 404
    assert member_client.get("/public/my/data/nothing/").status_code == 404
    assert Client().get("/public/my/data/people.person/").status_code == 302


# -- correct and complete (R6.5) -------------------------------------------------------------


@pytest.mark.req("R6.5")
def test_what_the_person_provided_changes_at_once_through_rectification(member, member_client):
    response = member_client.post(
        "/public/my/profile/",
        _profile_data(
            desired_function="Boekhouder",
            address_street="Kerkstraat",
            address_number="12",
            address_postcode="9000",
            address_city="Gent",
            phone="0470 12 34 56",
        ),
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=member.person_id)
    assert CandidateProfile.objects.get(person=person).desired_function == "Boekhouder"
    assert Address.objects.get(person=person).city == "Gent"
    assert person.contact_points.filter(kind="mobile").get().normalised == "+32470123456"
    assert Correction.objects.count() == 0
    event = AuditEvent.objects.get(action="rectify")
    assert event.actor == f"site:{member.pk}"
    assert event.detail["request"] == "self-service"


@pytest.mark.req("R6.5")
def test_bad_input_is_refused_inline_in_dutch_and_nothing_changes(member, member_client):
    member.language = "nl"
    member.save()
    response = member_client.post(
        "/public/my/profile/", _profile_data(birth_date="2199-01-01", desired_function="Kok")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert nl("A birth date cannot lie in the future.") in page
    assert CandidateProfile.objects.get(person_id=member.person_id).desired_function == ""
    bad_date = member_client.post("/public/my/profile/", _profile_data(available_from="31-31-2020"))
    assert "Voer een geldige datum in." in bad_date.content.decode()


@pytest.mark.req("R6.5")
def test_a_verified_value_becomes_a_correction_a_consultant_accepts(actor, register, consultant):
    known = make_candidate(
        actor, source="agency", emails=["gekend@example.com"], first_name="Jan", last_name="Claes"
    )
    user = register("gekend@example.com", first_name="Jan", last_name="Claes")
    assert user.person_id == known.pk
    web = Client()
    web.force_login(user)

    response = web.post(
        "/public/my/profile/", _profile_data(first_name="Jan", last_name="Claessens")
    )

    assert response.status_code == 302
    known.refresh_from_db()
    assert known.last_name == "Claes"  # unchanged until reviewed
    correction = Correction.objects.get()
    assert (correction.field_path, correction.old_value, correction.proposed_value) == (
        "last_name",
        "Claes",
        "Claessens",
    )
    office = Client()
    office.force_login(consultant)
    queue = office.get("/corrections/").content.decode()
    assert "Claessens" in queue
    office.post(f"/corrections/{correction.pk}/decide/", {"decision": "accept"})
    known.refresh_from_db()
    correction.refresh_from_db()
    assert known.last_name == "Claessens"
    assert (correction.status, correction.decided_by_id) == ("accepted", consultant.pk)
    trail = AuditEvent.objects.get(action="rectify", detail__request=f"correction:{correction.pk}")
    assert trail.detail["old"] == {"last_name": "Claes"}
    assert nl("Accepted") in web.get("/public/my/profile/").content.decode()


@pytest.mark.req("R6.5")
def test_a_rejection_needs_a_note_the_person_reads(actor, register, consultant):
    make_candidate(
        actor, source="agency", emails=["nota@example.com"], first_name="Ann", last_name="Wouters"
    )
    user = register("nota@example.com", first_name="Ann", last_name="Wouters")
    web = Client()
    web.force_login(user)
    web.post("/public/my/profile/", _profile_data(first_name="Anna", last_name="Wouters"))
    correction = Correction.objects.get()
    office = Client()
    office.force_login(consultant)

    office.post(f"/corrections/{correction.pk}/decide/", {"decision": "reject", "note": ""})
    correction.refresh_from_db()
    assert correction.status == "pending"
    office.post(
        f"/corrections/{correction.pk}/decide/",
        {"decision": "reject", "note": "Uw identiteitskaart vermeldt Ann."},
    )
    correction.refresh_from_db()
    assert correction.status == "rejected"
    assert Person.objects.get(pk=user.person_id).first_name == "Ann"
    assert "Uw identiteitskaart vermeldt Ann." in web.get("/public/my/profile/").content.decode()


@pytest.mark.req("R6.5")
def test_completing_an_empty_verified_value_applies_at_once(actor, register):
    known = make_candidate(
        actor, source="agency", emails=["leeg@example.com"], first_name="Els", last_name="Goossens"
    )
    user = register("leeg@example.com", first_name="Els", last_name="Goossens")
    web = Client()
    web.force_login(user)
    web.post(
        "/public/my/profile/",
        _profile_data(first_name="Els", last_name="Goossens", nationality="BE"),
    )
    known.refresh_from_db()
    assert known.nationality == "BE"
    assert Correction.objects.count() == 0


@pytest.mark.req("R7.1")
def test_only_consultants_review_corrections(member_client, dpo, administrator):
    for user in (dpo, administrator):
        web = Client()
        web.force_login(user)
        assert web.get("/corrections/").status_code == 403
    assert member_client.get("/corrections/").status_code == 403


# -- consents (R3.3, R6.10) -------------------------------------------------------------------


@pytest.mark.req("R3.3", "R6.10")
def test_withdrawing_in_one_click_stops_the_purpose_and_the_mailing_audience_at_once(
    member, member_client
):
    person = Person.objects.get(pk=member.person_id)
    member_client.post("/public/my/consents/job_alerts/give/", {"version": "2026-01"})
    assert gate.may(person, "job_alerts")
    assert gate.allowed_ids([person.pk], feature="candidate_mailing") == [person.pk]
    mail.outbox.clear()

    response = member_client.post("/public/my/consents/job_alerts/withdraw/")

    assert response.status_code == 302
    decision = gate.may(person, "job_alerts")
    assert not decision
    assert decision.code == "consent_withdrawn"
    assert gate.allowed_ids([person.pk], feature="candidate_mailing") == []
    assert Consent.objects.get(person=person, purpose="job_alerts").withdrawn_via == "portal"
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "Beste Lotte" in message.body
    assert "Beste Lotte" in _html(message)
    assert '<html lang="nl">' in _html(message)
    assert policy().purpose("job_alerts").label.nl in message.body
    page = member_client.get("/public/my/consents/").content.decode()
    assert nl("I agree") in page


@pytest.mark.req("R3.3")
def test_giving_consent_records_the_text_shown_and_confirms_it_by_e_mail(member, member_client):
    rule = policy().purpose("job_alerts").consent
    assert rule is not None
    page = member_client.get("/public/my/consents/").content.decode()
    assert rule.text.nl in page
    mail.outbox.clear()

    member_client.post("/public/my/consents/job_alerts/give/", {"version": rule.version})

    consent = Consent.objects.get(person_id=member.person_id, purpose="job_alerts")
    assert (consent.text_shown, consent.text_version, consent.given_via) == (
        rule.text.nl,
        rule.version,
        "portal",
    )
    (message,) = mail.outbox
    assert rule.text.nl in message.body
    assert rule.text.nl in _html(message)
    assert "Beste Lotte" in message.body


@pytest.mark.req("R3.3")
def test_consent_to_an_outdated_text_is_refused(member, member_client):
    response = member_client.post(
        "/public/my/consents/job_alerts/give/", {"version": "1999-01"}, follow=True
    )
    assert (
        nl("The text changed while you were reading: read it again.") in response.content.decode()
    )
    assert not Consent.objects.filter(purpose="job_alerts").exists()


@pytest.mark.req("R3.3")
def test_contact_preferences_are_the_persons_to_set(member, member_client):
    member_client.post(
        "/public/my/preferences/",
        {"preferred_language": "fr", "contact_channel": "email", "contact_times": "na 18 uur"},
    )
    person = Person.objects.get(pk=member.person_id)
    assert (person.preferred_language, person.contact_channel, person.contact_times) == (
        "fr",
        "email",
        "na 18 uur",
    )
    bad = member_client.post("/public/my/preferences/", {"contact_channel": "duif"})
    assert bad.status_code == 200
    assert "duif" in bad.content.decode()


# -- download (R6.9) --------------------------------------------------------------------------


@pytest.mark.req("R6.9")
def test_the_person_downloads_their_data_as_json_and_csv_and_the_ledger_says_so(
    member, member_client
):
    as_json = member_client.post("/public/my/download/", {"format": "json"})
    as_csv = member_client.post("/public/my/download/", {"format": "csv"})

    assert as_json["Content-Disposition"].startswith('attachment; filename="portability-')
    data = json.loads(as_json.content)
    assert data["schema"] == "candor.portability/1"
    assert data["resume"]["basics"]["email"] == "lotte.vermeulen@example.com"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[0] == ["section", "item", "field", "value"]
    assert any("lotte.vermeulen@example.com" in row for row in rows)
    ledger = Disclosure.objects.filter(person_id=member.person_id).order_by("pk")
    assert [(d.recipient_kind, d.channel) for d in ledger] == [("person", "download")] * 2
    assert member_client.post("/public/my/download/", {"format": "xml"}).status_code == 302


# -- requests (R6.1) --------------------------------------------------------------------------


@pytest.mark.req("R6.1")
def test_a_request_lands_verified_in_the_dpo_queue_with_a_receipt_in_dutch(
    member, member_client, dpo
):
    mail.outbox.clear()
    response = member_client.post(
        "/public/my/requests/", {"kind": "erasure", "details": "Wis alles."}
    )

    assert response.status_code == 302
    request = SubjectRequest.objects.get()
    assert (request.person_id, request.channel, request.kind) == (
        member.person_id,
        "portal",
        "erasure",
    )
    assert (request.status, request.identity_method) == ("in_progress", "portal")
    assert request.identity_verified_at is not None
    assert request.language == "nl"
    (receipt,) = mail.outbox
    assert receipt.to == [member.email]
    assert receipt.subject.startswith("Uw verzoek")
    assert "Beste Lotte" in receipt.body
    assert "Beste Lotte" in _html(receipt)
    assert request.reference in _html(receipt)
    page = member_client.get("/public/my/requests/").content.decode()
    assert request.reference in page
    office = Client()
    office.force_login(dpo)
    assert request.reference in office.get("/privacy/requests/?queue=open").content.decode()


@pytest.mark.req("R6.1")
def test_a_second_open_request_of_the_same_kind_gets_a_clear_message(member, member_client):
    member_client.post("/public/my/requests/", {"kind": "access"})
    first = SubjectRequest.objects.get()

    again = member_client.post("/public/my/requests/", {"kind": "access"})

    assert again.status_code == 200
    assert first.reference in again.content.decode()
    assert SubjectRequest.objects.count() == 1


@pytest.mark.req("R6.1")
def test_an_objection_names_the_purpose_inline(member, member_client):
    response = member_client.post("/public/my/requests/", {"kind": "objection"})
    assert nl("Choose the use of your data you object to.") in response.content.decode()
    assert SubjectRequest.objects.count() == 0
    member_client.post("/public/my/requests/", {"kind": "objection", "purpose": "marketing"})
    assert SubjectRequest.objects.get().purpose == "marketing"


# -- CSRF and other people's data -------------------------------------------------------------

POSTS = [
    ("/public/my/profile/", {"desired_function": "Kok"}),
    ("/public/my/consents/talent_pool/withdraw/", {}),
    ("/public/my/consents/job_alerts/give/", {"version": "2026-01"}),
    ("/public/my/preferences/", {"contact_times": "nooit"}),
    ("/public/my/download/", {"format": "json"}),
    ("/public/my/requests/", {"kind": "erasure"}),
]


@pytest.mark.req("R7.1")
def test_every_self_service_form_needs_the_csrf_token(member):
    web = Client(enforce_csrf_checks=True)
    web.force_login(member)
    trail = AuditEvent.objects.count()
    for url, data in POSTS:
        assert web.post(url, data).status_code == 403, url
    assert AuditEvent.objects.count() == trail
    assert Consent.objects.get(person_id=member.person_id).withdrawn_at is None
    for url in ("/public/my/register/", "/public/my/login/", "/public/my/password/reset/"):
        assert Client(enforce_csrf_checks=True).post(url, {}).status_code == 403, url


@pytest.mark.req("R7.1")
def test_no_self_service_url_names_a_person_and_nobody_reaches_anothers_data(register):
    from candor.selfservice.urls import urlpatterns

    assert not [p for p in urlpatterns if "int:" in str(p.pattern)]
    lotte = register("lotte@example.com")
    piet = register("piet@example.com", first_name="Piet", last_name="Janssens")
    web = Client()
    web.force_login(piet)
    web.post("/public/my/consents/talent_pool/withdraw/")
    web.post("/public/my/requests/", {"kind": "erasure"})

    assert Consent.objects.get(person_id=lotte.person_id).withdrawn_at is None
    assert SubjectRequest.objects.get().person_id == piet.person_id
    mine = web.get("/public/my/").content.decode()
    assert "Janssens" in mine
    assert "lotte@example.com" not in mine
    download = json.loads(web.post("/public/my/download/", {"format": "json"}).content)
    assert "lotte@example.com" not in json.dumps(download)
    other = Client()
    other.force_login(lotte)
    assert (
        SubjectRequest.objects.get().reference
        not in other.get("/public/my/requests/").content.decode()
    )


@pytest.mark.req("R1.4")
def test_erasing_the_person_closes_their_account(member, member_client, actor):
    from candor.privacy.erasure import person_erase

    person_erase(actor=actor, person=member.person_id, reason="request")

    response = member_client.get("/public/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/public/my/login/")
    account = User.objects.get(pk=member.pk)
    assert account.email == ""
    assert not account.has_usable_password()
