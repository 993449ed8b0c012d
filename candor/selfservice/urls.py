"""A data subject's own pages (account, my data, my choices, my requests), included under
``/public/my/`` (namespace ``selfservice``)."""

from django.urls import URLPattern

app_name = "selfservice"

urlpatterns: list[URLPattern] = []
