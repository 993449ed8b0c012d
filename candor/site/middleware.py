"""Clear answers instead of server errors (R7.1): when the database cannot take a change
(read-only, full or busy), and when a query string holds a NUL character.

Django would answer such a failure with a bare 500. This middleware answers 503 with a page in
the visitor's language (JSON with a ``detail`` under ``/api/``) saying what happened and that
nothing was saved — which holds, because every service writes in one transaction that the
failure rolled back. It is the innermost middleware, so it sees the view's exception first.

To add a case: extend ``_kind`` with the database's message and give it a sentence in
``_EXPLANATIONS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InternalError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger("candor.database")

RETRY_AFTER = "120"  # seconds: an operator usually needs minutes to free space or a lock

_EXPLANATIONS = {
    "read_only": gettext_lazy(
        "The database is read-only at the moment (maintenance or a backup being restored)."
    ),
    "full": gettext_lazy("The database has run out of storage space."),
    "busy": gettext_lazy("The database is busy with other work and could not take this change."),
    "unavailable": gettext_lazy("The database cannot be reached at the moment."),
}


def _kind(exc: Exception) -> str | None:
    """Which trouble the exception reports, or None when it is not a database outage."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "read_only"  # SQLite SQLITE_READONLY; PostgreSQL 25006 (an InternalError)
    if isinstance(exc, InternalError):
        return None  # a programming error, not an outage: Django's own 500
    if "disk is full" in text or "no space left" in text or "disk full" in text:
        return "full"  # SQLite SQLITE_FULL; PostgreSQL 53100
    if "locked" in text or "lock timeout" in text or "deadlock" in text:
        return "busy"  # SQLite SQLITE_BUSY; PostgreSQL 55P03, 40P01
    return "unavailable"


class DatabaseTroubleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InternalError):
            return None
        kind = _kind(exception)
        if kind is None:
            return None
        logger.error(
            "database trouble (%s) on %s %s", kind, request.method, request.path, exc_info=exception
        )
        explanation = str(_EXPLANATIONS[kind])
        nothing_saved = _("Nothing was saved. Please try again in a few minutes.")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": f"{explanation} {nothing_saved}", "reason": kind}, status=503
            )
        else:
            # Rendered without the request: the context processors and the user's session
            # may need the database this page is about.
            html = render_to_string(
                "site/database_trouble.html",
                {
                    "title": _("The change could not be saved"),
                    "explanation": explanation,
                    "nothing_saved": nothing_saved,
                    "back": _("Try again"),
                    "again": request.get_full_path(),
                },
            )
            response = HttpResponse(html, status=503)
        response["Retry-After"] = RETRY_AFTER
        response["Cache-Control"] = "no-store"
        return response


class NulRefusalMiddleware:
    """A query string holding a NUL character gets a clear 400 page (R7.1).

    No page needs one, Django's forms refuse it in what they parse, and PostgreSQL cannot compare
    text holding it: a list filter read straight from the query string would end in a 500. The
    API refuses it itself (with 422, after the token's role is checked), so ``/api/`` is left to
    it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _has_nul(request):
            return render(
                request,
                "site/error.html",
                {
                    "title": _("This address cannot be used"),
                    "text": _(
                        "The address holds a character that is not allowed (NUL). "
                        "Remove it and try again."
                    ),
                },
                status=400,
            )
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
    )
