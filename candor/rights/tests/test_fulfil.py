"""Fulfilling a request acts through the purpose gate (R6.6, R6.7, R6.8, R6.10): restriction leaves
the data stored only, an objection stops the purpose (for good for direct marketing, unless
compelling grounds otherwise), a withdrawal stops the consent's purpose and names what goes on,
an erasure erases and names what is kept. The person is told each time, in their language, with
the complaint route (R6.12)."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from candor.api.tests.factories import make_candidate, make_client
from candor.audit.models import AuditEvent
from candor.disclosure.models import Disclosure
from candor.disclosure.services import Recipient, disclose
from candor.people.models import Person
from candor.privacy.gate import may
from candor.privacy.models import Objection, ObjectionStatus, Restriction
from candor.privacy.services import consent_give
from candor.rights.fulfil import restriction_lift_and_tell
from candor.rights.models import ACCOUNTABILITY, MessageKind, Status, SubjectRequest
from candor.rights.requests import request_decide, request_residue_cleared, request_verify
from candor.rights.tests.helpers import open_request, person_with_email
from candor.search.services import CandidateSearch, search_candidates, search_index

pytestmark = pytest.mark.django_db

GROUNDS = "The person's procedure for our client is still running and they are its finalist."


def _verified(actor, email: str, kind: str, **extra):
    request = open_request(actor, email=email, kind=kind, **{"language": "en", **extra})
    return request_verify(actor=actor, request=request, method="known_channel")


def _decision(request: SubjectRequest) -> str:
    return request.messages.get(kind=MessageKind.DECISION).body


def _found(person: Person) -> bool:
    page = search_candidates(CandidateSearch(text=person.last_name), per_page=50)
    return person.pk in [p.pk for p in page.people]


@pytest.mark.req("R6.7")
def test_a_fulfilled_restriction_leaves_the_data_stored_only(actor):
    person, email = person_with_email(actor)
    assert may(person, "mediation")
    assert _found(person)
    request = _verified(actor, email, "restriction", restriction_ground="accuracy")

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    decision = may(person, "mediation")
    assert not decision
    assert decision.code == "restricted"
    assert not may(person, "marketing")
    assert not _found(person)
    restriction = Restriction.objects.get(person=person, lifted_at=None)
    assert restriction.ground == "accuracy"
    assert request.result == {"restriction_id": restriction.pk, "already": False}
    body = _decision(request)
    assert "From now on we only store your data" in body
    assert "Belgian Data Protection Authority" in body


@pytest.mark.req("R6.7")
def test_the_ground_can_be_chosen_when_deciding(actor):
    _person, email = person_with_email(actor)
    request = _verified(actor, email, "restriction")

    with pytest.raises(ValidationError, match="Choose the ground"):
        request_decide(actor=actor, request=request, outcome="fulfilled")
    request = request_decide(
        actor=actor, request=request, outcome="fulfilled", restriction_ground="legal_claims"
    )

    assert request.restriction_ground == "legal_claims"


@pytest.mark.req("R6.7")
def test_lifting_the_restriction_tells_the_person_first_and_logs_it_on_the_request(actor):
    person, email = person_with_email(actor)
    request = request_decide(
        actor=actor,
        request=_verified(actor, email, "restriction", restriction_ground="accuracy"),
        outcome="fulfilled",
    )
    restriction = Restriction.objects.get(person=person)

    restriction_lift_and_tell(
        actor=actor, restriction=restriction, reason="We checked and corrected your birth date."
    )

    assert may(person, "mediation")
    assert _found(person)
    told = request.messages.get(kind=MessageKind.RESTRICTION_LIFTED)
    assert "We checked and corrected your birth date." in told.body
    assert "while we checked its accuracy" in told.body
    assert mail.outbox[-1].to == [email]
    assert request.events.filter(action="restriction_lifted").exists()


@pytest.mark.req("R6.7")
def test_lifting_a_restriction_fails_whole_when_the_message_cannot_go(actor, monkeypatch):
    person, email = person_with_email(actor)
    request_decide(
        actor=actor,
        request=_verified(actor, email, "restriction", restriction_ground="accuracy"),
        outcome="fulfilled",
    )
    from django.core.mail import EmailMessage

    monkeypatch.setattr(EmailMessage, "send", lambda self, fail_silently=False: 0)
    with pytest.raises(RuntimeError):
        restriction_lift_and_tell(
            actor=actor, restriction=Restriction.objects.get(person=person), reason="Checked."
        )

    assert not may(person, "mediation")


@pytest.mark.req("R6.8")
def test_an_objection_to_direct_marketing_stops_it_at_once_even_before_verification(actor):
    person, email = person_with_email(actor)
    assert may(person, "marketing")
    request = open_request(actor, email=email, kind="objection", purpose="marketing", language="en")

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    assert not may(person, "marketing")
    assert may(person, "mediation")  # only the purpose objected to
    assert request.status == Status.DECIDED
    assert "This is for good" in _decision(request)


@pytest.mark.req("R6.8")
def test_an_objection_to_direct_marketing_cannot_be_refused_or_overridden(actor):
    _person, email = person_with_email(actor)
    request = _verified(actor, email, "objection", purpose="marketing")

    with pytest.raises(ValidationError, match="cannot be refused: it is absolute"):
        request_decide(actor=actor, request=request, outcome="refused", reasons=GROUNDS)
    with pytest.raises(ValidationError, match="cannot be overridden"):
        request_decide(actor=actor, request=request, outcome="refused", grounds=GROUNDS)
    assert not Objection.objects.exists()  # nothing half-way


@pytest.mark.req("R6.8")
def test_an_objection_to_legitimate_interest_processing_stops_it(actor):
    person, email = person_with_email(actor)
    request = _verified(actor, email, "objection", purpose="mediation")

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    assert not may(person, "mediation")
    assert not _found(person)
    assert "We have stopped using your data for: Mediation" in _decision(request)


@pytest.mark.req("R6.8")
def test_compelling_grounds_keep_the_processing_and_the_person_is_told_them(actor):
    person, email = person_with_email(actor)
    request = _verified(actor, email, "objection", purpose="mediation")

    request = request_decide(actor=actor, request=request, outcome="refused", grounds=GROUNDS)

    objection = Objection.objects.get(person=person)
    assert objection.status == ObjectionStatus.OVERRIDDEN
    assert objection.override_grounds == GROUNDS
    assert may(person, "mediation")
    assert request.outcome == "refused"
    assert request.decision_reasons == GROUNDS
    body = _decision(request)
    assert "compelling legitimate grounds" in body
    assert GROUNDS in body
    assert "lodge a complaint with the supervisory authority" in body


@pytest.mark.req("R6.10")
def test_a_withdrawal_stops_the_purpose_and_names_what_goes_on_on_another_ground(actor):
    person, email = person_with_email(actor)
    consent_give(actor=actor, person=person, purpose="job_alerts", via="portal")
    assert may(person, "job_alerts")
    request = open_request(
        actor, email=email, kind="consent_withdrawal", purpose="job_alerts", language="en"
    )

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    assert not may(person, "job_alerts")
    assert request.result["continuing"] == ["mediation", "marketing"]
    body = _decision(request)
    assert "withdrawal of your consent for: Vacancies by e-mail" in body
    assert "on the basis of our legitimate interest. You may object to this too." in body


@pytest.mark.req("R6.10")
def test_a_withdrawal_of_an_already_withdrawn_consent_says_when_it_ended(actor):
    from candor.privacy.services import consent_withdraw

    person, email = person_with_email(actor)
    consent_give(actor=actor, person=person, purpose="job_alerts", via="portal")
    consent_withdraw(actor=actor, person=person, purpose="job_alerts", via="portal")
    request = open_request(actor, email=email, kind="consent_withdrawal", purpose="job_alerts")

    with pytest.raises(ValidationError, match="already ended on") as refused:
        request_decide(actor=actor, request=request, outcome="fulfilled")
    assert refused.value.code == "already_ended"


@pytest.mark.req("R6.6")
def test_an_erasure_erases_keeps_the_request_as_proof_and_names_what_is_kept(actor):
    person, email = person_with_email(actor, preferred_language="fr")
    request = _verified(actor, email, "erasure", language="")  # theirs: French
    request.refresh_from_db()
    receipt = request.messages.get(kind=MessageKind.RECEIPT)
    assert email in receipt.address

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    person.refresh_from_db()
    assert person.erased_at is not None
    assert not may(person, "mediation")
    request.refresh_from_db()
    assert request.status == Status.DECIDED
    assert request.kind == "erasure"
    assert request.outcome == "fulfilled"
    assert request.requester_email == request.subject_email == request.requester_name == ""
    assert request.result["erased"] is True
    assert request.result["kept"]["rights.subjectrequest.kind"] == ACCOUNTABILITY
    assert ACCOUNTABILITY in request.obligations_kept
    # every message keeps its proof, none its content, including the answer itself
    for message in request.messages.all():
        assert (message.address, message.body) == ("", "")
        assert len(message.body_sha256) == 64
    sent = mail.outbox[-1]
    assert sent.to == [email]
    assert "Nous avons effacé vos données" in sent.body  # the person's language
    assert "la preuve que nous avons répondu à votre demande dans les délais" in sent.body
    assert "Autorité de protection des données" in sent.body


@pytest.mark.req("R6.6")
@pytest.mark.django_db(transaction=True)  # the proof reads what really committed
def test_an_erasure_is_proven_once_it_commits_and_the_proof_is_on_the_request(actor):
    person, email = person_with_email(actor)
    request = _verified(actor, email, "erasure")

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    request.refresh_from_db()
    assert request.status == Status.DECIDED
    proof = request.result["proof"]
    assert proof["clean"] is True
    assert proof["residues"] == []
    assert proof["scanned"]["search index (index lookups)"] > 0
    assert request.events.filter(action="proof").exists()
    assert AuditEvent.objects.filter(action="erasure.proof", subject=str(person.pseudonym)).exists()
    assert email not in json.dumps(request.result)


@pytest.mark.req("R6.6")
@pytest.mark.django_db(transaction=True)
def test_residue_found_by_the_proof_fails_the_request_until_the_dpo_clears_it(actor):
    _person, email = person_with_email(actor)
    other = make_candidate(actor)
    Person.objects.filter(pk=other.pk).update(notes=f"Knows {email}, call back.")
    search_index([other.pk])
    request = _verified(actor, email, "erasure")

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    request.refresh_from_db()
    assert request.status == Status.PROOF_FAILED
    residues = request.result["proof"]["residues"]
    assert {"where": "people_person.notes", "row": str(other.pk), "kind": "email"} in residues
    assert {r["row"] for r in residues} == {str(other.pk)}
    with pytest.raises(ValidationError, match="Say what was removed"):
        request_residue_cleared(actor=actor, request=request, note="done")
    Person.objects.filter(pk=other.pk).update(notes="")
    search_index([other.pk])
    request = request_residue_cleared(
        actor=actor, request=request, note="Note of candidate on row 2 emptied by the DPO."
    )
    assert request.status == Status.DECIDED
    assert request.result["residue_cleared"]["by"] == actor.ref


@pytest.mark.req("R6.4")
def test_an_access_request_sends_the_report_and_the_file_and_records_the_disclosure(actor):
    person, email = person_with_email(actor)
    request = _verified(actor, email, "access")

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    sent = mail.outbox[-1]
    assert sent.to == [email]
    names = sorted(name for name, _content, _type in sent.attachments)
    assert [n.rsplit(".", 1)[1] for n in names] == ["json", "pdf"]
    attached = {name: content for name, content, _type in sent.attachments}
    data = json.loads(next(c for n, c in attached.items() if n.endswith(".json")))
    assert email in json.dumps(data)
    assert next(c for n, c in attached.items() if n.endswith(".pdf"))[:4] == b"%PDF"
    row = Disclosure.objects.get(person=person, reference=request.reference)
    assert row.recipient_kind == "person"
    assert row.channel == "email"  # the files went with the e-mailed answer
    assert [f["format"] for f in request.result["files"]] == ["json", "pdf"]
    assert "sha256" in request.messages.get(kind=MessageKind.DECISION).body


@pytest.mark.req("R6.9")
def test_a_portability_request_sends_json_and_csv(actor):
    _person, email = person_with_email(actor)
    request = _verified(actor, email, "portability")

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    formats = sorted(n.rsplit(".", 1)[1] for n, _c, _t in mail.outbox[-1].attachments)
    assert formats == ["csv", "json"]
    assert "JSON Resume" in _decision(request)


@pytest.mark.req("R6.5")
def test_a_rectification_request_corrects_all_or_nothing_and_lists_recipients(actor):
    person, email = person_with_email(actor)
    client = make_client(actor)
    disclose(
        actor=actor,
        recipient=Recipient.for_client(client),
        contents={person.pk: "profile"},
        categories=["identity"],
        purpose="mediation",
        channel="email",
    )
    old_name = person.last_name
    request = _verified(actor, email, "rectification")

    with pytest.raises(ValidationError, match="Enter the corrections"):
        request_decide(actor=actor, request=request, outcome="fulfilled")
    with pytest.raises(ValidationError, match="birth_date"):
        request_decide(
            actor=actor,
            request=request,
            outcome="fulfilled",
            changes={"last_name": "Verbeke", "birth_date": "not a date"},
        )
    person.refresh_from_db()
    assert person.last_name == old_name  # nothing half-way

    request = request_decide(
        actor=actor, request=request, outcome="fulfilled", changes={"last_name": "Verbeke"}
    )

    person.refresh_from_db()
    assert person.last_name == "Verbeke"
    assert request.result["changed"] == ["last_name"]
    assert request.result["recipients_to_tell"] == [{"kind": "client", "name": client.name}]
    body = _decision(request)
    assert client.name in body
    assert old_name not in json.dumps(request.result)


@pytest.mark.req("R6.6")
@pytest.mark.django_db(transaction=True)
def test_erasure_deletes_the_copies_of_exports_handed_to_the_person(actor):
    person, email = person_with_email(actor)
    access = request_decide(
        actor=actor, request=_verified(actor, email, "access"), outcome="fulfilled"
    )
    stored = [f["path"] for f in access.result["files"]]
    assert all(default_storage.exists(path) for path in stored)

    erasure = request_decide(
        actor=actor, request=_verified(actor, email, "erasure"), outcome="fulfilled"
    )

    assert not any(default_storage.exists(path) for path in stored)
    erasure.refresh_from_db()
    assert erasure.result["proof"]["clean"] is True
    assert erasure.result["proof"]["scanned"]["stored files"] >= 0
    assert not default_storage.listdir(f"rights/{person.pseudonym}")[1]
