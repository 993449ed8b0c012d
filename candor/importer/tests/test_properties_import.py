"""Hostile files for the importer (R1.1, R7.1): whatever bytes a CSV or JSON Resume file holds,
each record is imported or rejected with a reason — never an unhandled exception, never a
half-written person — and the file as a whole is refused with a message when it cannot be read.

Property-based (Hypothesis, profile in ``candor/testing/hypothesis_profiles.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from candor.core.actor import Actor
from candor.importer.formats import FORMATS, FileRejected
from candor.importer.formats.csv_format import COLUMNS, MAX_FIELD
from candor.importer.formats.jsonresume import resume_to_record
from candor.importer.services import import_path, prepare
from candor.importer.tests.completeness import half_written
from candor.people.models import Channel
from candor.people.services import ProvenanceSpec
from candor.recruitment.records import RecordInvalid, clean_candidate

pytestmark = pytest.mark.req("R1.1", "R7.1")

TODAY = dt.date(2026, 6, 15)

# --- strategies -----------------------------------------------------------------------------

# Cell values as other systems export them: anything, or the shapes of real values, with the
# characters that break parsers (quotes, separators, newlines, NUL, BOM, RTL marks).
nasty = st.sampled_from(
    ['"', "'", ",", ";", "\n", "\r\n", "\x00", "\ufeff", "\u202e", "=cmd|' /C calc'!A0", "é"]
)
cell = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(nasty, st.text(max_size=5)), max_size=6).map("".join),
    st.sampled_from(
        [
            "emma.claes@example.com",
            "+32470123456",
            "0470/12.34.56",
            "14/03/1991",
            "2099-01-01",
            "31/02/1990",
            "nl:C2;fr:B1",
            "nl:Z9",
            "https://emma.example.com/",
            "",
        ]
    ),
)
header = st.lists(
    st.one_of(st.sampled_from(COLUMNS), st.text(max_size=8)), min_size=0, max_size=8, unique=True
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _anything_or(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(json_value, strategy)


text_or_anything = _anything_or(st.text(max_size=20))
date_or_anything = _anything_or(st.sampled_from(["2014", "2014-06", "2014-13-01", "2099-12-31"]))
resume = st.fixed_dictionaries(
    {},
    optional={
        "basics": _anything_or(
            st.fixed_dictionaries(
                {},
                optional=dict.fromkeys(
                    ("name", "label", "email", "phone", "url", "summary"), text_or_anything
                )
                | {
                    "location": _anything_or(
                        st.fixed_dictionaries(
                            {},
                            optional=dict.fromkeys(
                                ("address", "postalCode", "city", "countryCode"), text_or_anything
                            ),
                        )
                    ),
                    "profiles": st.lists(
                        _anything_or(st.fixed_dictionaries({"url": text_or_anything})), max_size=2
                    ),
                },
            )
        ),
        "work": st.lists(
            _anything_or(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "name": text_or_anything,
                        "position": text_or_anything,
                        "startDate": date_or_anything,
                        "endDate": date_or_anything,
                        "summary": text_or_anything,
                        "highlights": _anything_or(st.lists(text_or_anything, max_size=2)),
                    },
                )
            ),
            max_size=2,
        ),
        "education": st.lists(
            st.fixed_dictionaries(
                {},
                optional=dict.fromkeys(("institution", "area", "studyType"), text_or_anything)
                | {"startDate": date_or_anything, "endDate": date_or_anything},
            ),
            max_size=2,
        ),
        "certificates": st.lists(
            st.fixed_dictionaries(
                {}, optional={"name": text_or_anything, "date": date_or_anything}
            ),
            max_size=2,
        ),
        "skills": _anything_or(
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "name": text_or_anything,
                        "keywords": _anything_or(st.lists(text_or_anything, max_size=2)),
                    },
                ),
                max_size=2,
            )
        ),
        "languages": _anything_or(
            st.lists(
                st.fixed_dictionaries(
                    {}, optional={"language": text_or_anything, "fluency": text_or_anything}
                ),
                max_size=2,
            )
        ),
    },
)


def _source() -> ProvenanceSpec:
    return ProvenanceSpec.parse("self", channel=Channel.IMPORT, reference="hostile")


def _csv_bytes(columns: list[str], rows: list[list[str]], *, delimiter: str, bom: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def _read_all(fmt: str, path: Path) -> list[Any]:
    """Every prepared item of a file, or the FileRejected message: nothing else may come out."""
    try:
        return list(prepare(FORMATS[fmt].read(path), today=TODAY))
    except FileRejected as exc:
        refusal = str(exc)
    assert refusal.strip()
    return []


# --- no database: reading and cleaning ------------------------------------------------------


@given(st.binary(max_size=600))
def test_any_bytes_as_a_csv_file_give_records_reasons_or_a_refusal(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        path.write_bytes(content)
        for item in _read_all("csv", path):
            assert (item.record is None) != (item.error == ""), item
            assert item.where.startswith("people.csv:")


@given(
    header,
    st.lists(st.lists(cell, max_size=10), max_size=5),
    st.sampled_from([",", ";"]),
    st.booleans(),
    st.sampled_from(["utf-8", "latin-1", "utf-16"]),
)
def test_any_csv_table_in_any_encoding_gives_records_reasons_or_a_refusal(
    columns, rows, delimiter, bom, encoding
):
    content = _csv_bytes(columns, rows, delimiter=delimiter, bom=bom)
    if encoding != "utf-8":
        content = content.decode("utf-8").encode(encoding, errors="replace")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        path.write_bytes(content)
        for item in _read_all("csv", path):
            assert (item.record is None) != (item.error == ""), item


def test_a_field_longer_than_the_limit_rejects_its_row_only(tmp_path):
    huge = "x" * (MAX_FIELD + 10)
    rows = [["Emma", "Claes", "emma@example.com", huge], ["Lotte", "Peeters", "l@example.com", ""]]
    path = tmp_path / "people.csv"
    path.write_bytes(
        _csv_bytes(["first_name", "last_name", "email", "notes"], rows, delimiter=",", bom=False)
    )

    items = _read_all("csv", path)

    assert [bool(i.error) for i in items] == [True, False]
    assert "field larger than field limit" in items[0].error


@given(resume)
def test_any_json_values_in_a_resume_give_a_record_or_a_reason(data):
    try:
        record = resume_to_record(data)
    except ValueError as exc:
        reason = str(exc)
    else:
        try:
            clean_candidate(record, today=TODAY)
        except RecordInvalid as exc:
            reason = exc.summary()
        else:
            reason = "stored"
    assert reason.strip()


@given(json_value)
def test_any_json_document_as_a_resume_gives_a_record_or_a_reason(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cv.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        for item in _read_all("jsonresume", path):
            assert (item.record is None) != (item.error == ""), item


# --- into the database ----------------------------------------------------------------------


def _import(path: Path, fmt: str) -> Any:
    return import_path(
        path,
        format_name=fmt,
        source=_source(),
        actor=Actor.system("hostile-test"),
        batch_size=3,
        read_ahead=False,
    )


@pytest.mark.django_db
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "first_name": st.one_of(st.just("Emma"), cell),
                "last_name": st.one_of(st.just("Claes"), cell),
                "email": st.one_of(cell, st.integers(0, 40).map(lambda n: f"e{n}@example.com")),
                "mobile": cell,
                "birth_date": cell,
                "languages": cell,
                "skills": cell,
                "notes": cell,
            }
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([",", ";"]),
)
def test_hostile_csv_rows_are_each_imported_or_rejected_and_nobody_is_half_written(rows, delimiter):
    columns = list(rows[0])
    content = _csv_bytes(columns, [list(r.values()) for r in rows], delimiter=delimiter, bom=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        path.write_bytes(content)
        expected = sum(1 for _ in FORMATS["csv"].read(path))
        summary = _import(path, "csv")

    assert summary.total == expected
    assert all(r.reason.strip() and r.where for r in summary.rejected)
    assert half_written() == []


@pytest.mark.django_db
@given(st.lists(resume, min_size=1, max_size=3))
def test_hostile_json_resumes_are_each_imported_or_rejected_and_nobody_is_half_written(resumes):
    with tempfile.TemporaryDirectory() as folder:
        for n, data in enumerate(resumes):
            (Path(folder) / f"cv{n}.json").write_text(json.dumps(data), encoding="utf-8")
        summary = _import(Path(folder), "jsonresume")

    assert summary.total == len(resumes)
    assert all(r.reason.strip() for r in summary.rejected)
    assert half_written() == []


# --- regressions found by the properties above ----------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {
            "basics": {"name": "Emma Claes", "email": "emma@example.com"},
            "work": [{"highlights": None}],
        },
        {
            "basics": {"name": "Emma Claes", "email": "emma@example.com"},
            "work": [{"highlights": 3}],
        },
        {
            "basics": {"name": "Emma Claes", "email": "emma@example.com"},
            "skills": [{"keywords": 7}],
        },
        {
            "basics": {"name": "Emma Claes", "email": "emma@example.com"},
            "skills": [{"keywords": {"a": 1}}],
        },
    ],
)
def test_a_resume_with_null_or_odd_lists_is_read_without_them(data):
    record = clean_candidate(resume_to_record(data), today=TODAY)

    assert record.first_name == "Emma"
    assert record.skills in ([], [""])
