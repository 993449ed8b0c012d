"""The retention review queue (R5.1): the DPO sees who the sweep erases soon, with the date and
the rule, page by page; nobody else sees it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from candor.api.tests.factories import make_candidates
from candor.core import clock
from candor.people.models import Person
from candor.privacy.models import RestrictionGround
from candor.privacy.retention import retention_refresh
from candor.privacy.selectors import retention_due
from candor.privacy.services import restriction_start
from candor.site.pages import retention as page

pytestmark = [pytest.mark.django_db, pytest.mark.req("R5.1")]


def careers_ending(actor: Any, days: list[int]) -> list[Person]:
    people = make_candidates(actor, len(days))
    for person, offset in zip(people, days, strict=True):
        Person.objects.filter(pk=person.pk).update(
            career_ended_on=clock.today() + dt.timedelta(days=offset)
        )
    retention_refresh([p.pk for p in people])
    return people


def test_the_queue_lists_the_people_due_within_the_review_period_oldest_first(actor):
    late, soon, later = careers_ending(actor, [-5, 10, 200])
    queue = retention_due()
    assert queue.count() == 2
    rows = queue[0:10]
    assert [d.person.pk for d in rows] == [late.pk, soon.pk]
    assert rows[0].kept_until == clock.today() - dt.timedelta(days=5)
    assert rows[0].rule == "candidate"
    assert [d.person.pk for d in retention_due(within_days=365)[0:10]] == [
        late.pk,
        soon.pk,
        later.pk,
    ]


def test_the_dpo_sees_the_queue_with_dates_rules_and_holds(actor, dpo, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    late, soon = careers_ending(actor, [-5, 10])
    restriction_start(actor=actor, person=soon, ground=RestrictionGround.LEGAL_CLAIMS, via="email")
    client = Client(headers={"accept-language": "en"})
    client.force_login(dpo)

    response = client.get(reverse("site:retention_review"))

    assert response.status_code == 200
    text = response.content.decode()
    assert late.last_name in text
    assert "End of the active career" in text
    assert "Held: a restriction" in text


def test_the_queue_is_paginated_and_the_period_can_be_chosen(actor, dpo, monkeypatch):
    monkeypatch.setattr(page, "PER_PAGE", 2)
    careers_ending(actor, [-3, -2, -1, 100])
    client = Client(headers={"accept-language": "en"})
    client.force_login(dpo)

    first = client.get(reverse("site:retention_review"))
    assert len(first.context["page"].object_list) == 2
    assert first.context["page"].paginator.count == 3
    wider = client.get(reverse("site:retention_review"), {"days": "365", "page": "2"})
    assert len(wider.context["page"].object_list) == 2
    assert client.get(reverse("site:retention_review"), {"days": "x"}).context["days"] == 30


def test_a_consultant_may_not_open_the_queue(consultant):
    client = Client()
    client.force_login(consultant)
    assert client.get(reverse("site:retention_review")).status_code == 403


def test_the_queue_reads_one_person_or_all_of_them(actor):
    late, soon = careers_ending(actor, [-5, 10])
    queue = retention_due()
    assert len(queue) == 2
    assert queue[1].person.pk == soon.pk
    assert [d.person.pk for d in queue] == [late.pk, soon.pk]
