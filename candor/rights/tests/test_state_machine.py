"""The request's states and clock with the real rules (R6.1, R6.2): one month of receipt with the
month-end rule, the suspension while identity is proved, the extension told inside the first
month, and the queues of the DPO."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from candor.audit.models import AuditEvent
from candor.audit.services import audit_verify
from candor.privacy.policy import Requests, policy
from candor.rights import clock as request_clock
from candor.rights.models import MessageKind, Status, SubjectRequest
from candor.rights.requests import (
    TRANSITIONS,
    IllegalTransition,
    allowed_actions,
    request_ask_identity,
    request_decide,
    request_extend,
    request_verify,
    request_withdraw,
)
from candor.rights.selectors import (
    request_counts,
    requests_due_soon,
    requests_inbox,
    requests_overdue,
)
from candor.rights.tests.helpers import at, open_request, person_with_email

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.1")]

REASON = "Your request covers twelve years of procedures in three offices."


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),  # February has no 31st
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 4, 30), dt.date(2026, 5, 30)),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 15), dt.date(2027, 1, 15)),  # into the next year
    ],
)
def test_the_answer_is_due_one_calendar_month_after_receipt(actor, received, due):
    _person, email = person_with_email(actor)

    request = open_request(actor, when=at(received.year, received.month, received.day), email=email)

    assert request.due_on == due
    assert request.deadline == due
    assert request.status == Status.RECEIVED


def test_the_day_of_receipt_is_the_agencys_day(actor):
    _person, email = person_with_email(actor)
    late_evening = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)  # 1 February in Brussels

    request = open_request(actor, when=late_evening, email=email)

    assert request.due_on == dt.date(2026, 3, 1)


def test_opening_acknowledges_receipt_with_the_reference_and_due_date(actor):
    _person, email = person_with_email(actor, preferred_language="nl")

    request = open_request(actor, when=at(2026, 1, 31), email=email)

    assert request.reference == "REQ-2026-0001"
    (sent,) = mail.outbox
    assert sent.to == [email]
    assert "REQ-2026-0001" in sent.subject
    assert "ontvangen" in sent.subject  # the person's language
    assert "28 februari 2026" in sent.body
    (logged,) = request.messages.all()
    assert logged.kind == MessageKind.RECEIPT
    assert logged.direction == "out"
    assert logged.body == sent.body
    assert request.events.get().action == "open"
    assert AuditEvent.objects.filter(action="request.open").count() == 1


def test_references_count_per_year(actor):
    _a, first = person_with_email(actor)
    _b, second = person_with_email(actor)
    _c, third = person_with_email(actor)

    one = open_request(actor, when=at(2026, 12, 31), email=first)
    two = open_request(actor, when=at(2027, 1, 2), email=second)
    three = open_request(actor, when=at(2027, 1, 3), email=third)

    assert [one.reference, two.reference, three.reference] == [
        "REQ-2026-0001",
        "REQ-2027-0001",
        "REQ-2027-0002",
    ]


def test_asking_for_proof_of_identity_suspends_the_clock_until_it_is_verified(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, when=at(2026, 1, 10), email=email)
    assert request.due_on == dt.date(2026, 2, 10)

    with time_machine.travel(at(2026, 1, 12), tick=False):
        request = request_ask_identity(
            actor=actor, request=request, note="Reply from your address."
        )
    assert request.status == Status.AWAITING_IDENTITY
    assert mail.outbox[-1].subject.endswith("bevestig wie u bent")  # the agency's language
    with time_machine.travel(at(2026, 1, 20), tick=False):
        request = request_verify(actor=actor, request=request, method="known_channel")

    assert request.status == Status.IN_PROGRESS
    assert request.paused_days == 8
    assert request.due_on == dt.date(2026, 2, 18)
    assert request.identity_method == "known_channel"
    assert request.identity_verified_by_id == actor.user_id
    assert request.identity_verified_at is not None


def test_without_suspension_the_clock_runs_from_receipt(actor, monkeypatch):
    fixed = policy().model_copy(update={"requests": Requests(identity_suspends_clock=False)})
    monkeypatch.setattr(request_clock, "policy", lambda: fixed)
    _person, email = person_with_email(actor)
    request = open_request(actor, when=at(2026, 1, 10), email=email)
    with time_machine.travel(at(2026, 1, 12), tick=False):
        request_ask_identity(actor=actor, request=request)
    with time_machine.travel(at(2026, 1, 20), tick=False):
        request = request_verify(actor=actor, request=request, method="callback")

    assert request.paused_days == 0
    assert request.due_on == dt.date(2026, 2, 10)


def test_verifying_straight_away_keeps_the_due_date(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, when=at(2026, 1, 31), email=email)
    with time_machine.travel(at(2026, 2, 2), tick=False):
        request = request_verify(actor=actor, request=request, method="known_channel")

    assert request.due_on == dt.date(2026, 2, 28)


def test_an_extension_adds_up_to_two_months_with_the_reason_told_at_once(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, when=at(2026, 1, 31), email=email)
    with time_machine.travel(at(2026, 2, 20), tick=False):
        request = request_verify(actor=actor, request=request, method="known_channel")
        request = request_extend(actor=actor, request=request, months=2, reason=REASON)

    assert request.status == Status.EXTENDED
    assert request.due_on == dt.date(2026, 2, 28)
    assert request.extended_to == dt.date(2026, 4, 30)  # 31 January + 3 months
    assert request.deadline == dt.date(2026, 4, 30)
    assert request.extension_reason == REASON
    told = request.messages.get(kind=MessageKind.EXTENSION)
    assert REASON in told.body
    assert "30 april 2026" in told.body
    assert told.at == request.extension_notified_at
    assert mail.outbox[-1].body == told.body


def test_an_extension_on_the_last_day_of_the_first_month_is_still_in_time(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, when=at(2026, 4, 30), email=email)
    with time_machine.travel(at(2026, 5, 30, 17), tick=False):
        request = request_verify(actor=actor, request=request, method="known_channel")
        request = request_extend(actor=actor, request=request, months=1, reason=REASON)

    assert request.extended_to == dt.date(2026, 6, 30)


def test_an_extension_after_the_first_month_is_refused_and_changes_nothing(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, when=at(2026, 1, 31), email=email)
    with time_machine.travel(at(2026, 2, 2), tick=False):
        request = request_verify(actor=actor, request=request, method="known_channel")
    sent = len(mail.outbox)

    with (
        time_machine.travel(at(2026, 3, 1), tick=False),
        pytest.raises(Exception, match="first period ended on 28/02/2026") as refused,
    ):
        request_extend(actor=actor, request=request, months=2, reason=REASON)

    assert refused.value.code == "too_late"
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.extended_to is None
    assert len(mail.outbox) == sent
    assert not request.messages.filter(kind=MessageKind.EXTENSION).exists()


@pytest.mark.parametrize(("months", "reason"), [(3, REASON), (0, REASON), (1, "busy")])
def test_an_extension_needs_one_or_two_months_and_a_reason(actor, months, reason):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email)
    request = request_verify(actor=actor, request=request, method="known_channel")

    with pytest.raises(Exception) as refused:  # noqa: PT011 - the message is checked below
        request_extend(actor=actor, request=request, months=months, reason=reason)

    assert set(refused.value.message_dict) & {"months", "reason"}
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS


def test_a_request_is_extended_once(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email)
    request = request_verify(actor=actor, request=request, method="known_channel")
    request = request_extend(actor=actor, request=request, months=1, reason=REASON)

    with pytest.raises(IllegalTransition, match="In progress, extended"):
        request_extend(actor=actor, request=request, months=1, reason=REASON)


def test_an_illegal_transition_names_the_state_and_what_is_allowed(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email)

    with pytest.raises(IllegalTransition) as refused:
        request_extend(actor=actor, request=request, months=1, reason=REASON)
    assert "is “Received”: it cannot be extended now" in refused.value.messages[0]
    assert (
        "Allowed in this state: ask for proof of identity, verify, choose the person, decide, "
        "close as withdrawn, flag a fee." in refused.value.messages[0]
    )

    request_withdraw(actor=actor, request=request, note="I found what I needed.")
    with pytest.raises(IllegalTransition, match="closed: only messages"):
        request_verify(actor=actor, request=request, method="known_channel")
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    assert request.closed_at is not None
    assert request.messages.filter(direction="in").get().body == "I found what I needed."


def test_a_decided_request_cannot_be_decided_again(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email)
    request_decide(actor=actor, request=request, outcome="refused", reasons=REASON)

    with pytest.raises(IllegalTransition, match="is “Decided”"):
        request_decide(actor=actor, request=request, outcome="fulfilled")


def test_the_table_of_transitions_is_what_the_services_check():
    assert allowed_actions(Status.DECIDED) == []
    assert allowed_actions(Status.WITHDRAWN) == []
    assert "extend" in allowed_actions(Status.IN_PROGRESS)
    assert "verify" not in allowed_actions(Status.IN_PROGRESS)
    assert set(TRANSITIONS) == {
        "ask_identity",
        "verify",
        "choose_person",
        "extend",
        "decide",
        "withdraw",
        "fee",
        "proof_failed",
        "clear_residue",
    }
    assert allowed_actions(Status.PROOF_FAILED) == ["clear_residue"]


def test_every_step_is_in_the_timeline_and_the_audit_trail(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, email=email)
    request = request_ask_identity(actor=actor, request=request)
    request = request_verify(actor=actor, request=request, method="id_document")
    request = request_extend(actor=actor, request=request, months=1, reason=REASON)
    request_decide(actor=actor, request=request, outcome="refused", reasons=REASON)

    steps = list(request.events.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("open", "", "received"),
        ("ask_identity", "received", "awaiting_identity"),
        ("verify", "awaiting_identity", "in_progress"),
        ("extend", "in_progress", "extended"),
        ("decide", "extended", "decided"),
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="rights.subjectrequest").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "request.open",
        "request.ask_identity",
        "request.verify",
        "request.extend",
        "request.decide",
    ]
    assert audit_verify().ok
    for event in AuditEvent.objects.filter(object_type="rights.subjectrequest"):
        assert email not in str(event.detail)


def test_the_queues_inbox_due_this_week_and_overdue(actor):
    people = [person_with_email(actor)[1] for _ in range(5)]
    new = open_request(actor, when=at(2026, 3, 1), email=people[0])
    late = open_request(actor, when=at(2026, 1, 31), email=people[1])  # due 28 February
    soon = open_request(actor, when=at(2026, 2, 5), email=people[2])  # due 5 March
    later = open_request(actor, when=at(2026, 2, 10), email=people[3])  # due 10 March
    done = open_request(actor, when=at(2026, 1, 20), email=people[4])  # due 20 Feb, decided
    with time_machine.travel(at(2026, 2, 1), tick=False):
        for request in (late, soon, later):
            request_verify(actor=actor, request=request, method="known_channel")
        request_decide(actor=actor, request=done, outcome="refused", reasons=REASON)

    with time_machine.travel(at(2026, 3, 3), tick=False):
        today = dt.date(2026, 3, 3)
        assert list(requests_inbox()) == [new]
        assert list(requests_overdue(today)) == [late]
        assert list(requests_due_soon(today)) == [soon]  # 3 to 9 March: not `later` (10th)
        counts = request_counts(today)

    assert counts == {"inbox": 1, "due_soon": 1, "overdue": 1, "open": 4, "all": 5}
    assert later.due_on == dt.date(2026, 3, 10)
    assert SubjectRequest.objects.get(pk=new.pk).deadline == dt.date(2026, 4, 1)


def test_an_extended_request_is_overdue_only_after_its_extended_date(actor):
    _person, email = person_with_email(actor)
    request = open_request(actor, when=at(2026, 1, 31), email=email)
    with time_machine.travel(at(2026, 2, 10), tick=False):
        request_verify(actor=actor, request=request, method="known_channel")
        request_extend(actor=actor, request=request, months=1, reason=REASON)

    assert list(requests_overdue(dt.date(2026, 3, 15))) == []
    assert list(requests_due_soon(dt.date(2026, 3, 25))) == [request]  # due 31 March
    assert list(requests_overdue(dt.date(2026, 4, 1))) == [request]
