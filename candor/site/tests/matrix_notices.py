"""Authorization decisions for the DPO's notice pages (R2.2); merged into SITE_EXPECTATIONS."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.privacy.models import NoticeDuty
from candor.privacy.notices import notice_duties_open
from candor.site.tests.matrix_roles import Expectations

DPO = frozenset({"dpo"})

SITE: Expectations = {
    "privacy/notices/": (DPO, 200),  # open, overdue and impossible notices
    "privacy/notices/<int:duty_id>/": (DPO, 200),  # one duty and its notice; audited
    "privacy/notices/<int:duty_id>/send/": (DPO, 302),  # send now (POST); GET → the duty
    "privacy/notices/<int:duty_id>/impossible/": (DPO, 302),  # with a note (POST); GET → duty
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """A duty for the shared sample person, as if their data came from a medium."""
    source = ProvenanceSpec.parse("medium:LinkedIn", channel="import", recorded_by_id=actor.user_id)
    person = Person.objects.get(pk=found["person_id"])
    notice_duties_open(person_ids=[person.pk], provenance=source.row())
    return {"duty_id": NoticeDuty.objects.get(person=person).pk}
