from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from candor.accounts.permissions import can
from candor.core.actor import Actor
from candor.people.models import Person, SourceKind
from candor.recruitment import selectors


def require(permission: str) -> Any:
    """Allow the view only to users whose role grants ``permission`` (403 otherwise)."""

    def decorate(view: Any) -> Any:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


@require("backoffice.enter")
def home(request: HttpRequest) -> HttpResponse:
    source = request.GET.get("source", "")
    query = request.GET.get("q", "")
    page = None
    if can(request.user, "candidate.view"):
        page = Paginator(selectors.candidates(source=source, search=query), 25).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "site/home.html",
        {
            "page": page,
            "source": source,
            "query": query,
            "source_kinds": SourceKind.choices,
        },
    )


@require("candidate.view")
def dossier(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        person = selectors.candidate_dossier(
            actor=Actor.for_user(request.user), person_id=person_id, where="backoffice"
        )
    except Person.DoesNotExist:
        raise Http404 from None
    return render(request, "site/dossier.html", {"person": person})
