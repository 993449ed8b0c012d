"""A data subject's own pages (account, my data, my choices, my requests), included under
``/public/my/`` (namespace ``selfservice``). No URL carries a person's id: every page works on
the signed-in account's person."""

from django.urls import URLPattern, path

from candor.selfservice import account_views, views

app_name = "selfservice"

urlpatterns: list[URLPattern] = [
    path("", views.overview, name="overview"),
    path("data/<str:model>/", views.section, name="section"),
    path("profile/", views.profile, name="profile"),
    path("consents/", views.consents, name="consents"),
    path("consents/<str:purpose>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<str:purpose>/give/", views.consent_give, name="consent_give"),
    path("preferences/", views.preferences, name="preferences"),
    path("download/", views.download, name="download"),
    path("requests/", views.requests, name="requests"),
    path("register/", account_views.register, name="register"),
    path("register/done/", account_views.register_done, name="register_done"),
    path("confirm/<str:signed>/", account_views.confirm, name="confirm"),
    path("login/", account_views.SiteLoginView.as_view(), name="login"),
    path("logout/", account_views.SiteLogoutView.as_view(), name="logout"),
    path("password/reset/", account_views.SitePasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        account_views.SitePasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.SitePasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        account_views.SitePasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
