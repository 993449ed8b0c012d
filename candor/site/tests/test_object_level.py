"""Who may open which object (R7.1, R4.1, R4.2): the object-level half of the authorization
matrix, walked over every URL of the project.

Scoping as designed (docs/architecture.md "Roles"): consultants, the DPO and the administrator
work agency-wide — a consultant of the Liège office opens an Antwerp candidate as any other,
because candidates apply to the agency, not to an office; what a staff role may do is decided
per route by the role matrix (``test_authorization_matrix.py``). What *is* scoped to objects:

- a client contact (role ``client``) sees only their own organisation's vacancies, received
  profiles and introduction requests in the portal (``/clients/``);
- an in-house client user sees only what a session of their own organisation lists;
- a consultant reaches only the supervision sessions they opened (at clients they are posted
  at), not a colleague's;
- the candidate's consent link opens only the introduction it was signed for.

Two client organisations, A and B, each get the full set of objects. For every URL pattern of
the project and every role that could see A's objects, the walk fills the URL's ids with B's
objects and checks the answer is a refusal (400, 403 or 404), that nothing of B appears in the
page, and that nothing was written. Lists are checked the same way: A's users never see B's
names. The same users with A's own ids get the page, so the refusals are about the object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from candor.accounts.models import Role, User
from candor.api.tests.factories import make_application, make_candidate, make_client, make_vacancy
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.mailings import profile_disclose
from candor.disclosure.profiles import profile_code
from candor.inhouse.models import SupervisionSession
from candor.inhouse.services import SEARCH_FILTERS, posting_create, session_open
from candor.people.services import ProvenanceSpec
from candor.portal.models import Introduction
from candor.portal.services import consent_token, introduction_ask, introduction_request
from candor.recruitment.models import Application, Vacancy
from candor.relations.services import contact_person_create
from candor.site.tests.test_authorization_matrix import (
    _PARAM,
    SITE_EXPECTATIONS,
    _excluded,
    _project_routes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1", "R4.1", "R4.2")]

REFUSED = {400, 403, 404}


@dataclass
class World:
    """One client organisation with everything a user could reach by id."""

    ids: dict[str, Any]
    markers: tuple[str, ...]  # text that only this organisation's objects hold
    contact_user: User
    inhouse_user: User
    consultant: User


def _world(letter: str, consultant: User, contact_user: User, inhouse_user: User) -> World:
    actor = Actor.for_user(consultant)
    organisation = make_client(actor, name=f"Bakkerij Zuidlaan{letter}q")
    vacancy = make_vacancy(actor, organisation, title=f"Broodbakker{letter}q")
    person = make_candidate(actor, first_name="Wout", last_name=f"Verhaegen{letter}q")
    application = make_application(actor, person, vacancy)
    source = ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id)
    contact = contact_person_create(
        actor=actor,
        organisation=organisation,
        source=source,
        first_name="Hilde",
        last_name=f"Portaal{letter}q",
        email=f"hilde.{letter.lower()}@client.example.com",
    )
    contact_user.contact = contact
    contact_user.save(update_fields=["contact"])
    inhouse_user.client = organisation
    inhouse_user.save(update_fields=["client"])
    profile_disclose(actor=actor, person_id=person.pk, organisation=organisation)
    code = profile_code(person.pseudonym)
    introduction = introduction_request(
        actor=actor, organisation_id=organisation.pk, code=code, user_id=contact_user.pk
    )
    introduction = introduction_ask(
        actor=actor, introduction=introduction, base_url="http://testserver"
    )
    posting_create(
        actor=actor, consultant=consultant, organisation=organisation, starts_on=clock.today()
    )
    session = session_open(
        actor=actor,
        consultant=consultant,
        client_user=inhouse_user,
        vacancy_ids=[vacancy.pk],
        filters=SEARCH_FILTERS,
    )
    ids = {
        "organisation_id": organisation.pk,
        "vacancy_id": vacancy.pk,
        "person_id": person.pk,
        "application_id": application.pk,
        "code": code,
        "introduction_id": introduction.pk,
        "token": consent_token(introduction),
        "session_id": session.pk,
    }
    # (the profile code is not one: it is the id typed in the URL, which pages may repeat)
    markers = (organisation.name, vacancy.title, person.last_name, f"Portaal{letter}q")
    return World(ids, markers, contact_user, inhouse_user, consultant)


@pytest.fixture
def worlds(
    consultant: User, colleague: User, client_contact: User, inhouse_user: User, make_user: Any
) -> tuple[World, World]:
    a = _world("A", consultant, client_contact, inhouse_user)
    b = _world(
        "B",
        colleague,
        make_user("klant.b", Role.CLIENT, first_name="Bart", last_name="Klant"),
        make_user("client.user.b", Role.INHOUSE_CLIENT),
    )
    return a, b


# Routes whose objects belong to someone, for the roles that may use the route at all: with
# another's object they must refuse. The consent link is scoped for everyone by its signature.
CONSENT = "clients/consent/<int:introduction_id>/<str:token>/"
SCOPED = {
    "client": lambda route: route.startswith("clients/"),
    "inhouse_client": lambda route: route.startswith("inhouse/"),
    "consultant": lambda route: route.startswith("inhouse/sessions/"),
}
ROLES = ("client", "inhouse_client", "consultant", "dpo", "administrator", "site", "anonymous")


def _user(role: str, a: World, users: dict[str, User]) -> User | None:
    return {"client": a.contact_user, "inhouse_client": a.inhouse_user}.get(role, users.get(role))


def _fill(route: str, values: dict[str, Any]) -> str:
    # Ids no object of this test has (mailings, requests …): refused or agency-wide anyway.
    return "/" + _PARAM.sub(lambda m: str(values.get(m.group(1), 987654321)), route)


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Introduction, SupervisionSession, Application, Vacancy, AuditEvent)
    }


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _routes() -> list[str]:
    return sorted(
        r for r in _project_routes() if not _excluded(r) and not r.startswith("api/")
    )  # API operations: test_object_level_api.py


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_another_clients_objects_by_changing_an_id(
    role: str, worlds: tuple[World, World], dpo: User, administrator: User, site_user: User
) -> None:
    a, b = worlds
    users = {"consultant": a.consultant, "dpo": dpo, "administrator": administrator}
    users["site"] = site_user
    user = _user(role, a, users)
    client = Client()
    if user is not None:
        client.force_login(user)
    foreign = {**b.ids, "token": a.ids["token"]}  # B's introduction with A's signed link
    problems = []
    for route in _routes():
        allowed, ok_status = SITE_EXPECTATIONS.get(route, (frozenset(), 0))
        scoped = route == CONSENT or (role in SCOPED and SCOPED[role](route))
        if role in allowed and not scoped:
            continue  # agency-wide or public by design; who may is the role matrix's part
        url = _fill(route, foreign)
        has_ids = url != "/" + route
        before = _counts()
        for method in ("get", "post"):
            response = getattr(client, method)(url, {})
            leaked = [m for m in b.markers if m in _body(response)]
            if leaked:
                problems.append(f"{method} {url} as {role}: shows {leaked}")
            refused = response.status_code in REFUSED or (
                # an action (POST, answers a redirect) may refuse with a message on the page it
                # sends back to; what matters is that it wrote nothing (checked below)
                ok_status == 302 and response.status_code == 302
            )
            if has_ids and role in allowed and not refused:
                problems.append(f"{method} {url} as {role}: {response.status_code}, not refused")
        if _counts() != before:
            problems.append(f"{url} as {role}: wrote {before} -> {_counts()}")

    assert problems == [], "\n".join(problems)


def test_the_same_users_reach_their_own_objects(worlds: tuple[World, World]) -> None:
    a, b = worlds
    assert set(a.ids) == WORLD_IDS
    own = {
        a.contact_user: [r for r in _routes() if SCOPED["client"](r) and r != CONSENT],
        a.consultant: [r for r in _routes() if SCOPED["consultant"](r)],
    }
    problems = []
    for user, routes in own.items():
        client = Client()
        client.force_login(user)
        for route in routes:
            expected = SITE_EXPECTATIONS[route][1]
            status = client.get(_fill(route, a.ids)).status_code
            if status != expected:
                problems.append(f"{route} as {user.role}: {status}, expected {expected}")
    page = Client().get(_fill(CONSENT, a.ids))
    inhouse = Client()
    inhouse.force_login(a.inhouse_user)

    assert problems == []
    assert page.status_code == 200  # the candidate's own link opens their own request
    assert inhouse.get("/inhouse/").status_code == 200
    # and B's users see B's objects, not A's
    portal = Client()
    portal.force_login(b.contact_user)
    listing = _body(portal.get("/clients/vacancies/"))
    assert b.markers[1] in listing
    assert not [m for m in a.markers if m in listing]


WORLD_IDS = {
    "organisation_id",
    "vacancy_id",
    "person_id",
    "application_id",
    "code",
    "introduction_id",
    "token",
    "session_id",
}


def test_every_id_of_an_object_scoped_route_gets_a_real_foreign_object() -> None:
    # A new scoped route with a new kind of id must get that object in ``_world``; otherwise the
    # walk would only try an id of nothing, which proves no scoping.
    missing = {}
    for route in _routes():
        allowed = SITE_EXPECTATIONS.get(route, (frozenset(), 0))[0]
        scoped = any(test(route) and role in allowed for role, test in SCOPED.items())
        if scoped and (unknown := set(_PARAM.findall(route)) - WORLD_IDS):
            missing[route] = unknown

    assert missing == {}
