"""A data subject's "my data" pages under ``/public/my/`` (R6.4, R6.5, R3.3, R6.10, R6.9,
R6.1): thin views over ``candor.selfservice.services`` and ``selectors``. The account pages
(registration, log-in, password reset) are in ``account_views``.

Every "my data" page takes the person from the signed-in account, never from the URL. Only
site accounts linked to a person use them: anonymous visitors go to the site log-in, staff and
client accounts get 403 (as site accounts get 403 in the back office).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from candor.accounts.models import Role
from candor.people.models import Person
from candor.people.services import person_viewed
from candor.rights.access import access_export, access_section
from candor.rights.models import Kind
from candor.rights.portability import FORMATS
from candor.rights.rectification import field_label
from candor.rights.requests import DuplicateRequest
from candor.selfservice import selectors
from candor.selfservice.accounts import site_actor
from candor.selfservice.forms import PreferencesForm, ProfileForm, RequestForm
from candor.selfservice.services import (
    preferences_change,
    profile_change,
    self_consent_give,
    self_consent_withdraw,
    self_download,
    self_request_file,
)


def subject_only(view: Any) -> Any:
    """Signed in with a site account linked to a person (not erased); the person is passed to
    the view, which reads and writes nothing else."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("selfservice:login"))
        if getattr(user, "role", "") != Role.SITE or not user.is_active:
            raise PermissionDenied
        person_id = getattr(user, "person_id", None)
        person = Person.objects.filter(pk=person_id, erased_at=None).first() if person_id else None
        if person is None:
            return render(request, "selfservice/unlinked.html")
        return view(request, person, *args, **kwargs)

    return wrapper


def post_only(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return view(request, *args, **kwargs)

    return wrapper


# -- my data ---------------------------------------------------------------------------------


def _language(request: HttpRequest) -> str:
    code = (getattr(request.user, "language", "") or get_language() or "nl")[:2]
    return code if code in {"nl", "fr", "en"} else "nl"


# How many rows of each kind the overview shows; a longer list links to its own page.
ROWS_SHOWN = 5


@subject_only
def overview(request: HttpRequest, person: Person) -> HttpResponse:
    """Everything held on the person (R6.4), from the access export: the purposes, recipients,
    retention and rights in full, and of each kind of data held its first rows with how many
    there are and a link to the page with all of them (``section``); the viewing is recorded
    in the audit trail as a staff member's opening of a dossier is."""
    export = access_export(person.pk, language=_language(request), rows_per_section=ROWS_SHOWN)
    for found in export["sections"]:
        if found["count"] > len(found["rows"]):
            found["more_url"] = reverse("selfservice:section", args=[found["model"]])
    person_viewed(actor=site_actor(request.user), person=person, where="self-service")  # type: ignore[arg-type]
    return render(
        request,
        "selfservice/overview.html",
        {
            "export": export,
            "corrections": selectors.my_corrections(person).filter(status="pending").count(),
        },
    )


@subject_only
def section(request: HttpRequest, person: Person, model: str) -> HttpResponse:
    """Every row of one kind of data held on the person (R6.4), as in the access export."""
    try:
        found = access_section(person.pk, model, language=_language(request))
    except LookupError:
        raise Http404 from None
    person_viewed(actor=site_actor(request.user), person=person, where="self-service")  # type: ignore[arg-type]
    return render(request, "selfservice/section.html", {"section": found})


@subject_only
def profile(request: HttpRequest, person: Person) -> HttpResponse:
    form = ProfileForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        new, old = form.changes()
        outcome = profile_change(
            actor=site_actor(request.user),  # type: ignore[arg-type]
            person=person,
            changes=new,
            old=old,
        )
        if outcome.errors:
            for path, problems in outcome.errors.items():
                form.add_error(form.field_for(path), problems)
        else:
            if outcome.applied:
                messages.success(request, _("Your changes are saved."))
            if outcome.proposed:
                messages.info(
                    request,
                    _(
                        "We checked some of these details ourselves (%(fields)s): a consultant "
                        "will review your correction."
                    )
                    % {"fields": ", ".join(field_label(p) for p in outcome.proposed)},
                )
            if not (outcome.applied or outcome.proposed):
                messages.info(request, _("Nothing changed."))
            return redirect("selfservice:profile")
    corrections = [(c, field_label(c.field_path)) for c in selectors.my_corrections(person)[:20]]
    return render(
        request,
        "selfservice/profile.html",
        {"form": form, "corrections": corrections, "emails": selectors.account_emails(person)},
    )


@subject_only
def consents(request: HttpRequest, person: Person) -> HttpResponse:
    language = _language(request)
    preferences = PreferencesForm(
        initial={
            "preferred_language": person.preferred_language,
            "contact_channel": person.contact_channel,
            "contact_times": person.contact_times,
        }
    )
    return render(
        request,
        "selfservice/consents.html",
        {"states": selectors.consent_states(person, language), "preferences": preferences},
    )


@subject_only
@post_only
def consent_withdraw(request: HttpRequest, person: Person, purpose: str) -> HttpResponse:
    try:
        ended = self_consent_withdraw(
            actor=site_actor(request.user),  # type: ignore[arg-type]
            user=request.user,  # type: ignore[arg-type]
            person=person,
            purpose=purpose,
        )
    except KeyError:
        messages.error(request, _("There is no such use of your data."))
    else:
        if ended:
            messages.success(request, _("Your consent is withdrawn. We stop at once."))
        else:
            messages.info(request, _("There was no consent to withdraw."))
    return redirect("selfservice:consents")


@subject_only
@post_only
def consent_give(request: HttpRequest, person: Person, purpose: str) -> HttpResponse:
    try:
        self_consent_give(
            actor=site_actor(request.user),  # type: ignore[arg-type]
            user=request.user,  # type: ignore[arg-type]
            person=person,
            purpose=purpose,
            version=request.POST.get("version", ""),
        )
    except KeyError:
        messages.error(request, _("There is no such use of your data."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: your consent is recorded."))
    return redirect("selfservice:consents")


@subject_only
@post_only
def preferences(request: HttpRequest, person: Person) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if form.is_valid():
        try:
            changed = preferences_change(
                actor=site_actor(request.user),  # type: ignore[arg-type]
                person=person,
                changes=form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changed:
                messages.success(request, _("Your contact preferences are saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("selfservice:consents")
    return render(
        request,
        "selfservice/consents.html",
        {"states": selectors.consent_states(person, _language(request)), "preferences": form},
    )


@subject_only
def download(request: HttpRequest, person: Person) -> HttpResponse:
    """The person's provided data as JSON or CSV (R6.9); each download is in the ledger."""
    if request.method == "POST":
        fmt = request.POST.get("format", "")
        if fmt not in FORMATS:
            messages.error(request, _("Choose JSON or CSV."))
            return redirect("selfservice:download")
        delivery = self_download(
            actor=site_actor(request.user),  # type: ignore[arg-type]
            person=person,
            fmt=fmt,
        )
        file = delivery.files[0]
        types = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
        response = HttpResponse(file.content, content_type=types[fmt])
        response["Content-Disposition"] = f'attachment; filename="{file.name}"'
        return response
    return render(request, "selfservice/download.html", {"formats": FORMATS})


@subject_only
def requests(request: HttpRequest, person: Person) -> HttpResponse:
    """File a request (R6.1) and follow the ones filed, whatever the channel."""
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = self_request_file(
                actor=site_actor(request.user),  # type: ignore[arg-type]
                user=request.user,  # type: ignore[arg-type]
                person=person,
                kind=data["kind"],
                purpose=data["purpose"] if data["kind"] == Kind.OBJECTION else "",
                restriction_ground=(
                    data["restriction_ground"] if data["kind"] == Kind.RESTRICTION else ""
                ),
                details=data["details"],
            )
        except DuplicateRequest as exc:
            form.add_error(
                None,
                _(
                    "You already have an open request of this kind (%(reference)s). We answer "
                    "it first; add anything by replying to our e-mail about it."
                )
                % {"reference": exc.reference},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your request %(reference)s is received. We answer by %(due)s at the latest.")
                % {"reference": filed.reference, "due": filed.deadline.strftime("%d/%m/%Y")},
            )
            return redirect("selfservice:requests")
    return render(
        request,
        "selfservice/requests.html",
        {"form": form, "filed": selectors.my_requests(person)},
    )
