"""The client portal (``/clients/``) and the candidate's consent page for an introduction.

Thin: the signed-in contact's organisation scopes every read (``candor.portal.selectors``);
``candor.portal.services`` decides and writes. Portal pages are for the CLIENT role only; staff
get 403 here as client contacts get 403 in the back office. The consent page needs no log-in:
the signed link is the candidate's key.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from candor.accounts.models import Role
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.selectors import NotSentToClient
from candor.portal import selectors
from candor.portal.models import IntroductionStatus
from candor.portal.services import (
    IntroductionRefused,
    introduction_answer_by_link,
    introduction_expire_by_link,
    introduction_from_token,
    introduction_request,
    introduction_revoke,
    link_actor,
)
from candor.recruitment.models import VacancyStatus

PER_PAGE = 20


def client_only(view: Any) -> Any:
    """Signed in as a client contact linked to an organisation; anyone else gets 403. The
    organisation id is passed to the view: it scopes every read."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_active or getattr(user, "role", "") != Role.CLIENT:
            raise PermissionDenied
        organisation_id = selectors.organisation_id_of(user)
        if organisation_id is None:
            raise PermissionDenied
        return view(request, organisation_id, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


@client_only
def home(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "organisation": request.user.contact.organisation,  # type: ignore[union-attr]
            "vacancies": selectors.client_vacancies(organisation_id).count(),
            "profiles": len(selectors.client_profiles(organisation_id)),
            "introductions": selectors.client_introductions(organisation_id).count(),
            "revealed": selectors.revealed_candidates(organisation_id).count(),
        },
    )


@client_only
def vacancies(request: HttpRequest, organisation_id: int) -> HttpResponse:
    page = _page(request, selectors.client_vacancies(organisation_id))
    return render(request, "portal/vacancies.html", {"page": page})


@client_only
def vacancy(request: HttpRequest, organisation_id: int, vacancy_id: int) -> HttpResponse:
    found = selectors.client_vacancy(organisation_id, vacancy_id)
    if found is None:
        raise Http404
    asked = selectors.client_introductions(organisation_id).filter(vacancy=found)
    return render(request, "portal/vacancy.html", {"vacancy": found, "introductions": asked})


@client_only
def profiles(request: HttpRequest, organisation_id: int) -> HttpResponse:
    page = _page(request, selectors.client_profiles(organisation_id))
    asked = selectors.open_codes(organisation_id)
    rows = [(received, asked.get(received.code)) for received in page]
    return render(request, "portal/profiles.html", {"page": page, "rows": rows})


@client_only
def profile(request: HttpRequest, organisation_id: int, code: str) -> HttpResponse:
    try:
        received = selectors.client_profile(organisation_id, code)
    except NotSentToClient:
        raise Http404 from None
    return render(
        request,
        "portal/profile.html",
        {
            "received": received,
            "introduction": selectors.open_codes(organisation_id).get(received.code),
            "vacancies": selectors.client_vacancies(organisation_id).filter(
                status=VacancyStatus.OPEN
            ),
        },
    )


@client_only
def introduce(request: HttpRequest, organisation_id: int, code: str) -> HttpResponse:
    """Ask to meet the candidate of a received profile (POST). A code never sent to this client
    is refused with the message and logged; nothing is created."""
    if request.method != "POST":
        return redirect("portal:profiles")
    vacancy_raw = request.POST.get("vacancy", "")
    vacancy_id = int(vacancy_raw) if vacancy_raw.isdigit() else None
    try:
        introduction = introduction_request(
            actor=Actor.for_user(request.user),
            organisation_id=organisation_id,
            code=code,
            user_id=request.user.pk,
            vacancy_id=vacancy_id,
        )
    except IntroductionRefused as refused:
        messages.error(request, str(refused))
        return redirect("portal:profiles")
    messages.success(
        request,
        _("Your request to meet candidate %(code)s was sent to the agency.")
        % {"code": introduction.code},
    )
    return redirect("portal:introduction", introduction_id=introduction.pk)


@client_only
def introductions(request: HttpRequest, organisation_id: int) -> HttpResponse:
    page = _page(request, selectors.client_introductions(organisation_id))
    return render(request, "portal/introductions.html", {"page": page})


@client_only
def introduction(request: HttpRequest, organisation_id: int, introduction_id: int) -> HttpResponse:
    found = selectors.client_introduction(organisation_id, introduction_id)
    if found is None:
        raise Http404
    return render(request, "portal/introduction.html", {"introduction": found})


@client_only
def revealed(request: HttpRequest, organisation_id: int) -> HttpResponse:
    page = _page(request, selectors.revealed_candidates(organisation_id))
    return render(request, "portal/revealed.html", {"page": page})


# -- the candidate's consent page (no log-in) -----------------------------------------------------


def consent(request: HttpRequest, introduction_id: int, token: str) -> HttpResponse:
    """The candidate's page: which client, which vacancy, Yes and No as equal buttons; after a
    yes, a button to withdraw. A tampered link or one of another request shows an error page
    (400); an expired one says so and marks the request expired."""
    try:
        if request.method == "POST":
            answer = request.POST.get("answer", "")
            if answer in {"yes", "no"}:
                found = introduction_answer_by_link(
                    introduction_id=introduction_id, token=token, accepted=answer == "yes"
                )
                note = (
                    _("Thank you: the client will receive your name and contact details.")
                    if answer == "yes"
                    else _("Thank you: nothing about you was passed on to the client.")
                )
            elif answer == "withdraw":
                found = introduction_from_token(introduction_id, token)
                found = introduction_revoke(
                    actor=link_actor(found), introduction=found, token=token
                )
                note = _("Your agreement is withdrawn: the client no longer sees your details.")
            else:
                raise IntroductionRefused(_("Choose yes or no."))
            messages.success(request, note)
            return redirect(request.path)
        found = introduction_expire_by_link(introduction_id=introduction_id, token=token)
    except IntroductionRefused as refused:
        return render(request, "portal/consent_error.html", {"reason": str(refused)}, status=400)
    if found.status == IntroductionStatus.EXPIRED:
        return render(
            request,
            "portal/consent_error.html",
            {"reason": _("This link has expired. Nothing about you was passed on to the client.")},
            status=410,
        )
    return render(
        request,
        "portal/consent.html",
        {"introduction": found, "now": clock.now(), "statuses": IntroductionStatus},
    )
