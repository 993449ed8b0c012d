"""Informing people whose data we did not get from them (R2.2, GDPR Art. 14): duties opened at
intake, due in a month or at first contact, sent in the person's language with proof kept, and
tracked to completion. Only synthetic people and reserved domains."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from candor.api.tests.factories import (
    make_application,
    make_candidate,
    make_candidates,
    make_client,
    make_vacancy,
)
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.guidance.tests.factories import make_session, make_trajectory
from candor.people.models import ContactPoint, Person
from candor.people.services import ProvenanceSpec
from candor.privacy import notices
from candor.privacy.models import NoticeDuty, NoticeStatus
from candor.privacy.notices import (
    categories_held,
    daily_job,
    notice_duties_cancel,
    notice_mark_impossible,
    notice_render,
    notice_send,
    notices_open,
    notices_overdue,
    notices_send_due,
)
from candor.privacy.policy import policy
from candor.privacy.registry import Category
from candor.recruitment.services import procedure_step_record
from candor.relations.services import contact_person_create

pytestmark = [pytest.mark.django_db, pytest.mark.req("R2.2")]

COLLECTED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SYSTEM = Actor.system("test")


@pytest.fixture
def actor(consultant: Any) -> Actor:
    return Actor.for_user(consultant)


@pytest.fixture
def from_linkedin(actor: Actor) -> Person:
    """A candidate found on LinkedIn, on 2 March 2026."""
    with time_machine.travel(COLLECTED, tick=False):
        return make_candidate(
            actor,
            source="medium:LinkedIn",
            first_name="Lotte",
            last_name="Claes",
            desired_function="Magazijnier",
            preferred_language="nl",
        )


def _duty(person: Person) -> NoticeDuty:
    return NoticeDuty.objects.select_related("person", "provenance").get(person=person)


def _import(tmp_path: Any, rows: list[dict[str, str]], source: str) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "people.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    call_command(
        "import", str(path), format="csv", source=source, stdout=io.StringIO(), stderr=io.StringIO()
    )


# -- opening -----------------------------------------------------------------------------------


def test_an_import_from_a_medium_opens_a_duty_per_person_due_in_thirty_days(tmp_path):
    rows = [
        {"first_name": "Emma", "last_name": "Wouters", "email": "emma.wouters@example.com"},
        {"first_name": "Noah", "last_name": "Lambert", "email": "noah.lambert@example.com"},
    ]
    with time_machine.travel(COLLECTED, tick=False):
        _import(tmp_path, rows, "medium:LinkedIn")

    duties = list(NoticeDuty.objects.select_related("provenance").order_by("pk"))
    assert len(duties) == 2
    assert {d.status for d in duties} == {NoticeStatus.OPEN}
    assert {d.due_on for d in duties} == {dt.date(2026, 4, 1)}  # 2 March + 30 days
    assert {d.provenance.source_code for d in duties} == {"medium:LinkedIn"}
    assert policy().notices.due_days == 30


def test_an_import_of_people_who_gave_us_their_own_data_opens_no_duty(tmp_path):
    rows = [{"first_name": "Emma", "last_name": "Wouters", "email": "emma.wouters@example.com"}]

    _import(tmp_path, rows, "self")

    assert not NoticeDuty.objects.exists()


def test_a_re_run_of_the_same_import_opens_no_second_duty(tmp_path):
    rows = [{"first_name": "Emma", "last_name": "Wouters", "email": "emma.wouters@example.com"}]
    _import(tmp_path, rows, "partner:Jobat")
    _import(tmp_path, rows, "partner:Jobat")

    assert NoticeDuty.objects.count() == 1


def test_a_contact_person_named_by_a_third_party_is_owed_a_notice(actor):
    client = make_client(actor)
    contact_person_create(
        actor=actor,
        organisation=client,
        source=ProvenanceSpec.parse("third-party", channel="form", recorded_by_id=actor.user_id),
        first_name="Jan",
        last_name="Maes",
        email="jan.maes@example.com",
    )
    contact_person_create(
        actor=actor,
        organisation=make_client(actor),
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Sofie",
        last_name="Janssens",
        email="sofie.janssens@example.com",
    )

    assert list(NoticeDuty.objects.values_list("person__last_name", flat=True)) == ["Maes"]


def test_data_the_agency_produced_itself_opens_no_duty(actor):
    make_candidate(actor, source="agency")

    assert not NoticeDuty.objects.exists()


# -- first contact -----------------------------------------------------------------------------


def test_an_interview_is_a_first_contact_that_makes_the_notice_due_now(actor, from_linkedin):
    application = make_application(actor, from_linkedin, make_vacancy(actor, make_client(actor)))
    contact = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)

    with time_machine.travel(contact, tick=False):
        procedure_step_record(
            actor=actor, application=application, kind="interview", scheduled_at=contact
        )

    duty = _duty(from_linkedin)
    assert duty.first_contact_at == contact
    assert duty.due_on == dt.date(2026, 3, 10)
    assert list(notices.notices_due(dt.date(2026, 3, 10))) == [duty]
    assert AuditEvent.objects.filter(action="notice.first_contact", object_id=str(duty.pk))


def test_a_guidance_session_is_a_first_contact_too(actor, from_linkedin):
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        make_session(actor, make_trajectory(actor, from_linkedin, started_on=dt.date(2026, 3, 1)))

    assert _duty(from_linkedin).due_on == dt.date(2026, 3, 20)


def test_a_later_contact_does_not_move_the_notice_again(actor, from_linkedin):
    trajectory = make_trajectory(actor, from_linkedin, started_on=dt.date(2026, 3, 1))
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        make_session(actor, trajectory)
    with time_machine.travel(dt.datetime(2026, 3, 25, 10, 0, tzinfo=dt.UTC), tick=False):
        make_session(actor, trajectory)

    assert _duty(from_linkedin).first_contact_at.date() == dt.date(2026, 3, 20)


# -- the notice --------------------------------------------------------------------------------

EXPECTED = {
    "nl": ("Beste", "Waar uw gegevens vandaan komen", "een medium", "ons gerechtvaardigd belang"),
    "fr": ("Bonjour", "D'où viennent vos données", "d'un média", "notre intérêt légitime"),
    "en": ("Dear", "Where your data came from", "a medium", "our legitimate interest"),
}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_notice_names_who_we_are_what_we_hold_where_from_why_and_the_rights(
    language, from_linkedin
):
    current = policy()

    notice = notice_render(_duty(from_linkedin), language=language)

    greeting, source_heading, medium, interest = EXPECTED[language]
    for part in (notice.text, notice.html.replace("&#x27;", "'")):
        assert greeting in part
        assert "Lotte" in part
        assert "Claes" in part
        assert current.controller.name in part
        assert current.controller.address in part
        assert current.dpo.email in part
        assert source_heading.casefold() in part.casefold()
        assert medium in part
        assert "LinkedIn" in part
        assert current.purposes["mediation"].label.get(language) in part
        assert interest in part
        assert current.authority.name.get(language) in part
        assert current.authority.website in part
        assert current.version in part
    assert notice.language == language
    assert current.controller.name in notice.subject


def test_the_notice_lists_the_categories_actually_held_and_no_others(from_linkedin):
    held = categories_held(from_linkedin)

    assert Category.IDENTITY in held
    assert Category.CONTACT in held
    assert Category.CAREER in held  # the desired function
    assert Category.ASSESSMENT not in held
    assert Category.FINANCIAL not in held
    notice = notice_render(_duty(from_linkedin), language="en")
    assert "career history" in notice.text
    assert "results of interviews and tests" not in notice.text
    assert "financial data" not in notice.text


def test_purposes_for_other_roles_or_without_their_contract_are_not_claimed(from_linkedin):
    text = notice_render(_duty(from_linkedin), language="en").text

    labels = {key: p.label.en for key, p in policy().purposes.items()}
    assert labels["mediation"] in text
    assert labels["contract"] not in text  # a client contact's purpose
    assert labels["guidance"] not in text  # no trajectory
    assert labels["job_alerts"] not in text  # consent, never asked


def test_the_notice_is_in_the_persons_own_language(actor):
    with time_machine.travel(COLLECTED, tick=False):
        person = make_candidate(actor, source="third-party", preferred_language="fr")

    assert notice_render(_duty(person)).language == "fr"


def test_hostile_names_are_escaped_in_the_html_part_and_kept_in_the_text_part(actor):
    with time_machine.travel(COLLECTED, tick=False):
        person = make_candidate(
            actor, source="medium:<i>Forum</i>", first_name="<script>x()</script>", last_name="O'B"
        )

    notice = notice_render(_duty(person), language="en")

    assert "<script>" not in notice.html
    assert "&lt;script&gt;x()&lt;/script&gt;" in notice.html
    assert "<i>Forum</i>" not in notice.html
    assert "&lt;i&gt;Forum&lt;/i&gt;" in notice.html
    assert "<script>x()</script> O'B" in notice.text
    assert "<i>Forum</i>" in notice.text


# -- sending -----------------------------------------------------------------------------------


def test_sending_mails_text_and_html_and_logs_proof_on_the_duty_and_in_the_trail(from_linkedin):
    moment = dt.datetime(2026, 3, 5, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        duty = notice_send(actor=SYSTEM, duty=_duty(from_linkedin))

    (message,) = mail.outbox
    email = ContactPoint.objects.get(person=from_linkedin).value
    assert message.to == [email]
    assert message.reply_to == [policy().dpo.email]
    assert "Lotte" in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "<h2>" in html
    duty.refresh_from_db()
    assert duty.status == NoticeStatus.SENT
    assert duty.sent_at == moment
    assert duty.recipient == email
    assert duty.language == "nl"
    assert duty.policy_version == policy().version
    assert duty.sent_by == "system:test"
    assert duty.body_sha256 == hashlib.sha256(f"{message.body}\0{html}".encode()).hexdigest()
    event = AuditEvent.objects.get(action="notice.send")
    assert event.subject == str(from_linkedin.pseudonym)
    assert event.detail == {"channel": "email", "language": "nl", "policy_version": "2026.1"}
    assert email not in str(event.detail)  # the trail names no address


def test_a_person_without_an_e_mail_address_gets_impossible_with_a_note(actor):
    with time_machine.travel(COLLECTED, tick=False):
        person = make_candidate(actor, source="partner:VDAB", emails=[], phones=["+3232000000"])

    duty = notice_send(actor=SYSTEM, duty=_duty(person))

    assert mail.outbox == []
    assert duty.status == NoticeStatus.IMPOSSIBLE
    assert "e-mail" in duty.note
    assert AuditEvent.objects.filter(action="notice.impossible", object_id=str(duty.pk))


def test_the_dpo_can_mark_a_notice_impossible_only_with_a_note(dpo, from_linkedin):
    duty = _duty(from_linkedin)
    with pytest.raises(ValidationError):
        notice_mark_impossible(actor=Actor.for_user(dpo), duty=duty, note="  ")

    notice_mark_impossible(actor=Actor.for_user(dpo), duty=duty, note="Sent by letter.")

    duty.refresh_from_db()
    assert (duty.status, duty.note) == (NoticeStatus.IMPOSSIBLE, "Sent by letter.")
    assert AuditEvent.objects.get(action="notice.impossible").detail == {
        "reason": "decided",
        "fields": ["note"],
    }
    NoticeDuty.objects.filter(pk=duty.pk).update(status=NoticeStatus.SENT)
    with pytest.raises(ValidationError):
        notice_mark_impossible(actor=Actor.for_user(dpo), duty=duty, note="Too late.")


def test_the_daily_run_sends_what_is_due_and_a_second_run_changes_nothing(actor, from_linkedin):
    with time_machine.travel(COLLECTED, tick=False):
        later = make_candidate(actor, source="medium:Indeed")
    NoticeDuty.objects.filter(person=later).update(due_on=dt.date(2026, 5, 1))

    with time_machine.travel(dt.datetime(2026, 4, 1, 6, 0, tzinfo=dt.UTC), tick=False):
        first = daily_job(today=dt.date(2026, 4, 1))
        before = (AuditEvent.objects.count(), list(NoticeDuty.objects.values().order_by("pk")))
        second = notices_send_due(actor=SYSTEM, today=dt.date(2026, 4, 1))

    assert first["sent"] == 1
    assert first["failed"] == 0
    assert second == {"sent": 0, "impossible": 0, "cancelled": 0, "skipped": 0, "failed": 0}
    assert len(mail.outbox) == 1
    assert (AuditEvent.objects.count(), list(NoticeDuty.objects.values().order_by("pk"))) == before
    assert _duty(later).status == NoticeStatus.OPEN  # not due yet
    assert notice_send(actor=SYSTEM, duty=_duty(from_linkedin)).status == NoticeStatus.SENT
    assert len(mail.outbox) == 1


def test_a_refusing_mail_server_leaves_the_duty_open_and_the_others_go(
    actor, from_linkedin, monkeypatch
):
    with time_machine.travel(COLLECTED, tick=False):
        other = make_candidate(actor, source="medium:Indeed")
    real = notices.notice_render
    refused = _duty(from_linkedin).pk

    def render(duty: NoticeDuty, **kwargs: Any) -> Any:
        if duty.pk == refused:
            raise OSError("connection refused")
        return real(duty, **kwargs)

    monkeypatch.setattr(notices, "notice_render", render)

    counts = notices_send_due(actor=SYSTEM, today=dt.date(2026, 4, 1))

    assert (counts["sent"], counts["failed"]) == (1, 1)
    assert _duty(from_linkedin).status == NoticeStatus.OPEN
    assert _duty(other).status == NoticeStatus.SENT
    assert not AuditEvent.objects.filter(action="notice.send", object_id=str(refused))


def test_an_erased_person_is_not_written_to_and_their_duties_are_cancelled(actor, from_linkedin):
    with time_machine.travel(COLLECTED, tick=False):
        other = make_candidate(actor, source="medium:Indeed")
    Person.objects.filter(pk=other.pk).update(erased_at=clock.now())

    assert notice_duties_cancel([from_linkedin.pk]) == 1
    counts = notices_send_due(actor=SYSTEM, today=dt.date(2026, 4, 1))

    assert _duty(from_linkedin).status == NoticeStatus.CANCELLED
    assert _duty(other).status == NoticeStatus.CANCELLED
    assert counts["cancelled"] == 1
    assert mail.outbox == []


# -- the DPO's queues --------------------------------------------------------------------------


def test_an_open_notice_past_its_due_date_shows_as_overdue(actor, from_linkedin):
    with time_machine.travel(COLLECTED + dt.timedelta(days=10), tick=False):
        make_candidate(actor, source="medium:Indeed")

    assert notices_open(dt.date(2026, 4, 1)).count() == 2
    assert notices_overdue(dt.date(2026, 4, 1)).count() == 0  # due today is not overdue yet
    assert list(notices_overdue(dt.date(2026, 4, 2))) == [_duty(from_linkedin)]
    notice_send(actor=SYSTEM, duty=_duty(from_linkedin))
    assert notices_overdue(dt.date(2026, 4, 2)).count() == 0


def test_counting_the_queues_takes_one_query_each(django_assert_num_queries, from_linkedin):
    with django_assert_num_queries(2):
        notices_open(dt.date(2026, 4, 2)).count()
        notices_overdue(dt.date(2026, 4, 2)).count()


# -- the command -------------------------------------------------------------------------------


def test_the_command_sends_the_due_notices_and_says_how_many(from_linkedin):
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2026, 4, 2, 6, 0, tzinfo=dt.UTC), tick=False):
        call_command("notices", "send", "--dry-run", stdout=out)
        assert mail.outbox == []
        call_command("notices", "send", stdout=out)

    lines = out.getvalue().splitlines()
    assert "1 notice due; would send 1, impossible (no e-mail address) 0" in lines[0]
    assert "sent 1" in lines[-1]
    assert len(mail.outbox) == 1


def test_a_contact_persons_notice_names_the_contract_purpose_and_not_mediation(actor):
    contact_person_create(
        actor=actor,
        organisation=make_client(actor),
        source=ProvenanceSpec.parse("partner:Unizo", channel="form", recorded_by_id=actor.user_id),
        first_name="Jan",
        last_name="Maes",
        email="jan.maes@example.com",
        job_title="HR-manager",
    )
    duty = NoticeDuty.objects.select_related("person", "provenance").get()

    text = notice_render(duty, language="en").text

    labels = {key: p.label.en for key, p in policy().purposes.items()}
    assert labels["contract"] in text
    assert labels["client_marketing"] in text
    assert labels["mediation"] not in text
    assert "a partner (Unizo)" in text


def test_guidance_is_claimed_once_the_person_has_a_trajectory(actor, from_linkedin):
    make_trajectory(actor, from_linkedin)

    text = notice_render(_duty(from_linkedin), language="en").text

    assert policy().purposes["guidance"].label.en in text
    assert "the performance of a contract and a legal obligation" in text


def test_a_note_longer_than_the_duty_holds_is_refused(dpo, from_linkedin):
    with pytest.raises(ValidationError):
        notice_mark_impossible(actor=Actor.for_user(dpo), duty=_duty(from_linkedin), note="x" * 301)


def test_a_run_stops_after_five_refusals_in_a_row(actor, monkeypatch):
    with time_machine.travel(COLLECTED, tick=False):
        make_candidates(actor, 7, source="medium:Indeed")

    def refuse(duty: NoticeDuty, **kwargs: Any) -> Any:
        raise OSError("connection refused")

    monkeypatch.setattr(notices, "notice_render", refuse)

    counts = notices_send_due(actor=SYSTEM, today=dt.date(2026, 4, 1))

    assert counts["failed"] == 5
    assert counts["stopped"] == 1
    assert NoticeDuty.objects.filter(status=NoticeStatus.OPEN).count() == 7
