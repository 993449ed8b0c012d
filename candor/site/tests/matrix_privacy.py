"""Authorization decisions for the privacy pages; merged into SITE_EXPECTATIONS by the matrix."""

from __future__ import annotations

from candor.api.tests.factories import make_candidate
from candor.core.actor import Actor
from candor.privacy.services import objection_record, restriction_start
from candor.site.tests.matrix_roles import DOSSIER_READERS, Expectations

DPO = frozenset({"dpo"})
CONSULTANT = frozenset({"consultant"})

SITE: Expectations = {
    "people/<int:person_id>/privacy/": (DOSSIER_READERS, 200),  # purposes, consents, retention
    # Changes only take a POST: an allowed GET is 405, a refused role still gets 403.
    "people/<int:person_id>/consents/": (DOSSIER_READERS, 405),  # record a consent
    "people/<int:person_id>/consents/withdraw/": (DOSSIER_READERS, 405),  # one-step withdrawal
    "people/<int:person_id>/objections/": (DOSSIER_READERS, 405),  # record an objection
    "objections/<int:objection_id>/withdraw/": (DOSSIER_READERS, 405),  # the person takes it back
    "objections/<int:objection_id>/override/": (DPO, 405),  # compelling grounds: the DPO's call
    "people/<int:person_id>/restrictions/": (DOSSIER_READERS, 405),  # restrict processing
    "restrictions/<int:restriction_id>/lift/": (DPO, 405),  # lifting: the DPO's call
    "people/<int:person_id>/career-end/": (CONSULTANT, 405),  # career end (retention)
    "privacy/": (DPO, 200),  # the DPO's privacy desk
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """Real objects for this area's URL parameters (``found`` holds the shared ones)."""
    # a person of their own: a restricted candidate leaves the candidate list other tests read
    person = make_candidate(actor)
    objection = objection_record(actor=actor, person=person, purpose="mediation", via="email")
    restriction = restriction_start(actor=actor, person=person, ground="accuracy", via="email")
    return {"objection_id": objection.pk, "restriction_id": restriction.pk}
