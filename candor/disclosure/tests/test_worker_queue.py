"""``candor worker`` sends queued mailings at every check, not once a day (R4.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.disclosure.mailings import mailing_prepare, mailing_queue
from candor.disclosure.models import Mailing, MailingStatus
from candor.disclosure.tests.test_mailings import _client_with_contact
from candor.privacy.worker import run_queued

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.1")]


def _queued(actor: Actor) -> Mailing:
    prepared = mailing_prepare(
        actor=actor,
        subject="Profielen",
        person_ids=[make_candidate(actor).pk],
        organisation_ids=[_client_with_contact(actor).pk],
    )
    return mailing_queue(actor=actor, mailing=prepared.mailing)


def test_worker_once_sends_a_queued_mailing_and_reports_it(actor: Actor, capsys: Any) -> None:
    mailing = _queued(actor)

    call_command("worker", "--once")

    assert "mailings: done" in capsys.readouterr().out
    assert len(mail.outbox) == 1
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.DONE
    call_command("worker", "--once")  # the same day, again: the queue is checked again
    assert len(mail.outbox) == 1  # and nothing is sent twice


def test_a_failing_queue_is_reported_and_the_next_check_tries_again(actor: Actor) -> None:
    (ran,) = run_queued(jobs={"broken": "candor.disclosure.mailings:no_such_job"})
    assert (ran.status, ran.outcome["error"]) == ("failed", "AttributeError")

    _queued(actor)
    (ran,) = run_queued()
    assert (ran.job, ran.status, ran.outcome["sent"]) == ("mailings", "done", 1)
    (ran,) = run_queued()
    assert ran.status == "skipped"
