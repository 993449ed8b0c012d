"""The portability export (GDPR Art. 20, R6.9): the data the person gave the agency, in formats
another system can read — JSON (with a JSON Resume block for the CV part) and CSV.

What is in it, derived from the registry: only fields declared ``provided=True``, read through
the same sections as the access export (``candor.rights.dossier.sections``, one indexed query
per declared model). Nothing the agency produced — interview and test reports, scores, guidance
notes, the stage of a procedure, matching keys — is provided, so none of it is here; no link to
another row is followed (no consultant, no colleague, no vacancy), so other people's data cannot
come along. The only non-personal values included are the codes that say what a value is (the
kind of a contact point or of a document: fields with fixed choices). A password hash is never
exported (a credential, not data about the person).

How Art. 20(1)(a) is read. The right covers data the person provided when the processing rests
on consent or on a contract. A candidate's data is provided to be mediated, and mediation rests
on legitimate interest in the shipped policy; yet the candidate gave it to us precisely to be
put forward for jobs — a step taken at their request, close to a pre-contractual one. The agency
therefore chooses, by default (``scope="provided"``), to include *all* data the person provided:
going beyond Art. 20 costs the person nothing, and it spares a field-by-field legal judgement.
``scope="consent_or_contract"`` gives the strict reading: only provided fields whose category is
used by a purpose resting on consent or contract that the gate allows for this person today
(a live consent, a running trajectory, a client contract). Both are documented in
``docs/rights.md``; the export names the scope it used.

The JSON Resume block (https://jsonresume.org/schema) is written so that Candor's own importer
(``candor.importer.formats.jsonresume``) reads it back: ``tests/test_portability.py`` proves the
round trip.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy import gate
from candor.privacy.policy import LegalBasis
from candor.rights.delivery import (
    Delivery,
    ExportFile,
    check_formats,
    file_name,
    fulfil_result,
    record_delivery,
)
from candor.rights.dossier import NoSuchPerson, Section, json_value, sections

SCHEMA = "candor.portability/1"
FORMATS = ("json", "csv")
SCOPES = ("provided", "consent_or_contract")
PORTABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})


def _portable_categories(person_id: int) -> set[str]:
    """Categories used by a purpose resting on consent or contract that the gate allows for the
    person today (the strict reading of Art. 20(1)(a))."""
    return {
        category.value
        for decision in gate.overview(person_id)
        if decision.allowed and decision.purpose.legal_basis in PORTABLE_BASES
        for category in decision.purpose.categories
    }


def _fields(section: Section, categories: set[str] | None) -> list[str]:
    return [
        name
        for name, pd in section.declaration.fields.items()
        if pd.provided
        and name not in section.secret
        and (categories is None or pd.category.value in categories)
    ]


def _codes(section: Section) -> list[str]:
    """Non-personal fields that say what a value is: fixed choices (``kind``), nothing else."""
    model = section.model
    return [
        name
        for name in section.context
        if getattr(model._meta.get_field(name), "choices", None)
        and name not in section.declaration.fields
    ]


def provided_data(person_id: int, *, scope: str = "provided") -> dict[str, list[dict[str, Any]]]:
    """Model label → the person's rows, each with its provided fields (JSON-safe) and codes."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {list(SCOPES)}, not {scope!r}")
    categories = _portable_categories(person_id) if scope == "consent_or_contract" else None
    found: dict[str, list[dict[str, Any]]] = {}
    for section in sections():
        names = _fields(section, categories)
        if not names:
            continue
        codes = _codes(section)
        key = section.declaration.subject or "pk"
        rows = (
            section.model._default_manager.filter(**{key: person_id})
            .order_by("pk")
            .values(*codes, *names)
        )
        files = {n for n in names if isinstance(section.model._meta.get_field(n), models.FileField)}
        items = [
            {
                # a stored file by the last part of its key, as in the access export
                name: os.path.basename(value or "") if name in files else json_value(value)
                for name, value in row.items()
            }
            for row in rows
        ]
        if items:
            found[section.label] = items
    return found


def _first(rows: list[dict[str, Any]], kind: str) -> str:
    return next((r["value"] for r in rows if r.get("kind") == kind and r.get("value")), "")


def json_resume(data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The CV part as a JSON Resume document, built only from ``provided_data``: what was not
    provided cannot appear in it."""
    person = (data.get("people.person") or [{}])[0]
    profile = (data.get("recruitment.candidateprofile") or [{}])[0]
    contacts = data.get("people.contactpoint", [])
    address = (data.get("people.address") or [{}])[0]
    urls = [r["value"] for r in contacts if r.get("kind") == "url" and r.get("value")]
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)
    basics: dict[str, Any] = {
        "name": name,
        "label": profile.get("current_function", ""),
        "email": _first(contacts, "email"),
        "phone": _first(contacts, "mobile") or _first(contacts, "phone"),
        "url": urls[0] if urls else "",
        "summary": profile.get("summary", ""),
        "location": {
            "address": " ".join(
                p for p in (address.get("street"), address.get("number"), address.get("box")) if p
            ),
            "postalCode": address.get("postcode", ""),
            "city": address.get("city", ""),
            "countryCode": address.get("country", ""),
        },
        "profiles": [{"url": url} for url in urls[1:]],
    }
    education = data.get("recruitment.education", [])
    return {
        "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
        "basics": {k: v for k, v in basics.items() if v not in ("", None, [])},
        "work": [
            _clean(
                {
                    "name": job.get("employer"),
                    "position": job.get("function"),
                    "startDate": job.get("started_on"),
                    "endDate": job.get("ended_on"),
                    "summary": job.get("description"),
                }
            )
            for job in data.get("recruitment.experience", [])
        ],
        "education": [
            _clean(
                {
                    "institution": e.get("institution"),
                    "area": e.get("field_of_study"),
                    "studyType": e.get("diploma") or e.get("level"),
                    "startDate": e.get("started_on"),
                    "endDate": e.get("ended_on"),
                }
            )
            for e in education
            if e.get("kind") != "training"
        ],
        "certificates": [
            _clean(
                {
                    "name": e.get("diploma"),
                    "issuer": e.get("institution"),
                    "date": e.get("ended_on"),
                }
            )
            for e in education
            if e.get("kind") == "training"
        ],
        "skills": [{"name": s["name"]} for s in data.get("recruitment.skill", []) if s.get("name")],
        "languages": [
            {"language": lang.get("language"), "fluency": lang.get("level")}
            for lang in data.get("recruitment.languageskill", [])
        ],
    }


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v not in ("", None)}


def portability_export(person_id: int, *, scope: str = "provided") -> dict[str, Any]:
    """The person's provided data (R6.9): a JSON Resume block and every provided field per
    model, as a JSON-safe dict. Reads only. Raises ``NoSuchPerson``."""
    if not Person.objects.filter(pk=person_id).exists():
        raise NoSuchPerson(person_id)
    data = provided_data(person_id, scope=scope)
    categories = sorted(
        {
            pd.category.value
            for section in sections()
            if section.label in data
            for name, pd in section.declaration.fields.items()
            if pd.provided
        }
    )
    return {
        "schema": SCHEMA,
        "generated_at": json_value(clock.now()),
        "scope": scope,
        "categories": categories,
        "resume": json_resume(data),
        "data": data,
    }


def render_json(export: dict[str, Any]) -> bytes:
    return json.dumps(export, ensure_ascii=False, indent=2).encode()


def render_csv(export: dict[str, Any]) -> bytes:
    """One line per value: section (model), item (its number within the section), field,
    value. Lists and objects are written as JSON."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    for label, rows in export["data"].items():
        for number, row in enumerate(rows, start=1):
            for name, value in row.items():
                text = (
                    json.dumps(value, ensure_ascii=False)
                    if isinstance(value, list | dict)
                    else value
                )
                writer.writerow([label, number, name, "" if text is None else text])
    return out.getvalue().encode()


def render(export: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return render_json(export)
    if fmt == "csv":
        return render_csv(export)
    raise ValueError(f"a portability export is {' / '.join(FORMATS)}, not {fmt!r}")


@transaction.atomic
def portability_deliver(
    *,
    actor: Actor,
    person_id: int,
    formats: Iterable[str] = FORMATS,
    scope: str = "provided",
    channel: str = "download",
    reference: str = "",
) -> Delivery:
    """Build the portability export (R6.9) and record that it was handed to the person: one
    ledger row (R4.5) and one ``rights.portability_export`` audit event, in one transaction."""
    chosen = check_formats(formats, FORMATS, "portability")
    export = portability_export(person_id, scope=scope)
    files = [ExportFile(file_name("portability", fmt), fmt, render(export, fmt)) for fmt in chosen]
    disclosure_id = record_delivery(
        actor=actor,
        kind="portability",
        person_id=person_id,
        copy=render_json(export).decode(),
        categories=export["categories"],
        files=files,
        channel=channel,
        reference=reference,
    )
    return Delivery("portability", person_id, "", files, disclosure_id)


def portability_fulfil(
    *,
    actor: Actor,
    request_person_id: int,
    language: str | None = None,
    formats: Iterable[str] = FORMATS,
    scope: str = "provided",
    reference: str = "",
) -> dict[str, Any]:
    """For the subject-request workflow (``fulfil.register("portability", portability_fulfil)``):
    deliver, store the files, return what the request keeps (see ``access_fulfil``).
    ``language`` is accepted for a uniform signature; the files are language-neutral."""
    with transaction.atomic():
        delivery = portability_deliver(
            actor=actor,
            person_id=request_person_id,
            formats=formats,
            scope=scope,
            reference=reference,
        )
        return fulfil_result(delivery)
