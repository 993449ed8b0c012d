"""Imports leave an audit trail that names people only by pseudonym and stays verifiable."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from candor.audit.models import AuditEvent
from candor.importer.tests.support import FIXTURES, Run, person_by_email
from candor.people.models import Person

ROWS = [
    {
        "first_name": "Lotte",
        "last_name": "Van den Broeck",
        "email": "lotte.vandenbroeck@example.com",
        "mobile": "0470 12 34 56",
        "birth_date": "1991-03-14",
        "city": "Mechelen",
        "skills": "Boekhouding",
        "notes": "Geheime notitie",
    },
    {
        "first_name": "Gilles",
        "last_name": "Dupont",
        "email": "gilles.dupont@example.test",
        "phone": "081 22 33 44",
        "city": "Namur",
        "skills": "Comptabilité",
    },
    {"first_name": "Kapot", "last_name": "Record", "email": "kapot@"},
]
PERSONAL_VALUES = [
    "Lotte",
    "Van den Broeck",
    "lotte.vandenbroeck",
    "470123456",
    "1991",
    "Mechelen",
    "Boekhouding",
    "Geheime",
    "Gilles",
    "Dupont",
    "gilles.dupont",
    "81223344",
    "Namur",
    "Comptabilit",
    "Kapot",
]


def verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)  # exits non-zero when the chain is broken
    return out.getvalue()


@pytest.mark.req("R1.1", "R9.1")
def test_each_created_person_has_one_create_event_under_their_pseudonym_without_personal_values(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], consultant
) -> None:
    run_import(write_csv(ROWS), source="medium:Jobat", actor=consultant.username)

    events = list(AuditEvent.objects.all())
    assert [e.action for e in events] == ["create", "create"]  # none for the rejected row
    people = Person.objects.all()
    assert {(e.object_type, e.object_id, e.subject) for e in events} == {
        ("people.person", str(p.pk), str(p.pseudonym)) for p in people
    }
    for person in people:
        assert AuditEvent.objects.filter(subject=str(person.pseudonym)).count() == 1
    assert {e.actor for e in events} == {f"staff:{consultant.pk}"}
    lotte = next(e for e in events if e.subject == str(person_by_email(ROWS[0]["email"]).pseudonym))
    assert lotte.detail["source"] == "medium:Jobat"
    assert lotte.detail["rows"]["skill"] == 1
    stored = json.dumps([[e.detail, e.subject, e.object_id, e.actor] for e in events])
    for value in PERSONAL_VALUES:
        assert value not in stored, value


@pytest.mark.req("R1.1", "R9.1")
def test_a_merge_writes_one_merge_event_and_an_unchanged_record_none(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    run_import(write_csv(ROWS[:1], name="first.csv"))
    lotte = person_by_email(ROWS[0]["email"])
    merged = {**ROWS[0], "skills": "Boekhouding;Exact Online", "birth_date": "1991-03-15"}

    run_import(write_csv([merged], name="second.csv"))
    run_import(write_csv([merged], name="second.csv"))  # nothing new the second time

    events = list(AuditEvent.objects.filter(subject=str(lotte.pseudonym)))
    assert [e.action for e in events] == ["create", "merge"]
    merge = events[1]
    assert merge.object_id == str(lotte.pk)
    assert merge.detail["rows"] == {"skill": 1}
    assert merge.detail["conflicts"] == ["birth_date"]
    assert "Exact Online" not in json.dumps(merge.detail)
    assert "1991" not in json.dumps(merge.detail)


@pytest.mark.req("R1.1")
def test_the_audit_trail_verifies_after_imports_rejections_and_a_failed_batch(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], monkeypatch
) -> None:
    run_import(write_csv(ROWS))
    run_import(FIXTURES / "resumes", fmt="jsonresume", source="partner:VDAB")

    from candor.recruitment import intake
    from candor.recruitment.models import Skill

    real_insert_rows = intake.insert_rows  # the one bulk writer of a batch's rows

    def failing(model: object, rows: object, **kwargs: object) -> None:
        if model is Skill:
            raise RuntimeError("disk full")
        real_insert_rows(model, rows, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "insert_rows", failing)
    with pytest.raises(RuntimeError):
        run_import(FIXTURES / "sample_resume.json", fmt="jsonresume")
    monkeypatch.undo()
    run_import(FIXTURES / "sample_resume.json", fmt="jsonresume")
    run_import(write_csv([{**ROWS[0], "skills": "Excel"}], name="merge.csv"))

    count = AuditEvent.objects.count()
    assert count == 7  # 2 + 3 + 0 (rolled back) + 1 created + 1 merged
    assert verify().strip() == f"audit trail intact: {count} events verified"
