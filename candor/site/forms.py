"""Back-office forms. They parse input only: validation rules live in the shared cleaners
(``clean_candidate``, ``clean_organisation``, the normalisers) and writes in services, so a form,
the API and the importer can never disagree."""

from __future__ import annotations

from typing import Any

from django import forms
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
    class Meta:
        model = Person
        fields = list(PERSON_EDITABLE)
        widgets = {"birth_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=OrganisationKind.choices)
    name = forms.CharField(label=_("name"), max_length=160)
    sector = forms.CharField(label=_("sector"), required=False, max_length=80)
    vat_number = forms.CharField(label=_("VAT number"), required=False, max_length=20)
    iban = forms.CharField(label=_("IBAN"), required=False, max_length=40)
    billing_street = forms.CharField(label=_("billing street"), required=False, max_length=160)
    billing_postcode = forms.CharField(label=_("billing postcode"), required=False, max_length=12)
    billing_city = forms.CharField(label=_("billing city"), required=False, max_length=120)
