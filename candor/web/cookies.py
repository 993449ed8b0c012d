"""Every cookie the site can set, as data (R1.6): the privacy page renders this table, and the
code sets a non-essential cookie only through ``set_optional`` (which asks ``accepted``).

Adding a cookie: add a row to ``COOKIES`` (name, category, purpose, lifetime); if it is not
essential, set it only with ``set_optional``. The browser tests check that refusing sets none.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CONSENT_COOKIE = "candor_consent"
ACCEPTED, REFUSED = "accepted", "refused"
SEARCH_COOKIE = "candor_search"  # remembers the last vacancy search (preferences)
CONSENT_AGE = 180 * 24 * 3600  # the choice is asked again after six months
SEARCH_AGE = 30 * 24 * 3600


@dataclass(frozen=True)
class Cookie:
    name: str
    category: str  # "essential" | "preferences"
    purpose: str | Promise
    lifetime: str | Promise

    @property
    def essential(self) -> bool:
        return self.category == ESSENTIAL


ESSENTIAL, PREFERENCES = "essential", "preferences"
CATEGORIES = {
    ESSENTIAL: _("Essential: needed for the site to work; set without asking."),
    PREFERENCES: _("Preferences: remembers your choices; set only if you accept."),
}


def cookies() -> list[Cookie]:
    """The registry, with the names the settings give the framework's cookies."""
    return [
        Cookie(
            settings.SESSION_COOKIE_NAME,
            ESSENTIAL,
            _("Keeps you signed in on the pages that need an account."),
            _("until you sign out or close the browser, at most 8 hours"),
        ),
        Cookie(
            settings.CSRF_COOKIE_NAME,
            ESSENTIAL,
            _("Protects the forms against requests forged by other sites."),
            _("one year"),
        ),
        Cookie(
            settings.LANGUAGE_COOKIE_NAME,
            ESSENTIAL,
            _("Remembers the language you chose."),
            _("until you close the browser"),
        ),
        Cookie(
            "messages",
            ESSENTIAL,
            _("Carries a confirmation message to the next page."),
            _("until the next page is shown"),
        ),
        Cookie(
            CONSENT_COOKIE,
            ESSENTIAL,
            _("Remembers whether you accepted or refused the optional cookies."),
            _("six months"),
        ),
        Cookie(
            SEARCH_COOKIE,
            PREFERENCES,
            _("Remembers your last vacancy search, to show it again when you come back."),
            _("30 days"),
        ),
    ]


def choice(request: HttpRequest) -> str:
    """``accepted``, ``refused`` or ``""`` (not chosen yet)."""
    value = request.COOKIES.get(CONSENT_COOKIE, "")
    return value if value in {ACCEPTED, REFUSED} else ""


def accepted(request: HttpRequest) -> bool:
    return choice(request) == ACCEPTED


def remember_choice(request: HttpRequest, response: HttpResponse, value: str) -> None:
    """Store the visitor's choice; refusing also removes what accepting had set."""
    response.set_cookie(
        CONSENT_COOKIE,
        value,
        max_age=CONSENT_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    if value == REFUSED:
        for cookie in cookies():
            if not cookie.essential and cookie.name in request.COOKIES:
                response.delete_cookie(cookie.name, samesite="Lax")


def set_optional(request: HttpRequest, response: HttpResponse, name: str, value: str) -> bool:
    """Set a non-essential cookie, only when the visitor accepted; returns whether it was set."""
    known = {cookie.name: cookie for cookie in cookies()}
    if name not in known or known[name].essential:
        raise ValueError(f"{name} is not a non-essential cookie of the registry")
    if not accepted(request):
        return False
    response.set_cookie(
        name,
        value,
        max_age=SEARCH_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return True
