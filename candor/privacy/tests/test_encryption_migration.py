"""The migrations that turned sensitive columns into encrypted ones keep the rows written before
them (R7.1): forwards every value is encrypted with its person's key, backwards it is plain
again; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from candor.guidance.models import GuidanceSession, Trajectory
from candor.people.models import Person
from candor.privacy import crypto
from candor.recruitment.models import ProcedureStep

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.req("R7.1")]

BEFORE = [
    ("privacy", "0002_suppression"),
    ("people", "0002_person_retention"),
    ("recruitment", "0002_education_institution_lower"),
    ("guidance", "0001_initial"),
]


def _raw(table: str, column: str, pk: int) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_rows(apps: Any) -> dict[str, int]:
    now = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)
    prov = apps.get_model("people", "Provenance").objects.create(
        kind="subject", channel="form", obtained_at=now
    )
    person = apps.get_model("people", "Person").objects.create(
        provenance=prov,
        first_name="Lotte",
        last_name="Verbeke",
        name_key="lotte verbeke",
        birth_date=dt.date(1982, 11, 23),
        notes="Voor de migratie geschreven",
    )
    org = apps.get_model("relations", "Organisation").objects.create(kind="client", name="Oud NV")
    vacancy = apps.get_model("recruitment", "Vacancy").objects.create(
        client=org, reference="MIG-1", title="Magazijnier", opened_on=now.date()
    )
    application = apps.get_model("recruitment", "Application").objects.create(
        person=person, vacancy=vacancy, provenance=prov, applied_on=now.date()
    )
    step = apps.get_model("recruitment", "ProcedureStep").objects.create(
        application=application,
        provenance=prov,
        kind="aptitude_test",
        scheduled_at=now,
        score=decimal.Decimal("64.25"),
        report="Oud verslag",
    )
    trajectory = apps.get_model("guidance", "Trajectory").objects.create(
        person=person, provenance=prov, kind="outplacement", started_on=now.date(), goal="Oud doel"
    )
    session = apps.get_model("guidance", "GuidanceSession").objects.create(
        trajectory=trajectory, provenance=prov, held_at=now, notes="Oude notities"
    )
    return {
        "person": person.pk,
        "step": step.pk,
        "trajectory": trajectory.pk,
        "session": session.pk,
    }


def test_rows_written_before_the_migration_are_encrypted_by_it_and_decrypted_by_its_reversal():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        ids = _old_rows(_migrate(BEFORE))
        assert str(_raw("people_person", "birth_date", ids["person"])).startswith("1982-11-23")

        _migrate(latest)
        crypto.forget_all()
        for table, column, pk in (
            ("people_person", "birth_date", ids["person"]),
            ("people_person", "notes", ids["person"]),
            ("recruitment_procedurestep", "score", ids["step"]),
            ("recruitment_procedurestep", "report", ids["step"]),
            ("guidance_trajectory", "goal", ids["trajectory"]),
            ("guidance_guidancesession", "notes", ids["session"]),
        ):
            assert crypto.is_token(_raw(table, column, pk)), f"{table}.{column}"
        person = Person.objects.get(pk=ids["person"])
        assert person.birth_date == dt.date(1982, 11, 23)
        assert person.notes == "Voor de migratie geschreven"
        assert ProcedureStep.objects.get(pk=ids["step"]).score == decimal.Decimal("64.25")
        assert ProcedureStep.objects.get(pk=ids["step"]).report == "Oud verslag"
        assert Trajectory.objects.get(pk=ids["trajectory"]).goal == "Oud doel"
        assert GuidanceSession.objects.get(pk=ids["session"]).notes == "Oude notities"
        token = _raw("people_person", "notes", ids["person"])
        assert crypto.token_pseudonym(token) == person.pseudonym

        old = _migrate(BEFORE)
        back = old.get_model("people", "Person").objects.get(pk=ids["person"])
        assert back.birth_date == dt.date(1982, 11, 23)
        assert back.notes == "Voor de migratie geschreven"
        step = old.get_model("recruitment", "ProcedureStep").objects.get(pk=ids["step"])
        assert step.score == decimal.Decimal("64.25")
    finally:
        _migrate(latest)
        crypto.forget_all()
