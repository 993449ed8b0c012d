"""Back-office forms for vacancies and procedure steps. They parse input; the model's rules and
the services (``vacancy_create``, ``vacancy_update``, ``procedure_step_record``) decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from candor.accounts.models import Role, User
from candor.recruitment.models import Outcome, StepKind, VacancyStatus
from candor.relations.models import Organisation, OrganisationKind
from candor.site.forms import DateInput


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ConsultantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


class VacancyForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=160)
    reference = forms.CharField(label=_("reference"), max_length=20)
    client = forms.ModelChoiceField(
        label=_("client"),
        queryset=Organisation.objects.filter(
            kind__in=[OrganisationKind.CLIENT, OrganisationKind.BOTH]
        ).order_by("name"),
    )
    status = forms.ChoiceField(
        label=_("status"), choices=VacancyStatus.choices, initial=VacancyStatus.OPEN
    )
    consultant = ConsultantChoiceField(
        label=_("consultant"),
        queryset=User.objects.filter(role=Role.CONSULTANT, is_active=True).order_by(
            "first_name", "last_name", "username"
        ),
        required=False,
    )
    opened_on = forms.DateField(label=_("opened on"), widget=DateInput())
    postcode = forms.CharField(label=_("postcode"), max_length=12, required=False)
    city = forms.CharField(label=_("city"), max_length=120, required=False)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean_reference(self) -> str:
        return str(self.cleaned_data["reference"]).strip().upper()


class VacancyEditForm(VacancyForm):
    """The edit form carries when the vacancy was last saved, as the editor loaded it, so a
    change made meanwhile by someone else is refused instead of overwritten."""

    seen_updated_at = forms.CharField(widget=forms.HiddenInput)

    def clean_seen_updated_at(self) -> dt.datetime:
        try:
            seen = dt.datetime.fromisoformat(self.cleaned_data["seen_updated_at"])
        except ValueError:
            raise forms.ValidationError(
                _("This form is damaged; open the vacancy again."), code="seen"
            ) from None
        if seen.tzinfo is None:
            raise forms.ValidationError(
                _("This form is damaged; open the vacancy again."), code="seen"
            )
        return seen


TESTS = frozenset({StepKind.SELECTION_TEST, StepKind.APTITUDE_TEST, StepKind.OTHER_TEST})


class ProcedureStepForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=StepKind.choices)
    scheduled_at = forms.DateTimeField(label=_("when"), widget=DateTimeInput())
    external_assessor = forms.CharField(
        label=_("external assessor"),
        max_length=120,
        required=False,
        help_text=_("Leave empty when you held it yourself."),
    )
    test_name = forms.CharField(label=_("test"), max_length=120, required=False)
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=Outcome.choices, initial=Outcome.PENDING
    )
    score = forms.DecimalField(
        label=_("score"), required=False, max_digits=6, decimal_places=2, min_value=0, localize=True
    )
    report = forms.CharField(
        label=_("report"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in TESTS and not data.get("test_name"):
            self.add_error("test_name", _("Name the test that was taken."))
        return data
