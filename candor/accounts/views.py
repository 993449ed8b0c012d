"""Staff two-factor log-in pages (R7.1): enrolment, the second step, recovery codes, the
staff member's own settings and the administrators' reset.

Thin: the rules are in ``candor.accounts.second_factor`` and ``candor.accounts.lockout``; the
middleware (``StaffSessionMiddleware``) sends a pending session here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from candor.accounts import lockout, second_factor
from candor.accounts.models import STAFF_ROLES, User
from candor.accounts.selectors import second_factor_overview
from candor.core.actor import Actor
from candor.site.access import require


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def after_password(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Called by the log-in view once the password is accepted: staff who need a second step
    go to it (enrolment first when they have none); the page they wanted waits in the session."""
    user = request.user
    if not second_factor.applies_to(user):
        request.session[second_factor.VERIFIED_SESSION_KEY] = second_factor.NOT_NEEDED
        return response
    request.session.pop(second_factor.VERIFIED_SESSION_KEY, None)
    request.session[second_factor.NEXT_SESSION_KEY] = response.get("Location", "")
    if second_factor.enrolled(user):
        return redirect("site:second_factor_verify")
    return redirect("site:second_factor_enrol")


def _mark_passed(request: HttpRequest) -> None:
    """The second step is done: a new session key (the old one may have been seen before the
    second factor) that says so."""
    request.session.cycle_key()
    request.session[second_factor.VERIFIED_SESSION_KEY] = second_factor.PASSED


def _passed(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    _mark_passed(request)
    return redirect(next_url)


def _next_url(request: HttpRequest) -> str:
    target = request.session.pop(second_factor.NEXT_SESSION_KEY, "") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(target)
    return reverse(settings.LOGIN_REDIRECT_URL)


def _staff(request: HttpRequest) -> User:
    # ``require`` let only signed-in staff through; this narrows the type for the checker.
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - AnonymousUser never gets here
        raise PermissionDenied
    return user


def _pending(request: HttpRequest) -> bool:
    return bool(getattr(request, "second_factor_pending", False))


@require("backoffice.enter")
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: QR code and secret, confirmed with a first code."""
    user = _staff(request)
    if second_factor.enrolled(user):
        return redirect("site:second_factor_verify" if _pending(request) else "site:account")
    actor = Actor.for_user(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.second_factor_confirm(
                actor=actor, user=user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            # At log-in, on to the page asked for; a voluntary enrolment returns to the account.
            next_url = _next_url(request) if _pending(request) else reverse("site:account")
            _mark_passed(request)
            request.session[second_factor.PENDING_CODES_SESSION_KEY] = codes
            request.session[second_factor.NEXT_SESSION_KEY] = next_url
            return redirect("site:second_factor_recovery_codes")
    secret = second_factor.second_factor_begin(actor=actor, user=user)
    uri = second_factor.provisioning_uri(user, secret)
    return render(
        request,
        "site/account/enrol.html",
        {
            "form": form,
            "qr": second_factor.qr_svg(uri),
            "secret": secret,
            "secret_grouped": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": second_factor.required_for(user),
            "pending": _pending(request),
        },
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


@require("backoffice.enter")
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once right after they were made."""
    codes = request.session.pop(second_factor.PENDING_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("site:account")
    return render(
        request,
        "site/account/recovery_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@require("backoffice.enter")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of log-in: a code from the app, or one of the recovery codes."""
    user = _staff(request)
    if not _pending(request):
        return redirect(_next_url(request))
    if not second_factor.enrolled(user):
        return redirect("site:second_factor_enrol")
    throttle = second_factor.second_factor_throttle()
    key = str(user.pk)
    form = CodeForm(request.POST or None)
    locked = throttle.blocked(key)
    if request.method == "POST" and not locked and form.is_valid():
        actor = Actor.for_user(user)
        code = form.cleaned_data["code"].strip()
        if _looks_like_recovery_code(code):
            ok = second_factor.recovery_code_use(actor=actor, user=user, code=code)
        else:
            ok = second_factor.second_factor_verify(actor=actor, user=user, code=code)
        if ok:
            throttle.reset(key)
            if _looks_like_recovery_code(code):
                left = second_factor.unused_recovery_codes(user)
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)d left. Make new ones in your account.")
                    % {"left": left},
                )
            return _passed(request)
        if not throttle.hit(key):
            lockout.lockout_record(user=user, scopes=["user"], step="second_factor")
            locked = True
        else:
            form.add_error("code", _("That code is not valid, or it was already used."))
    status = 429 if locked else (400 if form.errors else 200)
    return render(
        request, "site/account/verify.html", {"form": form, "locked": locked}, status=status
    )


def _looks_like_recovery_code(code: str) -> bool:
    return not code.replace(" ", "").isdigit()


@require("backoffice.enter")
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """A staff member's own log-in security: set up, renew recovery codes, turn off."""
    user = _staff(request)
    actor = Actor.for_user(user)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "renew":
                codes = second_factor.recovery_codes_renew(actor=actor, user=user)
                request.session[second_factor.PENDING_CODES_SESSION_KEY] = codes
                request.session[second_factor.NEXT_SESSION_KEY] = reverse("site:account")
                return redirect("site:second_factor_recovery_codes")
            if action == "disable":
                second_factor.second_factor_disable(actor=actor, user=user)
                request.session[second_factor.VERIFIED_SESSION_KEY] = second_factor.NOT_NEEDED
                messages.success(request, _("Two-factor log-in is turned off."))
                return redirect("site:account")
            messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("site:account")
    return render(
        request,
        "site/account/account.html",
        {
            "enrolled": second_factor.enrolled(user),
            "required": second_factor.required_for(user),
            "codes_left": second_factor.unused_recovery_codes(user),
            "idle_minutes": settings.STAFF_IDLE_TIMEOUT_SECONDS // 60,
        },
    )


@require("second_factor.reset")
@require_http_methods(["GET", "POST"])
def staff_second_factor(request: HttpRequest) -> HttpResponse:
    """Administrators: who has two-factor log-in, and a reset for a lost phone (audited)."""
    if request.method == "POST":
        target = get_object_or_404(User, pk=_int(request.POST.get("user")), role__in=STAFF_ROLES)
        try:
            second_factor.second_factor_reset(actor=Actor.for_user(request.user), user=target)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Two-factor log-in of %(name)s was reset.")
                % {"name": target.get_full_name() or target.username},
            )
        return redirect("site:staff_second_factor")
    return render(
        request,
        "site/account/staff.html",
        {"rows": second_factor_overview(), "me": request.user.pk},
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
