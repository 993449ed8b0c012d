"""The agency's public web site, included under ``/public/`` (namespace ``web``).

The self-service pages of a logged-in data subject live under ``/public/my/`` (namespace
``selfservice``).
"""

from django.urls import path

from candor.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
]
