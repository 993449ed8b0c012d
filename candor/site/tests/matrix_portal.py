"""Authorization decisions for the client portal and introductions on consent (R4.1, R7.1);
merged into SITE_EXPECTATIONS.

The portal (``/clients/``) is for client contacts (role ``client``) only; every staff role gets
403 there, as client contacts get 403 on every back-office page. The candidate's consent page
needs no log-in: its signed link is the key (a wrong link is tested in the portal's tests).
Consultants act on introduction requests in the back office.
"""

from __future__ import annotations

from candor.accounts.models import Role, User
from candor.core.actor import Actor
from candor.disclosure.mailings import profile_disclose
from candor.disclosure.profiles import profile_code
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.portal.services import consent_token, introduction_ask, introduction_request
from candor.relations.models import Organisation
from candor.relations.services import contact_person_create
from candor.site.tests.matrix_roles import CONSULTANT, EVERYONE, Expectations

CLIENT = frozenset({"client"})

SITE: Expectations = {
    "clients/": (CLIENT, 200),  # the portal's overview
    "clients/vacancies/": (CLIENT, 200),  # the organisation's vacancies
    "clients/vacancies/<int:vacancy_id>/": (CLIENT, 200),  # one of them (others': 404)
    "clients/profiles/": (CLIENT, 200),  # anonymous profiles received (the ledger)
    "clients/profiles/<str:code>/": (CLIENT, 200),  # one, as sent (unsent: 404)
    "clients/profiles/<str:code>/introduce/": (CLIENT, 302),  # ask to meet (POST)
    "clients/introductions/": (CLIENT, 200),  # the organisation's requests
    "clients/introductions/<int:introduction_id>/": (CLIENT, 200),  # one (others': 404)
    "clients/revealed/": (CLIENT, 200),  # candidates who agreed
    # the candidate's answer page: no log-in, the signed link decides
    "clients/consent/<int:introduction_id>/<str:token>/": (EVERYONE, 200),
    "disclosure/introductions/": (CONSULTANT, 200),  # requests to act on
    "disclosure/introductions/<int:introduction_id>/": (CONSULTANT, 200),  # one, with forms
    "disclosure/introductions/<int:introduction_id>/ask/": (CONSULTANT, 302),  # e-mail (POST)
    "disclosure/introductions/<int:introduction_id>/answer/": (CONSULTANT, 302),  # record (POST)
    "disclosure/introductions/<int:introduction_id>/revoke/": (CONSULTANT, 302),  # (POST)
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """The client persona becomes a contact of the sample client, which received the sample
    candidate's profile and asked to meet them; the candidate was asked by e-mail."""
    client = Organisation.objects.get(pk=found["organisation_id"])
    contact = contact_person_create(
        actor=actor,
        organisation=client,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Hilde",
        last_name="Portaal",
        email="hilde.portaal@client.example.com",
    )
    User.objects.filter(role=Role.CLIENT).update(contact=contact)
    person = Person.objects.get(pk=found["person_id"])
    profile_disclose(actor=actor, person_id=person.pk, organisation=client)
    code = profile_code(person.pseudonym)
    introduction = introduction_request(
        actor=actor, organisation_id=client.pk, code=code, user_id=None
    )
    introduction = introduction_ask(
        actor=actor, introduction=introduction, base_url="http://testserver"
    )
    return {
        "code": code,  # type: ignore[dict-item]
        "introduction_id": introduction.pk,
        "token": consent_token(introduction),  # type: ignore[dict-item]
    }
