"""Back-office forms for the DPO's governance pages: publishing a privacy statement version.

They parse input only: the rules (unique version, date order, changes in every language) live in
``candor.privacy.statement.statement_publish``, so the form and ``candor statement publish``
cannot disagree.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from candor.site.forms import DateInput


class StatementPublishForm(forms.Form):
    version = forms.CharField(
        label=_("version"), max_length=20, help_text=_("For example 2026.2; used once.")
    )
    published_on = forms.DateField(label=_("in force from"), widget=DateInput)
    changes_nl = forms.CharField(
        label=_("what changed (Dutch)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    changes_fr = forms.CharField(
        label=_("what changed (French)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    changes_en = forms.CharField(
        label=_("what changed (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def changes(self) -> dict[str, str]:
        return {lang: self.cleaned_data[f"changes_{lang}"] for lang in ("nl", "fr", "en")}
