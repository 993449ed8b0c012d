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
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from candor.accounts.services import user_language_set
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
