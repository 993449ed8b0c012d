"""The project's URLs with a few more public pages, for tests that need pages the public site
does not have (yet): a second page, a page with a public id, links carrying a token, a
self-service page carrying the number of someone's request."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from candor.urls import urlpatterns as project


def page(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("page")


public = [
    path("other/", page),
    path("vacancies/<int:vacancy_id>/", page),
    path("apply/<str:token>/", page),
]
self_service = [path("requests/<int:request_id>/", page)]

urlpatterns: list[URLPattern | URLResolver] = [
    path("public/my/", include((self_service, "selfservice"))),
    path("public/", include((public, "web"))),
    path("", include(project)),
]
