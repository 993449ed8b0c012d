"""Back-office pages: outplacement and career-guidance trajectories and their sessions (R1.2).

Opening a trajectory shows its goal and session notes, so it is recorded in the audit trail like
a dossier. Writes go through ``candor.guidance.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from candor.accounts.permissions import can
from candor.core import clock
from candor.core.editing import StaleEdit
from candor.disclosure.services import DisclosureRefused
from candor.guidance.models import GuidanceSession, Trajectory, TrajectoryKind, TrajectoryStatus
from candor.guidance.services import (
    TRAJECTORY_FIELDS,
    session_record,
    trajectory_create,
    trajectory_update,
    trajectory_viewed,
)
from candor.guidance.sharing import ReportRefused, trajectory_report, trajectory_report_share
from candor.people.models import Person
from candor.relations.models import Organisation
from candor.search.services import CandidateSearch, search_candidates
from candor.site.access import actor_of, require
from candor.site.forms_relations import (
    SessionForm,
    TrajectoryEditForm,
    TrajectoryForm,
    VersionMixin,
)

PER_PAGE = 25
SESSIONS_PER_PAGE = 20
PICKER_ROWS = 10


def trajectories(
    *, kind: str = "", status: str = "", consultant_id: int | None = None, sponsor: str = ""
) -> QuerySet[Trajectory]:
    """Trajectories newest first, with their number of sessions and the next one planned."""
    sessions = GuidanceSession.objects.filter(trajectory=OuterRef("pk")).order_by()
    qs = (
        Trajectory.objects.select_related("person", "consultant", "sponsor")
        .annotate(
            sessions_count=Coalesce(
                Subquery(
                    sessions.values("trajectory").annotate(n=Count("pk")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            next_session=Subquery(
                sessions.filter(held_at__gte=clock.now())
                .values("trajectory")
                .annotate(first=Min("held_at"))
                .values("first")
            ),
        )
        .order_by("-started_on", "-pk")
    )
    if kind in TrajectoryKind.values:
        qs = qs.filter(kind=kind)
    if status in TrajectoryStatus.values:
        qs = qs.filter(status=status)
    if consultant_id is not None:
        qs = qs.filter(consultant_id=consultant_id)
    if sponsor.isdecimal() and len(sponsor) < 12:  # an id; a longer number overflows the column
        qs = qs.filter(sponsor_id=int(sponsor))
    return qs


@require("trajectory.view")
def trajectory_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    sponsor = request.GET.get("sponsor", "")
    mine = request.GET.get("mine") == "1"
    qs = trajectories(
        kind=kind,
        status=status,
        consultant_id=request.user.pk if mine else None,
        sponsor=sponsor,
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    sponsors = Organisation.objects.filter(
        pk__in=Trajectory.objects.filter(sponsor__isnull=False).values("sponsor")
    ).order_by("name")[:200]
    return render(
        request,
        "site/trajectories/list.html",
        {
            "page": page,
            "kind": kind,
            "status": status,
            "sponsor": sponsor,
            "mine": mine,
            "kinds": TrajectoryKind.choices,
            "statuses": TrajectoryStatus.choices,
            "sponsors": list(sponsors),
            "can_change": can(request.user, "trajectory.change"),
        },
    )


@require("trajectory.view")
def trajectory_detail(request: HttpRequest, trajectory_id: int) -> HttpResponse:
    trajectory = get_object_or_404(
        Trajectory.objects.select_related(
            "person", "sponsor", "consultant", "provenance__recorded_by"
        ),
        pk=trajectory_id,
    )
    sessions = Paginator(
        trajectory.sessions.select_related("consultant", "provenance__recorded_by").order_by(
            "-held_at", "-pk"
        ),
        SESSIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    trajectory_viewed(actor=actor_of(request), trajectory=trajectory, where="backoffice")
    return render(
        request,
        "site/trajectories/detail.html",
        {
            "trajectory": trajectory,
            "sessions": sessions,
            "now": clock.now(),
            "can_change": can(request.user, "trajectory.change"),
            "can_view_dossier": can(request.user, "candidate.view"),
            "can_share_report": can(request.user, "report.share") and trajectory.sponsor_id,
        },
    )


@require("report.share")
def trajectory_report_page(request: HttpRequest, trajectory_id: int) -> HttpResponse:
    """Write a report for the trajectory's paying organisation, preview exactly what goes out,
    then send it (R4.3): recorded in the disclosure ledger, e-mailed to its contact."""
    trajectory = get_object_or_404(
        Trajectory.objects.select_related("person", "sponsor"), pk=trajectory_id
    )
    sessions = list(trajectory.sessions.order_by("-held_at")[:SESSIONS_PER_PAGE])
    text = request.POST.get("text", "")
    chosen = [int(pk) for pk in request.POST.getlist("sessions") if pk.isdecimal() and len(pk) < 12]
    preview, problem = None, ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send":
                trajectory_report_share(
                    actor=actor_of(request), trajectory=trajectory, text=text, session_ids=chosen
                )
                messages.success(request, _("The report was sent and recorded."))
                return redirect("site:trajectory", trajectory_id=trajectory.pk)
            preview = trajectory_report(trajectory, text=text, session_ids=chosen)
        except ReportRefused as exc:
            problem = str(exc)
        except DisclosureRefused:
            problem = _("The privacy gate does not allow sharing this person's data.")
    return render(
        request,
        "site/trajectories/report.html",
        {
            "trajectory": trajectory,
            "sessions": sessions,
            "text": text,
            "chosen": chosen,
            "preview": preview,
            "problem": problem,
        },
    )


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _chosen_person(value: str | None) -> Person | None:
    if not value or not value.isdecimal() or len(value) > 11:  # ids only ("²" is a digit)
        return None
    return Person.objects.filter(pk=int(value), is_candidate=True).first()


@require("trajectory.change")
def trajectory_new(request: HttpRequest) -> HttpResponse:
    """A new trajectory for a person chosen from their dossier (``?person=``) or by name."""
    if request.method == "POST":
        form = TrajectoryForm(request.POST)
        person = _chosen_person(request.POST.get("person"))
        if form.is_valid():
            data = form.trajectory_data()
            try:
                trajectory = trajectory_create(
                    actor=actor_of(request), person=form.cleaned_data["person"], **data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Trajectory saved."))
                return redirect("site:trajectory", trajectory_id=trajectory.pk)
    else:
        person = _chosen_person(request.GET.get("person"))
        form = TrajectoryForm(
            initial={
                "person": person.pk if person else None,
                "started_on": clock.today(),
                "consultant": request.user,
            }
        )
    query = request.GET.get("q", "").strip()
    matches = (
        search_candidates(CandidateSearch(text=query), per_page=PICKER_ROWS).people
        if query and person is None
        else []
    )
    return render(
        request,
        "site/trajectories/form.html",
        {
            "form": form,
            "person": person,
            "query": query,
            "matches": matches,
            "picker_rows": PICKER_ROWS,
            "asked_for_person": person is None
            and (request.method == "POST" or bool(request.GET.get("person"))),
            "title": _("New trajectory"),
        },
    )


def _trajectory_initial(trajectory: Trajectory) -> dict[str, Any]:
    initial = {name: getattr(trajectory, name) for name in TRAJECTORY_FIELDS}
    initial["updated_at"] = trajectory.updated_at.isoformat()
    return initial


@require("trajectory.change")
def trajectory_edit(request: HttpRequest, trajectory_id: int) -> HttpResponse:
    trajectory = get_object_or_404(Trajectory.objects.select_related("person"), pk=trajectory_id)
    form: VersionMixin
    if request.method != "POST":
        form = TrajectoryEditForm(initial=_trajectory_initial(trajectory))
    else:
        form = TrajectoryEditForm(request.POST)
        if form.is_valid():
            try:
                changed = trajectory_update(
                    actor=actor_of(request),
                    trajectory=trajectory,
                    changes=form.trajectory_data(),
                    expected_updated_at=form.cleaned_data["updated_at"],
                )
            except StaleEdit as exc:
                form = form.rebased(_trajectory_initial(exc.current))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if changed:
                    messages.success(request, _("Trajectory saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("site:trajectory", trajectory_id=trajectory.pk)
    return render(
        request,
        "site/trajectories/form.html",
        {
            "form": form,
            "person": trajectory.person,
            "trajectory": trajectory,
            "title": _("Edit trajectory"),
        },
    )


@require("trajectory.change")
def session_new(request: HttpRequest, trajectory_id: int) -> HttpResponse:
    trajectory = get_object_or_404(Trajectory.objects.select_related("person"), pk=trajectory_id)
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                session_record(
                    actor=actor_of(request), trajectory=trajectory, **form.session_data()
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Session saved."))
                return redirect("site:trajectory", trajectory_id=trajectory.pk)
    else:
        now = timezone.localtime(clock.now()).replace(minute=0, second=0, microsecond=0)
        form = SessionForm(initial={"held_at": now, "consultant": request.user})
    return render(
        request,
        "site/trajectories/form.html",
        {
            "form": form,
            "person": trajectory.person,
            "trajectory": trajectory,
            "title": _("New session"),
        },
    )


urlpatterns: list[URLPattern] = [
    path("trajectories/", trajectory_list, name="trajectories"),
    path("trajectories/new/", trajectory_new, name="trajectory_new"),
    path("trajectories/<int:trajectory_id>/", trajectory_detail, name="trajectory"),
    path("trajectories/<int:trajectory_id>/edit/", trajectory_edit, name="trajectory_edit"),
    path("trajectories/<int:trajectory_id>/sessions/new/", session_new, name="session_new"),
    path(
        "trajectories/<int:trajectory_id>/report/",
        trajectory_report_page,
        name="trajectory_report",
    ),
]
