"""Back-office pages: the candidate list (search and filters)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from candor.accounts.permissions import can
from candor.people.models import SourceKind
from candor.recruitment import selectors
from candor.site.access import require


@require("candidate.view")
def candidate_list(request: HttpRequest) -> HttpResponse:
    source = request.GET.get("source", "")
    query = request.GET.get("q", "")
    page = Paginator(selectors.candidates(source=source, search=query), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "site/candidates/list.html",
        {
            "page": page,
            "source": source,
            "query": query,
            "source_kinds": SourceKind.choices,
            "can_create": can(request.user, "candidate.create"),
            "can_add_organisation": can(request.user, "organisation.change"),
        },
    )


urlpatterns: list[URLPattern] = [path("candidates/", candidate_list, name="candidates")]
