"""``candor import people.csv --format csv``: every column lands where it belongs (R1.1), under
the provenance given with ``--source`` (R2.1); bad rows are reported and the rest goes on."""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError

from candor.importer.formats.csv_format import COLUMNS
from candor.importer.tests.support import Run, person_by_email, table_counts
from candor.people.models import (
    Address,
    Channel,
    ContactKind,
    ContactPoint,
    Person,
    Provenance,
    SourceKind,
)
from candor.recruitment.models import (
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    Skill,
)

NOW = dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.UTC)

LOTTE = {
    "first_name": "Lotte",
    "last_name": "Van den Broeck",
    "email": " Lotte.VandenBroeck@Example.COM ",
    "phone": "03 231 45 67",
    "mobile": "0470 12 34 56",
    "birth_date": "14/03/1991",
    "gender": "F",
    "civil_status": "Cohabiting",
    "nationality": "be",
    "language": "NL",
    "contact_channel": "Email",
    "contact_times": "weekdays after 17:00",
    "street": "Meir",
    "number": "12",
    "box": "3",
    "postcode": "2000",
    "city": "Antwerpen",
    "country": "BE",
    "desired_function": "Boekhouder",
    "current_function": "Junior boekhouder",
    "current_employer": "Fiduciaire Schelde",
    "available_from": "2025-05-01",
    "education_diploma": "Bachelor Accountancy-Fiscaliteit",
    "education_field": "Accountancy",
    "education_institution": "Karel de Grote Hogeschool",
    "education_level": "Bachelor",
    "education_end": "2013-06-30",
    "languages": "nl:native;fr:B2;en:c1",
    "skills": "Exact Online;Excel, SAP",
    "profile_url": "https://www.linkedin.example.com/in/lottevdb/",
    "notes": "Prefers the Antwerp region",
}

GILLES = {
    "first_name": "Gilles",
    "last_name": "Dupont",
    "email": "gilles.dupont@example.test",
    "birth_date": "1987-11-02",
    "city": "Namur",
    "postcode": "5000",
    "language": "fr",
}


def good_row(n: int) -> dict[str, str]:
    return {
        "first_name": "Emma",
        "last_name": f"Claes{n}",
        "email": f"emma.claes{n}@example.com",
        "birth_date": "1990-01-01",
    }


@pytest.mark.req("R1.1", "R2.1")
def test_every_csv_column_lands_in_its_model_field(
    run_import: Callable[..., Run],
    write_csv: Callable[..., Path],
    consultant,
    time_machine,
) -> None:
    time_machine.move_to(NOW, tick=False)
    path = write_csv([LOTTE, GILLES], header=COLUMNS)

    run = run_import(path, source="medium:Jobat", actor=consultant.username)

    assert run.err == ""
    assert run.summary == "2 records: 2 created, 0 merged, 0 unchanged, 0 rejected"
    assert run.lines("rejected") == []
    lotte = person_by_email("lotte.vandenbroeck@example.com")
    assert (lotte.first_name, lotte.last_name) == ("Lotte", "Van den Broeck")
    assert lotte.name_key == "lotte van den broeck"
    assert lotte.birth_date == dt.date(1991, 3, 14)
    assert (lotte.gender, lotte.civil_status, lotte.nationality) == ("f", "cohabiting", "BE")
    assert (lotte.preferred_language, lotte.contact_channel) == ("nl", "email")
    assert lotte.contact_times == "weekdays after 17:00"
    assert lotte.notes == "Prefers the Antwerp region"
    assert lotte.is_candidate

    contacts = {(c.kind, c.value, c.normalised, c.is_primary) for c in lotte.contact_points.all()}
    assert contacts == {
        (
            ContactKind.EMAIL,
            "lotte.vandenbroeck@example.com",
            "lotte.vandenbroeck@example.com",
            True,
        ),
        (ContactKind.PHONE, "+3232314567", "+3232314567", False),
        (ContactKind.MOBILE, "+32470123456", "+32470123456", False),
        (
            ContactKind.URL,
            "linkedin.example.com/in/lottevdb",
            "linkedin.example.com/in/lottevdb",
            False,
        ),
    }
    address = Address.objects.get(person=lotte)
    assert (address.street, address.number, address.box) == ("Meir", "12", "3")
    assert (address.postcode, address.city, address.country) == ("2000", "Antwerpen", "BE")

    profile = CandidateProfile.objects.get(person=lotte)
    assert profile.desired_function == "Boekhouder"
    assert profile.current_function == "Junior boekhouder"
    assert profile.current_employer == "Fiduciaire Schelde"
    assert profile.available_from == dt.date(2025, 5, 1)

    education = Education.objects.get(person=lotte)
    assert education.diploma == "Bachelor Accountancy-Fiscaliteit"
    assert education.field_of_study == "Accountancy"
    assert education.institution == "Karel de Grote Hogeschool"
    assert education.level == "bachelor"
    assert education.ended_on == dt.date(2013, 6, 30)
    job = Experience.objects.get(person=lotte)
    assert (job.function, job.employer) == ("Junior boekhouder", "Fiduciaire Schelde")

    assert dict(LanguageSkill.objects.filter(person=lotte).values_list("language", "level")) == {
        "nl": "native",
        "fr": "B2",
        "en": "C1",
    }
    assert set(Skill.objects.filter(person=lotte).values_list("name", flat=True)) == {
        "Exact Online",
        "Excel",
        "SAP",
    }

    gilles = person_by_email("gilles.dupont@example.test")
    assert gilles.birth_date == dt.date(1987, 11, 2)
    assert gilles.preferred_language == "fr"
    assert Address.objects.get(person=gilles).city == "Namur"
    assert not Education.objects.filter(person=gilles).exists()
    assert not Skill.objects.filter(person=gilles).exists()

    # One provenance row for the run, on the person and on every row stored about them (R2.1).
    provenance = Provenance.objects.get()
    assert provenance.kind == SourceKind.MEDIUM
    assert provenance.name == "Jobat"
    assert provenance.channel == Channel.IMPORT
    assert provenance.recorded_by == consultant
    assert provenance.obtained_at == NOW
    assert provenance.reference == "people.csv"
    for model in (
        Person,
        ContactPoint,
        Address,
        CandidateProfile,
        Education,
        Experience,
        LanguageSkill,
        Skill,
    ):
        rows = model.objects.all()
        assert rows.exists(), model.__name__
        assert set(rows.values_list("provenance_id", flat=True)) == {provenance.pk}, model


@pytest.mark.req("R2.1")
@pytest.mark.parametrize(
    ("source", "kind", "name"),
    [
        ("self", SourceKind.SUBJECT, ""),
        ("third-party", SourceKind.THIRD_PARTY, ""),
        ("medium:LinkedIn", SourceKind.MEDIUM, "LinkedIn"),
        ("partner:Randstad Belgium", SourceKind.PARTNER, "Randstad Belgium"),
    ],
)
def test_source_option_becomes_the_provenance_of_what_is_imported(
    run_import: Callable[..., Run],
    write_csv: Callable[..., Path],
    source: str,
    kind: str,
    name: str,
) -> None:
    run = run_import(write_csv([good_row(1)]), source=source)

    assert run.summary.endswith("1 created, 0 merged, 0 unchanged, 0 rejected")
    person = Person.objects.select_related("provenance").get()
    assert (person.provenance.kind, person.provenance.name) == (kind, name)
    assert person.provenance.channel == Channel.IMPORT
    assert person.provenance.recorded_by is None  # no --actor: the system imported it


@pytest.mark.req("R2.1")
@pytest.mark.parametrize("source", ["friend", "medium:", "partner:  ", ""])
def test_an_unknown_source_is_refused_before_anything_is_read(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], source: str
) -> None:
    with pytest.raises(CommandError, match="source"):
        run_import(write_csv([good_row(1)]), source=source)
    assert Person.objects.count() == 0


@pytest.mark.req("R1.1")
def test_an_unknown_actor_is_refused(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    with pytest.raises(CommandError, match="nobody"):
        run_import(write_csv([good_row(1)]), actor="nobody")
    assert Person.objects.count() == 0


@pytest.mark.req("R1.1")
def test_a_semicolon_separated_file_from_belgian_excel_is_read(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    row = {**good_row(1), "skills": "Excel, Word"}
    run = run_import(write_csv([row, good_row(2)], delimiter=";"))

    assert run.summary == "2 records: 2 created, 0 merged, 0 unchanged, 0 rejected"
    person = person_by_email("emma.claes1@example.com")
    assert set(person.skills.values_list("name", flat=True)) == {"Excel", "Word"}


@pytest.mark.req("R1.1")
def test_each_bad_row_is_reported_with_file_line_and_reason_while_the_rest_is_imported(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], time_machine
) -> None:
    time_machine.move_to(NOW, tick=False)
    rows = [
        good_row(1),  # line 2
        {**good_row(2), "email": "emma.claes2@@example"},  # line 3
        {**good_row(3), "phone": "12345"},  # line 4
        {**good_row(4), "birth_date": "2031-05-01"},  # line 5
        {**good_row(5), "last_name": ""},  # line 6
        {**good_row(6), "birth_date": "31/02/1990"},  # line 7
        {**good_row(7), "birth_date": "yesterday"},  # line 8
        {**good_row(8), "languages": "nl"},  # line 9
        good_row(9),  # line 10
    ]

    run = run_import(write_csv(rows))

    assert run.summary == "9 records: 2 created, 0 merged, 0 unchanged, 7 rejected"
    rejected = run.lines("rejected")
    assert len(rejected) == 7
    expected = [
        ("people.csv:3", "email", "“emma.claes2@@example” is not a valid e-mail address"),
        ("people.csv:4", "phone", "“12345” is not"),
        ("people.csv:5", "birth_date", "cannot lie in the future"),
        ("people.csv:6", "last_name", "A surname is required"),
        ("people.csv:7", "birth_date", "“31/02/1990” is not a real date"),
        ("people.csv:8", "birth_date", "“yesterday” is not a date"),
        ("people.csv:9", "languages", "should look like nl:C2"),
    ]
    for line, (where, field, reason) in zip(rejected, expected, strict=True):
        assert line.startswith(f"rejected {where}: "), line
        assert field in line, line
        assert reason in line, line
    assert set(Person.objects.values_list("last_name", flat=True)) == {"Claes1", "Claes9"}


@pytest.mark.req("R1.1")
def test_a_row_with_several_problems_reports_every_field_at_once(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], time_machine
) -> None:
    time_machine.move_to(NOW, tick=False)
    row = {
        "first_name": "Noah",
        "last_name": "",
        "email": "noah.at.example.com",
        "phone": "0470 12",
        "birth_date": "2030-01-01",
    }

    run = run_import(write_csv([row]))

    [line] = run.lines("rejected")
    assert line.startswith("rejected people.csv:2: ")
    for field in ("last_name:", "email:", "phone:", "birth_date:"):
        assert field in line
    assert Person.objects.count() == 0


@pytest.mark.req("R1.1")
def test_a_row_with_too_many_values_is_reported_and_the_rest_is_imported(
    run_import: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email\n"
        "Emma,Claes,emma.claes@example.com\n"
        "Jonas,Maes,jonas.maes@example.com,surplus,another\n"
        "Sofie,Janssens,sofie.janssens@example.com\n",
        encoding="utf-8",
    )

    run = run_import(path)

    assert run.lines("rejected") == ["rejected people.csv:3: 2 more value(s) than columns"]
    assert run.summary == "3 records: 2 created, 0 merged, 0 unchanged, 1 rejected"
    assert set(Person.objects.values_list("first_name", flat=True)) == {"Emma", "Sofie"}


@pytest.mark.req("R1.1")
def test_an_unknown_column_refuses_the_whole_file_naming_the_column(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    rows = [{**good_row(1), "shoe_size": "42"}, good_row(2)]
    before = table_counts()

    with pytest.raises(CommandError) as excinfo:
        run_import(write_csv(rows))

    message = str(excinfo.value)
    assert "people.csv" in message
    assert "unknown column(s) shoe_size" in message
    assert "Expected columns: first_name, last_name" in message
    assert table_counts() == before


@pytest.mark.req("R1.1")
def test_a_file_without_the_required_name_columns_is_refused(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    with pytest.raises(CommandError, match="missing column"):
        run_import(write_csv([{"first_name": "Emma", "email": "emma@example.com"}]))
    assert Person.objects.count() == 0


@pytest.mark.req("R1.1")
def test_a_file_that_is_not_utf8_text_is_refused(
    run_import: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"first_name,last_name\n\xff\xfe\x00Emma,Claes\n")
    with pytest.raises(CommandError, match="UTF-8"):
        run_import(path)
    assert Person.objects.count() == 0


@pytest.mark.req("R1.1")
def test_a_missing_file_is_refused(run_import: Callable[..., Run], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        run_import(tmp_path / "nowhere.csv")


@pytest.mark.req("R1.1")
def test_blank_lines_are_skipped_and_line_numbers_stay_physical(
    run_import: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email\n"
        "Emma,Claes,emma.claes@example.com\n"
        "\n"
        ",,\n"
        "Jonas,,jonas@example.com\n",
        encoding="utf-8",
    )

    run = run_import(path)

    assert run.lines("rejected") == ["rejected people.csv:5: last_name: A surname is required."]
    assert run.summary == "2 records: 1 created, 0 merged, 0 unchanged, 1 rejected"


@pytest.mark.req("R1.1")
def test_html_and_script_in_free_text_are_stored_verbatim_as_text(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    notes = '<script>alert("x")</script><b onmouseover="steal()">Sterke kandidaat</b> & co'
    row = {
        **good_row(1),
        "notes": notes,
        "desired_function": "<i>Boekhouder</i>",
        "skills": "<img src=x onerror=alert(1)>",
    }

    run = run_import(write_csv([row]))

    assert run.summary.endswith("1 created, 0 merged, 0 unchanged, 0 rejected")
    person = Person.objects.get()
    assert person.notes == notes
    assert person.candidate.desired_function == "<i>Boekhouder</i>"
    assert list(person.skills.values_list("name", flat=True)) == ["<img src=x onerror=alert(1)>"]


@pytest.mark.req("R1.1")
def test_a_quoted_multiline_note_is_one_field(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    notes = 'Line one, with a comma\nline two with "quotes"'
    run = run_import(write_csv([{**good_row(1), "notes": notes}, good_row(2)]))

    assert run.summary == "2 records: 2 created, 0 merged, 0 unchanged, 0 rejected"
    assert person_by_email("emma.claes1@example.com").notes == notes


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.req("R1.1")
def test_a_progress_bar_is_drawn_on_a_terminal_only(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], monkeypatch
) -> None:
    path = write_csv([good_row(n) for n in range(1, 4)])
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    run_import(path)

    assert "import: 100%" in terminal.getvalue()
    assert "3/3" in terminal.getvalue()

    piped = io.StringIO()  # not a terminal: logs and CI stay clean
    monkeypatch.setattr(sys, "stderr", piped)
    run = run_import(path)
    assert piped.getvalue() == ""
    assert run.summary == "3 records: 0 created, 0 merged, 3 unchanged, 0 rejected"
