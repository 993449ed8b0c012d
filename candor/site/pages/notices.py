"""Back-office pages for the DPO: the notices owed to people whose data came from elsewhere
(R2.2, GDPR Art. 14) — what is open, what is overdue, what could not be sent — with a preview
of each notice, "send now" and "mark impossible with a note".

A preview shows the person's name, address and the categories held, so opening it is recorded
in the audit trail like a dossier. Writes go through ``candor.privacy.notices``.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candor.accounts.permissions import can
from candor.core import clock
from candor.privacy.models import NoticeDuty, NoticeStatus
from candor.privacy.notices import (
    notice_email,
    notice_language,
    notice_mark_impossible,
    notice_render,
    notice_send,
    notice_viewed,
    notices_impossible,
    notices_open,
    notices_overdue,
)
from candor.privacy.policy import LANGUAGES
from candor.site.access import actor_of, require

logger = logging.getLogger(__name__)
PER_PAGE = 25
SHOW = {
    "open": gettext_lazy("Open"),
    "overdue": gettext_lazy("Overdue"),
    "impossible": gettext_lazy("Could not be sent"),
}


class ImpossibleForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why, and how the person will be informed instead"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _queue(show: str) -> QuerySet[NoticeDuty]:
    today = clock.today()
    if show == "overdue":
        return notices_overdue(today)
    if show == "impossible":
        return notices_impossible()
    return notices_open(today)


@require("notices.manage")
def notice_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    show = show if show in SHOW else "open"
    today = clock.today()
    page = Paginator(_queue(show).select_related("person", "provenance"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "site/notices/list.html",
        {
            "page": page,
            "show": show,
            "tabs": [(key, label, _queue(key).count()) for key, label in SHOW.items()],
            "today": today,
            "can_view_dossier": can(request.user, "candidate.view"),
        },
    )


def _detail(
    request: HttpRequest, duty: NoticeDuty, form: ImpossibleForm | None = None, status: int = 200
) -> HttpResponse:
    language = request.GET.get("language", "")
    language = language if language in LANGUAGES else notice_language(duty.person)
    notice_viewed(actor=actor_of(request), duty=duty)
    return render(
        request,
        "site/notices/detail.html",
        {
            "duty": duty,
            "notice": notice_render(duty, language=language),
            "language": language,
            "languages": LANGUAGES,
            "recipient": notice_email(duty.person),
            "is_open": duty.status == NoticeStatus.OPEN,
            "can_decide": duty.status in {NoticeStatus.OPEN, NoticeStatus.IMPOSSIBLE},
            "overdue": duty.status == NoticeStatus.OPEN and duty.due_on < clock.today(),
            "form": form or ImpossibleForm(),
            "can_view_dossier": can(request.user, "candidate.view"),
        },
        status=status,
    )


def _get_duty(duty_id: int) -> NoticeDuty:
    return get_object_or_404(NoticeDuty.objects.select_related("person", "provenance"), pk=duty_id)


@require("notices.manage")
def notice_detail(request: HttpRequest, duty_id: int) -> HttpResponse:
    """The duty and a preview of its notice, in the person's language or another one."""
    return _detail(request, _get_duty(duty_id))


@require("notices.manage")
def notice_send_now(request: HttpRequest, duty_id: int) -> HttpResponse:
    duty = _get_duty(duty_id)
    if request.method != "POST":
        return redirect("site:notice", duty_id=duty.pk)
    try:
        duty = notice_send(actor=actor_of(request), duty=duty)
    except Exception:  # the mail server refused or is down: nothing was recorded
        logger.exception("notice duty %s: not sent", duty.pk)  # the id only, no address
        messages.error(
            request, _("The mail server did not accept the notice; it is still open. Try later.")
        )
        return redirect("site:notice", duty_id=duty.pk)
    if duty.status == NoticeStatus.SENT:
        messages.success(request, _("The notice was sent."))
    elif duty.status == NoticeStatus.IMPOSSIBLE:
        messages.warning(request, duty.note or _("The notice could not be sent."))
    else:
        messages.info(request, _("This notice is no longer due."))
    return redirect("site:notice", duty_id=duty.pk)


@require("notices.manage")
def notice_impossible(request: HttpRequest, duty_id: int) -> HttpResponse:
    duty = _get_duty(duty_id)
    if request.method != "POST":
        return redirect("site:notice", duty_id=duty.pk)
    form = ImpossibleForm(request.POST)
    if form.is_valid():
        try:
            notice_mark_impossible(
                actor=actor_of(request), duty=duty, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Recorded: this notice will not be sent by e-mail."))
            return redirect("site:notices")
    return _detail(request, duty, form=form, status=400)


urlpatterns: list[URLPattern] = [
    path("privacy/notices/", notice_list, name="notices"),
    path("privacy/notices/<int:duty_id>/", notice_detail, name="notice"),
    path("privacy/notices/<int:duty_id>/send/", notice_send_now, name="notice_send"),
    path("privacy/notices/<int:duty_id>/impossible/", notice_impossible, name="notice_impossible"),
]
