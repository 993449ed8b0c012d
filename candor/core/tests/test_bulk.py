"""``insert_rows`` stores what ``bulk_create`` would store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from candor.accounts.models import Office
from candor.core import clock
from candor.core.bulk import RowPreparer, insert_rows
from candor.people.models import ContactKind, ContactPoint, Person, Provenance
from candor.privacy.models import PersonKey
from candor.recruitment.models import Education, Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def provenance() -> Provenance:
    return Provenance.objects.create(
        kind="medium", name="test", channel="import", obtained_at=clock.now()
    )


@pytest.fixture
def person(provenance: Provenance) -> Person:
    return Person.objects.create(
        provenance=provenance, first_name="Lotte", last_name="Claes", name_key="lotte claes"
    )


def test_missing_fields_take_their_defaults_and_timestamps_the_time_of_the_call(
    provenance: Provenance,
) -> None:
    before = clock.now()
    with transaction.atomic():
        insert_rows(
            Person,
            [
                {"provenance_id": provenance.pk, "first_name": "Jan", "last_name": "Peeters"},
                {"provenance_id": provenance.pk, "first_name": "An", "last_name": "Maes"},
            ],
        )

    jan, an = Person.objects.get(first_name="Jan"), Person.objects.get(first_name="An")
    assert (jan.first_name, jan.notes, jan.is_candidate, jan.birth_date) == ("Jan", "", False, None)
    assert jan.pseudonym != an.pseudonym  # a callable default is called once per row
    assert jan.created_at == jan.updated_at >= before
    assert jan.created_at == an.created_at


def test_values_are_converted_by_their_field(person: Person, provenance: Provenance) -> None:
    pseudonym = uuid.uuid4()
    with transaction.atomic():
        insert_rows(
            Person,
            [
                {
                    "provenance_id": provenance.pk,
                    "first_name": "Sofie",
                    "last_name": "Janssens",
                    "pseudonym": pseudonym,
                    "birth_date": dt.date(1990, 2, 28),
                }
            ],
        )
        insert_rows(
            ContactPoint,
            [
                {
                    "person_id": person.pk,
                    "provenance_id": provenance.pk,
                    "kind": ContactKind.MOBILE,
                    "value": "+32470123456",
                    "normalised": "+32470123456",
                }
            ],
        )
        insert_rows(
            Education,
            [
                {
                    "person_id": person.pk,
                    "provenance_id": provenance.pk,
                    "diploma": "Master",
                    "started_on": None,
                    "ended_on": dt.date(2014, 6, 30),
                }
            ],
        )

    sofie = Person.objects.get(pseudonym=pseudonym)
    assert sofie.birth_date == dt.date(1990, 2, 28)
    contact = ContactPoint.objects.get(person=person)
    assert (contact.kind, contact.is_primary, contact.label) == ("mobile", False, "")
    study = Education.objects.get(person=person)
    assert (study.kind, study.started_on, study.ended_on) == ("study", None, dt.date(2014, 6, 30))


def test_a_refused_row_raises_django_s_integrity_error_and_the_batch_rolls_back(
    person: Person, provenance: Provenance
) -> None:
    rows = [
        {"person_id": person.pk, "provenance_id": provenance.pk, "name": name}
        for name in ("Excel", "SAP", "Excel")  # one skill twice breaks ``skill_once``
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Skill, rows)

    assert not Skill.objects.exists()


def test_nothing_to_insert_is_no_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        insert_rows(Skill, [])


@pytest.mark.django_db
def test_a_misspelt_column_is_refused_not_dropped() -> None:
    with pytest.raises(TypeError, match="citty"):
        insert_rows(Office, [{"name": "Hasselt", "citty": "Hasselt"}])
    assert not Office.objects.filter(name="Hasselt").exists()


def test_rows_given_as_tuples_in_column_order_store_the_same_as_mappings(
    person: Person, provenance: Provenance
) -> None:
    columns = ("person_id", "provenance_id", "kind", "diploma", "ended_on")
    with transaction.atomic():
        insert_rows(
            Education,
            [(person.pk, provenance.pk, "study", "Master", dt.date(2014, 6, 30))],
            columns=columns,
        )
        insert_rows(
            Education,
            [{"person_id": person.pk, "provenance_id": provenance.pk, "diploma": "Bachelor"}],
        )
        # A missing field with a callable default (a pseudonym) gets one value per row.
        insert_rows(
            Person,
            [(provenance.pk, "Sofie", "Janssens"), (provenance.pk, "Jan", "Peeters")],
            columns=("provenance_id", "first_name", "last_name"),
        )

    master, bachelor = Education.objects.filter(person=person).order_by("pk")
    assert (master.diploma, master.ended_on, master.level) == ("Master", dt.date(2014, 6, 30), "")
    assert (bachelor.diploma, bachelor.ended_on, bachelor.level) == ("Bachelor", None, "")
    assert master.created_at == master.updated_at
    sofie, jan = Person.objects.filter(first_name__in=["Sofie", "Jan"]).order_by("pk")
    assert sofie.pseudonym != jan.pseudonym
    with pytest.raises(TypeError, match="diplom"):
        insert_rows(Education, [(person.pk, "x")], columns=("person_id", "diplom"))


def test_ready_columns_are_stored_as_given_and_read_back_through_the_field() -> None:
    """An audit event's detail serialised by the caller (``ready``) is stored as that JSON,
    not as a JSON string holding it, with tuples and with mappings alike."""
    from candor.audit.models import AuditEvent

    base = {
        "at": clock.now(),
        "actor": "system:test",
        "action": "create",
        "object_type": "people.person",
        "object_id": "1",
        "subject": "",
        "prev_hash": "0" * 64,
        "hash": "f" * 64,
    }
    columns = ("seq", *base, "detail")
    with transaction.atomic():
        insert_rows(
            AuditEvent,
            [(900_001, *base.values(), '{"rows":{"skill":2},"source":"self"}')],
            columns=columns,
            ready=("detail",),
        )
        with pytest.raises(TypeError, match="ready"):
            insert_rows(AuditEvent, [{**base, "seq": 900_002}], ready=("detail",))

    event = AuditEvent.objects.get(seq=900_001)
    assert event.detail == {"rows": {"skill": 2}, "source": "self"}


def test_rows_beyond_one_statement_are_all_stored_in_their_order(
    person: Person, provenance: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite takes several rows per INSERT: with three per statement, seven rows make two
    full statements and a shorter one; every row is stored once, numbered in the order given."""
    monkeypatch.setattr("candor.core.bulk.ROWS_PER_STATEMENT", 3)
    names = [f"Skill {n}" for n in range(7)]
    with transaction.atomic():
        insert_rows(
            Skill,
            [(person.pk, provenance.pk, name) for name in names],
            columns=("person_id", "provenance_id", "name"),
        )

    assert list(Skill.objects.order_by("pk").values_list("name", flat=True)) == names


def test_a_refused_row_in_a_later_statement_rolls_back_the_earlier_ones(
    person: Person, provenance: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("candor.core.bulk.ROWS_PER_STATEMENT", 2)
    names = ["Excel", "SAP", "Python", "Excel"]  # the fourth row breaks ``skill_once``
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(
            Skill,
            [{"person_id": person.pk, "provenance_id": provenance.pk, "name": n} for n in names],
        )

    assert not Skill.objects.exists()


def test_rows_prepared_ahead_store_what_the_fields_would_store(
    person: Person, provenance: Provenance
) -> None:
    """``RowPreparer`` converts dates and checks plain columns, so ``insert_rows`` takes every
    column as ready: a value of another type in a plain column (a number for a text, a
    choice member) is converted as the field converts it, not stored as it came."""
    columns = ("kind", "institution", "diploma", "ended_on")
    prepare = RowPreparer(Education, columns)
    assert set(prepare.ready) == set(columns)
    exact = prepare(("study", "KU Leuven", "Master", dt.date(2014, 6, 30)))
    odd = prepare(("course", 2024, "Bachelor", None))
    stored_date = connection.ops.adapt_datefield_value(dt.date(2014, 6, 30))  # text on SQLite
    assert exact == ("study", "KU Leuven", "Master", stored_date)
    assert odd == ("course", "2024", "Bachelor", None)
    assert type(odd[1]) is str
    with transaction.atomic():
        insert_rows(
            Education,
            [(person.pk, provenance.pk, *row) for row in (exact, odd)],
            columns=("person_id", "provenance_id", *columns),
            ready=("person_id", "provenance_id", *prepare.ready),
        )

    master, course = Education.objects.filter(person=person).order_by("pk")
    assert (master.institution, master.ended_on) == ("KU Leuven", dt.date(2014, 6, 30))
    assert (course.institution, course.ended_on) == ("2024", None)


def test_binary_values_are_stored_byte_for_byte_whatever_their_type() -> None:
    """``bytes`` go to the driver as they are; a ``bytearray`` or ``memoryview`` is converted
    by the field, as the ORM would."""
    given = {
        uuid.uuid4(): b"\x00wrapped\xff",
        uuid.uuid4(): bytearray(b"\x01array"),
        uuid.uuid4(): memoryview(b"\x02view"),
    }
    with transaction.atomic():
        insert_rows(
            PersonKey,
            [(pseudonym, "dev", value, clock.now()) for pseudonym, value in given.items()],
            columns=["pseudonym", "master_key_id", "wrapped", "created_at"],
        )

    stored = dict(PersonKey.objects.values_list("pseudonym", "wrapped"))
    assert {p: bytes(v) for p, v in stored.items()} == {p: bytes(v) for p, v in given.items()}
