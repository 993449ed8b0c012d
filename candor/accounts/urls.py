"""Staff log-in security pages, mounted in the back office's URLconf (namespace ``site``)."""

from django.urls import path

from candor.accounts import views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/second-factor/enrol/", views.enrol, name="second_factor_enrol"),
    path("account/second-factor/verify/", views.verify, name="second_factor_verify"),
    path(
        "account/second-factor/recovery-codes/",
        views.recovery_codes,
        name="second_factor_recovery_codes",
    ),
    path("account/staff/", views.staff_second_factor, name="staff_second_factor"),
]
