"""A data subject's account pages under ``/public/my/`` (R1.4): registration, confirmation,
the site log-in (throttled per account and per client address), log-out and password reset.
Thin views over ``candor.selfservice.accounts`` and Django's authentication views."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from candor.core.throttle import Throttle, client_address
from candor.privacy.statement import statement_current
from candor.selfservice.accounts import (
    ConfirmationRefused,
    account_confirm,
    account_register,
    registration_purpose,
)
from candor.selfservice.forms import RegistrationForm, SiteLoginForm, SitePasswordResetForm

LOGIN_PER_ACCOUNT = Throttle("site-login-account", limit=5, window=15 * 60)
LOGIN_PER_ADDRESS = Throttle("site-login-address", limit=30, window=15 * 60)
REGISTER_PER_ADDRESS = Throttle("site-register-address", limit=10, window=60 * 60)


def _too_many(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context["throttled"] = _(
        "Too many attempts. Wait a quarter of an hour and try again, or reset your password."
    )
    return render(request, template, context, status=429)


def register(request: HttpRequest) -> HttpResponse:
    purpose = registration_purpose()
    assert purpose.consent is not None  # noqa: S101 - a consent purpose
    statement = statement_current()
    language = (get_language() or "nl")[:2]
    initial = {
        "language": language,
        "consent_version": purpose.consent.version,
        "statement_version": statement.version if statement else "",
    }
    form = RegistrationForm(request.POST or None, initial=initial)
    context = {
        "form": form,
        "consent_text": purpose.consent.text.get(language),
        "consent_label": purpose.label.get(language),
        "statement": statement,
    }
    if request.method == "POST":
        if not REGISTER_PER_ADDRESS.hit(client_address(request)):
            return _too_many(request, "selfservice/register.html", context)
        if form.is_valid():
            data = form.cleaned_data
            try:
                account_register(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    password=data["password1"],
                    language=data["language"],
                    consent_version=data["consent_version"],
                    statement_version=data["statement_version"],
                    link=lambda token: request.build_absolute_uri(
                        reverse("selfservice:confirm", args=[token])
                    ),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("selfservice:register_done")
    return render(request, "selfservice/register.html", context)


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "selfservice/register_done.html")


def confirm(request: HttpRequest, signed: str) -> HttpResponse:
    """The link from the e-mail shows a button; the POST confirms (a mail scanner following
    links confirms nothing)."""
    if request.method == "POST":
        try:
            done = account_confirm(token=signed)
        except ConfirmationRefused as exc:
            return render(request, "selfservice/confirm.html", {"error": str(exc)}, status=400)
        if done.already:
            messages.info(request, _("Your e-mail address was confirmed already. Log in."))
        else:
            messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
        return redirect("selfservice:login")
    return render(request, "selfservice/confirm.html", {"signed": signed})


class SiteLoginView(auth_views.LoginView):
    """The log-in for site accounts, throttled per account and per client address."""

    template_name = "selfservice/login.html"
    authentication_form = SiteLoginForm

    def get_default_redirect_url(self) -> str:
        return reverse("selfservice:overview")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = request.POST.get("username", "").strip().lower()
        within = LOGIN_PER_ADDRESS.hit(client_address(request))
        within = LOGIN_PER_ACCOUNT.hit(account) and within
        if not within:
            form = self.get_form()
            return _too_many(request, self.template_name, self.get_context_data(form=form))
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            LOGIN_PER_ACCOUNT.reset(account)
        return response


class SiteLogoutView(auth_views.LogoutView):
    next_page = "selfservice:login"


class SitePasswordResetView(auth_views.PasswordResetView):
    form_class = SitePasswordResetForm
    template_name = "selfservice/password_reset.html"
    email_template_name = "selfservice/email/password_reset.txt"
    html_email_template_name = "selfservice/email/password_reset.html"
    subject_template_name = "selfservice/email/password_reset_subject.txt"
    success_url = reverse_lazy("selfservice:password_reset_done")


class SitePasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "selfservice/password_reset_done.html"


class SitePasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "selfservice/password_reset_confirm.html"
    success_url = reverse_lazy("selfservice:password_reset_complete")


class SitePasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "selfservice/password_reset_complete.html"
