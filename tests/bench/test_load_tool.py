"""The scale-out load tool (``bench/scale_out.py``) against a live server: it signs in through
the real log-in form, sends forms as a browser would, and tells a won save from a stale-edit
refusal and a lost update. The timed run itself is a benchmark, not a test (no timings here)."""

from __future__ import annotations

from typing import Any

import pytest
from load_scenario import judge_round, logout_reaches_every_server
from loadclient import Browser, RoundRobin, Stats, form_with, parse_server, percentile, sign_in

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.people.models import Person
from candor.testing.personas import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.req("R7.1")]


def _servers(live_server: Any) -> RoundRobin:
    address = parse_server(live_server.url.removeprefix("http://"))
    return RoundRobin([address, address])  # one live server standing in for two


def test_two_editors_of_one_person_one_wins_and_the_judge_sees_no_lost_update(
    live_server: Any, actor: Actor, consultant: User, colleague: User
) -> None:
    person = make_candidate(actor, first_name="Hanne", last_name="Claeys", notes="")
    rr, stats = _servers(live_server), Stats()
    first, second = Browser(rr, stats), Browser(rr, stats)
    assert sign_in(first, consultant.username, PASSWORD)
    assert sign_in(second, colleague.username, PASSWORD)
    url = f"/people/{person.pk}/edit/"
    forms = []
    for browser in (first, second):
        page = browser.get(url, route="form")
        assert page is not None
        form = form_with(page.body, "updated_at")
        assert form is not None
        forms.append(form)
    typed = ["after 17:00 please", "Rijbewijs B en C"]
    answers = []
    for browser, form, text in zip((first, second), forms, typed, strict=True):
        form.values["notes"] = text
        answers.append(browser.post(url, form.values, route="save", expect=(200, 302)))

    def stored() -> str:
        return Person.objects.values_list("notes", flat=True).get(pk=person.pk)

    assert [a.status for a in answers] == [302, 200]
    assert judge_round(1, answers, typed, stored) == "ok"
    assert stored() == typed[0]
    # Had the second save been written over the first, the judge would say so.
    assert "LOST UPDATE" in judge_round(2, answers, typed, lambda: typed[1])
    assert not stats.failures


def test_the_tool_counts_a_refused_sign_in_and_an_unexpected_status_as_failures(
    live_server: Any, consultant: User
) -> None:
    rr, stats = _servers(live_server), Stats()
    browser = Browser(rr, stats)

    assert not sign_in(browser, consultant.username, "not the password")
    assert browser.get("/candidates/", route="list") is not None  # signed out: a redirect

    assert [s.status for s in stats.failures] == [302]
    assert any("log-in of" in p for p in stats.problems)


def test_signing_out_on_one_server_ends_the_session_on_the_other(
    live_server: Any, consultant: User
) -> None:
    rr = _servers(live_server)
    assert logout_reaches_every_server(rr, Stats(), consultant.username, PASSWORD) == ""


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.95) == 0.0
