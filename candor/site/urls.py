from django.contrib.auth import views as auth_views
from django.urls import path

from candor.accounts import urls as account_urls
from candor.site import views
from candor.site.pages import (
    candidates,
    corrections,
    disclosure,
    governance,
    inhouse,
    introductions,
    notices,
    organisations,
    privacy,
    requests,
    retention,
    statistics,
    trajectories,
    vacancies,
)

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        views.LoginView.as_view(template_name="site/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    *account_urls.urlpatterns,
    path("candidates/new/", views.candidate_new, name="candidate_new"),
    path("candidates/<int:person_id>/", views.dossier, name="dossier"),
    path("candidates/<int:person_id>/history/", views.dossier_history, name="dossier_history"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("registry/", views.registry_page, name="registry"),
]
for area in (
    candidates,
    vacancies,
    organisations,
    trajectories,
    privacy,
    requests,
    retention,
    notices,
    governance,
    disclosure,
    introductions,
    inhouse,
    statistics,
    corrections,
):
    urlpatterns += area.urlpatterns
