"""Back-office review of the corrections people propose on their own pages (R6.5): values the
agency verified or received from someone else change only when a consultant accepts them.

Thin: ``candor.selfservice.services.correction_decide`` applies an accepted value through
``candor.rights.rectification.rectify`` (validation, the person services, the audit event with
the old value) and records the decision.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candor.rights.rectification import field_label
from candor.selfservice.forms import CorrectionDecisionForm
from candor.selfservice.models import Correction, CorrectionStatus
from candor.selfservice.selectors import decided_corrections, pending_corrections
from candor.selfservice.services import correction_decide
from candor.site.access import actor_of, require

PER_PAGE = 25


@require("correction.review")
def correction_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(pending_corrections(), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "site/corrections/list.html",
        {
            "page": page,
            "rows": [(c, field_label(c.field_path), CorrectionDecisionForm()) for c in page],
            "decided": [(c, field_label(c.field_path)) for c in decided_corrections()],
        },
    )


@require("correction.review")
@require_POST
def correction_decide_view(request: HttpRequest, correction_id: int) -> HttpResponse:
    correction = get_object_or_404(Correction, pk=correction_id)
    form = CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or reject the correction."))
        return redirect("site:corrections")
    try:
        correction_decide(
            actor=actor_of(request),
            correction_id=correction.pk,
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        correction.refresh_from_db()
        if correction.status == CorrectionStatus.ACCEPTED:
            messages.success(request, _("Accepted: the person's data is corrected."))
        else:
            messages.success(request, _("Rejected: the person sees your note."))
    return redirect("site:corrections")


urlpatterns: list[URLPattern] = [
    path("corrections/", correction_list, name="corrections"),
    path(
        "corrections/<int:correction_id>/decide/",
        correction_decide_view,
        name="correction_decide",
    ),
]
