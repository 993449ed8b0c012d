"""A client with a vacancy, the consultant posted there, a user of that client, and candidates
the search finds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from candor.accounts.models import Role, User
from candor.api.tests.factories import make_candidate, make_client, make_vacancy
from candor.core import clock
from candor.core.actor import Actor
from candor.inhouse.models import Posting
from candor.inhouse.services import posting_create
from candor.people.models import Person
from candor.recruitment.models import Vacancy
from candor.relations.models import Organisation


@dataclass
class World:
    client: Organisation
    vacancy: Vacancy
    other_vacancy: Vacancy  # another client's
    posting: Posting
    client_user: User
    candidates: list[Person]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(consultant: User, administrator: User, make_user: Any) -> World:
    actor = Actor.for_user(consultant)
    client = make_client(actor, name="Havenlogistiek NV")
    other = make_client(actor, name="Brouwerij Zuid BV")
    vacancy = make_vacancy(actor, client, title="Heftruckchauffeur")
    other_vacancy = make_vacancy(actor, other, title="Brouwer")
    posting = posting_create(
        actor=Actor.for_user(administrator),
        consultant=consultant,
        organisation=client,
        starts_on=clock.today() - dt.timedelta(days=730),  # tests move the clock back
    )
    client_user = make_user(
        "hr.haven", Role.INHOUSE_CLIENT, first_name="Ines", last_name="Haven", client=client
    )
    candidates = [
        make_candidate(actor, desired_function="Heftruckchauffeur", skills=["heftruck"])
        for _ in range(3)
    ]
    return World(client, vacancy, other_vacancy, posting, client_user, candidates)
