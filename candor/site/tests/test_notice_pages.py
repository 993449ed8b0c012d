"""The DPO's notice pages (R2.2): the queues of open, overdue and impossible notices, a preview
of each notice in the person's language (opening it is audited), "send now" and "mark
impossible with a note"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client

from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.privacy.models import NoticeDuty, NoticeStatus

pytestmark = [pytest.mark.django_db, pytest.mark.req("R2.2")]

COLLECTED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC)  # after the first duty's due date


@pytest.fixture
def browser(dpo: Any) -> Client:
    client = Client()
    client.force_login(dpo)
    return client


@pytest.fixture
def duties(consultant: Any) -> tuple[NoticeDuty, NoticeDuty]:
    """One duty overdue by LATER (from LinkedIn, in Dutch), one not yet due (no e-mail)."""
    actor = Actor.for_user(consultant)
    with time_machine.travel(COLLECTED, tick=False):
        linkedin = make_candidate(
            actor, source="medium:LinkedIn", first_name="Lotte", preferred_language="nl"
        )
    with time_machine.travel(LATER - dt.timedelta(days=5), tick=False):
        partner = make_candidate(
            actor, source="partner:VDAB", first_name="Olivier", emails=[], phones=["+3232000001"]
        )
    return NoticeDuty.objects.get(person=linkedin), NoticeDuty.objects.get(person=partner)


def test_the_dpo_sees_open_notices_and_can_narrow_to_the_overdue(browser, duties):
    overdue, waiting = duties
    with time_machine.travel(LATER, tick=False):
        everything = browser.get("/privacy/notices/")
        late = browser.get("/privacy/notices/?show=overdue")

    assert list(everything.context["page"].object_list) == [overdue, waiting]
    assert list(late.context["page"].object_list) == [overdue]
    assert [(key, count) for key, _label, count in late.context["tabs"]] == [
        ("open", 2),
        ("overdue", 1),
        ("impossible", 0),
    ]
    assert "LinkedIn" in late.content.decode()


def test_the_preview_shows_the_notice_in_the_persons_language_or_another(browser, duties):
    overdue, _waiting = duties

    dutch = browser.get(f"/privacy/notices/{overdue.pk}/")
    french = browser.get(f"/privacy/notices/{overdue.pk}/?language=fr")

    assert dutch.context["notice"].language == "nl"
    assert "Beste Lotte" in dutch.context["notice"].text
    assert "Bonjour Lotte" in french.context["notice"].text
    assert AuditEvent.objects.filter(action="view", object_type="privacy.noticeduty").count() == 2


def test_send_now_mails_the_notice_and_the_duty_shows_as_sent(browser, duties):
    overdue, _waiting = duties

    response = browser.post(f"/privacy/notices/{overdue.pk}/send/")

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    overdue.refresh_from_db()
    assert overdue.status == NoticeStatus.SENT
    page = browser.get(f"/privacy/notices/{overdue.pk}/").content.decode()
    assert overdue.body_sha256 in page
    browser.post(f"/privacy/notices/{overdue.pk}/send/")
    assert len(mail.outbox) == 1  # sending again sends nothing


def test_marking_impossible_needs_a_note_and_then_leaves_the_open_queue(browser, duties):
    _overdue, waiting = duties

    refused = browser.post(f"/privacy/notices/{waiting.pk}/impossible/", {"note": ""})
    done = browser.post(
        f"/privacy/notices/{waiting.pk}/impossible/", {"note": "Informed by letter on 12 April."}
    )

    assert refused.status_code == 400
    assert refused.context["form"].errors["note"]
    assert done.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.note) == (
        NoticeStatus.IMPOSSIBLE,
        "Informed by letter on 12 April.",
    )
    queue = browser.get("/privacy/notices/?show=impossible")
    assert list(queue.context["page"].object_list) == [waiting]


def test_a_hostile_name_is_escaped_on_the_page_and_in_the_preview(browser, consultant):
    with time_machine.travel(COLLECTED, tick=False):
        person = make_candidate(
            Actor.for_user(consultant), source="third-party", first_name="<script>x()</script>"
        )
    duty = NoticeDuty.objects.get(person=person)

    page = browser.get(f"/privacy/notices/{duty.pk}/").content.decode()
    listing = browser.get("/privacy/notices/").content.decode()

    assert "<script>x()" not in page
    assert "<script>x()" not in listing
    assert "&amp;lt;script&amp;gt;" in page  # escaped in the notice, then again for srcdoc


def test_send_now_without_an_address_turns_impossible_and_a_decided_notice_stays_decided(
    browser, duties
):
    overdue, waiting = duties

    browser.post(f"/privacy/notices/{waiting.pk}/send/")
    browser.post(f"/privacy/notices/{overdue.pk}/send/")
    again = browser.post(f"/privacy/notices/{overdue.pk}/impossible/", {"note": "Too late."})

    waiting.refresh_from_db()
    assert waiting.status == NoticeStatus.IMPOSSIBLE
    assert again.status_code == 400
    assert again.context["form"].non_field_errors()
    overdue.refresh_from_db()
    assert overdue.status == NoticeStatus.SENT


def test_a_refusing_mail_server_leaves_the_notice_open_with_a_message(browser, duties, monkeypatch):
    overdue, _waiting = duties

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("candor.site.pages.notices.notice_send", refuse)

    response = browser.post(f"/privacy/notices/{overdue.pk}/send/", follow=True)

    overdue.refresh_from_db()
    assert overdue.status == NoticeStatus.OPEN
    assert any(m.level_tag == "error" for m in response.context["messages"])
