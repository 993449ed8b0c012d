"""The beacon's endpoint, included under ``/public/stats/`` (namespace ``stats``)."""

from django.urls import path

from candor.stats import views

app_name = "stats"

urlpatterns = [
    path("hit/", views.hit, name="hit"),
]
