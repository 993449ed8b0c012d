"""Back-office forms. They parse input only: validation rules live in the shared cleaners
(``clean_candidate``, ``clean_organisation``, the normalisers) and writes in services, so a form,
the API and the importer can never disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from candor.people.models import Gender, Language, Person
from candor.people.services import PERSON_EDITABLE
from candor.recruitment.records import AddressData, CandidateRecord
from candor.relations.models import OrganisationKind

SOURCE_CHOICES = [
    ("self", _("The person themselves")),
    ("third-party", _("A third party")),
    ("medium", _("An online or offline medium")),
    ("partner", _("A partner")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SourceMixin(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=SOURCE_CHOICES, initial="self")
    source_name = forms.CharField(
        label=_("Name of the medium or partner"), required=False, max_length=120
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") in {"medium", "partner"} and not data.get("source_name"):
            self.add_error("source_name", _("Name the medium or partner."))
        return data

    def source_code(self) -> str:
        kind = self.cleaned_data["source"]
        return (
            f"{kind}:{self.cleaned_data['source_name']}" if kind in {"medium", "partner"} else kind
        )


class CandidateForm(SourceMixin):
    first_name = forms.CharField(label=_("first name"), max_length=100)
    last_name = forms.CharField(label=_("surname"), max_length=100)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    mobile = forms.CharField(label=_("Mobile"), required=False, max_length=40)
    birth_date = forms.DateField(label=_("birth date"), required=False, widget=DateInput())
    gender = forms.ChoiceField(label=_("gender"), choices=Gender.choices, required=False)
    nationality = forms.CharField(label=_("nationality"), required=False, max_length=2)
    preferred_language = forms.ChoiceField(
        label=_("preferred language"), choices=[("", "—"), *Language.choices], required=False
    )
    street = forms.CharField(label=_("street"), required=False, max_length=120)
    number = forms.CharField(label=_("number"), required=False, max_length=12)
    postcode = forms.CharField(label=_("postcode"), required=False, max_length=12)
    city = forms.CharField(label=_("city"), required=False, max_length=120)
    desired_function = forms.CharField(label=_("desired function"), required=False, max_length=160)
    notes = forms.CharField(
        label=_("additional information"), required=False, widget=forms.Textarea
    )

    def record(self) -> CandidateRecord:
        d = self.cleaned_data
        return CandidateRecord(
            first_name=d["first_name"],
            last_name=d["last_name"],
            emails=[d["email"]] if d["email"] else [],
            mobiles=[d["mobile"]] if d["mobile"] else [],
            birth_date=d["birth_date"],
            gender=d["gender"],
            nationality=d["nationality"],
            preferred_language=d["preferred_language"],
            address=AddressData(
                street=d["street"], number=d["number"], postcode=d["postcode"], city=d["city"]
            ),
            desired_function=d["desired_function"],
            notes=d["notes"],
        )

    def add_record_errors(self, errors: dict[str, list[str]]) -> None:
        """Attach the shared cleaner's errors to the matching form fields."""
        aliases = {"phone": "mobile", "identity": None, "address": "street"}
        for name, messages in errors.items():
            target = aliases.get(name, name)
            field = target if target in self.fields else None
            for message in messages:
                self.add_error(field, message)


class PersonForm(forms.ModelForm):
    """A person's own fields. It carries the ``updated_at`` it was loaded with, so a save over
    someone else's newer save is refused (``person_update``), and each field's loaded value
    (Django's hidden initial), so that after such a refusal what this user changed can be told
    from what the other person changed."""

    updated_at = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={"required": _("This form is out of date: open the page again.")},
    )

    class Meta:
        model = Person
        fields = list(PERSON_EDITABLE)
        widgets = {"birth_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PERSON_EDITABLE:
            self.fields[name].show_hidden_initial = True
        if self.instance.pk:
            self.initial["updated_at"] = self.instance.updated_at.isoformat()

    def clean_updated_at(self) -> dt.datetime:
        try:
            value = dt.datetime.fromisoformat(self.cleaned_data["updated_at"])
        except ValueError:
            value = None
        if value is None or timezone.is_naive(value):
            raise forms.ValidationError(
                _("This form is out of date: open the page again."), code="version"
            )
        return value

    def rebased(self, current: Person) -> PersonForm:
        """The form again, over ``current`` (saved by someone else after this form was loaded):
        the fields this user changed keep what they typed, the others show the stored values,
        the version is the stored one, and errors name what changed meanwhile. Saving it again
        is then a deliberate choice that overwrites only the fields this user changed."""
        stored = {name: getattr(current, name) for name in PERSON_EDITABLE}
        mine = {name for name in self.changed_data if name in PERSON_EDITABLE}
        theirs = [name for name in PERSON_EDITABLE if self._changed_since_loaded(name, stored)]
        data = cast(QueryDict, self.data).copy()  # bound to request.POST
        for name, value in stored.items():
            shown = self._as_data(name, value)
            data.setlist(self.add_initial_prefix(name), shown)
            if name not in mine:
                data.setlist(self.add_prefix(name), shown)
        data[self.add_prefix("updated_at")] = current.updated_at.isoformat()
        form = PersonForm(data, instance=current)
        form.full_clean()
        labels = [
            str(getattr(Person._meta.get_field(name), "verbose_name", name)) for name in theirs
        ]
        form.add_error(
            None,
            _(
                "Someone else saved changes to these details at %(time)s, after you opened this "
                "form (%(fields)s). Nothing you typed was saved. The fields you changed keep "
                "what you typed; the others now show what is stored. Check them, then save again."
            )
            % {
                "time": date_format(
                    timezone.localtime(current.updated_at), "SHORT_DATETIME_FORMAT"
                ),
                "fields": ", ".join(labels) or _("no visible field"),
            },
        )
        for name in sorted(mine & set(theirs), key=PERSON_EDITABLE.index):
            form.add_error(
                name,
                _("Changed meanwhile to “%(value)s”. Saving again replaces it with yours.")
                % {"value": self._display(name, stored[name])},
            )
        return form

    def _changed_since_loaded(self, name: str, stored: dict[str, Any]) -> bool:
        field = self.fields[name]
        key = self.add_initial_prefix(name)
        if key not in self.data:
            return False  # loaded without its initial values: cannot tell
        loaded = field.hidden_widget().value_from_datadict(self.data, self.files, key)
        return field.has_changed(stored[name], loaded)

    def _as_data(self, name: str, value: Any) -> list[str]:
        field = self.fields[name]
        shown = field.widget.format_value(field.prepare_value(value))
        if isinstance(shown, list):
            return shown
        return ["" if shown is None else str(shown)]

    def _display(self, name: str, value: Any) -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, dt.date):
            return date_format(value, "SHORT_DATE_FORMAT")
        choices = dict(getattr(self.fields[name], "choices", ()))
        return str(choices.get(value, value))


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=_("name"), max_length=160)
    sector = forms.CharField(label=_("sector"), required=False, max_length=80)
    vat_number = forms.CharField(label=_("VAT number"), required=False, max_length=20)
    iban = forms.CharField(label=_("IBAN"), required=False, max_length=40)
    billing_street = forms.CharField(label=_("billing street"), required=False, max_length=160)
    billing_postcode = forms.CharField(label=_("billing postcode"), required=False, max_length=12)
    billing_city = forms.CharField(label=_("billing city"), required=False, max_length=120)
