"""Demo data for the client portal (R4.1): the ``client`` log-in becomes a contact person of
the first client, which received a few anonymous profiles and asked to meet one candidate."""

from __future__ import annotations

from candor.accounts.models import User
from candor.core.actor import Actor
from candor.disclosure.mailings import profile_disclose
from candor.disclosure.profiles import profile_code
from candor.disclosure.services import DisclosureRefused
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.portal.services import introduction_request
from candor.relations.models import Organisation
from candor.relations.services import contact_person_create

PROFILES = 5


def demo_portal(
    *, consultant: Actor, user: User, client: Organisation, person_ids: list[int]
) -> int:
    """Link the portal log-in to ``client``, send it up to ``PROFILES`` profiles and ask to meet
    the first candidate; returns how many profiles were sent."""
    contact = contact_person_create(
        actor=consultant,
        organisation=client,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=consultant.user_id),
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
    )
    User.objects.filter(pk=user.pk).update(contact=contact)
    sent: list[int] = []
    for person_id in person_ids:
        if len(sent) == PROFILES:
            break
        try:
            profile_disclose(actor=consultant, person_id=person_id, organisation=client)
        except DisclosureRefused:
            continue  # restricted or objecting demo candidates are never sent
        sent.append(person_id)
    if sent:
        first = Person.objects.get(pk=sent[0])
        introduction_request(
            actor=Actor.for_user(user),
            organisation_id=client.pk,
            code=profile_code(first.pseudonym),
            user_id=user.pk,
        )
    return len(sent)
