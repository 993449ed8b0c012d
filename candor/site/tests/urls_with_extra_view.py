"""The project's URLconf plus one view nobody has decided about (see test_authorization_matrix)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from candor.urls import urlpatterns as project_urlpatterns


def undecided(request: HttpRequest) -> HttpResponse:
    return HttpResponse("nobody decided who may see this")


urlpatterns = [*project_urlpatterns, path("reports/undecided/", undecided)]
