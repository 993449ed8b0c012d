"""Authorization decisions for subject requests (R6.1): the DPO's pages and API operations;
merged into SITE_EXPECTATIONS and API_EXPECTATIONS by the matrix. Consultants record a request
received by phone (``requests.open``); everything else is the DPO's (``requests.manage``)."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.rights.requests import request_open
from candor.site.tests.matrix_roles import DOSSIER_READERS, Expectations

DPO = frozenset({"dpo"})

SITE: Expectations = {
    "privacy/requests/": (DPO, 200),  # the queues: inbox, due this week, overdue, open, all
    "privacy/requests/new/": (DOSSIER_READERS, 200),  # record a request (phone, desk, letter)
    "privacy/requests/<int:request_id>/": (DPO, 200),  # one request, its timeline; audited
    # Actions only take a POST: an allowed GET is 405, a refused role still gets 403.
    "privacy/requests/<int:request_id>/identity/": (DPO, 405),  # ask for proof of identity
    "privacy/requests/<int:request_id>/verify/": (DPO, 405),  # identity verified
    "privacy/requests/<int:request_id>/person/": (DPO, 405),  # choose among the matches
    "privacy/requests/<int:request_id>/extend/": (DPO, 405),  # extend, telling the person
    "privacy/requests/<int:request_id>/decide/": (DPO, 405),  # decide and carry out
    "privacy/requests/<int:request_id>/fee/": (DPO, 405),  # fee flag
    "privacy/requests/<int:request_id>/messages/": (DPO, 405),  # log a message in or out
    "privacy/requests/<int:request_id>/withdraw/": (DPO, 405),  # withdrawn by the requester
    "privacy/requests/<int:request_id>/residue/": (DPO, 405),  # residue of an erasure removed
}

API: dict[tuple[str, str], frozenset[str]] = {
    ("/api/v1/requests", "get"): DPO,
    ("/api/v1/requests", "post"): DOSSIER_READERS,
    ("/api/v1/requests/{reference}", "get"): DPO,
    ("/api/v1/requests/{reference}/verify", "post"): DPO,
    ("/api/v1/requests/{reference}/person", "post"): DPO,
    ("/api/v1/requests/{reference}/extend", "post"): DPO,
    ("/api/v1/requests/{reference}/decide", "post"): DPO,
    ("/api/v1/requests/{reference}/messages", "post"): DPO,
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """A request about nobody we hold (it leaves the shared sample person alone)."""
    request = request_open(
        actor=actor,
        kind="access",
        channel="email",
        requester_email="matrix.requester@example.com",
        acknowledge=False,
    )
    return {"request_id": request.pk, "reference": request.reference}  # type: ignore[dict-item]
