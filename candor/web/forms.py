"""The public forms: vacancy search, application, privacy request. Every field has a label,
every error a message in the visitor's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from candor.core.uploads import ACCEPT
from candor.privacy.policy import Purpose, policy
from candor.rights.models import Kind
from candor.web.selectors import REGIONS, SINCE_DAYS


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("Region"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    since = forms.TypedChoiceField(label=_("Posted"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, sectors: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anywhere: list[tuple[str, Any]] = [("", _("Anywhere"))]
        self.fields["region"].choices = anywhere + [(r.key, r.label) for r in REGIONS]  # type: ignore[attr-defined]
        self.fields["sector"].choices = [("", _("All sectors"))] + [(s, s) for s in sectors]  # type: ignore[attr-defined]
        days = {
            1: _("in the last day"),
            7: _("in the last week"),
            30: _("in the last month"),
            90: _("in the last three months"),
        }
        self.fields["since"].choices = [("", _("Any time"))] + [(d, days[d]) for d in SINCE_DAYS]  # type: ignore[attr-defined]


def consent_purposes() -> list[Purpose]:
    """The purposes a candidate is asked to consent to: those of the policy resting on consent
    that concern candidates."""
    return [p for p in policy().purposes.values() if p.needs_consent and "candidate" in p.roles]


class ApplicationForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel"}),
    )
    motivation = forms.CharField(
        label=_("Why this job? (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea({"rows": 6}),
    )
    cv = forms.FileField(
        label=_("Your CV"),
        help_text=_("PDF, DOCX, ODT, DOC, RTF or text; at most 10 MB."),
        widget=forms.ClearableFileInput({"accept": ACCEPT}),
    )
    statement = forms.BooleanField(
        label=_(
            "I have read the privacy statement and ask the agency to process my details to "
            "handle this application."
        ),
        error_messages={"required": _("Tick this box to send your application.")},
    )
    statement_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language()
        self.consent_fields: list[tuple[str, Purpose]] = []
        for purpose in consent_purposes():
            if purpose.consent is None:  # never: a consent purpose has its text
                continue
            name = f"consent_{purpose.key}"
            self.fields[name] = forms.BooleanField(
                label=purpose.consent.text.get(language), required=False
            )
            self.consent_fields.append((name, purpose))

    def given_consents(self) -> list[str]:
        return [p.key for name, p in self.consent_fields if self.cleaned_data.get(name)]

    def consent_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _purpose in self.consent_fields]


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you ask?"), choices=Kind.choices)
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We answer at this address, and look for your data by it."),
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel"}),
    )
    purpose = forms.ChoiceField(
        label=_("Which processing? (for an objection or a withdrawal of consent)"),
        required=False,
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea({"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language()
        choices: list[tuple[str, Any]] = [("", _("Not applicable"))]
        choices += [
            (p.key, p.label.get(language))
            for p in policy().purposes.values()
            if p.objectable or p.needs_consent
        ]
        self.fields["purpose"].choices = choices  # type: ignore[attr-defined]
