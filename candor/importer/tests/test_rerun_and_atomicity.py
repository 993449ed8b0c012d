"""Re-running an import changes nothing; a failure mid-batch leaves no half-written person, and a
re-run finishes the job (R1.1)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from candor.audit.models import AuditEvent
from candor.core import clock
from candor.core.actor import Actor
from candor.core.readahead import read_ahead
from candor.importer.formats import FORMATS
from candor.importer.services import import_path, prepare
from candor.importer.tests.support import Run, table_counts
from candor.people.models import Address, Channel, ContactPoint, Person, Provenance
from candor.people.services import ProvenanceSpec
from candor.recruitment import intake
from candor.recruitment.models import CandidateProfile, LanguageSkill, Skill


def row(n: int, **extra: str) -> dict[str, str]:
    return {
        "first_name": "Emma",
        "last_name": f"Claes-{n}",
        "email": f"emma.claes{n}@example.com",
        "mobile": f"+324701100{n:02d}",
        "city": "Gent",
        "postcode": "9000",
        "skills": f"Skill {n}",
        "languages": "nl:native",
        **extra,
    }


def assert_complete(person: Person) -> None:
    """Every section of a ``row()`` person is there: nothing half-written."""
    assert set(person.contact_points.values_list("kind", flat=True)) == {"email", "mobile"}
    assert Address.objects.filter(person=person).count() == 1
    assert CandidateProfile.objects.filter(person=person).count() == 1
    assert Skill.objects.filter(person=person).count() == 1
    assert LanguageSkill.objects.filter(person=person).count() == 1
    assert AuditEvent.objects.filter(subject=str(person.pseudonym), action="create").count() == 1


def assert_no_orphans() -> None:
    people = set(Person.objects.values_list("pk", flat=True))
    provenances = set(Provenance.objects.values_list("pk", flat=True))
    for model in (Person, ContactPoint, Address, CandidateProfile, Skill, LanguageSkill):
        assert set(model.objects.values_list("provenance_id", flat=True)) <= provenances, model
        if model is not Person:
            assert set(model.objects.values_list("person_id", flat=True)) <= people, model


@pytest.mark.req("R1.1", "R2.1")
def test_second_run_of_the_same_file_changes_nothing(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    rows = [
        *(row(n) for n in range(1, 8)),
        row(1, email="EMMA.CLAES1@example.com", skills="Excel"),  # folded into row 1
        row(9, email="not-an-email"),  # rejected both times
        {
            "first_name": "Lotte",
            "last_name": "Van den Broeck",
            "email": "lotte@example.com",
            "birth_date": "14/03/1991",
            "education_diploma": "Bachelor Verpleegkunde",
            "education_institution": "Arteveldehogeschool",
            "education_end": "2013",
            "current_function": "Verpleegkundige",
            "current_employer": "AZ Sint-Jan",
            "profile_url": "https://lotte.example.com/",
            "street": "Veldstraat",
            "number": "1",
        },
    ]
    path = write_csv(rows)
    first = run_import(path, batch_size=4)
    assert first.summary == "10 records: 8 created, 1 merged, 0 unchanged, 1 rejected"
    before = table_counts()

    second = run_import(path, batch_size=3)

    assert second.summary == "10 records: 0 created, 0 merged, 9 unchanged, 1 rejected"
    assert second.lines("rejected") == first.lines("rejected")
    assert second.lines("conflict") == []
    assert table_counts() == before


@pytest.mark.req("R1.1")
def test_killing_an_import_midway_leaves_no_half_written_person_and_a_rerun_finishes(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], monkeypatch
) -> None:
    path = write_csv([row(n) for n in range(1, 7)])

    class Killed(BaseException):
        """Stands for the process being killed: nothing after it runs."""

    real_insert_rows = intake.insert_rows  # the one bulk writer of a batch's rows
    calls = []

    def dying_insert_rows(model: Any, rows: Any, **kwargs: Any) -> None:
        real_insert_rows(model, rows, **kwargs)  # the rows are written...
        if model is Skill:
            calls.append(len(rows))
            if len(calls) == 2:
                raise Killed  # ...and the second batch dies before it commits

    monkeypatch.setattr(intake, "insert_rows", dying_insert_rows)
    with pytest.raises(Killed):
        run_import(path, batch_size=2)
    monkeypatch.undo()

    assert calls == [2, 2]  # the second batch had really written its skills
    assert sorted(Person.objects.values_list("last_name", flat=True)) == ["Claes-1", "Claes-2"]
    for person in Person.objects.all():
        assert_complete(person)
    assert ContactPoint.objects.count() == 4
    assert Skill.objects.count() == 2
    assert AuditEvent.objects.count() == 2
    assert_no_orphans()

    rerun = run_import(path, batch_size=2)

    assert rerun.summary == "6 records: 4 created, 0 merged, 2 unchanged, 0 rejected"
    assert Person.objects.count() == 6
    for person in Person.objects.all():
        assert_complete(person)
    assert_no_orphans()


@pytest.fixture
def refuse_skill() -> Iterator[str]:
    """A database trigger that refuses one skill name: a constraint the cleaner cannot see."""
    name = "REFUSED-BY-DB"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_skill() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.name = '{name}' THEN RAISE EXCEPTION 'skill refused' "
                "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END; $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_skill BEFORE INSERT ON recruitment_skill "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_skill()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse_skill BEFORE INSERT ON recruitment_skill "
                f"WHEN NEW.name = '{name}' BEGIN SELECT RAISE(ABORT, 'skill refused'); END"
            )
    yield name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS test_refuse_skill ON recruitment_skill")
            cursor.execute("DROP FUNCTION IF EXISTS test_refuse_skill()")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS test_refuse_skill")


@pytest.mark.req("R1.1", "R2.1")
def test_a_record_the_database_refuses_is_reported_and_its_batch_neighbours_are_kept(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], refuse_skill: str
) -> None:
    rows = [row(1), row(2), row(3, skills=f"Excel;{refuse_skill}"), row(4), row(5)]
    path = write_csv(rows)

    run = run_import(path, batch_size=10)

    assert run.summary == "5 records: 4 created, 0 merged, 0 unchanged, 1 rejected"
    [line] = run.lines("rejected")
    assert line.startswith("rejected people.csv:4: database refused it")
    assert not Person.objects.filter(last_name="Claes-3").exists()
    assert not Skill.objects.filter(name="Excel").exists()  # nothing of row 3 half-written
    assert Person.objects.count() == 4
    for person in Person.objects.all():
        assert_complete(person)
    assert_no_orphans()


@pytest.mark.req("R1.1")
def test_a_refused_record_is_imported_by_a_rerun_once_the_cause_is_gone(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], refuse_skill: str
) -> None:
    path = write_csv([row(1), row(2, skills=refuse_skill), row(3)])
    first = run_import(path)
    assert first.summary == "3 records: 2 created, 0 merged, 0 unchanged, 1 rejected"
    with connection.cursor() as cursor:  # the cause is fixed (here: the trigger goes)
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER test_refuse_skill ON recruitment_skill")
        else:
            cursor.execute("DROP TRIGGER test_refuse_skill")

    again = run_import(path)

    assert again.summary == "3 records: 1 created, 0 merged, 2 unchanged, 0 rejected"
    assert Person.objects.count() == 3
    for person in Person.objects.all():
        assert_complete(person)
    assert_no_orphans()


@pytest.mark.req("R2.1")
def test_a_run_that_writes_nothing_leaves_no_provenance_behind(
    write_csv: Callable[..., Path], run_import: Callable[..., Run]
) -> None:
    path = write_csv([row(1, email="broken@", mobile="")])
    source = ProvenanceSpec.parse("self", channel=Channel.IMPORT, reference=path.name)

    summary = import_path(path, format_name="csv", source=source, actor=Actor.system("test"))

    assert (summary.created, len(summary.rejected)) == (0, 1)
    assert Provenance.objects.count() == 0


@pytest.mark.req("R1.1")
def test_progress_is_reported_for_every_record_read(write_csv: Callable[..., Path], db) -> None:
    path = write_csv([row(1), row(2, email="broken@"), row(3), row(4)])
    steps: list[int] = []
    source = ProvenanceSpec.parse("self", channel=Channel.IMPORT)

    summary = import_path(
        path,
        format_name="csv",
        source=source,
        actor=Actor.system("test"),
        batch_size=2,
        on_progress=steps.append,
    )

    assert sum(steps) == summary.total == 4


@pytest.mark.req("R1.1")
def test_reading_ahead_in_a_second_process_hands_the_writer_exactly_what_reading_here_would(
    write_csv: Callable[..., Path],
) -> None:
    path = write_csv(
        [row(1), row(2, email="broken@"), row(3, birth_date="31/02/1990"), row(4), row(1)]
    )
    today = clock.today()

    here = list(prepare(FORMATS["csv"].read(path), today=today))
    ahead = list(read_ahead(lambda: prepare(FORMATS["csv"].read(path), today=today), chunk=2))

    assert ahead == here
    assert [p.record is None for p in here] == [False, True, True, False, False]


def test_without_a_suppression_key_in_production_the_import_stops_before_reading(
    write_csv: Callable[..., Path], settings: Any, db: Any
) -> None:
    """The key is read once, before the reading processes start: the configuration error
    reaches the operator as it is, and nothing is written."""
    settings.SUPPRESSION_KEY = ""
    settings.PRODUCTION = True
    path = write_csv([row(1), row(2)])
    source = ProvenanceSpec.parse("self", channel=Channel.IMPORT)

    with pytest.raises(ImproperlyConfigured, match="CANDOR_SUPPRESSION_KEY"):
        import_path(path, format_name="csv", source=source, actor=Actor.system("import"))

    assert Person.objects.count() == 0
