"""Back-office pages: a person's privacy state and choices, and the DPO's privacy desk.

The privacy page of a person shows, per purpose of the policy, whether the gate allows
processing and why (R3.1), with the consents (R3.3), objections (R6.8), restrictions (R6.7) and
the retention date (R5.1); the dossier loads its summary. Every change goes through
``candor.privacy.services`` and takes effect in the gate at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candor.accounts.permissions import can
from candor.core import clock
from candor.people.models import Person
from candor.people.services import person_viewed
from candor.privacy import gate
from candor.privacy.consents import consents_expiring
from candor.privacy.models import Objection, ObjectionStatus, Restriction
from candor.privacy.policy import policy
from candor.privacy.retention import describe_rule, retention_of
from candor.privacy.selectors import desk_counts
from candor.privacy.services import (
    career_end_record,
    consent_give,
    consent_withdraw,
    objection_override,
    objection_record,
    objection_withdraw,
    restriction_start,
)
from candor.rights.fulfil import restriction_lift_and_tell
from candor.rights.selectors import request_counts
from candor.site.access import actor_of, require
from candor.site.forms_privacy import (
    CareerEndForm,
    ConsentForm,
    LiftForm,
    ObjectionForm,
    OverrideForm,
    RestrictionForm,
    WithdrawForm,
)

DESK_ROWS = 20


def _person(person_id: int) -> Person:
    try:
        return Person.objects.select_related("provenance").get(pk=person_id)
    except Person.DoesNotExist:
        raise Http404 from None


def _panel_context(request: HttpRequest, person: Person, **bound: forms.Form) -> dict[str, Any]:
    user = request.user
    kept = retention_of(person.pk)
    labels = {key: p.label.get() for key, p in policy().purposes.items()}
    consents: list[Any] = list(person.consents.order_by("-given_at", "-pk")[:20])
    objections: list[Any] = list(person.objections.order_by("-received_at", "-pk")[:20])
    for row in (*consents, *objections):
        row.purpose_label = labels.get(row.purpose, "")
    return {
        "person": person,
        "decisions": gate.overview(person),
        "consents": consents,
        "objections": objections,
        "restrictions": list(person.restrictions.order_by("-started_at", "-pk")[:20]),
        "kept_until": kept[0] if kept else None,
        "kept_rule": describe_rule(kept[1]) if kept else "",
        "can_record": can(user, "privacy.record"),
        "can_decide": can(user, "privacy.decide"),
        "can_career": can(user, "person.change"),
        "consent_form": bound.get("consent_form")
        or ConsentForm(initial={"language": person.preferred_language or "nl"}),
        "objection_form": bound.get("objection_form") or ObjectionForm(),
        "restriction_form": bound.get("restriction_form") or RestrictionForm(),
        "career_form": bound.get("career_form")
        or CareerEndForm(initial={"ended_on": person.career_ended_on}),
        "override_form": bound.get("override_form") or OverrideForm(),
        "lift_form": bound.get("lift_form") or LiftForm(),
        "withdraw_form": WithdrawForm(),
        "failed": next(iter(bound), ""),
        "ObjectionStatus": ObjectionStatus,
    }


@require("person.view")
def person_privacy(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's privacy page; ``?summary=1`` gives only the per-purpose answers for the dossier
    (loaded by htmx). Opening the full page is recorded like opening the dossier."""
    person = _person(person_id)
    if request.GET.get("summary"):
        return render(
            request,
            "site/privacy/_summary.html",
            {
                "person": person,
                "decisions": gate.overview(person),
                # the dossier's banner (R6.7): the data is only stored, and why
                "restriction": person.restrictions.filter(lifted_at=None).first(),
            },
        )
    person_viewed(actor=actor_of(request), person=person, where="backoffice:privacy")
    return render(request, "site/privacy/person.html", _panel_context(request, person))


def _back(person: Person) -> HttpResponse:
    return redirect("site:person_privacy", person_id=person.pk)


def _refused(
    request: HttpRequest, person: Person, name: str, form: forms.Form, exc: ValidationError
) -> HttpResponse:
    """Show the page again with the form as typed and the service's reasons beside it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
    return _invalid(request, person, name, form)


def _invalid(request: HttpRequest, person: Person, name: str, form: forms.Form) -> HttpResponse:
    context = _panel_context(request, person, **{name: form})
    return render(request, "site/privacy/person.html", context, status=400)


def _submit(
    request: HttpRequest,
    person: Person,
    name: str,
    form: forms.Form,
    *,
    write: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """The one path of the page's forms: the form checked, the service called, and either the
    page again with the form as typed and the reasons beside it, or back with ``done`` said."""
    if not form.is_valid():
        return _invalid(request, person, name, form)
    try:
        write(form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, person, name, form, exc)
    messages.success(request, done)
    return _back(person)


@require("privacy.record")
@require_POST
def consent_new(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(person_id)
    return _submit(
        request,
        person,
        "consent_form",
        ConsentForm(request.POST),
        write=lambda data: consent_give(actor=actor_of(request), person=person, **data),
        done=_("Consent recorded."),
    )


@require("privacy.record")
@require_POST
def consent_withdraw_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(person_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid() or form.cleaned_data["purpose"] not in policy().purposes:
        messages.error(request, _("Say how the person withdrew their consent."))
        return _back(person)
    ended = consent_withdraw(actor=actor_of(request), person=person, **form.cleaned_data)
    if ended:
        messages.success(request, _("Consent withdrawn: the purpose stopped at once."))
    else:
        messages.info(request, _("There was no consent to withdraw."))
    return _back(person)


@require("privacy.record")
@require_POST
def objection_new(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(person_id)
    return _submit(
        request,
        person,
        "objection_form",
        ObjectionForm(request.POST),
        write=lambda data: objection_record(actor=actor_of(request), person=person, **data),
        done=_("Objection recorded: the purpose stopped at once."),
    )


@require("privacy.decide")
@require_POST
def objection_override_view(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("person"), pk=objection_id)
    return _submit(
        request,
        objection.person,
        "override_form",
        OverrideForm(request.POST),
        write=lambda data: objection_override(
            actor=actor_of(request), objection=objection, grounds=data["grounds"]
        ),
        done=_("Grounds documented: processing for this purpose resumes."),
    )


@require("privacy.record")
@require_POST
def objection_withdraw_view(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("person"), pk=objection_id)
    objection_withdraw(actor=actor_of(request), objection=objection)
    messages.success(request, _("Objection withdrawn by the person."))
    return _back(objection.person)


@require("privacy.record")
@require_POST
def restriction_new(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(person_id)
    return _submit(
        request,
        person,
        "restriction_form",
        RestrictionForm(request.POST),
        write=lambda data: restriction_start(actor=actor_of(request), person=person, **data),
        done=_("Processing restricted: the data is only stored from now on."),
    )


@require("privacy.decide")
@require_POST
def restriction_lift_view(request: HttpRequest, restriction_id: int) -> HttpResponse:
    restriction = get_object_or_404(Restriction.objects.select_related("person"), pk=restriction_id)
    return _submit(
        request,
        restriction.person,
        "lift_form",
        LiftForm(request.POST),
        write=lambda data: restriction_lift_and_tell(  # Art. 18(3): the person is told first
            actor=actor_of(request), restriction=restriction, reason=data["reason"]
        ),
        done=_(
            "Restriction lifted. The person was told by e-mail if we hold their address; "
            "otherwise tell them by letter or phone."
        ),
    )


@require("person.change")
@require_POST
def career_end(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(person_id)
    return _submit(
        request,
        person,
        "career_form",
        CareerEndForm(request.POST),
        write=lambda data: career_end_record(
            actor=actor_of(request), person=person, ended_on=data["ended_on"]
        ),
        done=_("Career end saved; the retention date was recomputed."),
    )


@require("privacy.dashboard")
def desk(request: HttpRequest) -> HttpResponse:
    """The DPO's privacy desk: what needs attention, soonest first."""
    today = clock.today()
    expiring = consents_expiring(today)
    pending = (
        Objection.objects.filter(
            status=ObjectionStatus.ACTIVE,
            purpose__in=[p.key for p in policy().purposes.values() if not p.direct_marketing],
        )
        .select_related("person")
        .order_by("received_at", "pk")
    )
    restricted = (
        Restriction.objects.filter(lifted_at=None)
        .select_related("person")
        .order_by("started_at", "pk")
    )
    labels = {key: p.label.get() for key, p in policy().purposes.items()}
    context: dict[str, Any] = {"today": today, "rows": DESK_ROWS}
    for name, qs in (("expiring", expiring), ("pending", pending), ("restricted", restricted)):
        rows: list[Any] = list(qs[:DESK_ROWS])
        for row in rows:
            row.purpose_label = labels.get(getattr(row, "purpose", ""), "")
        context[name] = rows
    counts = desk_counts(today)  # the dashboard's figures: each queue counted once
    context.update(
        expiring_count=counts["consents_expiring"],
        pending_count=counts["objections"],
        restricted_count=counts["restrictions"],
        notices_overdue=counts["notices_overdue"],
        notices_open=counts["notices_open"],
        retention_due=counts["retention_due"],
        requests=request_counts(today),
    )
    return render(request, "site/privacy/desk.html", context)


urlpatterns: list[URLPattern] = [
    path("people/<int:person_id>/privacy/", person_privacy, name="person_privacy"),
    path("people/<int:person_id>/consents/", consent_new, name="consent_new"),
    path(
        "people/<int:person_id>/consents/withdraw/",
        consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("people/<int:person_id>/objections/", objection_new, name="objection_new"),
    path(
        "objections/<int:objection_id>/override/",
        objection_override_view,
        name="objection_override",
    ),
    path(
        "objections/<int:objection_id>/withdraw/",
        objection_withdraw_view,
        name="objection_withdraw",
    ),
    path("people/<int:person_id>/restrictions/", restriction_new, name="restriction_new"),
    path("restrictions/<int:restriction_id>/lift/", restriction_lift_view, name="restriction_lift"),
    path("people/<int:person_id>/career-end/", career_end, name="career_end"),
    path("privacy/", desk, name="privacy_desk"),
]
