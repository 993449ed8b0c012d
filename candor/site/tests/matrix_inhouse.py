"""Authorization decisions for supervised in-house access (R4.2) and trajectory reports to the
sponsor (R4.3); merged into SITE_EXPECTATIONS.

The in-house persona gets an open session at the sample client, opened by the consultant
persona who is posted there, so its search page answers 200. Its dossier page answers 403 to
everyone here: no search of the session listed the sample candidate (the allowed path, and
the 404 of another consultant's session, are in ``candor/inhouse/tests/test_pages.py``).
"""

from __future__ import annotations

from candor.accounts.models import Role, User
from candor.core import clock
from candor.core.actor import Actor
from candor.inhouse.services import SEARCH_FILTERS, posting_create, session_open
from candor.relations.models import Organisation
from candor.site.tests.matrix_roles import CONSULTANT, Expectations

INHOUSE = frozenset({"inhouse_client"})
ADMINISTRATOR = frozenset({"administrator"})
NOBODY: frozenset[str] = frozenset()

SITE: Expectations = {
    "inhouse/": (INHOUSE, 200),  # the client user's search, inside an open session only
    "inhouse/candidates/<int:person_id>/": (NOBODY, 403),  # a profile a session search listed
    "inhouse/sessions/": (CONSULTANT, 200),  # sessions at the clients one is posted at
    "inhouse/sessions/new/": (CONSULTANT, 200),  # form: open a session
    "inhouse/sessions/<int:session_id>/": (CONSULTANT, 200),  # scope and the live list
    "inhouse/sessions/<int:session_id>/live/": (CONSULTANT, 200),  # polled fragment
    "inhouse/sessions/<int:session_id>/close/": (CONSULTANT, 302),  # close (POST)
    "inhouse/postings/": (ADMINISTRATOR, 200),  # who is posted where; form
    "trajectories/<int:trajectory_id>/report/": (CONSULTANT, 200),  # report to the sponsor
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """The consultant posted at the sample client, and a session for the in-house persona."""
    client = Organisation.objects.get(pk=found["organisation_id"])
    consultant = User.objects.get(pk=actor.user_id)
    client_user = User.objects.filter(role=Role.INHOUSE_CLIENT).first()
    if client_user is None:  # a test without the personas: make one
        client_user = User.objects.create_user(
            username="matrix.client", role=Role.INHOUSE_CLIENT, email="mc@client.example.com"
        )
    client_user.client = client
    client_user.save(update_fields=["client"])
    posting_create(actor=actor, consultant=consultant, organisation=client, starts_on=clock.today())
    session = session_open(
        actor=actor,
        consultant=consultant,
        client_user=client_user,
        vacancy_ids=[found["vacancy_id"]],
        filters=SEARCH_FILTERS,
    )
    return {"session_id": session.pk}
