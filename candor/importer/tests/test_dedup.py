"""Duplicates are found by normalised e-mail and phone (E.164) and merged or reported (R1.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from candor.importer.tests.support import Run, person_by_email, table_counts
from candor.people.models import ContactKind, Person, SourceKind
from candor.recruitment.models import Education, LanguageSkill, Skill

LOTTE = {
    "first_name": "Lotte",
    "last_name": "Van den Broeck",
    "email": "lotte.vandenbroeck@example.com",
    "mobile": "0470 12 34 56",
    "birth_date": "1991-03-14",
    "skills": "Excel",
    "languages": "nl:native",
    "desired_function": "Boekhouder",
}
GILLES = {
    "first_name": "Gilles",
    "last_name": "Dupont",
    "email": "gilles.dupont@example.test",
    "phone": "081 22 33 44",
    "birth_date": "1987-11-02",
}


@pytest.fixture
def lotte(run_import: Callable[..., Run], write_csv: Callable[..., Path]) -> Person:
    run = run_import(write_csv([LOTTE], name="first.csv"), source="self")
    assert run.summary.endswith("1 created, 0 merged, 0 unchanged, 0 rejected")
    return person_by_email("lotte.vandenbroeck@example.com")


@pytest.mark.req("R1.1", "R2.1")
def test_same_email_in_other_case_and_spacing_merges_new_information(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], lotte: Person
) -> None:
    row = {
        "first_name": "lotte",
        "last_name": "VAN DEN BROECK",
        "email": "  Lotte.VandenBroeck@EXAMPLE.com ",
        "skills": "Excel;Power BI",
        "languages": "nl:native;fr:B2",
        "notes": "Zoekt deeltijds werk",
    }

    run = run_import(write_csv([row], name="second.csv"), source="partner:Randstad")

    assert run.summary == "1 records: 0 created, 1 merged, 0 unchanged, 0 rejected"
    assert Person.objects.count() == 1
    lotte.refresh_from_db()
    assert lotte.notes == "Zoekt deeltijds werk"  # an empty field is filled
    assert (lotte.first_name, lotte.last_name) == ("Lotte", "Van den Broeck")  # name kept
    skills = {s.name: s.provenance.kind for s in Skill.objects.filter(person=lotte)}
    assert skills == {"Excel": SourceKind.SUBJECT, "Power BI": SourceKind.PARTNER}
    languages = {x.language: x.provenance.kind for x in LanguageSkill.objects.filter(person=lotte)}
    assert languages == {"nl": SourceKind.SUBJECT, "fr": SourceKind.PARTNER}
    assert lotte.contact_points.filter(kind=ContactKind.EMAIL).count() == 1


@pytest.mark.req("R1.1")
def test_same_mobile_written_nationally_or_in_e164_is_the_same_person(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], lotte: Person
) -> None:
    row = {
        "first_name": "Lotte",
        "last_name": "Van den Broeck",
        "phone": "+32470123456",
        "email": "lotte@example.test",
        "skills": "SAP",
    }

    run = run_import(write_csv([row], name="second.csv"))

    assert run.summary == "1 records: 0 created, 1 merged, 0 unchanged, 0 rejected"
    assert Person.objects.count() == 1
    emails = dict(
        lotte.contact_points.filter(kind=ContactKind.EMAIL).values_list("normalised", "is_primary")
    )
    assert emails == {"lotte.vandenbroeck@example.com": True, "lotte@example.test": False}
    # The number is held once (as mobile), not again as a landline.
    assert list(lotte.contact_points.filter(normalised="+32470123456").values_list("kind")) == [
        (ContactKind.MOBILE,)
    ]
    assert set(lotte.skills.values_list("name", flat=True)) == {"Excel", "SAP"}


@pytest.mark.req("R1.1")
def test_conflicting_values_are_kept_and_reported_as_a_conflict(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], lotte: Person
) -> None:
    row = {**LOTTE, "birth_date": "1991-03-15", "desired_function": "Controller", "skills": "SAP"}

    run = run_import(write_csv([row], name="second.csv"))

    assert run.summary == "1 records: 0 created, 1 merged, 0 unchanged, 0 rejected"
    [conflict] = run.lines("conflict")
    assert conflict.startswith("conflict second.csv:2: ")
    assert f"person #{lotte.pk} kept their own" in conflict
    assert "birth_date" in conflict
    assert "desired_function" in conflict
    lotte.refresh_from_db()
    assert lotte.birth_date == dt.date(1991, 3, 14)
    assert lotte.candidate.desired_function == "Boekhouder"
    assert set(lotte.skills.values_list("name", flat=True)) == {"Excel", "SAP"}


@pytest.mark.req("R1.1")
def test_a_conflicting_language_level_is_kept_and_reported(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], lotte: Person
) -> None:
    row = {**LOTTE, "languages": "nl:B1"}

    run = run_import(write_csv([row], name="second.csv"))

    assert run.summary == "1 records: 0 created, 0 merged, 1 unchanged, 0 rejected"
    assert dict(lotte.languages.values_list("language", "level")) == {"nl": "native"}
    assert any(
        f"person #{lotte.pk} kept their own languages.nl" in x for x in run.lines("conflict")
    )


@pytest.mark.req("R1.1")
def test_same_email_with_another_name_is_rejected_and_nothing_changes(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], lotte: Person
) -> None:
    row = {
        "first_name": "Lien",
        "last_name": "Peeters",
        "email": "LOTTE.VANDENBROECK@example.com",
        "skills": "Python",
        "notes": "should not land anywhere",
    }
    before = table_counts()

    run = run_import(write_csv([row], name="second.csv"))

    assert run.summary == "1 records: 0 created, 0 merged, 0 unchanged, 1 rejected"
    [line] = run.lines("rejected")
    assert line.startswith("rejected second.csv:2: ")
    assert f"shares an e-mail or phone with person #{lotte.pk}, whose name differs" in line
    assert table_counts() == before
    lotte.refresh_from_db()
    assert lotte.notes == ""
    assert not Skill.objects.filter(name="Python").exists()


@pytest.mark.req("R1.1")
def test_a_record_matching_two_different_people_is_reported_and_nothing_changes(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], lotte: Person
) -> None:
    run_import(write_csv([GILLES], name="gilles.csv"))
    gilles = person_by_email("gilles.dupont@example.test")
    row = {
        "first_name": "Lotte",
        "last_name": "Van den Broeck",
        "email": "lotte.vandenbroeck@example.com",
        "phone": "+32 81 22 33 44",  # Gilles's number
        "skills": "Python",
    }
    before = table_counts()

    run = run_import(write_csv([row], name="third.csv"))

    assert run.summary == "1 records: 0 created, 0 merged, 0 unchanged, 1 rejected"
    [line] = run.lines("rejected")
    first, second = sorted([lotte.pk, gilles.pk])
    assert line == (
        f"rejected third.csv:2: matches several people (#{first}, #{second}); resolve by hand"
    )
    assert table_counts() == before


@pytest.mark.req("R1.1")
def test_duplicates_within_one_file_are_folded_into_one_person(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    rows = [
        {
            "first_name": "Emma",
            "last_name": "Claes",
            "email": "emma.claes@example.com",
            "skills": "Excel",
        },
        {
            "first_name": "Emma",
            "last_name": "Claes",
            "email": "EMMA.CLAES@example.com",
            "mobile": "0478 98 76 54",
            "skills": "Word",
            "languages": "fr:B1",
        },
        # Only the mobile links this row to the first two.
        {
            "first_name": "EMMA",
            "last_name": "claes",
            "mobile": "+32478987654",
            "birth_date": "1990-05-05",
            "skills": "Outlook",
        },
        {"first_name": "Jonas", "last_name": "Maes", "email": "jonas.maes@example.com"},
    ]

    run = run_import(write_csv(rows))

    assert run.summary == "4 records: 2 created, 2 merged, 0 unchanged, 0 rejected"
    assert Person.objects.count() == 2
    emma = person_by_email("emma.claes@example.com")
    assert emma.birth_date == dt.date(1990, 5, 5)
    assert set(emma.skills.values_list("name", flat=True)) == {"Excel", "Word", "Outlook"}
    assert dict(emma.languages.values_list("language", "level")) == {"fr": "B1"}
    assert set(emma.contact_points.values_list("kind", "normalised")) == {
        (ContactKind.EMAIL, "emma.claes@example.com"),
        (ContactKind.MOBILE, "+32478987654"),
    }

    again = run_import(write_csv(rows))
    assert again.summary == "4 records: 0 created, 0 merged, 4 unchanged, 0 rejected"


@pytest.mark.req("R1.1")
def test_a_same_file_duplicate_with_another_name_is_rejected(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    rows = [
        {"first_name": "Emma", "last_name": "Claes", "email": "emma.claes@example.com"},
        {"first_name": "Noor", "last_name": "Claes", "email": "emma.claes@example.com"},
    ]

    run = run_import(write_csv(rows))

    assert run.summary == "2 records: 1 created, 0 merged, 0 unchanged, 1 rejected"
    [line] = run.lines("rejected")
    assert line.startswith("rejected people.csv:3: shares an e-mail or phone with record 1")
    assert list(Person.objects.values_list("first_name", flat=True)) == ["Emma"]


@pytest.mark.req("R1.1")
def test_two_rows_for_an_existing_person_in_one_file_add_each_new_item_once(
    run_import: Callable[..., Run], write_csv: Callable[..., Path], lotte: Person
) -> None:
    diploma = {
        "education_diploma": "Master Handelsingenieur",
        "education_institution": "KU Leuven",
        "education_end": "2015",
    }
    rows = [
        {**LOTTE, **diploma, "skills": "Excel;SQL"},
        {
            **LOTTE,
            **diploma,
            "email": "Lotte.VandenBroeck@example.com",
            "skills": "Power BI",
            "languages": "nl:native;en:C1",
            "street": "Meir",
            "number": "1",
            "postcode": "2000",
            "city": "Antwerpen",
        },
    ]

    run = run_import(write_csv(rows, name="second.csv"))

    assert run.lines("rejected") == []
    assert run.summary == "2 records: 0 created, 2 merged, 0 unchanged, 0 rejected"
    assert Education.objects.filter(person=lotte).count() == 1
    assert lotte.addresses.count() == 1
    assert sorted(lotte.skills.values_list("name", flat=True)) == ["Excel", "Power BI", "SQL"]
    assert dict(lotte.languages.values_list("language", "level")) == {"nl": "native", "en": "C1"}

    again = run_import(write_csv(rows, name="second.csv"))
    assert again.summary == "2 records: 0 created, 0 merged, 2 unchanged, 0 rejected"


@pytest.mark.req("R1.1")
def test_name_and_birth_date_find_a_person_without_e_mail_or_phone(
    run_import: Callable[..., Run], write_csv: Callable[..., Path]
) -> None:
    row = {"first_name": "Wout", "last_name": "Peeters", "birth_date": "03/07/1985"}
    run_import(write_csv([row]))

    again = run_import(write_csv([{**row, "first_name": "WOUT ", "skills": "Lassen"}]))

    assert again.summary == "1 records: 0 created, 1 merged, 0 unchanged, 0 rejected"
    wout = Person.objects.get()
    assert list(wout.skills.values_list("name", flat=True)) == ["Lassen"]
    other = run_import(write_csv([{**row, "birth_date": "04/07/1985"}]))
    assert other.summary == "1 records: 1 created, 0 merged, 0 unchanged, 0 rejected"
