"""Back-office pages: vacancies and their application pipeline (R1.2).

Every page here runs a fixed number of queries whatever the number of applications: lists are
paginated, stage counts come from one aggregate query, and the board shows at most
``CARDS_PER_COLUMN`` cards per stage (with a link to the full list). Writes go through the
recruitment services, which write the audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candor.accounts.permissions import can
from candor.core import clock
from candor.core.editing import StaleEdit
from candor.recruitment.models import (
    PIPELINE,
    Application,
    ProcedureStep,
    Stage,
    Vacancy,
    VacancyStatus,
)
from candor.recruitment.services import (
    VACANCY_EDITABLE,
    application_move_from,
    application_moves,
    procedure_step_record,
    vacancy_create,
    vacancy_update,
)
from candor.relations.models import Organisation
from candor.site.access import actor_of, require
from candor.site.forms_vacancies import ProcedureStepForm, VacancyEditForm, VacancyForm

VACANCIES_PER_PAGE = 25
APPLICATIONS_PER_PAGE = 50
CARDS_PER_COLUMN = 50  # a vacancy with 10,000 applications still renders in one screenful


# --- reads -----------------------------------------------------------------------------------


def _stage_counts(vacancy_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{vacancy id: {stage: number of applications}} in one aggregate query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Application.objects.filter(vacancy_id__in=list(vacancy_ids))
        .values_list("vacancy_id", "stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    for vacancy_id, stage, n in rows:
        counts[vacancy_id][stage] = n
    return counts


def _last_steps(application_ids: list[int]) -> dict[int, ProcedureStep]:
    """The latest procedure step of each application, in one query."""
    if not application_ids:
        return {}
    latest = (
        ProcedureStep.objects.filter(application_id__in=application_ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("application_id")],
                order_by=[F("scheduled_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .only("id", "application_id", "kind", "scheduled_at", "outcome")
    )
    return {step.application_id: step for step in latest}


class PerCardUrl:
    """A URL that differs per card only by its id: reversed once per board, not once per card
    (a full board has hundreds of cards, and ``reverse`` is the costliest part of a card)."""

    PLACEHOLDER = 2_147_483_647  # no real id; only ever replaced

    def __init__(self, name: str) -> None:
        self.head, _, self.tail = reverse(name, args=[self.PLACEHOLDER]).partition(
            str(self.PLACEHOLDER)
        )

    def __call__(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


@dataclass
class Card:
    application: Application
    last_step: ProcedureStep | None
    dossier_url: str
    move_url: str
    step_url: str


@dataclass
class Column:
    stage: Stage
    count: int
    cards: list[Card] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)

    @property
    def next_stage(self) -> Stage | None:
        """The stage the cards of this column move on to (none once the procedure ended)."""
        return next((s for s in application_moves(self.stage) if s in PIPELINE), None)

    @property
    def can_end(self) -> bool:
        """Whether its cards can still be rejected or withdrawn."""
        return bool(application_moves(self.stage))

    @property
    def left(self) -> bool:
        """Rejected or withdrawn: shown muted (hired ends the procedure too, but well)."""
        return self.stage in {Stage.REJECTED, Stage.WITHDRAWN}


def _board(vacancy_id: int) -> tuple[list[Column], int]:
    """The pipeline of one vacancy: a column per stage in ``Stage`` order, each with its count
    and its most recently moved cards (at most ``CARDS_PER_COLUMN``). Three queries."""
    counts = _stage_counts([vacancy_id]).get(vacancy_id, {})
    columns = {stage: Column(stage=stage, count=counts.get(stage, 0)) for stage in Stage}
    applications = list(
        Application.objects.filter(vacancy_id=vacancy_id)
        .select_related("person")
        .only("id", "stage", "applied_on", "updated_at", "person__first_name", "person__last_name")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage")],
                order_by=[F("updated_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=CARDS_PER_COLUMN)
        .order_by("stage", "rank")
    )
    steps = _last_steps([a.pk for a in applications])
    dossier_url = PerCardUrl("site:dossier")
    move_url = PerCardUrl("site:application_move")
    step_url = PerCardUrl("site:procedure_step_new")
    for application in applications:
        columns[Stage(application.stage)].cards.append(
            Card(
                application=application,
                last_step=steps.get(application.pk),
                dossier_url=dossier_url(application.person_id),
                move_url=move_url(application.pk),
                step_url=step_url(application.pk),
            )
        )
    return list(columns.values()), sum(counts.values())


def _pipeline_context(
    request: HttpRequest, vacancy_id: int, notice: dict[str, str] | None = None
) -> dict[str, Any]:
    columns, total = _board(vacancy_id)
    return {
        "vacancy_id": vacancy_id,
        "columns": columns,
        "total": total,
        "cards_per_column": CARDS_PER_COLUMN,
        "can_change_applications": can(request.user, "application.change"),
        "notice": notice,
    }


@dataclass(frozen=True)
class ListFilters:
    status: str = ""
    mine: bool = False
    client: int | None = None
    query: str = ""

    @classmethod
    def parse(cls, params: Any) -> ListFilters:
        """Read the filters from the query string; values that make no sense are ignored."""
        status = params.get("status", "")
        client = params.get("client", "")
        return cls(
            status=status if status in VacancyStatus.values else "",
            mine=params.get("mine") == "1",
            client=int(client) if client.isdigit() and len(client) < 12 else None,
            query=params.get("q", "").strip()[:160],
        )

    def apply(self, qs: QuerySet[Vacancy], user: Any) -> QuerySet[Vacancy]:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.mine:
            qs = qs.filter(consultant=user)
        if self.client is not None:
            qs = qs.filter(client_id=self.client)
        if self.query:
            qs = qs.filter(title__icontains=self.query)
        return qs


# --- pages -----------------------------------------------------------------------------------


@require("vacancy.view")
def vacancy_list(request: HttpRequest) -> HttpResponse:
    filters = ListFilters.parse(request.GET)
    vacancies = filters.apply(
        Vacancy.objects.select_related("client")
        .defer("description")
        .order_by("-created_at", "-id"),
        request.user,
    )
    page = Paginator(vacancies, VACANCIES_PER_PAGE).get_page(request.GET.get("page"))
    counts = _stage_counts(v.pk for v in page)
    rows = [
        (vacancy, [(stage, n) for stage in Stage if (n := counts[vacancy.pk].get(stage, 0))])
        for vacancy in page
    ]
    return render(
        request,
        "site/vacancies/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "statuses": VacancyStatus.choices,
            # Only clients that have vacancies can narrow this list.
            "clients": Organisation.objects.filter(vacancies__isnull=False)
            .distinct()
            .order_by("name")
            .values_list("id", "name"),
            "can_create": can(request.user, "vacancy.change"),
        },
    )


def _attach_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require("vacancy.change")
def vacancy_new(request: HttpRequest) -> HttpResponse:
    form = VacancyForm(
        request.POST or None,
        initial={"consultant": request.user.pk, "opened_on": clock.today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            vacancy = vacancy_create(actor=actor_of(request), data=form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Vacancy %(title)s saved.") % {"title": vacancy.title})
            return redirect("site:vacancy", vacancy_id=vacancy.pk)
    return render(
        request,
        "site/vacancies/form.html",
        {"form": form, "title": _("New vacancy"), "cancel": reverse("site:vacancies")},
    )


def _shown(vacancy: Vacancy, name: str) -> str:
    """A field's saved value as the edit form's conflict note shows it."""
    value = getattr(vacancy, name)
    if name == "status":
        return str(vacancy.get_status_display())
    if name == "consultant":
        return (value.get_full_name() or value.username) if value else "—"
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value) if value not in (None, "") else "—"


def _after_a_stale_edit(
    request: HttpRequest, vacancy: Vacancy, initial: dict[str, Any]
) -> tuple[VacancyEditForm, dict[str, str]]:
    """The form again, with what was typed, now stamped with the vacancy as saved meanwhile,
    and the saved value of each field that differs: saving again is then a decision taken
    knowing the other change."""
    data = request.POST.copy()
    data["seen_updated_at"] = vacancy.updated_at.isoformat()
    form = VacancyEditForm(data, initial=initial)
    form.is_valid()
    conflicts = {
        name: _shown(vacancy, name)
        for name in VACANCY_EDITABLE
        if name in form.cleaned_data and form.cleaned_data[name] != initial[name]
    }
    form.add_error(
        None,
        _(
            "Your changes were not saved: someone else changed this vacancy after you opened "
            "it. What is saved now is shown under each field that differs. Save again to "
            "replace it with what you typed."
        ),
    )
    return form, conflicts


@require("vacancy.change")
def vacancy_edit(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    # Loaded afresh on every request: on a POST it is the vacancy as saved now.
    vacancy = get_object_or_404(Vacancy.objects.select_related("client"), pk=vacancy_id)
    initial = {name: getattr(vacancy, name) for name in VACANCY_EDITABLE}
    initial["seen_updated_at"] = vacancy.updated_at.isoformat()
    form = VacancyEditForm(request.POST or None, initial=initial)
    conflicts: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            _saved, changed = vacancy_update(
                actor=actor_of(request),
                vacancy_id=vacancy.pk,
                changes={name: form.cleaned_data[name] for name in VACANCY_EDITABLE},
                seen_updated_at=form.cleaned_data["seen_updated_at"],
            )
        except StaleEdit:
            form, conflicts = _after_a_stale_edit(request, vacancy, initial)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            if changed:
                messages.success(request, _("Changes saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("site:vacancy", vacancy_id=vacancy.pk)
    return render(
        request,
        "site/vacancies/form.html",
        {
            "form": form,
            "title": _("Edit %(title)s") % {"title": vacancy.title},
            "cancel": reverse("site:vacancy", args=[vacancy.pk]),
            "conflicts": conflicts,
        },
    )


@require("vacancy.view")
def vacancy_detail(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    vacancy = get_object_or_404(
        Vacancy.objects.select_related("client", "consultant"), pk=vacancy_id
    )
    return render(
        request,
        "site/vacancies/detail.html",
        {
            "vacancy": vacancy,
            "can_change": can(request.user, "vacancy.change"),
            **_pipeline_context(request, vacancy.pk),
        },
    )


@require("application.view")
def vacancy_applications(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    """Every application of a vacancy, paginated: where the board's "n more" leads."""
    vacancy = get_object_or_404(Vacancy.objects.select_related("client"), pk=vacancy_id)
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    applications = (
        Application.objects.filter(vacancy=vacancy)
        .select_related("person")
        .only("id", "stage", "applied_on", "updated_at", "person__first_name", "person__last_name")
        .order_by("-updated_at", "-id")
    )
    if stage:
        applications = applications.filter(stage=stage)
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    steps = _last_steps([a.pk for a in page])
    return render(
        request,
        "site/vacancies/applications.html",
        {
            "vacancy": vacancy,
            "page": page,
            "rows": [(a, steps.get(a.pk)) for a in page],
            "stage": stage,
            "stages": Stage.choices,
            "can_change_applications": can(request.user, "application.change"),
        },
    )


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require("application.change")
@require_POST
def application_move(request: HttpRequest, application_id: int) -> HttpResponse:
    """Move one card (R1.2). htmx gets the re-rendered board; a plain form post is redirected
    back to the board with a message, so the page works without JavaScript too."""
    application = get_object_or_404(
        Application.objects.select_related("person").only(
            "id", "vacancy_id", "stage", "person__first_name", "person__last_name"
        ),
        pk=application_id,
    )
    stage, seen = request.POST.get("stage", ""), request.POST.get("from", "")
    if stage not in Stage.values or seen not in Stage.values:
        level, text = messages.ERROR, _("That is not a stage of the procedure; nothing changed.")
    else:
        try:
            application_move_from(
                actor=actor_of(request), application_id=application.pk, seen_stage=seen, stage=stage
            )
        except ValidationError as exc:
            level, text = messages.ERROR, " ".join(exc.messages)
        else:
            level = messages.SUCCESS
            text = _("%(name)s moved to “%(stage)s”.") % {
                "name": application.person,
                "stage": Stage(stage).label,
            }
    if _is_htmx(request):
        notice = {"level": "error" if level == messages.ERROR else "success", "text": text}
        return render(
            request,
            "site/vacancies/_pipeline.html",
            _pipeline_context(request, application.vacancy_id, notice),
        )
    messages.add_message(request, level, text)
    url = reverse("site:vacancy", args=[application.vacancy_id])
    return redirect(f"{url}#application-{application.pk}")


def _now_for_input() -> dt.datetime:
    return timezone.localtime(clock.now()).replace(second=0, microsecond=0)


@require("application.change")
def procedure_step_new(request: HttpRequest, application_id: int) -> HttpResponse:
    """Record an interview or a test of one application (R1.2)."""
    application = get_object_or_404(
        Application.objects.select_related("person", "vacancy", "vacancy__client"),
        pk=application_id,
    )
    form = ProcedureStepForm(request.POST or None, initial={"scheduled_at": _now_for_input()})
    if request.method == "POST" and form.is_valid():
        try:
            step = procedure_step_record(
                actor=actor_of(request), application=application, **form.cleaned_data
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(kind)s of %(name)s recorded.")
                % {"kind": step.get_kind_display(), "name": application.person},
            )
            url = reverse("site:vacancy", args=[application.vacancy_id])
            return redirect(f"{url}#application-{application.pk}")
    return render(
        request,
        "site/vacancies/step_form.html",
        {
            "form": form,
            "application": application,
            "steps": application.steps.select_related("conducted_by").order_by(
                "-scheduled_at", "-id"
            ),
        },
    )


urlpatterns: list[URLPattern] = [
    path("vacancies/", vacancy_list, name="vacancies"),
    path("vacancies/new/", vacancy_new, name="vacancy_new"),
    path("vacancies/<int:vacancy_id>/", vacancy_detail, name="vacancy"),
    path("vacancies/<int:vacancy_id>/edit/", vacancy_edit, name="vacancy_edit"),
    path(
        "vacancies/<int:vacancy_id>/applications/",
        vacancy_applications,
        name="vacancy_applications",
    ),
    path("applications/<int:application_id>/move/", application_move, name="application_move"),
    path(
        "applications/<int:application_id>/steps/new/",
        procedure_step_new,
        name="procedure_step_new",
    ),
]
