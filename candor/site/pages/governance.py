"""Back-office pages for governance: the record of processing activities (R9.2) for the DPO and
the administrator, and the privacy statement's versions (R8.2) for the DPO.

Both are generated elsewhere (``candor.privacy.ropa``, ``candor.privacy.statement``); these views
only choose a language, render and offer downloads. Publishing goes through
``statement_publish``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from candor.core import clock
from candor.privacy import ropa
from candor.privacy.models import StatementVersion
from candor.privacy.policy import LANGUAGES, ROLES
from candor.privacy.statement import (
    people_without_latest,
    statement_blocks,
    statement_changes,
    statement_current,
    statement_latest,
    statement_publish,
    statement_text,
    statement_versions,
)
from candor.site.access import actor_of, require
from candor.site.forms_governance import StatementPublishForm

PER_PAGE = 50
CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def _language(request: HttpRequest) -> str:
    """The language asked for (``?language=``), else the user's."""
    asked = request.GET.get("language", "")
    if asked in LANGUAGES:
        return asked
    current = (get_language() or "en")[:2]
    return current if current in LANGUAGES else "en"


@require("ropa.view")
def ropa_page(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    register = ropa.register_for(language)
    return render(
        request,
        "site/governance/ropa.html",
        {
            **ropa.template_context(register),
            "language": language,
            "languages": LANGUAGES,
            "formats": ropa.FORMATS,
        },
    )


def _download(request: HttpRequest, fmt: str) -> HttpResponse:
    language = _language(request)
    content = ropa.render(ropa.register_for(language), fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"record-of-processing-{language}-{clock.today().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require("ropa.view")
def ropa_html(request: HttpRequest) -> HttpResponse:
    return _download(request, "html")


@require("ropa.view")
def ropa_pdf(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")


@require("ropa.view")
def ropa_md(request: HttpRequest) -> HttpResponse:
    return _download(request, "md")


@require("statement.manage")
def statement_list(request: HttpRequest) -> HttpResponse:
    current = statement_current()
    language = _language(request)
    return render(
        request,
        "site/governance/statement_list.html",
        {
            "versions": [(v, statement_changes(v, language)) for v in statement_versions()],
            "current": current,
            "latest": statement_latest(),
            "languages": LANGUAGES,
            "today": clock.today(),
        },
    )


@require("statement.manage")
def statement_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(StatementVersion, pk=version_id)
    language = _language(request)
    return render(
        request,
        "site/governance/statement_detail.html",
        {
            "version": version,
            "language": language,
            "languages": LANGUAGES,
            "blocks": statement_blocks(statement_text(version, language)),
            "changes": statement_changes(version, language),
            "is_current": version == statement_current(),
        },
    )


@require("statement.manage")
def statement_new(request: HttpRequest) -> HttpResponse:
    """Publish a new version: the text is rendered from the policy in force and our templates;
    the DPO gives the version label, the date and what changed."""
    if request.method == "POST":
        form = StatementPublishForm(request.POST)
        if form.is_valid():
            try:
                published = statement_publish(
                    actor=actor_of(request),
                    version=form.cleaned_data["version"],
                    published_on=form.cleaned_data["published_on"],
                    changes=form.changes(),
                )
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    form.add_error(key if key in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Version %(version)s published.") % {"version": published.version}
                )
                return redirect("site:statement", version_id=published.pk)
    else:
        form = StatementPublishForm(initial={"published_on": clock.today()})
    return render(
        request,
        "site/governance/statement_form.html",
        {
            "form": form,
            "first": statement_latest() is None,
            "title": _("Publish a new version of the privacy statement"),
            "cancel": reverse("site:statements"),
        },
    )


@require("statement.manage")
def statement_unseen(request: HttpRequest) -> HttpResponse:
    """People who have not seen (or not accepted) the version in force, 50 a page."""
    kind = request.GET.get("kind", "seen")
    kind = kind if kind in {"seen", "accepted"} else "seen"
    role = request.GET.get("role", "")
    role = role if role in ROLES else ""
    current = statement_current()
    page = Paginator(
        people_without_latest(kind=kind, version=current, role=role).only(
            "first_name", "last_name", "is_candidate", "is_client_contact", "is_supplier_contact"
        ),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "site/governance/statement_unseen.html",
        {
            "page": page,
            "current": current,
            "kind": kind,
            "role": role,
            "roles": [(r, ropa.role_label(r)) for r in ROLES],
        },
    )


urlpatterns: list[URLPattern] = [
    path("governance/ropa/", ropa_page, name="ropa"),
    path("governance/ropa/register.html", ropa_html, name="ropa_html"),
    path("governance/ropa/register.pdf", ropa_pdf, name="ropa_pdf"),
    path("governance/ropa/register.md", ropa_md, name="ropa_md"),
    path("governance/statement/", statement_list, name="statements"),
    path("governance/statement/new/", statement_new, name="statement_new"),
    path("governance/statement/unseen/", statement_unseen, name="statement_unseen"),
    path("governance/statement/<int:version_id>/", statement_detail, name="statement"),
]
