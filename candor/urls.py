from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, include, path

from candor.api.urls import api

handler403 = "candor.site.views.forbidden"
handler404 = "candor.site.views.not_found"


def _superusers_only(request: HttpRequest) -> bool:
    # The Django admin is a maintenance tool for superusers; staff work in the back office.
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("clients/", include("candor.portal.urls")),
    path("public/my/", include("candor.selfservice.urls")),
    path("public/stats/", include("candor.stats.urls_public")),
    path("public/", include("candor.web.urls")),
    path("", include("candor.site.urls")),
]

if settings.DEBUG:  # pragma: no cover - static files are served by the web server in production
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
