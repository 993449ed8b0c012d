"""The portability export (R6.9): only what the person provided, machine-readable (JSON with a
JSON Resume block that Candor's importer reads back, and CSV), never other people's data."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from candor.api.tests.factories import make_candidate
from candor.audit.models import AuditEvent
from candor.core import clock
from candor.disclosure.models import Disclosure, RecipientKind
from candor.guidance.models import GuidanceSession
from candor.importer.formats.jsonresume import resume_to_record
from candor.people.models import ContactPoint
from candor.privacy.registry import declarations
from candor.privacy.services import consent_give
from candor.privacy.tests.test_erasure import full_dossier, tmp_media  # noqa: F401 - a fixture
from candor.recruitment.models import Education, Experience, LanguageSkill, ProcedureStep, Skill
from candor.recruitment.records import clean_candidate
from candor.rights.portability import (
    portability_deliver,
    portability_export,
    portability_fulfil,
    render_csv,
    render_json,
)

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.9")]


def _provided() -> dict[str, set[str]]:
    """Per model: the provided fields, and the non-personal codes saying what a value is."""
    return {
        d.label: {name for name, pd in d.fields.items() if pd.provided}
        | {n for n in d.not_personal if getattr(d.model._meta.get_field(n), "choices", None)}
        for d in declarations()
        if d.subject is not None
    }


def test_only_provided_fields_are_exported_and_never_a_credential(actor, consultant, tmp_media):  # noqa: F811
    person = full_dossier(actor, consultant, tmp_media)
    export = portability_export(person.pk)
    provided = _provided()
    for label, rows in export["data"].items():
        for row in rows:
            assert set(row) <= provided[label], label
    assert "password" not in export["data"]["accounts.user"][0]
    text = render_json(export).decode()
    assert "pbkdf2" not in text
    # nothing the agency wrote about the person
    for absent in (
        "Sterk in cijfers.",
        "Goed gesprek.",
        "Dwingende gronden.",
        "Geboortedatum betwist.",
    ):
        assert absent not in text
    assert "recruitment.procedurestep" not in export["data"]
    assert "guidance.guidancesession" not in export["data"]
    # and what the person gave is there
    for present in ("Kerkstraat", "Boekhouding", "Ik wil groeien.", "Een nieuwe job.", "Excel"):
        assert present in text
    assert export["scope"] == "provided"


def test_an_interview_report_naming_a_colleague_stays_out(actor, consultant, colleague, tmp_media):  # noqa: F811
    person = full_dossier(actor, consultant, tmp_media)
    colleague_name = colleague.get_full_name()
    ProcedureStep.objects.filter(application__person=person).update(
        report=f"Gesprek samen met {colleague_name}; zij vond de kandidaat sterk.",
        conducted_by=colleague,
    )
    GuidanceSession.objects.filter(trajectory__person=person).update(
        notes=f"Overleg met {colleague_name}.", consultant=colleague
    )
    export = portability_export(person.pk)
    for rendered in (render_json(export).decode(), render_csv(export).decode()):
        for word in (colleague_name, colleague.last_name, colleague.username, colleague.email):
            assert word not in rendered
        for word in (consultant.get_full_name(), consultant.username, consultant.email):
            assert word not in rendered
    # the access export, by contrast, gives the person the report itself
    from candor.rights.access import access_export

    assert colleague_name in json.dumps(access_export(person.pk), ensure_ascii=False)


def test_the_json_resume_block_round_trips_through_the_importer(actor):
    person = make_candidate(
        actor,
        first_name="Mireille",
        last_name="Van den Bossche",
        emails=["mireille.vdb@example.com"],
        mobiles=["+32 470 11 22 33"],
    )
    prov = person.provenance
    ContactPoint.objects.create(
        person=person,
        provenance=prov,
        kind="url",
        value="https://www.example.com/in/mireille",
        normalised="https://www.example.com/in/mireille",
    )
    Experience.objects.create(
        person=person,
        provenance=prov,
        employer="Haven NV",
        function="Planner",
        started_on=clock.today().replace(year=2015, month=3, day=1),
        ended_on=clock.today().replace(year=2019, month=6, day=30),
        description="Planning van de kaaien.",
    )
    Education.objects.create(
        person=person,
        provenance=prov,
        institution="Universiteit Antwerpen",
        field_of_study="Logistiek",
        diploma="Master",
        level="master",
        started_on=clock.today().replace(year=2009, month=9, day=1),
        ended_on=clock.today().replace(year=2014, month=6, day=30),
    )
    Education.objects.create(
        person=person,
        provenance=prov,
        kind="training",
        institution="VDAB",
        diploma="Heftruckattest",
        level="certificate",
        ended_on=clock.today().replace(year=2016, month=5, day=1),
    )
    LanguageSkill.objects.create(person=person, provenance=prov, language="fr", level="B2")
    LanguageSkill.objects.create(person=person, provenance=prov, language="nl", level="native")
    Skill.objects.create(person=person, provenance=prov, name="SAP")

    resume = portability_export(person.pk)["resume"]
    record = clean_candidate(resume_to_record(json.loads(json.dumps(resume))), today=clock.today())

    assert (record.first_name, record.last_name) == ("Mireille", "Van den Bossche")
    assert record.emails == ["mireille.vdb@example.com"]
    assert record.mobiles + record.phones == ["+32470112233"]
    assert record.urls == ["example.com/in/mireille"]  # as the importer normalises it
    assert [(e.employer, e.function, e.started_on, e.ended_on) for e in record.experience] == [
        (
            "Haven NV",
            "Planner",
            clock.today().replace(year=2015, month=3, day=1),
            clock.today().replace(year=2019, month=6, day=30),
        )
    ]
    assert record.experience[0].description == "Planning van de kaaien."
    studies = {(e.kind, e.institution, e.level) for e in record.education}
    assert studies == {
        ("study", "Universiteit Antwerpen", "master"),
        ("training", "VDAB", "certificate"),
    }
    assert next(e for e in record.education if e.kind == "study").field_of_study == "Logistiek"
    assert record.languages == {"fr": "B2", "nl": "native"}
    assert record.skills == ["SAP"]


def test_the_csv_has_one_line_per_value(actor, consultant, tmp_media):  # noqa: F811
    person = full_dossier(actor, consultant, tmp_media)
    export = portability_export(person.pk)
    lines = list(csv.reader(io.StringIO(render_csv(export).decode())))
    assert lines[0] == ["section", "item", "field", "value"]
    expected = sum(len(row) for rows in export["data"].values() for row in rows)
    assert len(lines) - 1 == expected
    cities = [line for line in lines if line[0] == "people.address" and line[2] == "city"]
    assert cities == [["people.address", "1", "city", "Antwerpen"]]
    emails = {line[3] for line in lines if line[0] == "people.contactpoint" and line[2] == "value"}
    assert ContactPoint.objects.filter(person=person, kind="email").get().value in emails


def test_the_strict_reading_keeps_only_what_rests_on_consent_or_contract(actor):
    person = make_candidate(actor)
    Education.objects.create(
        person=person, provenance=person.provenance, institution="KU Leuven", level="master"
    )
    Skill.objects.create(person=person, provenance=person.provenance, name="Python")
    # mediation rests on legitimate interest: nothing is strictly portable yet
    assert portability_export(person.pk, scope="consent_or_contract")["data"] == {}

    consent_give(actor=actor, person=person, purpose="job_alerts", via="portal", language="nl")
    strict = portability_export(person.pk, scope="consent_or_contract")
    # job alerts (consent) use identity, contact and career: education stays out
    assert "recruitment.education" not in strict["data"]
    assert strict["data"]["recruitment.skill"] == [{"name": "Python"}]
    assert strict["data"]["people.person"][0]["last_name"] == person.last_name
    assert "recruitment.education" in portability_export(person.pk)["data"]
    with pytest.raises(ValueError, match="scope"):
        portability_export(person.pk, scope="everything")


@pytest.mark.req("R4.5")
def test_delivering_records_the_ledger_row_and_an_audit_event(actor, tmp_media):  # noqa: F811
    person = make_candidate(actor)
    portability_export(person.pk)
    assert not Disclosure.objects.exists()

    result = portability_fulfil(actor=actor, request_person_id=person.pk)

    row = Disclosure.objects.get()
    assert row.recipient_kind == RecipientKind.PERSON
    assert result["disclosure"] == row.pk
    assert [f["format"] for f in result["files"]] == ["json", "csv"]
    assert json.loads(row.content)["schema"] == "candor.portability/1"
    event = AuditEvent.objects.get(action="rights.portability_export")
    assert event.subject == str(person.pseudonym)
    assert person.last_name not in json.dumps(event.detail)
    with pytest.raises(ValueError, match="portability export"):
        portability_deliver(actor=actor, person_id=person.pk, formats=["pdf"])
    assert Disclosure.objects.count() == 1


def test_the_command_writes_csv_and_refuses_a_pdf(actor, tmp_path):
    person = make_candidate(actor)
    out = tmp_path / "data.csv"
    call_command("export", "portability", str(person.pk), "--format", "csv", "-o", str(out))
    assert out.read_text().startswith("section,item,field,value")
    assert Disclosure.objects.count() == 1
    with pytest.raises(CommandError, match="json / csv"):
        call_command("export", "portability", str(person.pk), "--format", "pdf")
    with pytest.raises(CommandError, match="access reports only"):
        call_command("export", "portability", str(person.pk), "--language", "fr")
    with pytest.raises(CommandError, match="portability exports only"):
        call_command("export", "access", str(person.pk), "--strict", "--preview")
    assert Disclosure.objects.count() == 1
