"""Authorization decisions for the disclosure pages (R4.1, R4.4); merged into SITE_EXPECTATIONS.

Consultants prepare and send anonymous mailings and hand out single profiles; the DPO follows
the mailings and keeps the processor register, which administrators may read.
"""

from __future__ import annotations

from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.mailings import mailing_prepare
from candor.disclosure.processors import agreement_add, processor_save
from candor.people.services import ProvenanceSpec
from candor.relations.models import Organisation
from candor.relations.services import contact_person_create
from candor.site.tests.matrix_roles import (
    CONSULTANT,
    DOSSIER_READERS,
    REGISTRY_READERS,
    Expectations,
)

DPO = frozenset({"dpo"})

SITE: Expectations = {
    "disclosure/mailings/": (DOSSIER_READERS, 200),  # mailings and their progress
    "disclosure/mailings/new/": (CONSULTANT, 200),  # form: choose candidates and clients
    "disclosure/mailings/<int:mailing_id>/": (DOSSIER_READERS, 200),  # profiles, recipients
    "disclosure/mailings/<int:mailing_id>/progress/": (DOSSIER_READERS, 200),  # polled fragment
    "disclosure/mailings/<int:mailing_id>/pitch/": (CONSULTANT, 302),  # clear a text (POST)
    "disclosure/mailings/<int:mailing_id>/queue/": (CONSULTANT, 302),  # send (POST)
    "disclosure/profiles/<int:person_id>/": (CONSULTANT, 200),  # anonymous profile preview
    "disclosure/profiles/<int:person_id>/download/": (CONSULTANT, 302),  # recorded (POST)
    "disclosure/processors/": (REGISTRY_READERS, 200),  # the processor register
    "disclosure/processors/new/": (DPO, 200),  # form: new register entry
    "disclosure/processors/<int:processor_id>/": (REGISTRY_READERS, 200),  # entry, agreements
    "disclosure/processors/<int:processor_id>/edit/": (DPO, 200),  # form: change the entry
    "disclosure/processors/<int:processor_id>/agreements/new/": (DPO, 200),  # form: agreement
    "disclosure/processors/<int:processor_id>/transfer/": (CONSULTANT, 200),  # form; recorded
    # the signed copy; the sample agreement has no file, so the allowed GET answers 404
    "disclosure/processors/<int:processor_id>/agreements/<int:agreement_id>/file/": (
        REGISTRY_READERS,
        404,
    ),
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """A draft mailing of the sample candidate to the sample client (given a contact), and a
    processor with an agreement."""
    client = Organisation.objects.get(pk=found["organisation_id"])
    contact_person_create(
        actor=actor,
        organisation=client,
        source=ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id),
        first_name="Hilde",
        last_name="Matrix",
        email="hilde.matrix@client.example.com",
    )
    prepared = mailing_prepare(
        actor=actor,
        subject="Profielen",
        person_ids=[found["person_id"]],
        organisation_ids=[client.pk],
    )
    processor = processor_save(
        actor=actor,
        data={
            "name": "Archief Opslag NV",
            "service": "storage",
            "categories": ["career"],
            "country": "BE",
            "review_on": clock.today(),
        },
    )
    agreement = agreement_add(actor=actor, processor=processor, signed_on=clock.today())
    return {
        "mailing_id": prepared.mailing.pk,
        "processor_id": processor.pk,
        "agreement_id": agreement.pk,
    }
