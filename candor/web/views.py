"""Pages of the public web site: anyone may read them, nothing here needs a log-in.

Views stay thin: the vacancy queries are in ``selectors``, the application in ``services``,
privacy requests go to the rights app's ``request_open``, cookies follow ``cookies``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from candor.core import clock
from candor.core.throttle import Throttle, client_address
from candor.core.uploads import (
    LimitedUploadHandler,
    too_large_message,
    upload_too_large,
    validate_document,
)
from candor.privacy.policy import policy
from candor.privacy.statement import (
    statement_blocks,
    statement_changes,
    statement_current,
    statement_text,
    statement_versions,
)
from candor.recruitment.records import RecordInvalid
from candor.rights.models import RequestChannel
from candor.rights.requests import Concerns, DuplicateRequest, request_open
from candor.web import cookies, selectors
from candor.web.forms import ApplicationForm, RequestForm, SearchForm
from candor.web.services import (
    VISITOR,
    Applicant,
    applicant_errors,
    application_receipt_send,
    application_submit,
)

PER_PAGE = 20
# Bots are slowed down per client address; nobody is tracked (the counter key is a hash).
APPLY_THROTTLE = Throttle("web.apply", limit=10, window=3600)
REQUEST_THROTTLE = Throttle("web.request", limit=5, window=3600)


def _language() -> str:
    code = (get_language() or "nl")[:2]
    return code if code in {"nl", "fr", "en"} else "en"


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "web/too_many.html", status=429)


def home(request: HttpRequest) -> HttpResponse:
    latest = selectors.fragment(
        "home",
        "",
        lambda: render_to_string(
            "web/_vacancy_cards.html", {"vacancies": list(selectors.open_vacancies()[:6])}
        ),
    )
    return render(request, "web/home.html", {"latest": latest, "controller": policy().controller})


def vacancies(request: HttpRequest) -> HttpResponse:
    """Open vacancies, searched and filtered, paginated. With the visitor's consent to
    preference cookies, the last search is remembered and offered again."""
    query = request.GET.copy()
    number = query.pop("page", ["1"])[-1]
    key = query.urlencode()
    searched = bool(key)

    def render_search() -> str:
        # The search form (GET, no token) and the results: the same for every visitor.
        form = SearchForm(query or None, sectors=selectors.sectors())
        filters: dict[str, Any] = {}
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "text": data["q"],
                "region": data["region"],
                "sector": data["sector"],
                "since_days": data["since"],
            }
        page = Paginator(selectors.public_vacancies(**filters), PER_PAGE).get_page(number)
        context = {"form": form, "page": page, "query": key, "searched": searched}
        return render_to_string("web/_vacancy_search.html", context)

    listing = selectors.fragment("list", f"{key}&page={number}", render_search)
    remembered = ""
    if not searched and cookies.accepted(request):
        remembered = request.COOKIES.get(cookies.SEARCH_COOKIE, "")
    response = render(request, "web/vacancies.html", {"listing": listing, "remembered": remembered})
    if searched:
        cookies.set_optional(request, response, cookies.SEARCH_COOKIE, key)
    return response


def vacancy(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    def render_body() -> str:
        found = selectors.public_vacancy(vacancy_id)
        if found is None:
            return ""
        region = selectors.region_of(found.postcode)
        body = render_to_string("web/_vacancy_body.html", {"vacancy": found, "region": region})
        return f"{found.title}\x00{body}"

    cached = selectors.fragment("vacancy", str(vacancy_id), render_body)
    if not cached:
        raise Http404
    title, body = cached.split("\x00", 1)
    # the title is escaped by the page; the body is our own template's escaped output
    context = {"vacancy_id": vacancy_id, "title": title, "body": mark_safe(body)}  # noqa: S308
    return render(request, "web/vacancy.html", context)


@csrf_exempt  # the upload handlers are set before the body is read; CSRF is checked below
def apply(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    found = selectors.public_vacancy(vacancy_id)
    if found is None:
        raise Http404
    if request.method == "POST":
        if upload_too_large(request):  # refused before a byte of the body is read
            form = ApplicationForm(initial={"statement_version": _statement_version()})
            return _apply_page(request, found, form, status=413, refused=too_large_message())
        request.upload_handlers = [
            LimitedUploadHandler(request),
            TemporaryFileUploadHandler(request),
        ]
    return _apply(request, found)


def _statement_version() -> str:
    current = statement_current()
    return current.version if current else ""


def _apply_page(
    request: HttpRequest,
    vacancy: Any,
    form: ApplicationForm,
    status: int = 200,
    refused: str = "",
) -> HttpResponse:
    context = {"vacancy": vacancy, "form": form, "statement": statement_current()}
    return render(request, "web/apply.html", {**context, "refused": refused}, status=status)


@csrf_protect
def _apply(request: HttpRequest, vacancy: Any) -> HttpResponse:
    if request.method != "POST":
        form = ApplicationForm(initial={"statement_version": _statement_version()})
        return _apply_page(request, vacancy, form)
    if not APPLY_THROTTLE.hit(client_address(request)):
        return _too_many(request)
    form = ApplicationForm(request.POST, request.FILES)
    valid = form.is_valid()
    if getattr(request, "upload_refused", None):
        form.errors.pop("cv", None)
        form.add_error("cv", too_large_message())
        valid = False
    cv_format = None
    if valid:
        try:
            cv_format = validate_document(form.cleaned_data["cv"])
        except ValidationError as exc:
            form.add_error("cv", exc)
    statement = statement_current()
    if (
        form.is_valid()
        and statement
        and form.cleaned_data["statement_version"] != statement.version
    ):
        form.add_error(
            None,
            _(
                "The privacy statement changed while you were filling in the form; "
                "please read the new version and send again."
            ),
        )
        fresh = request.POST.copy()
        fresh["statement_version"] = statement.version
        form.data = fresh
    if not form.is_valid() or cv_format is None:
        return _apply_page(request, vacancy, form, status=400)
    data = form.cleaned_data
    applicant = Applicant(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        phone=data["phone"],
        motivation=data["motivation"],
        language=_language(),
    )
    consents = form.given_consents()
    try:
        application_submit(
            vacancy=vacancy,
            applicant=applicant,
            cv=data["cv"],
            cv_format=cv_format,
            consents=consents,
            statement=statement,
        )
    except (RecordInvalid, ValidationError) as exc:
        for field, errors in applicant_errors(exc).items():
            for error in errors:
                form.add_error(None if field == "__all__" else field, error)
        return _apply_page(request, vacancy, form, status=400)
    application_receipt_send(vacancy=vacancy, applicant=applicant, consents=consents)
    return redirect("web:applied", vacancy_id=vacancy.pk)


def applied(request: HttpRequest, vacancy_id: int) -> HttpResponse:
    found = selectors.public_vacancy(vacancy_id)
    return render(request, "web/applied.html", {"vacancy": found, "dpo": policy().dpo})


def privacy(request: HttpRequest, version: str = "") -> HttpResponse:
    """The privacy statement in force (or an earlier version), its history, who the controller
    and the data protection officer are, and the cookies the site uses (R8.1-R8.3, R1.6)."""
    published = [v for v in statement_versions() if v.published_on <= clock.today()]
    current = published[0] if published else None
    shown = current
    if version:
        shown = next((v for v in published if v.version == version), None)
        if shown is None:
            raise Http404
    language = _language()
    context = {
        "shown": shown,
        "current": current,
        "versions": published,
        "blocks": statement_blocks(statement_text(shown, language)) if shown else [],
        "changes": statement_changes(shown, language) if shown else "",
        "rules": policy(),
        "cookies": cookies.cookies(),
        "categories": cookies.CATEGORIES,
    }
    return render(request, "web/privacy.html", context)


def privacy_request(request: HttpRequest) -> HttpResponse:
    """A privacy request from a visitor without an account (R6.1). The identity is not checked
    here: the request reaches the DPO's desk as received, to be verified like any other."""
    form = RequestForm(request.POST or None)
    if request.method == "POST":
        if not REQUEST_THROTTLE.hit(client_address(request)):
            return _too_many(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                opened = request_open(
                    actor=VISITOR,
                    kind=data["kind"],
                    channel=RequestChannel.PORTAL,
                    requester_name=f"{data['first_name']} {data['last_name']}",
                    requester_email=data["email"],
                    requester_phone=data["phone"],
                    concerns=Concerns(
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        phone=data["phone"],
                    ),
                    purpose=data["purpose"],
                    details=data["details"],
                    language=_language(),
                )
            except DuplicateRequest:
                # Said without its reference or dates: the visitor's identity is not known.
                form.add_error(
                    None,
                    _(
                        "A request of this kind about this person is already being handled; "
                        "the answer goes to the address given with it. To add something, "
                        "write to our data protection officer at %(email)s."
                    )
                    % {"email": policy().dpo.email},
                )
            except ValidationError as exc:
                for field, errors in _request_errors(exc).items():
                    for error in errors:
                        form.add_error(field, error)
            else:
                request.session["web_request_reference"] = opened.reference
                return redirect("web:request_sent")
        return render(request, "web/request.html", {"form": form, "rules": policy()}, status=400)
    return render(request, "web/request.html", {"form": form, "rules": policy()})


def _request_errors(exc: ValidationError) -> dict[str | None, list[str]]:
    known = {"kind", "email", "phone", "purpose", "details", "first_name", "last_name"}
    renamed = {"requester_email": "email", "requester_phone": "phone"}
    if not hasattr(exc, "error_dict"):
        return {None: [str(m) for m in exc.messages]}
    errors: dict[str | None, list[str]] = {}
    for field, messages_ in exc.message_dict.items():
        name = renamed.get(field, field)
        errors.setdefault(name if name in known else None, []).extend(messages_)
    return errors


def request_sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.get("web_request_reference", "")
    return render(request, "web/request_sent.html", {"reference": reference, "rules": policy()})


def cookie_settings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/cookies.html",
        {
            "cookies": cookies.cookies(),
            "categories": cookies.CATEGORIES,
            "next": _next(request),
        },
    )


@require_POST
def cookie_choice(request: HttpRequest) -> HttpResponse:
    """Accept or refuse the optional cookies (a plain form: works without JavaScript)."""
    value = request.POST.get("choice", "")
    if value not in {cookies.ACCEPTED, cookies.REFUSED}:
        return HttpResponse(_("Choose accept or refuse."), status=400)
    response = redirect(_next(request))
    cookies.remember_choice(request, response, value)
    if value == cookies.ACCEPTED:
        messages.success(request, _("Thank you: optional cookies are accepted."))
    else:
        messages.success(request, _("Optional cookies are refused; the site works just the same."))
    return response


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("web:home")
