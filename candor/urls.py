from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from candor.api.urls import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("candor.site.urls")),
]

if settings.DEBUG:  # pragma: no cover - static files are served by the web server in production
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
