from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from candor.accounts.permissions import can
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Channel, Person
from candor.people.services import PERSON_EDITABLE, ProvenanceSpec, person_update
from candor.privacy import registry
from candor.recruitment import selectors
from candor.recruitment.intake import REJECTED, candidates_write
from candor.recruitment.records import RecordInvalid, clean_candidate
from candor.relations.services import organisation_create
from candor.site.access import require
from candor.site.forms import CandidateForm, OrganisationForm, PersonForm


@require("backoffice.enter")
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "site/home.html", {"can_view_candidates": can(request.user, "candidate.view")}
    )


@require("candidate.view")
def dossier(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        person = selectors.candidate_dossier(
            actor=Actor.for_user(request.user), person_id=person_id, where="backoffice"
        )
    except Person.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "site/dossier.html",
        {"person": person, "can_edit": can(request.user, "person.change")},
    )


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
            if outcome.status == REJECTED:
                form.add_error(None, outcome.message)
            else:
                messages.success(request, _("Candidate saved."))
                return redirect("site:dossier", person_id=outcome.person_id)
    return render(request, "site/form.html", {"form": form, "title": _("New candidate")})


@require("person.change")
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    original = {name: getattr(person, name) for name in PERSON_EDITABLE}
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        changes = {
            n: form.cleaned_data[n] for n in PERSON_EDITABLE if form.cleaned_data[n] != original[n]
        }
        for name, value in original.items():  # the service applies the changes itself
            setattr(person, name, value)
        try:
            person_update(actor=_actor(request), person=person, changes=changes)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("site:dossier", person_id=person.pk)
    return render(
        request, "site/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": person}}
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
            return redirect("site:home")
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
    return render(
        request,
        "site/error.html",
        {"title": _("Not allowed"), "text": _("Your role does not give access to this page.")},
        status=403,
    )
