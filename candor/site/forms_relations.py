"""Back-office forms for clients and suppliers, contact persons, trajectories and sessions.

Like ``candor.site.forms`` they parse input only: the rules live in the services
(``candor.relations.services``, ``candor.guidance.services``), so a form and the API cannot
disagree. Forms that edit a stored row carry its ``updated_at`` as a hidden version so that a
save over someone else's newer save is refused instead of overwriting it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from candor.accounts.models import Role, User
from candor.guidance.models import TrajectoryKind, TrajectoryStatus
from candor.guidance.services import TRAJECTORY_FIELDS
from candor.people.models import Person
from candor.relations.models import Organisation, OrganisationKind
from candor.relations.services import ORGANISATION_FIELDS
from candor.site.forms import DateInput, OrganisationForm, SourceMixin


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ConsultantChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


def consultants() -> Any:
    return User.objects.filter(role=Role.CONSULTANT, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def sponsors() -> Any:
    return Organisation.objects.filter(
        kind__in=[OrganisationKind.CLIENT, OrganisationKind.BOTH]
    ).order_by("name")


class VersionMixin(forms.Form):
    """The ``updated_at`` of the row as it was when the form was opened, and each versioned
    field's loaded value (Django's hidden initial), so that after a refused stale save what this
    user changed can be told from what someone else changed meanwhile."""

    updated_at = forms.CharField(widget=forms.HiddenInput)
    versioned_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.versioned_fields:
            self.fields[name].show_hidden_initial = True

    def clean_updated_at(self) -> dt.datetime:
        try:
            value: dt.datetime | None = dt.datetime.fromisoformat(self.cleaned_data["updated_at"])
        except ValueError:
            value = None
        if value is None or timezone.is_naive(value):
            raise forms.ValidationError(
                _("This form is out of date: open the page again."), code="version"
            )
        return value

    def rebased(self, stored: dict[str, Any]) -> VersionMixin:
        """The form again over the row as someone else saved it (``stored``: its initial values,
        ``updated_at`` included). Fields this user changed keep what they typed; the others
        show the stored values; errors name what changed meanwhile. Saving it again is then a
        deliberate choice that overwrites only this user's fields."""
        mine = set(self.changed_data) & set(self.versioned_fields)
        theirs = [n for n in self.versioned_fields if self._changed_since_loaded(n, stored[n])]
        data = cast(QueryDict, self.data).copy()  # bound to request.POST
        for name in self.versioned_fields:
            as_data = self._as_data(name, stored[name])
            data.setlist(self.add_initial_prefix(name), as_data)
            if name not in mine:
                data.setlist(self.add_prefix(name), as_data)
        data[self.add_prefix("updated_at")] = stored["updated_at"]
        form = type(self)(data)
        form.full_clean()
        form.add_error(
            None,
            _(
                "Someone else saved changes here after you opened this form (%(fields)s). "
                "Nothing you typed was saved. The fields you changed keep what you typed; the "
                "others now show what is stored. Check them, then save again."
            )
            % {"fields": ", ".join(str(self.fields[n].label) for n in theirs) or "—"},
        )
        for name in theirs:
            if name in mine:
                form.add_error(
                    name,
                    _("Changed meanwhile to “%(value)s”. Saving again replaces it with yours.")
                    % {"value": self._display(name, stored[name])},
                )
        return form

    def _changed_since_loaded(self, name: str, stored: Any) -> bool:
        field = self.fields[name]
        key = self.add_initial_prefix(name)
        if key not in self.data:
            return False  # posted without its loaded values: cannot tell
        loaded = field.hidden_widget().value_from_datadict(self.data, self.files, key)
        return bool(field.has_changed(stored, loaded))

    def _as_data(self, name: str, value: Any) -> list[str]:
        field = self.fields[name]
        shown = field.widget.format_value(field.prepare_value(value))
        if isinstance(shown, list):
            return [str(v) for v in shown]
        return ["" if shown is None else str(shown)]

    def _display(self, name: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, dt.date):
            return str(date_format(value, "SHORT_DATE_FORMAT"))
        if isinstance(value, User):
            return str(value.get_full_name() or value.username)
        choices = dict(getattr(self.fields[name], "choices", ()))
        return str(choices.get(value, value))


class OrganisationEditForm(VersionMixin, OrganisationForm):
    versioned_fields = ORGANISATION_FIELDS
    website = forms.CharField(label=_("web site"), required=False, max_length=200)
    bic = forms.CharField(label=_("BIC"), required=False, max_length=11)
    billing_country = forms.CharField(
        label=_("billing country"), max_length=2, initial="BE", help_text=_("Two letters: BE, NL…")
    )

    field_order = [*ORGANISATION_FIELDS, "updated_at"]

    def clean_billing_country(self) -> str:
        return str(self.cleaned_data["billing_country"]).strip().upper()

    def clean_bic(self) -> str:
        return str(self.cleaned_data["bic"]).replace(" ", "").upper()

    def organisation_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ORGANISATION_FIELDS}


class ContactPersonForm(SourceMixin):
    first_name = forms.CharField(label=_("first name"), max_length=100)
    last_name = forms.CharField(label=_("surname"), max_length=100)
    job_title = forms.CharField(label=_("job title"), required=False, max_length=120)
    department = forms.CharField(label=_("department"), required=False, max_length=120)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    is_primary = forms.BooleanField(label=_("primary contact"), required=False)

    field_order = [
        "first_name",
        "last_name",
        "job_title",
        "department",
        "email",
        "phone",
        "is_primary",
        "source",
        "source_name",
    ]

    def contact_data(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.field_order
            if name not in {"source", "source_name"}
        }


class TrajectoryFieldsForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=TrajectoryKind.choices)
    status = forms.ChoiceField(
        label=_("status"), choices=TrajectoryStatus.choices, initial=TrajectoryStatus.ACTIVE
    )
    sponsor = forms.ModelChoiceField(
        label=_("sponsor"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("The client paying for the trajectory, e.g. the former employer."),
    )
    consultant = ConsultantChoice(
        label=_("consultant"), queryset=User.objects.none(), required=False
    )
    started_on = forms.DateField(label=_("started on"), widget=DateInput())
    ended_on = forms.DateField(label=_("ended on"), required=False, widget=DateInput())
    goal = forms.CharField(
        label=_("goal"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sponsor"].queryset = sponsors()  # type: ignore[attr-defined]
        self.fields["consultant"].queryset = consultants()  # type: ignore[attr-defined]

    def trajectory_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in TRAJECTORY_FIELDS}


class TrajectoryForm(TrajectoryFieldsForm):
    """A new trajectory; the person is chosen beforehand (from a dossier or the search)."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.filter(is_candidate=True), widget=forms.HiddenInput
    )


class TrajectoryEditForm(VersionMixin, TrajectoryFieldsForm):
    versioned_fields = TRAJECTORY_FIELDS


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(label=_("held at"), widget=DateTimeInput())
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), initial=60, min_value=1, max_value=32767
    )
    topic = forms.CharField(label=_("topic"), required=False, max_length=160)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    consultant = ConsultantChoice(
        label=_("consultant"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants()  # type: ignore[attr-defined]

    def session_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
