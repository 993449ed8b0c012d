"""The access export (GDPR Art. 15, R6.4): a complete copy of what the agency holds on a person,
derived from the registry — nothing here names a model.

``access_export(person_id)`` walks ``registry.declarations()`` (through
``candor.rights.dossier``): every declaration whose ``subject`` path reaches ``Person`` is a
section, and its rows about the person are read with one indexed query (``{subject}=person_id``,
the same path erasure walks). Each row gives:

- ``fields``: every declared personal field with its value, label, category and whether the
  person provided it (JSON-safe values: dates ISO, decimals as text; a stored file by its
  meaningless storage key);
- ``source``: the row's provenance (R2.1) when the model has one — the kind of source, a medium
  or partner's name, the channel, when, and the *role* of the staff member who recorded it;
- ``context``: the row's non-personal fields that make the values readable (the kind of contact
  point, a document's type and size, the vacancy an application is for). Links to staff appear
  by role only ("Consultant"), never by name: a colleague's name is their personal data, not the
  person's. Links to another Person are left out altogether. Internal references
  (``INTERNAL``: pseudonyms and process references) are left out: they mean nothing outside the
  system and only help someone correlate the audit trail.

Two fields are shown without their stored value, on purpose: a password hash (``secret``: a
credential, not information about the person; Art. 15(4) — handing it out weakens the account)
and the stored copy of an earlier export sent to the person themselves (it would nest every
earlier report in the next one; the ledger row and its SHA-256 are shown instead).

Beside the sections: the person's purposes with legal basis and the gate's answer today
(``gate.overview``), recipients from the disclosure ledger, the retention date and rule, and the
rights and complaint route from the policy. ``render_html`` / ``render_pdf`` give the readable
report in the person's language (WeasyPrint, as ``candor ropa``).

The builder reads and records nothing: ``access_deliver`` (and ``access_fulfil`` for the request
workflow) records the disclosure to the person in the ledger and an audit event, in one
transaction, when a report is actually handed over.

When you add a model that holds personal data: declare it in the registry with its ``subject``
path; it appears here by itself, and ``tests/test_access.py`` fails until ``full_dossier`` fills
it. When you add a non-personal field that is an internal reference, add it to
``dossier.INTERNAL``.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import RecipientKind
from candor.disclosure.selectors import recipients
from candor.people.models import Person
from candor.privacy import gate
from candor.privacy.policy import LANGUAGES, Party, policy
from candor.privacy.retention import describe_rule, retention_of
from candor.privacy.ropa import basis_words, category_label
from candor.rights.delivery import (
    Delivery,
    ExportFile,
    check_formats,
    file_name,
    fulfil_result,
    record_delivery,
)
from candor.rights.dossier import (
    NoSuchPerson,
    json_value,
    read_sections,
    sections,
    stored_files,
)

__all__ = [
    "NoSuchPerson",
    "access_deliver",
    "access_export",
    "access_fulfil",
    "access_section",
    "render",
]


SCHEMA = "candor.access/1"
FORMATS = ("json", "html", "pdf", "zip")


def report_language(person_id: int, requested: str | None = None) -> str:
    """The language of the report: the one asked for, else the person's preferred language when
    Candor writes it, else Dutch (the agency's first language). Raises ``NoSuchPerson``."""
    if requested is not None and requested not in LANGUAGES:
        raise ValueError(f"language must be one of {list(LANGUAGES)}, not {requested!r}")
    found = Person.objects.filter(pk=person_id).values_list("preferred_language", flat=True)
    preferred = found.first()
    if preferred is None:
        raise NoSuchPerson(person_id)
    if requested:
        return requested
    return preferred if preferred in LANGUAGES else "nl"


# --- the export ----------------------------------------------------------------------------


def _party(party: Party) -> dict[str, str]:
    return {
        "name": party.name,
        "address": party.address,
        "email": party.email,
        "phone": party.phone,
        "website": party.website,
    }


def rights_texts() -> list[dict[str, str]]:
    """The person's rights, each with its article, in the active language."""
    return [
        {
            "right": "access",
            "article": "15",
            "text": _("See the data held on you and receive a copy of it."),
        },
        {
            "right": "rectification",
            "article": "16",
            "text": _("Have wrong or incomplete data corrected."),
        },
        {
            "right": "erasure",
            "article": "17",
            "text": _("Have your data erased when nothing justifies keeping it any longer."),
        },
        {
            "right": "restriction",
            "article": "18",
            "text": _("Have the use of your data suspended while a question about it is settled."),
        },
        {
            "right": "portability",
            "article": "20",
            "text": _(
                "Receive the data you gave us in a machine-readable file, or have it sent "
                "to another organisation."
            ),
        },
        {
            "right": "objection",
            "article": "21",
            "text": _(
                "Object to uses that rest on the agency's legitimate interest; an objection "
                "to direct marketing always ends it."
            ),
        },
        {
            "right": "withdraw_consent",
            "article": "7(3)",
            "text": _(
                "Withdraw a consent at any time, as easily as you gave it; what was done "
                "before stays lawful."
            ),
        },
    ]


def _purposes(person_id: int) -> list[dict[str, Any]]:
    return [
        {
            "purpose": d.purpose.key,
            "label": d.purpose.label.get(),
            "legal_basis": d.purpose.legal_basis.value,
            "legal_basis_label": basis_words(d.purpose),
            "categories": [c.value for c in d.purpose.categories],
            "allowed": d.allowed,
            "code": d.code,
            "reasons": list(d.reasons),
        }
        for d in gate.overview(person_id)
    ]


def _recipients(person_id: int) -> list[dict[str, Any]]:
    kinds = dict(RecipientKind.choices)
    return [
        {
            "kind": r.kind,
            "kind_label": str(kinds.get(r.kind, r.kind)),
            "name": r.name,
            "categories": sorted(r.categories),
            "category_labels": [category_label(c) for c in sorted(r.categories)],
            "purposes": sorted(r.purposes),
            "first": json_value(r.first),
            "last": json_value(r.last),
            "last_label": date_format(timezone.localtime(r.last), "DATE_FORMAT") if r.last else "",
            "times": r.times,
        }
        for r in recipients(person_id)
    ]


def _retention(person_id: int) -> dict[str, Any] | None:
    found = retention_of(person_id)
    if found is None:
        return None
    date, rule = found
    return {
        "kept_until": date.isoformat(),
        "kept_until_label": date_format(date, "DATE_FORMAT"),
        "rule": rule,
        "rule_text": describe_rule(rule),
    }


def access_export(
    person_id: int, *, language: str | None = None, rows_per_section: int | None = None
) -> dict[str, Any]:
    """Everything held on the person (R6.4), as a JSON-safe dict, labels in ``language`` (the
    person's own by default). Reads only: a fixed number of indexed queries (one per declared
    model reaching a person, plus the gate's three, the ledger's one and the retention facts),
    whatever the size of the database. Raises ``NoSuchPerson``.

    ``rows_per_section`` makes a summary for a page, not an export: each section keeps its
    first rows and says how many there are (``count``); ``access_section`` gives the rest."""
    language = report_language(person_id, language)  # and whether the person exists
    rules = policy()
    with translation.override(language):
        found = read_sections(person_id, limit=rows_per_section)
        person = found[0]["rows"][0] if found else {"fields": []}
        names = {f["field"]: f["value"] for f in person["fields"]}
        return {
            "schema": SCHEMA,
            "language": language,
            "generated_at": json_value(clock.now()),
            "generated_on_label": date_format(clock.today(), "DATE_FORMAT"),
            "policy_version": rules.version,
            "person": {
                "id": person_id,
                "name": " ".join(p for p in (names.get("first_name"), names.get("last_name")) if p),
            },
            "controller": _party(rules.controller),
            "dpo": _party(rules.dpo),
            "sections": found,
            "categories": sorted(
                {f["category"] for s in found for r in s["rows"] for f in r["fields"]}
            ),
            "purposes": _purposes(person_id),
            "recipients": _recipients(person_id),
            "retention": _retention(person_id),
            "rights": rights_texts(),
            "complaint": {
                "authority": rules.authority.name.get(language),
                "address": rules.authority.address,
                "email": rules.authority.email,
                "website": rules.authority.website,
            },
        }


def access_section(person_id: int, model: str, *, language: str | None = None) -> dict[str, Any]:
    """One section of the access export in full (every row of one declared model about the
    person, labelled as in the export), for a page that shows a summary first. Raises
    ``NoSuchPerson``, and ``LookupError`` when ``model`` is no section of the export; a section
    the person has no rows in comes back with no rows."""
    chosen = next((s for s in sections() if s.label == model), None)
    if chosen is None:
        raise LookupError(model)
    language = report_language(person_id, language)
    with translation.override(language):
        found = read_sections(person_id, only=model)
        title = str(chosen.model._meta.verbose_name_plural).capitalize()
    return found[0] if found else {"model": model, "title": title, "rows": []}


# --- renderings ----------------------------------------------------------------------------


def render_json(export: dict[str, Any]) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=2, sort_keys=False).encode()


def render_html(export: dict[str, Any]) -> str:
    """A standalone HTML document in the report's language (styles inline: also the PDF's
    source)."""
    with translation.override(export["language"]):
        return render_to_string("rights/access/document.html", {"export": export})


def render_pdf(export: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    pdf: bytes = HTML(string=render_html(export)).write_pdf()
    return pdf


def render_zip(export: dict[str, Any]) -> bytes:
    """The report (JSON, PDF) and the person's stored files, in one zip (Art. 15(3): a copy of
    the data, the documents included). A file missing from storage is named in
    ``files/MISSING.txt`` rather than failing the whole export."""
    out = io.BytesIO()
    missing = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("access.json", render_json(export))
        archive.writestr("access.pdf", render_pdf(export))
        for storage, stored, arcname in stored_files(export["person"]["id"]):
            try:
                with storage.open(stored, "rb") as handle:
                    archive.writestr(arcname, handle.read())
            except FileNotFoundError:
                missing.append(arcname)
        if missing:
            archive.writestr("files/MISSING.txt", "\n".join(missing) + "\n")
    return out.getvalue()


def render(export: dict[str, Any], fmt: str) -> bytes:
    if fmt == "zip":
        return render_zip(export)
    if fmt == "json":
        return render_json(export)
    if fmt == "html":
        return render_html(export).encode()
    if fmt == "pdf":
        return render_pdf(export)
    raise ValueError(f"an access export is {' / '.join(FORMATS)}, not {fmt!r}")


# --- delivery ------------------------------------------------------------------------------


@transaction.atomic
def access_deliver(
    *,
    actor: Actor,
    person_id: int,
    language: str | None = None,
    formats: Iterable[str] = ("json", "pdf"),
    channel: str = "download",
    reference: str = "",
) -> Delivery:
    """Build the access report (R6.4) in ``formats`` and record that it was handed to the person:
    one ledger row (R4.5) and one audit event, in one transaction. Bad input (unknown person,
    format or language) raises before anything is recorded."""
    chosen = check_formats(formats, FORMATS, "access")
    export = access_export(person_id, language=language)
    files = [ExportFile(file_name("access", fmt), fmt, render(export, fmt)) for fmt in chosen]
    copy = render_json(export).decode()
    disclosure_id = record_delivery(
        actor=actor,
        kind="access",
        person_id=person_id,
        copy=copy,
        categories=export["categories"],
        files=files,
        channel=channel,
        reference=reference,
    )
    return Delivery("access", person_id, export["language"], files, disclosure_id)


def access_fulfil(
    *,
    actor: Actor,
    request_person_id: int,
    language: str | None = None,
    formats: Iterable[str] = ("json", "pdf"),
    reference: str = "",
) -> dict[str, Any]:
    """For the subject-request workflow (``fulfil.register("access", access_fulfil)``): deliver
    the access report, store its files and return what the request keeps — JSON-safe: the kind,
    the language, the ledger row id, and per file its name, format, size, SHA-256 and storage
    path."""
    with transaction.atomic():
        delivery = access_deliver(
            actor=actor,
            person_id=request_person_id,
            language=language,
            formats=formats,
            reference=reference,
        )
        return fulfil_result(delivery)
