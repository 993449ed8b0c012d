"""Fixtures for the portal tests: a client with a contact who has a portal log-in, a second
client likewise, and helpers to send a profile (a real ledger row) and to read the consent link
out of the e-mail the candidate received."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from candor.accounts.models import Role, User
from candor.api.tests.factories import make_candidate, make_client
from candor.core.actor import Actor
from candor.disclosure.mailings import profile_disclose
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.relations.models import Organisation
from candor.relations.services import contact_person_create

_serial = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def portal_user_for(make_user: Callable[..., User], actor: Actor) -> Callable[..., User]:
    """``portal_user_for(org)``: a client contact of ``org`` with a portal log-in."""

    def make(organisation: Organisation) -> User:
        n = next(_serial)
        contact = contact_person_create(
            actor=actor,
            organisation=organisation,
            source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
            first_name="Hilde",
            last_name=f"Klant{n}",
            email=f"hilde.klant{n}@client.example.com",
        )
        return make_user(f"klant{n}", Role.CLIENT, contact=contact)

    return make


@pytest.fixture
def client_org(actor: Actor) -> Organisation:
    return make_client(actor, name="Logistiek Noord NV")


@pytest.fixture
def other_org(actor: Actor) -> Organisation:
    return make_client(actor, name="Bouwbedrijf Zuid BV")


@pytest.fixture
def portal_user(portal_user_for: Callable[..., User], client_org: Organisation) -> User:
    return portal_user_for(client_org)


@pytest.fixture
def candidate(actor: Actor) -> Person:
    return make_candidate(
        actor,
        first_name="Sofie",
        last_name="Vermeulen",
        emails=["sofie.vermeulen@example.com"],
        phones=["+32470123456"],
    )


def send_profile(actor: Actor, person: Person, organisation: Organisation) -> str:
    """Give the client the candidate's anonymous profile (recorded in the ledger); its code."""
    from candor.disclosure.profiles import profile_code

    profile_disclose(actor=actor, person_id=person.pk, organisation=organisation)
    return profile_code(person.pseudonym)


def consent_link(message: Any = None) -> tuple[int, str]:
    """(introduction id, token) from the last consent e-mail."""
    message = message or mail.outbox[-1]
    found = re.search(r"/clients/consent/(\d+)/([^/\s]+)/", message.body)
    assert found, message.body
    return int(found.group(1)), found.group(2)
