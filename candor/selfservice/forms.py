"""Forms of the self-service pages; every label and message in the visitor's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from candor.accounts.models import Role, User
from candor.people.models import (
    Address,
    ContactChannel,
    ContactKind,
    ContactPoint,
    Language,
    Person,
)
from candor.privacy.models import RestrictionGround
from candor.privacy.policy import policy
from candor.recruitment.models import CandidateProfile
from candor.rights.models import Kind
from candor.rights.rectification import ADDRESS_FIELDS, PROFILE_FIELDS


class RegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Surname"), max_length=100)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language for our messages"), choices=settings.LANGUAGES)
    consent = forms.BooleanField(
        label=_("I agree"),
        error_messages={"required": _("Without this consent we cannot keep your profile.")},
    )
    consent_version = forms.CharField(widget=forms.HiddenInput)
    statement_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            probe = User(
                username=data.get("email", ""),
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(one, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class SiteLoginForm(AuthenticationForm):
    """Django's log-in for site accounts only: a staff account is refused with the same
    message as a wrong password (the site log-in says nothing about staff accounts)."""

    error_messages = {
        "invalid_login": _(
            "Wrong e-mail address or password. Just registered? Confirm your e-mail address "
            "first with the link we sent you."
        ),
        "inactive": _("This account is not active."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail address")

    def clean(self) -> dict[str, Any]:
        if self.cleaned_data.get("username"):
            self.cleaned_data["username"] = self.cleaned_data["username"].strip().lower()
        return super().clean()

    def confirm_login_allowed(self, user: Any) -> None:
        if getattr(user, "role", "") != Role.SITE:
            raise self.get_invalid_login_error()
        super().confirm_login_allowed(user)


class SitePasswordResetForm(PasswordResetForm):
    """Resets for site accounts only (staff reset elsewhere, with their second factor), the
    e-mail in the account's language."""

    def get_users(self, email: str) -> Any:
        return (u for u in super().get_users(email) if u.role == Role.SITE)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = args[2] if len(args) > 2 else kwargs["context"]
        language = getattr(context.get("user"), "language", "") or "nl"
        with translation.override(language):
            super().send_mail(*args, **kwargs)


# The profile form: one form field per rectification path (the address and profile fields are
# rectification's own; the person fields are the ones a person sees of PERSON_EDITABLE).
PERSON_FIELDS = ("first_name", "last_name", "birth_date", "nationality")


def _formfield(model: type[models.Model], name: str) -> forms.Field:
    found = model._meta.get_field(name).formfield()  # type: ignore[union-attr]
    assert found is not None  # noqa: S101 - concrete fields
    if isinstance(found, forms.DateField):
        found.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return found


class ProfileForm(forms.Form):
    """The fields a person provides about themselves; ``paths`` maps each form field to its
    rectification path, ``initial`` holds the values shown."""

    def __init__(self, person: Person, *args: Any, **kwargs: Any) -> None:
        self.paths: dict[str, str] = {}
        address = Address.objects.filter(person=person).order_by("pk").first()
        profile = CandidateProfile.objects.filter(person=person).first()
        phone = (
            ContactPoint.objects.filter(
                person=person, kind__in=[ContactKind.MOBILE, ContactKind.PHONE]
            )
            .order_by("-is_primary", "pk")
            .first()
        )
        super().__init__(*args, **kwargs)
        for name in PERSON_FIELDS:
            self._add(name, name, _formfield(Person, name), getattr(person, name))
        self._add(
            "phone",
            f"contact_points.{phone.pk}" if phone else "contact_points.new.mobile",
            forms.CharField(label=_("Phone"), max_length=40, required=False),
            phone.value if phone else "",
        )
        for name in ADDRESS_FIELDS:
            self._add(
                f"address_{name}",
                f"address.{name}",
                _formfield(Address, name),
                getattr(address, name) if address else ("BE" if name == "country" else ""),
            )
        for name in PROFILE_FIELDS:
            self._add(
                name,
                f"profile.{name}",
                _formfield(CandidateProfile, name),
                getattr(profile, name, None),
            )

    def _add(self, name: str, path: str, field: forms.Field, value: Any) -> None:
        self.fields[name] = field
        self.initial[name] = value if value is not None else ""
        self.paths[name] = path

    def changes(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(path → new value, path → value shown) for the fields the person changed."""
        new: dict[str, Any] = {}
        old: dict[str, Any] = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            shown = self.initial.get(name)
            if (value in (None, "")) and (shown in (None, "")):
                continue
            new[self.paths[name]] = value
            old[self.paths[name]] = shown
        return new, old

    def field_for(self, path: str) -> str | None:
        for name, known in self.paths.items():
            if known == path:
                return name
        return None


class PreferencesForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language we write to you in"),
        choices=[("", "—"), *Language.choices],
        required=False,
    )
    contact_channel = forms.ChoiceField(
        label=_("How we contact you"), choices=ContactChannel.choices, required=False
    )
    contact_times = forms.CharField(label=_("When we may call you"), max_length=120, required=False)


REQUEST_KINDS = (Kind.ACCESS, Kind.PORTABILITY, Kind.ERASURE, Kind.RESTRICTION, Kind.OBJECTION)


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you ask?"), choices=[(k.value, k.label) for k in REQUEST_KINDS]
    )
    purpose = forms.ChoiceField(label=_("Use of your data you object to"), required=False)
    restriction_ground = forms.ChoiceField(
        label=_("Why processing should be restricted"),
        choices=[("", "—"), *RestrictionGround.choices],
        required=False,
    )
    details = forms.CharField(
        label=_("Anything you want to add"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        objectable = [p for p in policy().purposes.values() if p.objectable]
        self.fields["purpose"].choices = [("", "—")] + [(p.key, p.label.get()) for p in objectable]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Kind.OBJECTION and not data.get("purpose"):
            self.add_error("purpose", _("Choose the use of your data you object to."))
        if data.get("kind") == Kind.RESTRICTION and not data.get("restriction_ground"):
            self.add_error("restriction_ground", _("Choose why processing should be restricted."))
        return data


class CorrectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("accept", _("Accept")), ("reject", _("Reject"))]
    )
    note = forms.CharField(
        label=_("note for the person"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
