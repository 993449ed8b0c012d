"""Back-office pages: the candidate list, with full-text search and filters combined."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from candor.accounts.permissions import can
from candor.people.models import Language, SourceKind
from candor.recruitment.models import CEFR, EducationLevel, Stage
from candor.search.documents import PROVINCES
from candor.search.services import CandidateSearch, search_candidates
from candor.site.access import require

Choices = list[tuple[str, Any]]  # labels may be lazy translations


def _blank(label: Any, choices: Choices) -> Choices:
    return [("", label), *[(v, lbl) for v, lbl in choices if v]]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=10_000)
    function = forms.CharField(label=_("Desired function"), required=False, max_length=200)
    skills = forms.CharField(label=_("Skills"), required=False, max_length=200)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=_blank(_("Any"), list(Language.choices))
    )
    min_level = forms.ChoiceField(
        label=_("at least"), required=False, choices=_blank(_("Any level"), list(CEFR.choices))
    )
    education = forms.ChoiceField(
        label=_("Education (at least)"),
        required=False,
        choices=_blank(_("Any"), list(EducationLevel.choices)),
    )
    province = forms.ChoiceField(
        label=_("Province"),
        required=False,
        choices=_blank(_("Anywhere"), [(k, _(v)) for k, v in PROVINCES.items()]),
    )
    postcode = forms.RegexField(
        label=_("Postcode area"),
        required=False,
        regex=r"^\d{2,4}$",
        error_messages={"invalid": _("Enter the first two to four digits of a Belgian postcode.")},
    )
    available_by = forms.DateField(label=_("Available by"), required=False)
    stage = forms.ChoiceField(
        label=_("Procedure stage"), required=False, choices=_blank(_("Any"), list(Stage.choices))
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=_blank(_("Any"), list(SourceKind.choices))
    )
    source_name = forms.CharField(label=_("Source name"), required=False, max_length=120)

    def search(self) -> CandidateSearch:
        data = self.cleaned_data
        source = data["source"]
        if source and data["source_name"].strip():
            source = f"{source}:{data['source_name'].strip()}"
        return CandidateSearch(
            text=data["q"],
            function=data["function"],
            skills=data["skills"],
            language=data["language"],
            min_level=data["min_level"],
            education=data["education"],
            province=data["province"],
            postcode=data["postcode"] or "",
            available_by=data["available_by"],
            stage=data["stage"],
            source=source,
        )


@require("candidate.view")
def candidate_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_bound and not form.is_valid():
        search = None
    else:
        search = form.search() if form.is_bound else CandidateSearch()
    if search is not None:
        try:
            number = int(request.GET.get("page", "1"))
        except ValueError:
            number = 1
        results = search_candidates(search, page=min(max(number, 1), 10_000))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "site/candidates/list.html",
        {
            "form": form,
            "results": results,
            "querystring": query.urlencode(),
            "filters_key": request.GET.urlencode(),
            # one reversal for the page's 25 links instead of one each
            "dossier_prefix": reverse("site:dossier", args=[0]).removesuffix("0/"),
            "advanced_open": any(
                request.GET.get(name) for name in form.fields if name not in ("q",)
            ),
            "can_create": can(request.user, "candidate.create"),
            "can_add_organisation": can(request.user, "organisation.change"),
        },
    )


urlpatterns: list[URLPattern] = [path("candidates/", candidate_list, name="candidates")]
