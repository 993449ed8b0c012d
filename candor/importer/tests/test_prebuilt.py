"""What the reading process builds for a new person is what the writer would build itself."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from pickle import dumps, loads

import pytest
from django.db import connection

from candor.core import clock
from candor.core.actor import Actor
from candor.importer.formats import FORMATS
from candor.importer.formats.base import Item
from candor.importer.services import PREPARED, Prepared, import_prepared, prepare
from candor.importer.tests.support import Run, person_by_email
from candor.people.models import Channel
from candor.people.services import ProvenanceSpec
from candor.recruitment.intake import NewPerson, PackedRecord, new_person
from candor.recruitment.records import CandidateRecord, clean_candidate
from candor.search.documents import documents_for
from candor.search.services import CandidateSearch, search_candidates

pytestmark = pytest.mark.django_db


def test_a_prebuilt_new_person_matches_what_is_read_back_and_survives_packing() -> None:
    record = clean_candidate(
        CandidateRecord(
            first_name="Anaïs",
            last_name="Dumont",
            emails=["anais.dumont@example.com"],
            skills=["Wondzorg"],
            languages={"fr": "native"},
        ),
        today=clock.today(),
    )
    source = ProvenanceSpec.parse("medium:Jobat", channel=Channel.IMPORT)
    built = new_person(record, source)

    assert loads(dumps(built)) == built  # noqa: S301 - as it travels between the processes
    # As the reading process sends it: its rows in marshal's format inside the pickle.
    prepared = Prepared("people.csv:2", record, new=built)
    arrived = loads(dumps(prepared))  # noqa: S301
    assert (arrived.where, arrived.error, arrived.new) == ("people.csv:2", "", built)
    assert type(arrived.new) is NewPerson
    assert arrived.record == record
    # A value marshal cannot write (none today) travels pickled with the rest.
    odd = built._replace(person=(*built.person[:-1], Decimal("1.5")))
    assert loads(dumps(Prepared("people.csv:3", record, new=odd))).new == odd  # noqa: S301
    assert built.counts == {
        "candidateprofile": 1,
        "contactpoint": 1,
        "languageskill": 1,
        "skill": 1,
    }


def test_a_new_person_folded_with_a_later_row_is_indexed_with_both(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    """The first row's entry, built before the second row was folded into it, is stale: the
    writer builds it again, so the skill and function of the second row are found."""
    rows = [
        {"first_name": "Emma", "last_name": "Claes", "email": "emma.claes@example.com"},
        {
            "first_name": "Emma",
            "last_name": "Claes",
            "email": "emma.claes@example.com",
            "skills": "Outlook",
            "desired_function": "Boekhouder",
        },
    ]

    run = run_import(write_csv(rows))

    assert run.summary == "2 records: 1 created, 1 merged, 0 unchanged, 0 rejected"
    emma = person_by_email("emma.claes@example.com")
    assert [p.pk for p in search_candidates(CandidateSearch(skills="outlook")).people] == [emma.pk]
    assert [p.pk for p in search_candidates(CandidateSearch(function="boekhouder")).people] == [
        emma.pk
    ]
    (doc,), _gone = documents_for([emma.pk])
    assert "outlook" in doc.columns()[2]


def test_new_person_rows_are_built_ahead_only_while_batches_create_people() -> None:
    from candor.importer.services import Hint

    hint = Hint(shared=False)
    source = ProvenanceSpec.parse("self", channel=Channel.IMPORT)
    items = [
        Item(f"f.csv:{n}", record=CandidateRecord("Jan", f"Peeters{n}", emails=[f"j{n}@ex.be"]))
        for n in range(3)
    ]
    read = prepare(iter(items), today=clock.today(), source=source, hint=hint)

    assert next(read).new is not None
    hint.seen(created=0, written=1000)  # a re-run: nobody new
    assert next(read).new is None
    hint.seen(created=100, written=1000)
    assert next(read).new is not None


@pytest.mark.req("R7.1")
def test_people_built_by_the_reading_process_are_stored_encrypted_each_with_their_key(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    """The reading process seals birth dates with a key it makes per new person: the database
    holds tokens, one stored key per person opens them, a person without a birth date gets
    none, and once a person is erased a copy of their token cannot be read."""
    from candor.core.actor import Actor
    from candor.privacy import crypto
    from candor.privacy.erasure import person_erase
    from candor.privacy.models import PersonKey

    rows = [
        {
            "first_name": "Lotte",
            "last_name": "Janssens",
            "email": "lotte.janssens@example.com",
            "birth_date": "14/03/1987",
        },
        {
            "first_name": "Thomas",
            "last_name": "Lambert",
            "email": "thomas.lambert@example.com",
            "birth_date": "1990-11-02",
        },
        {"first_name": "Noor", "last_name": "Maes", "email": "noor.maes@example.com"},
    ]
    assert run_import(write_csv(rows)).summary.startswith("3 records: 3 created")

    def stored_birth(person_id: int) -> str | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT birth_date FROM people_person WHERE id = %s", [person_id])
            return cursor.fetchone()[0]

    lotte, thomas, noor = (person_by_email(r["email"]) for r in rows)
    assert crypto.is_token(stored_birth(lotte.pk))
    assert "1987" not in str(stored_birth(lotte.pk))
    assert crypto.token_pseudonym(stored_birth(thomas.pk)) == thomas.pseudonym
    assert (lotte.birth_date.isoformat(), thomas.birth_date.isoformat()) == (
        "1987-03-14",
        "1990-11-02",
    )
    assert stored_birth(noor.pk) is None
    keys = set(PersonKey.objects.values_list("pseudonym", flat=True))
    assert keys == {lotte.pseudonym, thomas.pseudonym}

    token = stored_birth(thomas.pk)
    person_erase(actor=Actor.system("test"), person=thomas.pk, reason="test")
    crypto.forget_all()
    assert not PersonKey.objects.filter(pseudonym=thomas.pseudonym).exists()
    assert crypto.unseal(str(token), context="people_person.birth_date") is None


def test_a_packed_csv_record_opens_as_the_record_the_reading_process_cleaned(
    write_csv: Callable[..., Path],
) -> None:
    """A likely-new CSV record travels as its identifiers and the row's values; opened again
    (to merge or fold it) it is the same cleaned record, for the day the import runs."""
    from pickle import dumps, loads

    from candor.importer.formats import FORMATS
    from candor.recruitment.intake import PackedRecord

    path = write_csv(
        [
            {
                "first_name": " Jonas ",
                "last_name": "Wouters",
                "email": "Jonas.Wouters@Example.com",
                "mobile": "0470/12.34.56",
                "birth_date": "02/05/1991",
                "languages": "nl:native;en:B2",
                "skills": "Excel;excel; SAP",
                "education_diploma": "Bachelor",
                "education_end": "2013",
            }
        ]
    )
    (item,) = FORMATS["csv"].read(path)
    today = clock.today()
    cleaned = clean_candidate(item.record, today=today)

    packed = loads(dumps(PackedRecord(cleaned, again=item.again, today=today)))  # noqa: S301

    assert not isinstance(packed.source, bytes)  # the row, not the record, travelled
    assert packed.contact_keys() == [
        ("email", "jonas.wouters@example.com"),
        ("phone", "+32470123456"),
    ]
    assert packed.opened() == cleaned


def test_the_last_batches_shrink_when_the_number_of_records_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The writer is one batch behind the reader: with the count of records known, the last
    batches halve, so the write of the last one alone is short. Every record is written once."""
    monkeypatch.setattr("candor.importer.services.FIRST_BATCH", 2)
    items = [
        Item(f"f.csv:{n}", record=CandidateRecord("Jan", f"Peeters{n}", emails=[f"j{n}@ex.be"]))
        for n in range(40)
    ]
    source = ProvenanceSpec.parse("medium:Jobat", channel=Channel.IMPORT)
    sizes: list[int] = []
    summary = import_prepared(
        prepare(items, today=clock.today(), source=source),
        actor=Actor.system("test"),
        source=source,
        batch_size=16,
        after_batch=sizes.append,
        expected=40,
    )

    assert summary.created == 40
    assert sizes == [2, 4, 8, 13, 6, 3, 2, 2]
    unknown: list[int] = []
    import_prepared(
        prepare(items, today=clock.today(), source=source),
        actor=Actor.system("test"),
        source=source,
        batch_size=16,
        after_batch=unknown.append,
    )
    assert unknown == [2, 4, 8, 16, 10]  # without the count: up to the batch size to the end


def test_a_chunk_of_likely_new_records_travels_in_marshal_format_and_opens_as_read(
    tmp_path: Path,
) -> None:
    """The reading processes send a chunk of likely-new records as plain values in one piece:
    each arrives with the same new-person rows, the same identifiers and digests for
    classifying it, and, opened for a merge, the very record the file gave."""
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email,birth_date,skills\n"
        "Anaïs,Dumont,anais.dumont@example.com,1990-04-02,Wondzorg;Triage\n"
        "Jonas,,jonas@example.com,,\n"  # no surname: rejected
        "Wout,Claes,wout.claes@example.com,,\n",
        encoding="utf-8",
    )
    source = ProvenanceSpec.parse("medium:Jobat", channel=Channel.IMPORT)
    items = list(prepare(FORMATS["csv"].read(path), today=clock.today(), source=source))

    raw = PREPARED.encode(items)
    arrived = PREPARED.decode(memoryview(raw))

    # SQLite's database values are text and numbers; PostgreSQL's keep dates, which marshal
    # cannot write: such a chunk is pickled, and arrives the same.
    assert raw[:1] == (b"M" if connection.vendor == "sqlite" else b"P")
    assert [(i.where, i.error) for i in arrived] == [(i.where, i.error) for i in items]
    assert arrived[1].record is None
    assert "last_name" in arrived[1].error
    for sent, got in zip([items[0], items[2]], [arrived[0], arrived[2]], strict=True):
        assert type(got.new) is NewPerson
        assert got.new == sent.new
        assert isinstance(got.record, PackedRecord)
        assert isinstance(sent.record, PackedRecord)
        assert got.record.plain()[:6] == sent.record.plain()[:6]  # identifiers, digests
        assert got.record.birth_date == sent.record.birth_date
        assert got.record.opened() == sent.record.opened()
    assert arrived[0].record.opened().skills == ["Wondzorg", "Triage"]  # type: ignore[union-attr]


def test_a_chunk_holding_whole_records_travels_pickled() -> None:
    """On a re-run the readers send whole records (nothing to build ahead): pickled."""
    record = clean_candidate(
        CandidateRecord(
            first_name="Anaïs", last_name="Dumont", emails=["anais.dumont@example.com"]
        ),
        today=clock.today(),
    )
    items = [Prepared("people.csv:2", record), Prepared("people.csv:3", None, "bad date")]

    raw = PREPARED.encode(items)

    assert raw[:1] == b"P"
    assert PREPARED.decode(memoryview(raw)) == items
