"""Back-office pages for supervised in-house access (R4.2).

Consultants posted at a client open, follow live and close sessions for the client's users;
administrators record who is posted where. The client's user (role ``inhouse_client``) has two
pages — the session's search and a limited dossier — and only inside an open session of their
own: outside it every page answers 403 with a message saying why (logged by the services),
and shows nothing. The rules are in ``candor.inhouse.services``.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candor.accounts.models import Role, User
from candor.core import clock
from candor.disclosure.profiles import PROVINCES
from candor.disclosure.services import DisclosureRefused
from candor.inhouse.models import Posting, SupervisionSession
from candor.inhouse.services import (
    SEARCH_FILTERS,
    InhouseRefused,
    client_users_of,
    posting_create,
    postings_of,
    require_session,
    session_close,
    session_dossier,
    session_is_open,
    session_open,
    session_search,
    session_views,
    sessions_supervised_by,
)
from candor.people.models import Language
from candor.privacy.policy import policy
from candor.recruitment.models import CEFR, Vacancy
from candor.relations.models import Organisation, OrganisationKind
from candor.site.access import actor_of, require

PER_PAGE = 25
FILTER_LABELS = {
    "function": gettext_lazy("Function"),
    "skills": gettext_lazy("Skills"),
    "language": gettext_lazy("Language"),
    "min_level": gettext_lazy("Minimum level"),
    "province": gettext_lazy("Province"),
}


# -- the consultant's side ---------------------------------------------------------------------


class ClientUserField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.client})"


class VacanciesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.client} · {obj}"


class SessionForm(forms.Form):
    client_user = ClientUserField(label=gettext_lazy("Client user"), queryset=User.objects.none())
    vacancies = VacanciesField(
        label=gettext_lazy("Vacancies the user may search for"),
        queryset=Vacancy.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    filters = forms.MultipleChoiceField(
        label=gettext_lazy("Search filters allowed"),
        choices=[(name, FILTER_LABELS[name]) for name in SEARCH_FILTERS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    hours = forms.IntegerField(label=gettext_lazy("Length (hours)"), min_value=1, max_value=24)

    def __init__(self, *args: Any, consultant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clients = list(postings_of(consultant).values_list("organisation_id", flat=True))
        users = client_users_of(clients).select_related("client")
        user_field = cast(forms.ModelChoiceField, self.fields["client_user"])
        user_field.queryset = users
        vacancy_field = cast(forms.ModelMultipleChoiceField, self.fields["vacancies"])
        vacancy_field.queryset = Vacancy.objects.filter(client_id__in=clients).select_related(
            "client"
        )


@require("inhouse.supervise")
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = Paginator(sessions_supervised_by(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for session in sessions:
        session.is_open = session_is_open(session)  # type: ignore[attr-defined]
    return render(
        request,
        "site/inhouse/session_list.html",
        {"page": sessions, "postings": list(postings_of(request.user))},
    )


@require("inhouse.supervise")
def session_new(request: HttpRequest) -> HttpResponse:
    rules_initial = {"hours": _default_hours(), "filters": list(SEARCH_FILTERS)}
    form = SessionForm(request.POST or None, consultant=request.user, initial=rules_initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_open(
                actor=actor_of(request),
                consultant=request.user,  # type: ignore[arg-type]
                client_user=data["client_user"],
                vacancy_ids=[v.pk for v in data["vacancies"]],
                filters=data["filters"],
                hours=data["hours"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Session opened."))
            return redirect("site:inhouse_session", session_id=session.pk)
    return render(
        request,
        "site/inhouse/session_form.html",
        {"form": form, "max_hours": policy().inhouse.max_session_hours},
    )


def _default_hours() -> int:
    return policy().inhouse.session_hours


def _supervised(request: HttpRequest, session_id: int) -> SupervisionSession:
    """A session at a client the consultant is posted at; 404 for anyone else's."""
    return get_object_or_404(sessions_supervised_by(request.user), pk=session_id)


@require("inhouse.supervise")
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _supervised(request, session_id)
    return render(
        request,
        "site/inhouse/session_detail.html",
        {**_live(session), "scope": _scope(session)},
    )


def _scope(session: SupervisionSession) -> dict[str, Any]:
    return {
        "vacancies": list(session.vacancies.all()),
        "filters": [FILTER_LABELS[name] for name in session.filters if name in FILTER_LABELS],
    }


def _live(session: SupervisionSession) -> dict[str, Any]:
    return {
        "session": session,
        "is_open": session_is_open(session),
        "views": session_views(session),
    }


@require("inhouse.supervise")
def session_live(request: HttpRequest, session_id: int) -> HttpResponse:
    """The polled fragment: what the client user searched and viewed, newest first."""
    session = _supervised(request, session_id)
    return render(request, "site/inhouse/_views.html", _live(session))


@require("inhouse.supervise")
def session_close_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _supervised(request, session_id)
    if request.method == "POST":
        if session_close(actor=actor_of(request), session=session):
            messages.success(request, _("Session closed: the client user sees nothing more."))
        else:
            messages.info(request, _("The session had already ended."))
    return redirect("site:inhouse_session", session_id=session.pk)


class PostingForm(forms.Form):
    consultant = forms.ModelChoiceField(
        label=gettext_lazy("Consultant"),
        queryset=User.objects.filter(role=Role.CONSULTANT, is_active=True).order_by(
            "last_name", "first_name"
        ),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Client"),
        queryset=Organisation.objects.filter(
            kind__in=[OrganisationKind.CLIENT, OrganisationKind.BOTH]
        ).order_by("name"),
    )
    starts_on = forms.DateField(label=gettext_lazy("Starts on"))
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), required=False)


@require("posting.manage")
def posting_list(request: HttpRequest) -> HttpResponse:
    form = PostingForm(request.POST or None, initial={"starts_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            posting_create(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Posting saved."))
            return redirect("site:inhouse_postings")
    page = Paginator(
        Posting.objects.select_related("consultant", "organisation"), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "site/inhouse/posting_list.html", {"page": page, "form": form})


# -- the client user's side --------------------------------------------------------------------


def _client_page(view: Any) -> Any:
    """Only in-house client users (403 for other roles), and only inside an open session of
    their own: otherwise a 403 page that says why."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        if user.role != Role.INHOUSE_CLIENT or not user.is_active:
            raise PermissionDenied
        try:
            session = require_session(user, where=request.path)
        except InhouseRefused as exc:
            return _refused(request, exc)
        return view(request, session, *args, **kwargs)

    return wrapper


def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    return render(
        request,
        "site/inhouse/refused.html",
        {"title": _("Not available"), "text": str(exc)},
        status=403,
    )


class SearchForm(forms.Form):
    vacancy = forms.TypedChoiceField(label=gettext_lazy("Vacancy"), coerce=int)
    function = forms.CharField(label=gettext_lazy("Function"), required=False, max_length=100)
    skills = forms.CharField(label=gettext_lazy("Skills"), required=False, max_length=100)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    min_level = forms.ChoiceField(label=gettext_lazy("Minimum level"), required=False)
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)

    def __init__(self, *args: Any, session: SupervisionSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: dict[str, list[tuple[Any, Any]]] = {
            "vacancy": [(v.pk, str(v)) for v in session.vacancies.all()],
            "language": [("", _("Any")), *Language.choices],
            "min_level": [("", _("Any level")), *CEFR.choices],
            "province": [("", _("Anywhere")), *PROVINCES.items()],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        for name in SEARCH_FILTERS:
            if name not in session.filters:
                del self.fields[name]


@_client_page
def client_search(request: HttpRequest, session: SupervisionSession) -> HttpResponse:
    form = SearchForm(request.GET or None, session=session)
    results = None
    if request.GET:
        vacancy = request.GET.get("vacancy", "")
        filters = {
            name: request.GET.get(name, "") for name in SEARCH_FILTERS if name in request.GET
        }
        try:
            results = session_search(
                session=session,
                user=request.user,
                vacancy_id=int(vacancy) if vacancy.isdecimal() and len(vacancy) < 12 else None,
                filters=filters,
            )
        except InhouseRefused as exc:
            return _refused(request, exc)
    return render(
        request,
        "site/inhouse/client_search.html",
        {"session": session, "form": form, "results": results},
    )


@_client_page
def client_dossier(
    request: HttpRequest, session: SupervisionSession, person_id: int
) -> HttpResponse:
    try:
        profile = session_dossier(session=session, user=request.user, person_id=person_id)
    except DisclosureRefused:
        raise Http404 from None  # the gate refuses the person now: as if they were not there
    except InhouseRefused as exc:
        return _refused(request, exc)
    return render(
        request, "site/inhouse/client_dossier.html", {"session": session, "profile": profile}
    )


urlpatterns: list[URLPattern] = [
    path("inhouse/", client_search, name="inhouse"),
    path("inhouse/candidates/<int:person_id>/", client_dossier, name="inhouse_dossier"),
    path("inhouse/sessions/", session_list, name="inhouse_sessions"),
    path("inhouse/sessions/new/", session_new, name="inhouse_session_new"),
    path("inhouse/sessions/<int:session_id>/", session_detail, name="inhouse_session"),
    path("inhouse/sessions/<int:session_id>/live/", session_live, name="inhouse_session_live"),
    path(
        "inhouse/sessions/<int:session_id>/close/",
        session_close_view,
        name="inhouse_session_close",
    ),
    path("inhouse/postings/", posting_list, name="inhouse_postings"),
]
