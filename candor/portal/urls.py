"""The client portal, included under ``/clients/`` (namespace ``portal``)."""

from django.urls import path

from candor.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("vacancies/", views.vacancies, name="vacancies"),
    path("vacancies/<int:vacancy_id>/", views.vacancy, name="vacancy"),
    path("profiles/", views.profiles, name="profiles"),
    path("profiles/<str:code>/", views.profile, name="profile"),
    path("profiles/<str:code>/introduce/", views.introduce, name="introduce"),
    path("introductions/", views.introductions, name="introductions"),
    path("introductions/<int:introduction_id>/", views.introduction, name="introduction"),
    path("revealed/", views.revealed, name="revealed"),
    path("consent/<int:introduction_id>/<str:token>/", views.consent, name="consent"),
]
