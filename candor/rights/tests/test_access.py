"""The access export (R6.4): complete, derived from the registry, readable in the person's
language; handing it over leaves a ledger row and an audit event (R4.5)."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import os
from html import escape
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from candor.accounts.models import User
from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.audit.services import audit_verify
from candor.disclosure.models import Disclosure, RecipientKind
from candor.people.models import Person
from candor.privacy.registry import declarations
from candor.privacy.tests.test_erasure import full_dossier, tmp_media  # noqa: F401 - a fixture
from candor.recruitment.models import Application, Experience, ProcedureStep
from candor.rights import access
from candor.rights.access import access_deliver, access_export, access_fulfil
from candor.rights.dossier import CREDENTIALS, sections

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.4")]


def _text(value: Any) -> str | None:
    """How a stored value must appear in the JSON export, computed here independently."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return os.path.basename(value.name)
    return str(value)


def _stored(person_id: int) -> dict[tuple[str, str], list[Any]]:
    """Every declared personal value about the person, read straight from the database."""
    found: dict[tuple[str, str], list[Any]] = {}
    for d in declarations():
        if d.subject is None:
            continue
        for row in d.model._default_manager.filter(**{d.subject or "pk": person_id}):
            for name in d.fields:
                found.setdefault((d.label, name), []).append(getattr(row, name))
    return found


def _exported(export: dict[str, Any]) -> dict[tuple[str, str], list[Any]]:
    found: dict[tuple[str, str], list[Any]] = {}
    for section in export["sections"]:
        for row in section["rows"]:
            for entry in row["fields"]:
                found.setdefault((section["model"], entry["field"]), []).append(entry)
    return found


def test_every_declared_value_of_a_full_dossier_is_in_the_export(actor, consultant, tmp_media):  # noqa: F811
    person = full_dossier(actor, consultant, tmp_media)
    make_candidate(actor)  # a bystander whose rows must not show up
    stored = _stored(person.pk)
    unfilled = [k for k, values in stored.items() if all(_text(v) is None for v in values)]
    assert unfilled == [], "fill these in full_dossier() so the access export is tested on them"

    export = access_export(person.pk)
    exported = _exported(export)
    assert {s["model"] for s in export["sections"]} == {
        d.label for d in declarations() if d.subject is not None
    }
    for (model, name), values in stored.items():
        entries = exported[(model, name)]
        assert len(entries) == len(values), (model, name)
        for value, entry in zip(values, entries, strict=True):
            if entry.get("withheld") == "credential":
                # the password hash and the two-factor secrets: said to exist, never handed out
                assert (model, name) in {("accounts.user", "password"), *CREDENTIALS}
                assert value not in json.dumps(export)
                assert entry["display"]
                continue
            expected = _text(value)
            got = entry["value"]
            assert (str(got) if got is not None and got != "" else None) == expected, (model, name)
    # every value is in the JSON file, not only in the dict
    text = access.render_json(export).decode()
    assert _exported(json.loads(text)) == exported
    for (model, name), values in stored.items():
        if (model, name) == ("accounts.user", "password") or (model, name) in CREDENTIALS:
            continue
        for value in values:
            if isinstance(value, list | dict):  # a JSON value stays JSON in the file
                continue
            assert json.dumps(_text(value), ensure_ascii=False) in text, (model, name)


def test_the_readable_report_shows_every_text_value_and_the_pdf_is_real(
    actor,
    consultant,
    tmp_media,  # noqa: F811
):
    person = full_dossier(actor, consultant, tmp_media)
    export = access_export(person.pk, language="en")
    html = access.render_html(export)
    for d in declarations():
        if d.subject is None:
            continue
        for name in d.fields:
            f = d.model._meta.get_field(name)
            if not isinstance(f, models.CharField | models.TextField) or f.choices:
                continue
            if (d.label, name) == ("accounts.user", "password") or (d.label, name) in CREDENTIALS:
                continue
            for value in d.model._default_manager.filter(
                **{d.subject or "pk": person.pk}
            ).values_list(name, flat=True):
                if value:
                    assert escape(value) in html, (d.label, name)
    pdf = access.render_pdf(export)
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert person.last_name in text
    assert "Kerkstraat" in text
    assert "Belgian Data Protection Authority" in " ".join(text.split())


def test_purposes_recipients_retention_rights_and_complaint_route_are_there(
    actor,
    consultant,
    tmp_media,  # noqa: F811
):
    person = full_dossier(actor, consultant, tmp_media)
    export = access_export(person.pk, language="en")
    purposes = {p["purpose"]: p for p in export["purposes"]}
    assert purposes["guidance"]["legal_basis"] == "contract"
    assert purposes["job_alerts"]["legal_basis"] == "consent"
    assert purposes["job_alerts"]["allowed"] is False  # the consent was withdrawn
    assert purposes["job_alerts"]["reasons"]
    client = Disclosure.objects.get(person=person).recipient
    assert [r["name"] for r in export["recipients"]] == [client]
    assert export["recipients"][0]["categories"] == ["career"]
    assert export["retention"]["kept_until"]
    assert export["retention"]["rule_text"]
    assert {r["right"] for r in export["rights"]} >= {
        "access",
        "rectification",
        "erasure",
        "restriction",
        "portability",
        "objection",
        "withdraw_consent",
    }
    assert export["complaint"]["authority"] == "Belgian Data Protection Authority"
    assert export["dpo"]["email"] == "dpo@agency.example.com"
    # the readable report names the purposes that concern the person, not the others
    html = access.render_html(export)
    assert escape(purposes["guidance"]["label"]) in html
    assert purposes["client_marketing"]["code"] == "not_concerned"
    assert escape(purposes["client_marketing"]["label"]) not in html


def test_rows_show_their_source_and_staff_only_by_role(
    actor,
    consultant,
    colleague,
    tmp_media,  # noqa: F811
):
    person = full_dossier(actor, consultant, tmp_media)
    Application.objects.filter(person=person).update(consultant=consultant)
    ProcedureStep.objects.filter(application__person=person).update(conducted_by=colleague)
    export = access_export(person.pk, language="en")
    text = json.dumps(export, ensure_ascii=False)
    for staff in (consultant, colleague):
        for word in (staff.username, staff.get_full_name(), staff.last_name, staff.email):
            assert word
            assert word not in text
    steps = next(s for s in export["sections"] if s["model"] == "recruitment.procedurestep")
    conducted = {c["field"]: c["value"] for c in steps["rows"][0]["context"]}
    assert conducted["conducted_by"] == "Consultant"
    assert "application" not in conducted  # the path to the person is the section itself
    profile = next(s for s in export["sections"] if s["model"] == "people.contactpoint")
    assert profile["rows"][0]["source"]["kind"] == "subject"
    assert profile["rows"][0]["source"]["recorded_by"] == "Consultant"
    # internal references never leave
    assert str(person.pseudonym) not in text
    applications = next(s for s in export["sections"] if s["model"] == "recruitment.application")
    vacancy = {c["field"]: c["value"] for c in applications["rows"][0]["context"]}["vacancy"]
    assert vacancy == str(Application.objects.get(person=person).vacancy)


def test_the_report_is_in_the_persons_language_unless_another_is_asked(actor):
    person = make_candidate(actor)
    Person.objects.filter(pk=person.pk).update(preferred_language="fr")
    export = access_export(person.pk)
    assert export["language"] == "fr"
    assert 'lang="fr"' in access.render_html(export)
    english = access_export(person.pk, language="en")
    assert english["complaint"]["authority"] == "Belgian Data Protection Authority"
    assert export["complaint"]["authority"] == "Autorité de protection des données"
    Person.objects.filter(pk=person.pk).update(preferred_language="")
    assert access_export(person.pk)["language"] == "nl"
    with pytest.raises(ValueError, match="language"):
        access_export(person.pk, language="de")


def test_the_export_costs_one_query_per_declared_model_whatever_the_rows(
    actor,
    consultant,
    tmp_media,  # noqa: F811
):
    person = full_dossier(actor, consultant, tmp_media)
    with CaptureQueriesContext(connection) as first:
        access_export(person.pk)
    for year in range(1990, 2000):
        Experience.objects.create(
            person=person, provenance=person.provenance, function=f"Job {year}"
        )
    with CaptureQueriesContext(connection) as second:
        access_export(person.pk)
    assert len(second.captured_queries) == len(first.captured_queries)
    # one per section, one per model that links point to (supervision sessions since R4.2), and
    # a handful for the person check, language, gate, ledger, retention
    assert len(first.captured_queries) <= len(sections()) + 13


def test_a_summary_shows_the_first_rows_of_each_section_and_a_section_reads_in_full(
    actor,
    consultant,
    tmp_media,  # noqa: F811
):
    person = full_dossier(actor, consultant, tmp_media)
    for year in range(1990, 1995):
        Experience.objects.create(
            person=person, provenance=person.provenance, function=f"Job {year}"
        )
    full = access_export(person.pk, language="fr")

    summary = access_export(person.pk, language="fr", rows_per_section=2)

    assert [s["model"] for s in summary["sections"]] == [s["model"] for s in full["sections"]]
    for short, whole in zip(summary["sections"], full["sections"], strict=True):
        assert short["count"] == len(whole["rows"]), short["model"]
        assert short["rows"] == whole["rows"][:2], short["model"]
        assert access.access_section(person.pk, whole["model"], language="fr") == whole
    assert {k: v for k, v in summary.items() if k != "sections"} == {
        k: v for k, v in full.items() if k not in {"sections", "generated_at"}
    } | {"generated_at": summary["generated_at"]}
    assert "count" not in full["sections"][0]
    with pytest.raises(LookupError):
        access.access_section(person.pk, "audit.auditevent")
    bystander = make_candidate(actor)
    assert access.access_section(bystander.pk, "recruitment.experience")["rows"] == []


def test_unknown_people_and_formats_are_refused_and_record_nothing(actor):
    with pytest.raises(access.NoSuchPerson):
        access_export(10**9)
    person = make_candidate(actor)
    with pytest.raises(ValueError, match="access export"):
        access_deliver(actor=actor, person_id=person.pk, formats=["csv"])
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="rights.access_export").exists()


@pytest.mark.req("R4.5")
def test_delivering_records_the_person_as_recipient_and_an_audit_event(actor):
    person = make_candidate(actor)
    access_export(person.pk)  # building alone records nothing
    assert not Disclosure.objects.exists()

    delivery = access_deliver(actor=actor, person_id=person.pk, formats=["json", "html"])

    row = Disclosure.objects.get()
    assert row.pk == delivery.disclosure_id
    assert row.recipient_kind == RecipientKind.PERSON
    assert row.legal_basis == "data_subject_right"
    assert row.channel == "download"
    assert json.loads(row.content)["person"]["id"] == person.pk
    event = AuditEvent.objects.get(action="rights.access_export")
    assert event.subject == str(person.pseudonym)
    assert [f["format"] for f in event.detail["files"]] == ["json", "html"]
    assert event.detail["files"][0]["sha256"] == delivery.files[0].sha256
    assert person.last_name not in json.dumps(event.detail)
    assert audit_verify().ok
    # the person is not listed among the recipients of their own data
    assert access_export(person.pk)["recipients"] == []


def test_an_earlier_export_is_not_nested_in_the_next_one(actor):
    person = make_candidate(actor)
    first = access_deliver(actor=actor, person_id=person.pk, formats=["json"])
    second = access_deliver(actor=actor, person_id=person.pk, formats=["json"])
    third = access_deliver(actor=actor, person_id=person.pk, formats=["json"])
    export = json.loads(third.files[0].content)
    ledger = next(s for s in export["sections"] if s["model"] == "disclosure.disclosure")
    contents = [next(f for f in row["fields"] if f["field"] == "content") for row in ledger["rows"]]
    assert [c.get("withheld") for c in contents] == ["earlier_export", "earlier_export"]
    # the size grows by a ledger row, not by a copy of the previous report
    growth = len(third.files[0].content) - len(second.files[0].content)
    assert growth < len(first.files[0].content) / 2


@pytest.mark.req("R4.5")
def test_fulfil_stores_the_files_and_returns_what_the_request_keeps(actor, tmp_media):  # noqa: F811
    person = make_candidate(actor)
    result = access_fulfil(actor=actor, request_person_id=person.pk, language="en")
    json.dumps(result)  # storable as is
    assert result["kind"] == "access"
    assert result["language"] == "en"
    assert result["disclosure"] == Disclosure.objects.get().pk
    assert [f["format"] for f in result["files"]] == ["json", "pdf"]
    for f in result["files"]:
        assert str(person.pseudonym) in f["path"]
        assert person.last_name not in f["path"]
        with default_storage.open(f["path"], "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == f["sha256"]


@pytest.mark.req("R4.5")
def test_the_command_records_the_delivery_unless_it_is_a_preview(actor, tmp_path):
    person = make_candidate(actor)
    preview = tmp_path / "preview.pdf"
    call_command(
        "export", "access", str(person.pk), "--format", "pdf", "--preview", "-o", str(preview)
    )
    assert preview.read_bytes().startswith(b"%PDF")
    assert not Disclosure.objects.exists()

    out = tmp_path / "access.json"
    call_command("export", "access", str(person.pk), "-o", str(out), "--language", "en")
    assert json.loads(out.read_text())["person"]["id"] == person.pk
    assert Disclosure.objects.get().recipient_kind == RecipientKind.PERSON
    assert AuditEvent.objects.filter(action="rights.access_export").count() == 1


def test_the_command_refuses_bad_input_and_records_nothing(actor, tmp_path):
    person = make_candidate(actor)
    with pytest.raises(CommandError, match="no person"):
        call_command("export", "access", "999999999", "--preview")
    with pytest.raises(CommandError, match="json / html / pdf"):
        call_command("export", "access", str(person.pk), "--format", "csv")
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "export", "access", str(person.pk), "-o", str(Path(tmp_path) / "missing" / "x.json")
        )
    assert not Disclosure.objects.exists()
    assert not User.objects.filter(person=person).exists()


def test_the_zip_holds_the_report_and_the_persons_stored_files(actor, consultant, tmp_media):  # noqa: F811
    import zipfile

    from candor.people.models import Document

    person = full_dossier(actor, consultant, tmp_media)
    document = Document.objects.get(person=person)
    with document.file.open("rb") as handle:
        body = handle.read()
    export = access_export(person.pk)
    archive = zipfile.ZipFile(io.BytesIO(access.render(export, "zip")))
    names = archive.namelist()
    assert names[:2] == ["access.json", "access.pdf"]
    key = os.path.basename(document.file.name)
    assert names[2:] == [f"files/document-{key}.pdf"]
    assert archive.read(names[2]) == body
    assert json.loads(archive.read("access.json"))["person"]["id"] == person.pk
    # a file gone from storage is named, not fatal
    default_storage.delete(document.file.name)
    archive = zipfile.ZipFile(io.BytesIO(access.render(export, "zip")))
    assert archive.read("files/MISSING.txt").decode().split() == [f"files/document-{key}.pdf"]
