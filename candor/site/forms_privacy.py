"""Forms of the dossier's privacy panel: consent, objection, restriction, career end."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from candor.privacy.models import RestrictionGround, Via
from candor.privacy.policy import policy

STAFF_VIA = [
    (Via.PHONE, Via.PHONE.label),
    (Via.EMAIL, Via.EMAIL.label),
    (Via.PAPER, Via.PAPER.label),
    (Via.LETTER, Via.LETTER.label),
    (Via.IN_PERSON, Via.IN_PERSON.label),
    (Via.PORTAL, Via.PORTAL.label),
]


class _PurposeChoiceForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"))

    def purposes(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = self.purposes()  # type: ignore[attr-defined]


class ConsentForm(_PurposeChoiceForm):
    via = forms.ChoiceField(label=_("How did the person consent?"), choices=STAFF_VIA)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=300,
        help_text=_("For phone, paper or in person: who heard it, when, which document."),
    )
    language = forms.ChoiceField(
        label=_("Language of the text shown"),
        choices=[("nl", "Nederlands"), ("fr", "Français"), ("en", "English")],
    )

    def purposes(self) -> list[tuple[str, str]]:
        return [(p.key, p.label.get()) for p in policy().purposes.values() if p.needs_consent]


class WithdrawForm(forms.Form):
    purpose = forms.CharField(widget=forms.HiddenInput)
    via = forms.ChoiceField(label=_("How did the person withdraw?"), choices=STAFF_VIA)


class ObjectionForm(_PurposeChoiceForm):
    via = forms.ChoiceField(label=_("Received via"), choices=STAFF_VIA)
    reason = forms.CharField(
        label=_("The person's grounds (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def purposes(self) -> list[tuple[str, str]]:
        return [(p.key, p.label.get()) for p in policy().purposes.values() if p.objectable]


class OverrideForm(forms.Form):
    grounds = forms.CharField(
        label=_("Compelling legitimate grounds"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the agency's grounds override the person's interests (Art. 21(1))."),
    )


class RestrictionForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=RestrictionGround.choices)
    via = forms.ChoiceField(label=_("Asked via"), choices=STAFF_VIA)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the restriction ends"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person is told before the restriction is lifted (Art. 18(3))."),
    )


class CareerEndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("Career ended on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to clear: the statutory pension date applies again."),
    )
