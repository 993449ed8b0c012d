"""Authorization decisions for the public web site (``/public/``, R7.1); merged into
SITE_EXPECTATIONS.

Everything here is public by design: anonymous visitors and every role read the same pages,
and the forms (application, privacy request, cookie choice) are open to all, protected by CSRF
and throttling instead of a log-in. The cookie choice is a POST-only endpoint (405 on GET).
``/`` sends an anonymous visitor to the public home page instead of the staff log-in.
"""

from __future__ import annotations

from candor.core import clock
from candor.core.actor import Actor
from candor.privacy.statement import statement_latest, statement_publish
from candor.site.tests.matrix_roles import EVERYONE, Expectations

SITE: Expectations = {
    "public/": (EVERYONE, 200),  # home: who we are, latest vacancies
    "public/vacancies/": (EVERYONE, 200),  # open vacancies, searched and filtered
    "public/vacancies/<int:vacancy_id>/": (EVERYONE, 200),  # one open vacancy
    "public/vacancies/<int:vacancy_id>/apply/": (EVERYONE, 200),  # application form (POST)
    "public/vacancies/<int:vacancy_id>/applied/": (EVERYONE, 200),  # thank-you page
    "public/privacy/": (EVERYONE, 200),  # statement in force, contacts, cookie table
    "public/privacy/versions/<str:version>/": (EVERYONE, 200),  # an earlier version
    "public/privacy/request/": (EVERYONE, 200),  # privacy request without account (POST)
    "public/privacy/request/sent/": (EVERYONE, 200),  # its receipt page
    "public/cookies/": (EVERYONE, 200),  # cookie settings, reachable from every page
    "public/cookies/choice/": (EVERYONE, 405),  # accept / refuse (POST only)
}

# Routes where an anonymous visitor who may not enter is sent elsewhere than the log-in page.
ANONYMOUS_ELSEWHERE = {"": "/public/"}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    version = statement_latest() or statement_publish(
        actor=actor, version="2026.1", published_on=clock.today()
    )
    return {"version": version.version}  # type: ignore[dict-item]
