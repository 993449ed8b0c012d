"""The interface language follows the signed-in user (``User.language``), not only the browser.

Django's ``LocaleMiddleware`` reads the language cookie. This middleware makes a signed-in
user's stored language win over it on every request, writes the cookie from it when they log in
(so the log-in redirect and later anonymous pages follow), and stores the language a signed-in
user picks with the selector (Django's ``set_language`` view) on their account. It sits after
``AuthenticationMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from candor.accounts import second_factor
from candor.accounts.models import STAFF_ROLES
from candor.accounts.services import user_language_set
from candor.core import clock
from candor.core.actor import Actor


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in_as = request.session.get(SESSION_KEY)
        if signed_in_as and request.user.is_authenticated:  # the account's language wins
            language = getattr(request.user, "language", "")
            if language in dict(settings.LANGUAGES) and language != request.LANGUAGE_CODE:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return response
        if request.session.get(SESSION_KEY) != signed_in_as:  # this request logged them in
            if user.language in dict(settings.LANGUAGES):
                _set_language_cookie(response, user.language)
        elif _is_language_switch(request):
            language = request.POST.get("language", "")
            if language in dict(settings.LANGUAGES):
                user_language_set(actor=Actor.for_user(user), user=user, language=language)
        return response


def _is_language_switch(request: HttpRequest) -> bool:
    match = request.resolver_match
    return request.method == "POST" and match is not None and match.view_name == "set_language"


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    # The same cookie, with the same attributes, as Django's set_language view writes.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``), which Django does not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class StaffSessionMiddleware:
    """Staff sessions (R7.1): signed out after ``STAFF_IDLE_TIMEOUT_SECONDS`` without a request,
    and kept out of every page but the second-factor ones until the second step has passed
    (``candor.accounts.second_factor``). Fails closed: a session that does not say the second
    step passed or was not needed is asked, whichever way it was opened.

    Sits after ``MessageMiddleware`` (it leaves a message when it signs someone out).
    """

    # Pages open while the second step is pending: the steps themselves, leaving, the language.
    OPEN_VIEWS = frozenset(
        {
            "site:second_factor_enrol",
            "site:second_factor_verify",
            "site:second_factor_recovery_codes",
            "site:logout",
            "site:login",
            "set_language",
        }
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _open_while_pending(self, request: HttpRequest) -> bool:
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        return _view_name(request) in self.OPEN_VIEWS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.second_factor_pending = False  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated and getattr(user, "role", "") in STAFF_ROLES:
            if _idle_expired(request):
                logout(request)
                messages.info(
                    request, _("You were signed out after a period of inactivity. Please log in.")
                )
                return redirect_to_login(request.get_full_path())
            pending = _second_factor_pending(request)
            request.second_factor_pending = pending  # type: ignore[attr-defined]
            if pending and not self._open_while_pending(request):
                if request.method == "GET":
                    request.session[second_factor.NEXT_SESSION_KEY] = request.get_full_path()
                target = "site:second_factor_verify"
                if not second_factor.enrolled(user):
                    target = "site:second_factor_enrol"
                return redirect(target)
            response = self.get_response(request)
            # Staff pages hold personal data: no copy in the browser's or a proxy's cache.
            if "Cache-Control" not in response:
                patch_cache_control(response, private=True, no_store=True)
            return response
        return self.get_response(request)


LAST_SEEN_SESSION_KEY = "candor_last_seen"
# The last-seen time is written at most once a minute, so not every request saves the session.
_LAST_SEEN_RESOLUTION = 60


def _idle_expired(request: HttpRequest) -> bool:
    now = int(clock.now().timestamp())
    last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
    if isinstance(last_seen, int) and now - last_seen > settings.STAFF_IDLE_TIMEOUT_SECONDS:
        return True
    if not isinstance(last_seen, int) or now - last_seen >= _LAST_SEEN_RESOLUTION:
        request.session[LAST_SEEN_SESSION_KEY] = now
    return False


def _second_factor_pending(request: HttpRequest) -> bool:
    state = request.session.get(second_factor.VERIFIED_SESSION_KEY)
    user = request.user
    if state == second_factor.PASSED:
        return False
    if state == second_factor.NOT_NEEDED and not second_factor.required_for(user):
        return False  # decided once per session: one query, not one per page
    if second_factor.applies_to(user):
        return True
    request.session[second_factor.VERIFIED_SESSION_KEY] = second_factor.NOT_NEEDED
    return False


def _view_name(request: HttpRequest) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""
