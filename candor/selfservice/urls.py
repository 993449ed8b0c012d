"""A data subject's own pages (account, my data, my choices, my requests), included under
``/public/my/`` (namespace ``selfservice``). No URL carries a person's id: every page works on
the signed-in account's person."""

from django.urls import URLPattern, path

from candor.selfservice import views

app_name = "selfservice"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("profile/", views.profile, name="profile"),
    path("consents/", views.consents, name="consents"),
    path("consents/<str:purpose>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<str:purpose>/give/", views.consent_give, name="consent_give"),
    path("preferences/", views.preferences, name="preferences"),
    path("download/", views.download, name="download"),
    path("requests/", views.requests, name="requests"),
    path("register/", views.register, name="register"),
    path("register/done/", views.register_done, name="register_done"),
    path("confirm/<str:signed>/", views.confirm, name="confirm"),
    path("login/", views.SiteLoginView.as_view(), name="login"),
    path("logout/", views.SiteLogoutView.as_view(), name="logout"),
    path("password/reset/", views.SitePasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        views.SitePasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.SitePasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        views.SitePasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
