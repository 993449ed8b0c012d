"""Bad input gets a clear, specific answer and changes nothing half-way (R6.1, R6.2, R6.12):
unknown people, duplicate requests, a request matching two people, an erasure while a contract
runs, a withdrawal of a consent never given, malformed details."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from candor.api.tests.factories import make_candidate, make_client
from candor.audit.models import AuditEvent
from candor.guidance.tests.factories import make_trajectory
from candor.people.models import Person
from candor.privacy.models import Consent
from candor.relations.models import ContactPerson, Contract
from candor.rights.models import MatchState, MessageKind, Status, SubjectRequest
from candor.rights.requests import (
    Concerns,
    DuplicateRequest,
    request_choose_person,
    request_decide,
    request_open,
    request_verify,
)
from candor.rights.tests.helpers import open_request, person_with_email

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.1", "R6.2", "R6.12")]

REASON = "We could not establish who sent this request."


def _state() -> tuple[int, int, int, int]:
    from candor.rights.models import RequestMessage

    return (
        SubjectRequest.objects.count(),
        RequestMessage.objects.count(),
        AuditEvent.objects.count(),
        len(mail.outbox),
    )


# -- unknown people ------------------------------------------------------------------------------


def test_a_request_about_someone_we_do_not_hold_is_recorded_without_a_person(actor):
    request = open_request(actor, email="nobody.here@example.com")

    assert request.person is None
    assert request.match_state == MatchState.NONE
    with pytest.raises(ValidationError, match="No person we hold matches this request") as refused:
        request_verify(actor=actor, request=request, method="known_channel")
    assert refused.value.code == "no_person"
    with pytest.raises(ValidationError, match="No person we hold matches"):
        request_decide(actor=actor, request=request, outcome="fulfilled")
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


def test_an_access_request_for_someone_we_do_not_hold_is_answered_we_hold_no_data(actor):
    request = open_request(actor, email="nobody.here@example.com", language="en")

    request = request_decide(actor=actor, request=request, outcome="no_data")

    assert request.status == Status.DECIDED
    answer = request.messages.get(kind=MessageKind.DECISION)
    assert "We hold no personal data about you." in answer.body
    assert "Belgian Data Protection Authority" in answer.body
    assert mail.outbox[-1].to == ["nobody.here@example.com"]


def test_we_hold_no_data_is_refused_when_we_do(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email)
    before = _state()

    with pytest.raises(ValidationError, match="We hold data on"):
        request_decide(actor=actor, request=request, outcome="no_data")

    assert _state() == before


def test_a_request_with_nothing_to_find_the_person_by_is_refused(actor):
    before = _state()
    with pytest.raises(ValidationError, match="Nothing to find the person by"):
        request_open(
            actor=actor,
            kind="access",
            channel="letter",
            requester_address="Kerkstraat 1, 9000 Gent",
            concerns=Concerns(first_name="Jan", last_name="Peeters"),  # no birth date
        )
    assert _state() == before


def test_malformed_details_are_named_field_by_field(actor):
    with pytest.raises(ValidationError) as refused:
        request_open(
            actor=actor,
            kind="forget-me",
            channel="fax",
            requester_email="not an address",
            requester_phone="12",
        )
    errors = refused.value.message_dict
    assert set(errors) == {"kind", "channel", "requester_email", "requester_phone"}
    assert "not a valid e-mail address" in errors["requester_email"][0]
    assert SubjectRequest.objects.count() == 0


def test_a_request_received_in_the_future_is_refused(actor):
    with pytest.raises(ValidationError, match="cannot be received in the future"):
        open_request(
            actor,
            email="someone@example.com",
            received_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
        )


# -- duplicates ----------------------------------------------------------------------------------


def test_a_second_open_request_of_the_same_kind_is_refused_with_the_open_ones_reference(actor):
    person, email = person_with_email(actor)
    first = open_request(actor, email=email)
    before = _state()

    with pytest.raises(DuplicateRequest, match=f"{first.reference}, a request of the same kind"):
        open_request(actor, email=email)

    assert _state() == before
    assert first.person == person
    # another kind is another request; once the first is decided, the same kind is welcome
    open_request(actor, email=email, kind="erasure")
    request_decide(actor=actor, request=first, outcome="refused", reasons=REASON)
    assert open_request(actor, email=email).reference != first.reference


def test_duplicates_are_found_before_anyone_matches_too(actor):
    open_request(actor, email="unknown@example.com")

    with pytest.raises(DuplicateRequest):
        open_request(actor, email="Unknown@Example.com ")


# -- two matching people -------------------------------------------------------------------------


def test_a_request_matching_two_people_is_shown_to_the_dpo_and_never_merged(actor):
    born = dt.date(1980, 5, 17)
    one = make_candidate(actor, first_name="Jan", last_name="Peeters", birth_date=born)
    two = make_candidate(actor, first_name="Jan", last_name="Peeters", birth_date=born)
    assert one.pk != two.pk

    request = request_open(
        actor=actor,
        kind="access",
        channel="letter",
        requester_address="Kerkstraat 1, 9000 Gent",
        concerns=Concerns(first_name="jan", last_name="PEETERS", birth_date=born),
    )

    assert request.person is None
    assert request.match_state == MatchState.MANY
    assert request.match_ids == [one.pk, two.pk]
    with pytest.raises(ValidationError, match="2 people match this request") as refused:
        request_verify(actor=actor, request=request, method="in_person")
    assert f"{one.pk}, {two.pk}" in refused.value.messages[0]

    request = request_choose_person(actor=actor, request=request, person=two)
    request = request_verify(actor=actor, request=request, method="in_person")

    assert request.person == two
    assert request.match_state == MatchState.CHOSEN
    assert Person.objects.filter(pk__in=[one.pk, two.pk], erased_at=None).count() == 2
    assert request.events.filter(action="choose_person").get().detail == {"among_matches": True}


def test_matching_by_phone_finds_the_person_in_any_spelling(actor):
    person = make_candidate(actor, mobiles=["0470 12 34 56"])

    request = request_open(
        actor=actor,
        kind="access",
        channel="phone",
        requester_phone="+32 (0)470/12.34.56".replace("(0)", ""),
    )

    assert request.person == person
    assert request.subject_phone == "+32470123456"


def test_choosing_someone_with_an_open_request_of_the_same_kind_is_refused(actor):
    person, email = person_with_email(actor)
    first = open_request(actor, email=email)
    other = open_request(actor, email="someone.else@example.com")

    with pytest.raises(DuplicateRequest, match=first.reference):
        request_choose_person(actor=actor, request=other, person=person)
    other.refresh_from_db()
    assert other.person is None


# -- erasure while a contract runs ---------------------------------------------------------------


def test_an_erasure_while_a_trajectory_runs_is_refused_and_changes_nothing(actor):
    person, email = person_with_email(actor)
    make_trajectory(actor, person)
    request = open_request(actor, email=email, kind="erasure")
    request = request_verify(actor=actor, request=request, method="known_channel")
    before = _state()

    with pytest.raises(ValidationError, match="outplacement trajectory started on") as refused:
        request_decide(actor=actor, request=request, outcome="fulfilled")

    assert refused.value.code == "open_contract"
    assert _state() == before
    person.refresh_from_db()
    assert person.erased_at is None
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.outcome == ""


def test_an_erasure_of_the_contact_of_a_running_contract_is_refused(actor):
    person, email = person_with_email(actor)
    client = make_client(actor)
    contact = ContactPerson.objects.create(
        person=person, organisation=client, provenance=person.provenance
    )
    Contract.objects.create(
        organisation=client,
        kind="recruitment",
        reference="C-2026-7",
        starts_on=dt.date(2020, 1, 1),
        signed_by=contact,
    )
    request = open_request(actor, email=email, kind="erasure")
    request = request_verify(actor=actor, request=request, method="known_channel")

    with pytest.raises(ValidationError, match="contract C-2026-7 with"):
        request_decide(actor=actor, request=request, outcome="fulfilled")

    # the DPO answers with the reason instead; the person is told, nothing is erased
    reasons = "Your contract C-2026-7 still runs; we erase your data once it has ended."
    request = request_decide(actor=actor, request=request, outcome="refused", reasons=reasons)
    assert request.outcome == "refused"
    assert reasons in request.messages.get(kind=MessageKind.DECISION).body
    person.refresh_from_db()
    assert person.erased_at is None


# -- withdrawal of a consent never given ---------------------------------------------------------


def test_a_withdrawal_of_a_consent_never_given_gets_its_own_answer(actor):
    person, email = person_with_email(actor)
    request = open_request(actor, email=email, kind="consent_withdrawal", purpose="job_alerts")
    before = _state()

    with pytest.raises(ValidationError, match="never gave consent for") as refused:
        request_decide(actor=actor, request=request, outcome="fulfilled")

    assert refused.value.code == "never_given"
    assert _state() == before
    assert not Consent.objects.filter(person=person).exists()


def test_a_withdrawal_of_a_purpose_without_consent_is_refused_at_once(actor):
    _person, email = person_with_email(actor)

    with pytest.raises(ValidationError, match="does not rest on consent"):
        open_request(actor, email=email, kind="consent_withdrawal", purpose="mediation")
    with pytest.raises(ValidationError, match="no right to object"):
        open_request(actor, email=email, kind="objection", purpose="guidance")
    with pytest.raises(ValidationError, match="The policy has no purpose"):
        open_request(actor, email=email, kind="objection", purpose="astrology")


# -- decisions -----------------------------------------------------------------------------------


def test_a_refusal_needs_its_reasons(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email)

    with pytest.raises(ValidationError, match="gives the person its reasons"):
        request_decide(actor=actor, request=request, outcome="refused", reasons="no")


def test_a_request_is_not_fulfilled_before_the_identity_is_verified(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email, kind="restriction", restriction_ground="accuracy")

    with pytest.raises(ValidationError, match="identity is not verified yet") as refused:
        request_decide(actor=actor, request=request, outcome="fulfilled")
    assert refused.value.code == "unverified"


def test_kinds_without_a_connected_fulfilment_say_so(actor, monkeypatch):
    from candor.rights import fulfil

    monkeypatch.setattr(fulfil, "_FULFILLERS", {})
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email, kind="portability")
    request = request_verify(actor=actor, request=request, method="known_channel")

    with pytest.raises(ValidationError, match="cannot be carried out from here yet"):
        request_decide(actor=actor, request=request, outcome="fulfilled")


def test_a_connected_fulfilment_runs_and_its_result_and_words_reach_the_person(actor, monkeypatch):
    from candor.rights import fulfil

    monkeypatch.setattr(fulfil, "_FULFILLERS", dict(fulfil._FULFILLERS))
    seen: list[str] = []

    def access(job: fulfil.Fulfilment) -> fulfil.Fulfilled:
        seen.append(job.person.last_name)
        return fulfil.Fulfilled(
            result={"sha256": "ab" * 32}, effects=[{"code": "text", "text": "Your export."}]
        )

    fulfil.register("access", access)
    person, email = person_with_email(actor)
    request = open_request(actor, email=email, language="en")
    request = request_verify(actor=actor, request=request, method="known_channel")

    request = request_decide(actor=actor, request=request, outcome="fulfilled")

    assert seen == [person.last_name]
    assert request.result == {"sha256": "ab" * 32}
    body = request.messages.get(kind=MessageKind.DECISION).body
    assert "- Your export." in body
    assert "We have done what you asked." in body


def test_a_mail_server_that_refuses_the_answer_leaves_the_request_undecided(actor, monkeypatch):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email)
    before = _state()

    from django.core.mail import EmailMessage

    def refuse(self: EmailMessage, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(ConnectionRefusedError):
        request_decide(actor=actor, request=request, outcome="refused", reasons=REASON)

    assert _state() == before
    request.refresh_from_db()
    assert request.status == Status.RECEIVED


# -- fee and representatives ---------------------------------------------------------------------


@pytest.mark.req("R6.4")
def test_a_fee_flag_needs_its_reason_and_is_told_with_the_decision(actor):
    from candor.rights.requests import request_fee

    _person, email = person_with_email(actor)
    request = open_request(actor, email=email, language="en")
    with pytest.raises(ValidationError, match="burden of proof"):
        request_fee(actor=actor, request=request, fee="excessive", reason="")
    erasure = open_request(actor, email=email, kind="erasure")
    with pytest.raises(ValidationError, match="access requests only"):
        request_fee(actor=actor, request=erasure, fee="extra_copies", reason=REASON)

    why = "The fourth identical request this month, after three full answers."
    request = request_fee(actor=actor, request=request, fee="excessive", reason=why)
    request = request_decide(actor=actor, request=request, outcome="refused", reasons=why)

    assert request.fee == "excessive"
    body = request.messages.get(kind=MessageKind.DECISION).body
    assert "manifestly unfounded or excessive (GDPR Art. 12(5)): " + why in body
    assert request.events.filter(action="fee").get().detail == {"fee": "excessive"}


def test_a_representative_shows_a_mandate(actor):
    _person, email = person_with_email(actor)
    request = request_open(
        actor=actor,
        kind="access",
        channel="letter",
        requester="representative",
        requester_name="Mr. Advocaat",
        requester_address="Meir 2, 2000 Antwerpen",
        concerns=Concerns(email=email),
    )
    assert request.person is not None

    with pytest.raises(ValidationError, match="representative shows their mandate"):
        request_verify(actor=actor, request=request, method="known_channel")
    request = request_verify(actor=actor, request=request, method="representative")

    assert request.status == Status.IN_PROGRESS
    receipt = request.messages.get(kind=MessageKind.RECEIPT)
    assert receipt.channel == "letter"  # answered to the representative, by post
    assert receipt.address == "Meir 2, 2000 Antwerpen"
    assert mail.outbox == []
