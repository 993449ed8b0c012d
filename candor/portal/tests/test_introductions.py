"""Introductions on consent (R4.1), service level: the whole flow against the real ledger, the
real gate and Django's mail outbox. The identity reaches the client only after a yes."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail

from candor.api.tests.factories import make_candidate, make_vacancy
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.mailings import mailing_prepare, mailing_queue, queued_job
from candor.disclosure.models import Channel, Disclosure
from candor.disclosure.profiles import profile_code
from candor.portal import selectors
from candor.portal.models import AskedVia, Introduction, IntroductionStatus
from candor.portal.services import (
    IntroductionRefused,
    consent_token,
    introduction_answer_by_link,
    introduction_ask,
    introduction_expire_by_link,
    introduction_record_answer,
    introduction_request,
    introduction_revoke,
    introductions_expire,
)
from candor.portal.tests.conftest import consent_link, send_profile
from candor.privacy.services import restriction_start

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.1")]

BASE = "http://testserver"


def _reveals(person_id: int) -> list[Disclosure]:
    return list(
        Disclosure.objects.filter(person_id=person_id, reference__startswith="introduction:")
    )


def _requested(actor, portal_user, client_org, candidate, **kw):
    code = send_profile(actor, candidate, client_org)
    return introduction_request(
        actor=Actor.for_user(portal_user),
        organisation_id=client_org.pk,
        code=code,
        user_id=portal_user.pk,
        **kw,
    )


def _asked(actor, portal_user, client_org, candidate, **kw):
    introduction = _requested(actor, portal_user, client_org, candidate, **kw)
    return introduction_ask(actor=actor, introduction=introduction, base_url=BASE)


def test_a_yes_through_the_mailed_link_reveals_name_and_contact_to_that_client_with_a_ledger_row(
    actor, portal_user, client_org, other_org, candidate
):
    vacancy = make_vacancy(actor, client_org, title="Magazijnier")

    # the mailing path: the client's contact receives the anonymous profile for its vacancy
    prepared = mailing_prepare(
        actor=actor,
        subject="Profielen",
        person_ids=[candidate.pk],
        organisation_ids=[client_org.pk],
        vacancy=vacancy,
    )
    mailing_queue(actor=actor, mailing=prepared.mailing)
    queued_job()
    code = profile_code(candidate.pseudonym)
    assert [p.code for p in selectors.client_profiles(client_org.pk)] == [code]

    introduction = introduction_request(
        actor=Actor.for_user(portal_user),
        organisation_id=client_org.pk,
        code=code.lower(),
        user_id=portal_user.pk,
    )
    assert introduction.vacancy_id == vacancy.pk  # from the mailing that carried the profile
    assert introduction.status == IntroductionStatus.REQUESTED
    assert _reveals(candidate.pk) == []

    mail.outbox.clear()
    introduction_ask(actor=actor, introduction=introduction, base_url=BASE)
    (message,) = mail.outbox
    assert message.to == ["sofie.vermeulen@example.com"]
    assert "Logistiek Noord NV" in message.body
    assert "Magazijnier" in message.body
    assert "Logistiek Noord NV" in message.alternatives[0][0]
    introduction_id, token = consent_link(message)
    assert introduction_id == introduction.pk

    answered = introduction_answer_by_link(
        introduction_id=introduction.pk, token=token, accepted=True
    )

    assert answered.status == IntroductionStatus.REVEALED
    (row,) = _reveals(candidate.pk)
    assert answered.disclosure_id == row.pk
    assert row.organisation_id == client_org.pk
    assert row.channel == Channel.PORTAL
    assert row.categories == ["contact", "identity"]
    assert row.purpose == "mediation"
    assert row.reference == f"introduction:{introduction.pk}"
    assert "Sofie Vermeulen" in row.content
    assert "sofie.vermeulen@example.com" in row.content
    assert "+32470123456" in row.content
    assert [i.pk for i in selectors.revealed_candidates(client_org.pk)] == [introduction.pk]
    assert list(selectors.revealed_candidates(other_org.pk)) == []  # that client only
    actions = set(
        AuditEvent.objects.filter(object_type="portal.introduction").values_list(
            "action", flat=True
        )
    )
    assert {
        "introduction.request",
        "introduction.ask",
        "introduction.answer",
        "introduction.reveal",
    } <= actions
    # the reveal is not listed as a received profile
    assert [p.code for p in selectors.client_profiles(client_org.pk)] == [code]


def test_a_no_reveals_nothing(actor, portal_user, client_org, candidate):
    introduction = _asked(actor, portal_user, client_org, candidate)
    _, token = consent_link()

    answered = introduction_answer_by_link(
        introduction_id=introduction.pk, token=token, accepted=False
    )

    assert answered.status == IntroductionStatus.DECLINED
    assert answered.answered_at is not None
    assert _reveals(candidate.pk) == []
    assert list(selectors.revealed_candidates(client_org.pk)) == []
    with pytest.raises(IntroductionRefused, match="already answered"):
        introduction_answer_by_link(introduction_id=introduction.pk, token=token, accepted=True)
    assert _reveals(candidate.pk) == []


def test_silence_past_the_link_s_expiry_reveals_nothing_and_the_late_yes_is_refused(
    actor, portal_user, client_org, candidate
):
    introduction = _asked(actor, portal_user, client_org, candidate)
    _, token = consent_link()
    assert introduction.expires_at == introduction.asked_at + dt.timedelta(days=14)

    with time_machine.travel(clock.now() + dt.timedelta(days=15)):
        assert introductions_expire() == 1
        with pytest.raises(IntroductionRefused, match="expired"):
            introduction_answer_by_link(introduction_id=introduction.pk, token=token, accepted=True)

    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.EXPIRED
    assert _reveals(candidate.pk) == []


def test_opening_an_expired_link_marks_the_introduction_expired(
    actor, portal_user, client_org, candidate
):
    introduction = _asked(actor, portal_user, client_org, candidate)
    _, token = consent_link()

    with time_machine.travel(clock.now() + dt.timedelta(days=14, minutes=1)):
        found = introduction_expire_by_link(introduction_id=introduction.pk, token=token)

    assert found.status == IntroductionStatus.EXPIRED
    assert _reveals(candidate.pk) == []


def test_revocation_before_the_reveal_is_honoured(actor, portal_user, client_org, candidate):
    introduction = _asked(actor, portal_user, client_org, candidate)
    _, token = consent_link()

    introduction_revoke(actor=actor, introduction=introduction)
    with pytest.raises(IntroductionRefused, match="already answered"):
        introduction_answer_by_link(introduction_id=introduction.pk, token=token, accepted=True)

    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.REVOKED
    assert _reveals(candidate.pk) == []


def test_revocation_after_the_reveal_hides_the_candidate_but_the_ledger_keeps_the_fact(
    actor, portal_user, client_org, candidate
):
    introduction = _asked(actor, portal_user, client_org, candidate)
    _, token = consent_link()
    introduction_answer_by_link(introduction_id=introduction.pk, token=token, accepted=True)

    introduction_revoke(actor=actor, introduction=introduction, token=token)

    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.REVOKED
    assert introduction.revealed_at
    assert not introduction.visible_to_client
    assert list(selectors.revealed_candidates(client_org.pk)) == []
    assert len(_reveals(candidate.pk)) == 1


def test_a_tampered_link_is_refused_logged_and_discloses_nothing(
    actor, portal_user, client_org, candidate, caplog
):
    introduction = _asked(actor, portal_user, client_org, candidate)
    _, token = consent_link()
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    with (
        caplog.at_level(logging.WARNING, logger="candor.portal.services"),
        pytest.raises(IntroductionRefused, match="not valid"),
    ):
        introduction_answer_by_link(introduction_id=introduction.pk, token=tampered, accepted=True)

    assert "bad signature" in caplog.text
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.ASKED
    assert _reveals(candidate.pk) == []


def test_the_link_of_another_introduction_or_an_earlier_request_is_refused(
    actor, portal_user, client_org, candidate
):
    first = _asked(actor, portal_user, client_org, candidate)
    _, first_token = consent_link()
    second = _asked(actor, portal_user, client_org, make_candidate(actor))

    with pytest.raises(IntroductionRefused, match="not valid"):
        introduction_answer_by_link(introduction_id=second.pk, token=first_token, accepted=True)
    # asking again voids the earlier link
    introduction_ask(actor=actor, introduction=first, base_url=BASE)
    with pytest.raises(IntroductionRefused, match="not valid"):
        introduction_answer_by_link(introduction_id=first.pk, token=first_token, accepted=True)
    assert (
        introduction_answer_by_link(
            introduction_id=first.pk, token=consent_link()[1], accepted=False
        ).status
        == IntroductionStatus.DECLINED
    )
    assert Disclosure.objects.filter(reference__startswith="introduction:").count() == 0


def test_a_client_asking_for_a_candidate_it_was_not_sent_is_refused_and_logged(
    actor, portal_user, *, client_org, other_org, candidate, caplog
):
    code = send_profile(actor, candidate, other_org)  # sent to another client only

    with (
        caplog.at_level(logging.WARNING),
        pytest.raises(
            IntroductionRefused, match=f"Candidate {code} was not sent to your organisation"
        ),
    ):
        introduction_request(
            actor=Actor.for_user(portal_user),
            organisation_id=client_org.pk,
            code=code,
            user_id=portal_user.pk,
        )

    assert "was not sent" in caplog.text or "not sent" in caplog.text
    assert Introduction.objects.count() == 0


def test_a_vacancy_of_another_client_is_refused(
    actor, portal_user, client_org, other_org, candidate
):
    theirs = make_vacancy(actor, other_org)

    with pytest.raises(IntroductionRefused, match="not one of your organisation"):
        _requested(actor, portal_user, client_org, candidate, vacancy_id=theirs.pk)

    assert Introduction.objects.count() == 0


def test_asking_twice_returns_the_open_request(actor, portal_user, client_org, candidate):
    first = _requested(actor, portal_user, client_org, candidate)

    again = _requested(actor, portal_user, client_org, candidate)

    assert again.pk == first.pk
    assert Introduction.objects.count() == 1


def test_a_phone_answer_needs_its_evidence_and_a_yes_reveals(
    actor, portal_user, client_org, candidate
):
    introduction = _requested(actor, portal_user, client_org, candidate)

    with pytest.raises(IntroductionRefused, match="how the candidate answered"):
        introduction_record_answer(
            actor=actor, introduction=introduction, accepted=True, via=AskedVia.PHONE, evidence=" "
        )
    assert _reveals(candidate.pk) == []

    done = introduction_record_answer(
        actor=actor,
        introduction=introduction,
        accepted=True,
        via=AskedVia.PHONE,
        evidence="Gebeld op 3 maart om 10u, akkoord gegeven aan An Peeters.",
    )

    assert done.status == IntroductionStatus.REVEALED
    assert done.recorded_by_id == actor.user_id
    assert done.asked_via == AskedVia.PHONE
    assert len(_reveals(candidate.pk)) == 1


def test_a_yes_from_a_candidate_who_restricted_their_data_reveals_nothing(
    actor, portal_user, client_org, candidate
):
    introduction = _asked(actor, portal_user, client_org, candidate)
    _, token = consent_link()
    restriction_start(actor=actor, person=candidate, ground="accuracy", via="email")

    answered = introduction_answer_by_link(
        introduction_id=introduction.pk, token=token, accepted=True
    )

    assert answered.status == IntroductionStatus.ACCEPTED  # the consultant sees why
    assert _reveals(candidate.pk) == []


def test_a_candidate_without_an_e_mail_address_cannot_be_asked_by_e_mail(
    actor, portal_user, client_org
):
    person = make_candidate(actor, emails=[], phones=["+32470999888"])
    introduction = _requested(actor, portal_user, client_org, person)
    mail.outbox.clear()

    with pytest.raises(IntroductionRefused, match="no e-mail address"):
        introduction_ask(actor=actor, introduction=introduction, base_url=BASE)

    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.REQUESTED
    assert mail.outbox == []


def test_the_token_is_bound_to_the_introduction(actor, portal_user, client_org, candidate):
    introduction = _asked(actor, portal_user, client_org, candidate)

    assert consent_token(introduction) == consent_link()[1]


def test_the_worker_s_daily_job_expires_unanswered_introductions(
    actor, portal_user, client_org, candidate
):
    from candor.privacy import jobs
    from candor.privacy.worker import load_job

    introduction = _asked(actor, portal_user, client_org, candidate)
    job = load_job(jobs.DAILY_JOBS["introductions_expire"])

    with time_machine.travel(clock.now() + dt.timedelta(days=20)):
        assert job(today=clock.today()) == {"expired": 1}

    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.EXPIRED
    assert _reveals(candidate.pk) == []
