"""Authorization decisions for the data subjects' own pages (``/public/my/``, R1.4, R6.x) and
the consultants' review of the corrections they propose (R6.5); merged into SITE_EXPECTATIONS.

The account pages (register, confirm, log in, password reset) are open to everyone. The "my
data" pages are for site accounts only: anonymous visitors are sent to the *site* log-in
(``LOGIN``), every other role gets 403, as a site account gets 403 in the back office. They
carry no person id: the signed-in account's person is the only one they show.
"""

from __future__ import annotations

from candor.accounts.models import Role, User
from candor.core.actor import Actor
from candor.people.models import Person
from candor.selfservice.services import correction_propose
from candor.site.tests.matrix_roles import CONSULTANT, EVERYONE, Expectations

SITE_ACCOUNT = frozenset({"site"})
LOGIN = ("public/my/", "public/my/login")  # routes under this prefix log in there

SITE: Expectations = {
    "public/my/": (SITE_ACCOUNT, 200),  # everything held on me (access view); audited
    "public/my/data/<str:model>/": (SITE_ACCOUNT, 200),  # every row of one kind; audited
    "public/my/profile/": (SITE_ACCOUNT, 200),  # correct and complete my details
    "public/my/consents/": (SITE_ACCOUNT, 200),  # my consents and contact preferences
    "public/my/consents/<str:purpose>/withdraw/": (SITE_ACCOUNT, 405),  # one click (POST)
    "public/my/consents/<str:purpose>/give/": (SITE_ACCOUNT, 405),  # agree again (POST)
    "public/my/preferences/": (SITE_ACCOUNT, 405),  # contact preferences (POST)
    "public/my/download/": (SITE_ACCOUNT, 200),  # JSON / CSV of what I provided; in the ledger
    "public/my/requests/": (SITE_ACCOUNT, 200),  # file a request, follow mine
    "public/my/register/": (EVERYONE, 200),
    "public/my/register/done/": (EVERYONE, 200),
    "public/my/confirm/<str:signed>/": (EVERYONE, 200),  # a button; a bad link says so
    "public/my/login/": (EVERYONE, 200),
    "public/my/logout/": (EVERYONE, 405),  # POST only
    "public/my/password/reset/": (EVERYONE, 200),
    "public/my/password/reset/sent/": (EVERYONE, 200),
    "public/my/password/reset/<uidb64>/<token>/": (EVERYONE, 200),  # a bad link says so
    "public/my/password/reset/complete/": (EVERYONE, 200),
    "corrections/": (CONSULTANT, 200),  # proposals to review
    "corrections/<int:correction_id>/decide/": (CONSULTANT, 405),  # accept / reject (POST)
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """The site persona becomes the sample candidate's account; the candidate proposed a
    correction to their verified surname."""
    person = Person.objects.get(pk=found["person_id"])
    User.objects.filter(role=Role.SITE).update(person=person)
    correction = correction_propose(
        actor=actor, person=person, path="last_name", old=person.last_name, proposed="Anders"
    )
    return {
        "correction_id": correction.pk,
        "purpose": "job_alerts",  # type: ignore[dict-item]
        "model": "recruitment.application",  # type: ignore[dict-item]
        "signed": "not-a-valid-link",  # type: ignore[dict-item]
        "uidb64": "MQ",  # type: ignore[dict-item]
    }
