"""The retention sweep (R5.1): who is past their date goes, batch by batch, and nobody else."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command

from candor.api.tests.factories import make_candidates
from candor.audit.models import AuditEvent
from candor.audit.services import audit_verify
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import ContactPoint, Person
from candor.privacy import sweep
from candor.privacy.models import RestrictionGround
from candor.privacy.retention import retention_refresh
from candor.privacy.services import restriction_start
from candor.privacy.sweep import daily_job, retention_sweep

pytestmark = [pytest.mark.django_db, pytest.mark.req("R5.1")]

SYSTEM = Actor.system("retention")


def ended_careers(actor: Actor, count: int, *, days_ago: int = 10) -> list[Person]:
    """Candidates whose recorded career end has passed: due for erasure."""
    people = make_candidates(actor, count)
    ended = clock.today() - dt.timedelta(days=days_ago)
    Person.objects.filter(pk__in=[p.pk for p in people]).update(career_ended_on=ended)
    retention_refresh([p.pk for p in people])
    return people


def working(actor: Actor, count: int = 1) -> list[Person]:
    people = make_candidates(actor, count, birth_date=dt.date(1990, 5, 1))
    retention_refresh([p.pk for p in people])
    return people


def state(person: Person) -> tuple[bool, bool]:
    """(erased, has contact points): a person is either (True, False) or (False, True)."""
    erased = Person.objects.get(pk=person.pk).erased_at is not None
    return erased, ContactPoint.objects.filter(person=person).exists()


def test_the_people_past_their_date_are_erased_and_nobody_else(actor):
    due = ended_careers(actor, 3)
    kept = working(actor, 2)

    report = retention_sweep(actor=SYSTEM, batch=2)

    assert (report.due, report.erased, report.moved) == (3, 3, 0)
    assert report.by_rule == {"candidate": 3}
    assert [state(p) for p in due] == [(True, False)] * 3
    assert [state(p) for p in kept] == [(False, True)] * 2
    reasons = set(
        AuditEvent.objects.filter(action="erase").values_list("detail__reason", flat=True)
    )
    assert reasons == {"retention:candidate"}
    assert audit_verify().ok


def test_a_person_whose_date_moved_since_is_skipped_and_gets_the_new_date(actor):
    (person,) = working(actor)
    Person.objects.filter(pk=person.pk).update(kept_until=clock.today() - dt.timedelta(days=3))

    report = retention_sweep(actor=SYSTEM)

    assert (report.due, report.erased, report.moved) == (1, 0, 1)
    person.refresh_from_db()
    assert person.erased_at is None
    assert person.kept_until > clock.today()


def test_people_without_a_date_get_one_and_are_swept_when_it_has_passed(actor):
    (due,) = ended_careers(actor, 1)
    (fine,) = working(actor)
    Person.objects.filter(pk__in=[due.pk, fine.pk]).update(kept_until=None)

    report = retention_sweep(actor=SYSTEM)

    assert report.refreshed == 2
    assert report.erased == 1
    assert state(due) == (True, False)
    fine.refresh_from_db()
    assert fine.kept_until is not None


def test_a_dry_run_lists_who_would_go_and_changes_nothing(actor):
    due = ended_careers(actor, 2)
    Person.objects.filter(pk=due[1].pk).update(kept_until=None)
    events = AuditEvent.objects.count()

    report = retention_sweep(actor=SYSTEM, dry_run=True)

    assert report.erased == 2
    assert sorted(pk for pk, _day, _rule in report.listed) == sorted(p.pk for p in due)
    assert [state(p) for p in due] == [(False, True)] * 2
    assert Person.objects.get(pk=due[1].pk).kept_until is None
    assert AuditEvent.objects.count() == events


def test_a_restriction_asked_to_keep_the_data_holds_the_erasure(actor):
    held, gone = ended_careers(actor, 2)
    restriction_start(actor=actor, person=held, ground=RestrictionGround.LEGAL_CLAIMS, via="email")

    report = retention_sweep(actor=SYSTEM)

    assert (report.erased, report.held) == (1, 1)
    assert state(held) == (False, True)
    assert state(gone) == (True, False)


def test_a_sweep_that_fails_midway_leaves_nobody_half_erased_and_a_rerun_finishes(
    actor, monkeypatch
):
    people = ended_careers(actor, 5)
    real = sweep.people_erase
    calls = {"n": 0}

    def failing_in_the_second_batch(**kwargs: Any) -> Any:
        calls["n"] += 1
        result = real(**kwargs)
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return result

    monkeypatch.setattr(sweep, "people_erase", failing_in_the_second_batch)
    with pytest.raises(RuntimeError):
        retention_sweep(actor=SYSTEM, batch=2)

    states = [state(p) for p in people]
    assert states == [(True, False)] * 2 + [(False, True)] * 3
    monkeypatch.setattr(sweep, "people_erase", real)

    report = retention_sweep(actor=SYSTEM, batch=2)

    assert (report.due, report.erased) == (3, 3)
    assert [state(p) for p in people] == [(True, False)] * 5
    assert audit_verify().ok


def test_the_sweep_reads_only_the_people_due(actor, django_assert_max_num_queries):
    working(actor, 3)
    # refresh (none missing) + due (none): the database size does not add queries
    with django_assert_max_num_queries(2):
        report = retention_sweep(actor=SYSTEM)
    assert report.due == 0


def test_the_command_reports_by_rule_and_the_dry_run_lists_ids_not_names(actor):
    due = ended_careers(actor, 2)
    out = io.StringIO()
    call_command("retention", "sweep", "--dry-run", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert f"#{due[0].pk}\t" in text
    assert due[0].last_name not in text
    assert "2 due, 2 would be erased" in text
    assert "dry run" in text

    out = io.StringIO()
    call_command("retention", "sweep", "--batch", "1", stdout=out, stderr=io.StringIO())
    assert "2 due, 2 erased, 0 skipped" in out.getvalue()
    assert "candidate: 2" in out.getvalue()


def test_the_daily_job_returns_counts_without_personal_values(actor):
    ended_careers(actor, 1)
    outcome = daily_job(today=clock.today())
    assert outcome["erased"] == 1
    assert outcome["by_rule"] == {"candidate": 1}
