"""The DPO's request pages and the consultant's form (R6.1–R6.3): queues with counts, a request
with its timeline and messages, actions as forms that come back with the reason on bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate, unique_email
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.privacy.gate import may
from candor.rights.models import Status, SubjectRequest
from candor.rights.requests import Concerns, request_open, request_verify
from candor.rights.tests.helpers import at

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.1", "R6.2", "R6.3")]

REASON = "Your request covers many years of files in three offices."


@pytest.fixture
def desk(client: Client, dpo: User) -> Client:
    client.force_login(dpo)
    return client


def _opened(actor: Actor, **extra: Any) -> tuple[SubjectRequest, str]:
    email = unique_email("pagina")
    make_candidate(actor, emails=[email])
    request = request_open(
        actor=actor,
        kind=extra.pop("kind", "access"),
        channel="email",
        requester_email=email,
        language="en",
        **extra,
    )
    return request, email


def test_a_consultant_records_a_phone_request_and_the_dpo_finds_it_in_the_inbox(
    client: Client, consultant: User, dpo: User, actor: Actor
):
    email = unique_email("telefoon")
    person = make_candidate(actor, emails=[email])
    client.force_login(consultant)

    response = client.post(
        reverse("site:request_new"),
        {
            "kind": "erasure",
            "channel": "phone",
            "requester": "self",
            "requester_name": "Jan Peeters",
            "requester_email": email,
            "details": "Please delete everything you hold about me.",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("site:request_new")
    request = SubjectRequest.objects.get()
    assert request.person == person
    assert request.opened_by == consultant
    page = client.get(response["Location"]).content.decode()
    assert f"Request {request.reference} recorded" in page

    client.force_login(dpo)
    inbox = client.get(reverse("site:requests")).content.decode()
    assert request.reference in inbox
    assert 'Inbox: new and unverified <span class="badge">1</span>' in inbox
    desk_page = client.get(reverse("site:privacy_desk")).content.decode()
    assert reverse("site:requests") in desk_page


def test_the_form_comes_back_with_the_reason_when_the_request_is_a_duplicate(
    desk: Client, actor: Actor
):
    first, email = _opened(actor)

    response = desk.post(
        reverse("site:request_new"),
        {"kind": "access", "channel": "email", "requester": "self", "requester_email": email},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f"{first.reference}, a request of the same kind" in page
    assert f'value="{email}"' in page  # as typed
    assert SubjectRequest.objects.count() == 1


def test_the_form_names_a_malformed_address(desk: Client):
    response = desk.post(
        reverse("site:request_new"),
        {"kind": "access", "channel": "email", "requester": "self", "requester_email": "jan@"},
    )

    assert response.status_code == 400
    assert "is not a valid e-mail address" in response.content.decode()


def test_the_request_page_shows_the_timeline_and_messages_and_is_audited(
    desk: Client, actor: Actor
):
    request, email = _opened(actor)

    response = desk.get(reverse("site:request", args=[request.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert request.reference in page
    assert email in page
    assert "Your request REQ-" in page  # the acknowledgement in the log
    assert "<strong>Received and recorded</strong>" in page  # the step in words
    assert 'id="action-verify"' in page
    assert 'id="action-extend"' not in page  # not allowed before verification
    assert AuditEvent.objects.filter(action="view", object_type="rights.subjectrequest").exists()


def test_verify_then_extend_then_decide_through_the_forms(desk: Client, actor: Actor):
    request, email = _opened(actor, kind="restriction", restriction_ground="accuracy")
    url = reverse("site:request", args=[request.pk])

    response = desk.post(
        reverse("site:request_verify", args=[request.pk]), {"method": "known_channel"}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    response = desk.post(
        reverse("site:request_extend", args=[request.pk]), {"months": "2", "reason": REASON}
    )
    assert response.status_code == 302
    response = desk.post(
        reverse("site:request_decide", args=[request.pk]), {"outcome": "fulfilled"}
    )
    assert response.status_code == 302

    request.refresh_from_db()
    assert request.status == Status.DECIDED
    assert not may(request.person, "mediation")
    page = desk.get(url).content.decode()
    assert "Closed: only messages can still be logged." in page
    assert [m.to for m in mail.outbox] == [[email]] * 3  # receipt, extension, decision


def test_an_extension_too_late_comes_back_with_the_reason(desk: Client, actor: Actor):
    with time_machine.travel(at(2026, 1, 31), tick=False):
        request, _email = _opened(actor)
        request_verify(actor=actor, request=request, method="known_channel")

    with time_machine.travel(at(2026, 3, 2), tick=False):
        response = desk.post(
            reverse("site:request_extend", args=[request.pk]), {"months": "1", "reason": REASON}
        )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The first period ended on 28/02/2026" in page
    assert REASON in page  # the form as typed
    assert "Nothing was changed" in page
    request.refresh_from_db()
    assert request.extended_to is None


def test_an_illegal_action_is_refused_with_the_state(desk: Client, actor: Actor):
    request, _email = _opened(actor)

    response = desk.post(
        reverse("site:request_extend", args=[request.pk]), {"months": "1", "reason": REASON}
    )

    assert response.status_code == 400
    assert "is “Received”: it cannot be extended now" in response.content.decode()


def test_choosing_among_two_matching_people(desk: Client, actor: Actor):
    born = dt.date(1979, 3, 3)
    one = make_candidate(actor, first_name="Els", last_name="Maes", birth_date=born)
    two = make_candidate(actor, first_name="Els", last_name="Maes", birth_date=born)
    request = request_open(
        actor=actor,
        kind="access",
        channel="letter",
        requester_address="Markt 1, 8000 Brugge",
        concerns=Concerns(first_name="Els", last_name="Maes", birth_date=born),
    )
    page = desk.get(reverse("site:request", args=[request.pk])).content.decode()
    assert "Several people match" in page
    assert f"#{one.pk}" in page
    assert f"#{two.pk}" in page

    response = desk.post(reverse("site:request_person", args=[request.pk]), {"person_id": two.pk})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.person == two


def test_logging_a_message_and_the_queues(desk: Client, actor: Actor):
    request, _email = _opened(actor)

    response = desk.post(
        reverse("site:request_message", args=[request.pk]),
        {"direction": "in", "channel": "phone", "body": "Called to ask how it is going."},
    )
    assert response.status_code == 302
    assert request.messages.filter(direction="in").count() == 1
    for queue in ("inbox", "due_soon", "overdue", "open", "all"):
        assert desk.get(reverse("site:requests"), {"queue": queue}).status_code == 200

    empty = desk.post(reverse("site:request_message", args=[request.pk]), {"direction": "in"})
    assert empty.status_code == 400


def test_the_dossier_summary_shows_the_restriction_banner_and_its_ground(
    client: Client, consultant: User, actor: Actor
):
    from candor.privacy.services import restriction_start

    person = make_candidate(actor)
    restriction_start(actor=actor, person=person, ground="legal_claims", via="email")
    client.force_login(consultant)

    summary = client.get(
        reverse("site:person_privacy", args=[person.pk]), {"summary": "1"}
    ).content.decode()

    assert "Processing restricted" in summary
    assert "Needed by the person for legal claims" in summary


def test_the_pages_speak_the_dpos_language(client: Client, make_user: Any, actor: Actor):
    request, _email = _opened(actor)
    dutch = make_user("dpo.nl", "dpo", language="nl")
    client.force_login(dutch)

    listing = client.get(reverse("site:requests")).content.decode()
    page = client.get(reverse("site:request", args=[request.pk])).content.decode()

    assert "Verzoeken van betrokkenen" in listing
    assert "Inbox: nieuw en niet nagekeken" in listing
    assert "Tijdlijn" in page
    assert "Identiteit nakijken" in page


@pytest.mark.req("R6.5")
def test_a_rectification_is_entered_line_by_line_and_a_bad_line_changes_nothing(
    desk: Client, actor: Actor
):
    request, email = _opened(actor, kind="rectification")
    request = request_verify(actor=actor, request=request, method="known_channel")
    person = request.person
    assert person is not None
    url = reverse("site:request_decide", args=[request.pk])

    bad = desk.post(url, {"outcome": "fulfilled", "changes": "last_name Peeters"})
    assert bad.status_code == 400
    assert "Line 1 is not of the form field = new value." in bad.content.decode()
    refused = desk.post(url, {"outcome": "fulfilled", "changes": "birth_date = 31/02/1990"})
    assert refused.status_code == 400
    assert "birth_date" in refused.content.decode()
    person.refresh_from_db()
    assert person.last_name != "Peeters"

    done = desk.post(url, {"outcome": "fulfilled", "changes": "last_name = Peeters\n\n"})

    assert done.status_code == 302
    person.refresh_from_db()
    assert person.last_name == "Peeters"
    page = desk.get(reverse("site:request", args=[request.pk])).content.decode()
    assert "Corrected" in page
    assert "None: the ledger records no recipient of this data." in page
    assert mail.outbox[-1].to == [email]
