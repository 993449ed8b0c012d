"""Back-office pages for introductions on consent (R4.1): the requests clients made in their
portal, and what a consultant does with them — ask the candidate by e-mail, record an answer
given by phone or on paper with its evidence, withdraw.

Thin: ``candor.portal.services`` decides, writes, discloses and audits.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candor.portal.models import AskedVia, Introduction, IntroductionStatus
from candor.portal.selectors import introductions_to_act_on
from candor.portal.services import (
    ANSWERABLE,
    IntroductionRefused,
    introduction_ask,
    introduction_record_answer,
    introduction_revoke,
    introduction_viewed,
)
from candor.site.access import actor_of, require

PER_PAGE = 25


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=gettext_lazy("answer"),
        choices=[("yes", gettext_lazy("Yes, agrees")), ("no", gettext_lazy("No"))],
        widget=forms.RadioSelect,
    )
    via = forms.ChoiceField(
        label=gettext_lazy("given"),
        choices=[(AskedVia.PHONE, AskedVia.PHONE.label), (AskedVia.PAPER, AskedVia.PAPER.label)],
    )
    evidence = forms.CharField(
        label=gettext_lazy("evidence (when, to whom, the paper's reference)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require("introduction.manage")
def introduction_list(request: HttpRequest) -> HttpResponse:
    rows = introductions_to_act_on()
    wanted = request.GET.get("status", "")
    if wanted in IntroductionStatus.values:
        rows = rows.filter(status=wanted)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "site/disclosure/introduction_list.html",
        {"page": page, "statuses": IntroductionStatus.choices, "wanted": wanted},
    )


def _introduction(introduction_id: int) -> Introduction:
    return get_object_or_404(
        Introduction.objects.select_related("organisation", "vacancy", "person", "disclosure"),
        pk=introduction_id,
    )


@require("introduction.manage")
def introduction_detail(request: HttpRequest, introduction_id: int) -> HttpResponse:
    introduction = _introduction(introduction_id)
    introduction_viewed(actor=actor_of(request), introduction=introduction)
    return render(
        request,
        "site/disclosure/introduction_detail.html",
        {
            "introduction": introduction,
            "form": AnswerForm(),
            "waiting": introduction.status in ANSWERABLE,
            "answerable": introduction.status in (*ANSWERABLE, IntroductionStatus.EXPIRED),
        },
    )


@require("introduction.manage")
def introduction_ask_page(request: HttpRequest, introduction_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            introduction_ask(
                actor=actor_of(request),
                introduction=_introduction(introduction_id),
                base_url=request.build_absolute_uri("/"),
            )
            messages.success(request, _("The candidate was asked by e-mail."))
        except IntroductionRefused as refused:
            messages.error(request, str(refused))
    return redirect("site:introduction", introduction_id=introduction_id)


@require("introduction.manage")
def introduction_answer_page(request: HttpRequest, introduction_id: int) -> HttpResponse:
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the answer, how it was given and its evidence."))
        else:
            try:
                found = introduction_record_answer(
                    actor=actor_of(request),
                    introduction=_introduction(introduction_id),
                    accepted=form.cleaned_data["answer"] == "yes",
                    via=form.cleaned_data["via"],
                    evidence=form.cleaned_data["evidence"],
                )
                messages.success(
                    request,
                    _("Answer recorded: %(status)s.") % {"status": found.get_status_display()},
                )
            except IntroductionRefused as refused:
                messages.error(request, str(refused))
    return redirect("site:introduction", introduction_id=introduction_id)


@require("introduction.manage")
def introduction_revoke_page(request: HttpRequest, introduction_id: int) -> HttpResponse:
    if request.method == "POST":
        introduction_revoke(actor=actor_of(request), introduction=_introduction(introduction_id))
        messages.success(request, _("The introduction was withdrawn."))
    return redirect("site:introduction", introduction_id=introduction_id)


urlpatterns: list[URLPattern] = [
    path("disclosure/introductions/", introduction_list, name="introductions"),
    path(
        "disclosure/introductions/<int:introduction_id>/",
        introduction_detail,
        name="introduction",
    ),
    path(
        "disclosure/introductions/<int:introduction_id>/ask/",
        introduction_ask_page,
        name="introduction_ask",
    ),
    path(
        "disclosure/introductions/<int:introduction_id>/answer/",
        introduction_answer_page,
        name="introduction_answer",
    ),
    path(
        "disclosure/introductions/<int:introduction_id>/revoke/",
        introduction_revoke_page,
        name="introduction_revoke",
    ),
]
