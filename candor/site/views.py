from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from candor.accounts import lockout
from candor.accounts import views as second_factor_views
from candor.accounts.models import Role
from candor.accounts.permissions import can
from candor.accounts.selectors import staff_overview
from candor.core import clock
from candor.core.actor import Actor
from candor.core.editing import StaleEdit
from candor.core.throttle import client_address
from candor.guidance.models import GuidanceSession
from candor.people.models import Channel, Person
from candor.people.services import (
    PERSON_EDITABLE,
    ProvenanceSpec,
    person_update,
    person_viewed,
)
from candor.privacy import registry
from candor.privacy.selectors import desk_counts
from candor.privacy.suppression import SUPPRESSED
from candor.recruitment import selectors
from candor.recruitment.intake import REJECTED, candidates_write
from candor.recruitment.models import (
    Application,
    ProcedureStep,
    Stage,
    Vacancy,
    VacancyStatus,
)
from candor.recruitment.records import RecordInvalid, clean_candidate
from candor.relations.services import organisation_create
from candor.site.access import require
from candor.site.forms import CandidateForm, OrganisationForm, PersonForm

PANEL_ROWS = 10
# Stages in which the consultant moves the procedure on; later stages wait on a planned
# interview or test, the client or the candidate.
ACTION_STAGES = (Stage.NEW, Stage.SCREENING)
HISTORY_ON_DOSSIER = 10
HISTORY_PER_PAGE = 50


class LoginView(auth_views.LoginView):
    """Django's log-in, throttled (R7.1): too many failures for a user name or from an address
    lock it out for a while, with the same message whether or not the account exists. Staff
    who need a second factor go on to it (``candor.accounts.views``); client contacts land on
    the client portal, everyone else on the back office (unless the log-in page was reached
    from another page)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if lockout.login_locked(username=username, address=client_address(request)):
            return self._locked_out()
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        username = self.request.POST.get("username", "")
        if lockout.login_failed(username=username, address=client_address(self.request)):
            return self._locked_out()
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        lockout.login_succeeded(username=form.get_user().get_username())
        response = super().form_valid(form)  # Django rotates the session key here
        return second_factor_views.after_password(self.request, response)

    def _locked_out(self) -> HttpResponse:
        minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
        context = self.get_context_data(form=self.get_form_class()(self.request))
        context["locked_out"] = ngettext(
            "Too many failed attempts. Log-in is blocked for %(minutes)d minute; try again later.",
            "Too many failed attempts. Log-in is blocked for %(minutes)d minutes; try again later.",
            minutes,
        ) % {"minutes": minutes}
        return self.render_to_response(context, status=429)

    def get_default_redirect_url(self) -> str:
        if getattr(self.request.user, "role", "") == Role.CLIENT:
            return reverse("portal:home")
        return super().get_default_redirect_url()


def home(request: HttpRequest) -> HttpResponse:
    """``/``: a visitor who is not signed in lands on the public web site; staff see their
    dashboard (the staff log-in stays at ``/login/``)."""
    if not request.user.is_authenticated:
        return redirect("web:home")
    return dashboard(request)


@require("backoffice.enter")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard: a consultant's work for today; counts and links for the DPO and the
    administrator. A fixed number of queries per role."""
    user = request.user
    context: dict[str, Any] = {"today": clock.today(), "rows": PANEL_ROWS}
    if can(user, "application.view"):
        context.update(_work_panels(user))
    if can(user, "registry.view"):
        context["oversight"] = _oversight(user)
    if can(user, "privacy.dashboard"):
        context["privacy"] = desk_counts(clock.today())
    return render(request, "site/home.html", context)


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight of today in the agency's time zone (23 or 25 hours on DST days)."""
    today = clock.today()
    return (
        timezone.make_aware(dt.datetime.combine(today, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min)),
    )


def _work_panels(user: Any) -> dict[str, Any]:
    start, end = _today_bounds()
    vacancies = Vacancy.objects.filter(consultant=user, status=VacancyStatus.OPEN)
    waiting = Application.objects.filter(
        Q(vacancy__consultant=user) | Q(consultant=user), stage__in=ACTION_STAGES
    )
    steps = ProcedureStep.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end).filter(
        Q(conducted_by=user) | Q(application__vacancy__consultant=user)
    )
    sessions = GuidanceSession.objects.filter(held_at__gte=start, held_at__lt=end, consultant=user)
    return {
        "work": True,
        "vacancies": vacancies.select_related("client")
        .annotate(
            applications_total=Count("applications"),
            applications_waiting=Count(
                "applications", filter=Q(applications__stage__in=ACTION_STAGES)
            ),
        )
        .order_by("opened_on", "id")[:PANEL_ROWS],
        "vacancies_count": vacancies.count(),
        "waiting": waiting.select_related("person", "vacancy").order_by("applied_on", "id")[
            :PANEL_ROWS
        ],
        "waiting_count": waiting.count(),
        "steps": steps.select_related(
            "application__person", "application__vacancy", "conducted_by"
        ).order_by("scheduled_at", "id")[:PANEL_ROWS],
        "steps_count": steps.count(),
        "sessions": sessions.select_related("trajectory__person").order_by("held_at", "id")[
            :PANEL_ROWS
        ],
        "sessions_count": sessions.count(),
    }


def _oversight(user: Any) -> dict[str, Any]:
    """Counts only: the DPO sees how many dossiers there are and how much they were used, the
    administrator the accounts; neither reads a dossier here (R7.1)."""
    week_start = clock.today() - dt.timedelta(days=6)  # the last seven days, today included
    since = timezone.make_aware(dt.datetime.combine(week_start, dt.time.min))
    found: dict[str, Any] = {"since": since}
    if can(user, "candidate.view"):
        activity = selectors.dossier_activity(since=since)
        found["candidates"] = Person.objects.filter(is_candidate=True).count()
        found["views"] = activity.get("view", 0)
        found["changes"] = sum(n for action, n in activity.items() if action != "view")
    if user.role == Role.ADMINISTRATOR:
        found["staff"] = staff_overview()
    return found


@require("candidate.view")
def dossier(request: HttpRequest, person_id: int) -> HttpResponse:
    """Every section of a candidate's dossier with its source (R1.1, R1.2, R2.1) and the newest
    events of its audit trail. The view itself is recorded."""
    try:
        person = selectors.candidate_dossier(
            actor=_actor(request), person_id=person_id, where="backoffice"
        )
    except Person.DoesNotExist:
        raise Http404 from None
    history = selectors.candidate_history(person=person, per_page=HISTORY_ON_DOSSIER)
    return render(
        request,
        "site/dossier.html",
        {
            "person": person,
            "history": history,
            "can_edit": can(request.user, "person.change"),
            "can_share": can(request.user, "profile.disclose"),
        },
    )


@require("candidate.view")
def dossier_history(request: HttpRequest, person_id: int) -> HttpResponse:
    """A candidate's whole audit trail, newest first, 50 events a page. Opening it is recorded
    like opening the dossier."""
    person = get_object_or_404(
        Person.objects.only("first_name", "last_name", "pseudonym"), pk=person_id, is_candidate=True
    )
    person_viewed(actor=_actor(request), person=person, where="backoffice:history")
    page = request.GET.get("page", "1")
    history = selectors.candidate_history(
        person=person,
        page=int(page) if page.isdecimal() and len(page) < 7 else 1,  # "²" is a digit, not decimal
        per_page=HISTORY_PER_PAGE,
    )
    return render(request, "site/dossier_history.html", {"person": person, "history": history})


@require("registry.view")
def registry_page(request: HttpRequest) -> HttpResponse:
    """The personal-data registry, for the DPO and the administrator (R9.1)."""
    by_model: dict[str, list[dict[str, Any]]] = {}
    for row in registry.as_rows():
        by_model.setdefault(row["model"], []).append(row)
    return render(request, "site/registry.html", {"models": by_model})


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


@require("candidate.create")
def candidate_new(request: HttpRequest) -> HttpResponse:
    """New candidate: the same cleaning and duplicate check as the API and imports."""
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = clean_candidate(form.record(), today=clock.today())
        except RecordInvalid as exc:
            form.add_record_errors(exc.errors)
        else:
            source = ProvenanceSpec.parse(
                form.source_code(), channel=Channel.FORM, recorded_by_id=request.user.pk
            )
            outcome = candidates_write(
                actor=_actor(request), source=source, records=[record], on_duplicate="report"
            )[0]
            if outcome.status == REJECTED and outcome.message == SUPPRESSED:
                form.add_error(
                    None,
                    _(
                        "Not saved: this person asked to be erased or objected, and may not be "
                        "collected again (suppression). Only the person can lift it, by "
                        "registering themselves."
                    ),
                )
            elif outcome.status == REJECTED:
                form.add_error(None, outcome.message)
            else:
                messages.success(request, _("Candidate saved."))
                return redirect("site:dossier", person_id=outcome.person_id)
    return render(request, "site/form.html", {"form": form, "title": _("New candidate")})


@require("person.change")
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    """Correct a person's own fields. The form carries the ``updated_at`` it was loaded with; if
    someone saved in between, nothing is written and the form comes back with what this user
    typed, the other fields as now saved, and an error naming what changed."""
    person = get_object_or_404(Person, pk=person_id)
    saved = {name: getattr(person, name) for name in PERSON_EDITABLE}
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        changes = {
            n: form.cleaned_data[n] for n in PERSON_EDITABLE if form.cleaned_data[n] != saved[n]
        }
        for name, value in saved.items():  # the service applies the changes itself
            setattr(person, name, value)
        try:
            person_update(
                actor=_actor(request),
                person=person,
                changes=changes,
                expected_updated_at=form.cleaned_data["updated_at"],
            )
        except StaleEdit as conflict:
            form = form.rebased(conflict.current)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("site:dossier", person_id=person.pk)
    return render(
        request,
        "site/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": person},
            "cancel": reverse("site:dossier", args=[person.pk]) if person.is_candidate else "",
        },
    )


@require("organisation.change")
def organisation_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=_actor(request), data=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": organisation.name})
            return redirect("site:organisation", organisation_id=organisation.pk)
    return render(request, "site/form.html", {"form": form, "title": _("New client or supplier")})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 for everyone: JSON under /api/ (API answers always say what is wrong), else a page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"there is no API endpoint at {request.path}"}, status=404)
    return render(
        request,
        "site/error.html",
        {"title": _("Page not found"), "text": _("This page does not exist (any more).")},
        status=404,
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    text = _("Your role does not give access to this page.")
    if getattr(request.user, "role", "") == Role.INHOUSE_CLIENT:
        # A client's user works only inside a supervised session (candor.inhouse).
        text = _(
            "As a client user you reach the candidate database only through a session "
            "supervised by your consultant, on the supervised search page."
        )
    return render(request, "site/error.html", {"title": _("Not allowed"), "text": text}, status=403)
