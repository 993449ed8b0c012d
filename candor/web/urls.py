"""The agency's public web site, included under ``/public/`` (namespace ``web``).

The self-service pages of a logged-in data subject live under ``/public/my/`` (namespace
``selfservice``).
"""

from django.urls import path

from candor.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("vacancies/", views.vacancies, name="vacancies"),
    path("vacancies/<int:vacancy_id>/", views.vacancy, name="vacancy"),
    path("vacancies/<int:vacancy_id>/apply/", views.apply, name="apply"),
    path("vacancies/<int:vacancy_id>/applied/", views.applied, name="applied"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/versions/<str:version>/", views.privacy, name="privacy_version"),
    path("privacy/request/", views.privacy_request, name="request"),
    path("privacy/request/sent/", views.request_sent, name="request_sent"),
    path("cookies/", views.cookie_settings, name="cookies"),
    path("cookies/choice/", views.cookie_choice, name="cookie_choice"),
]
