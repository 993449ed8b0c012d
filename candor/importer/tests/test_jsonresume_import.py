"""``candor import PATH --format jsonresume``: files in the public jsonresume.org shape (R1.1).

The fixtures follow the published sample resume (basics with location and profiles, work with
highlights, education with studyType/area, skills with keywords, languages with fluency, plus
references, interests, volunteer, awards and projects that are deliberately not imported).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from candor.importer.formats.jsonresume import resume_to_record, split_name
from candor.importer.tests.support import (
    FIXTURES,
    Run,
    all_stored_text,
    person_by_email,
    table_counts,
)
from candor.people.models import Address, ContactKind, Person, Provenance, SourceKind
from candor.recruitment.models import CandidateProfile, Education, Experience, Skill

SAMPLE = FIXTURES / "sample_resume.json"
FOLDER = FIXTURES / "resumes"


@pytest.mark.req("R1.1", "R2.1")
def test_the_sample_resume_shape_is_imported_section_by_section(
    run_import: Callable[..., Run],
) -> None:
    run = run_import(SAMPLE, fmt="jsonresume", source="medium:LinkedIn")

    assert run.summary == "1 records: 1 created, 0 merged, 0 unchanged, 0 rejected"
    assert run.lines("rejected") == []
    lotte = person_by_email("lotte.vandenbroeck@example.com")
    assert (lotte.first_name, lotte.last_name) == ("Lotte", "Van den Broeck")
    assert set(lotte.contact_points.values_list("kind", "normalised")) == {
        (ContactKind.EMAIL, "lotte.vandenbroeck@example.com"),
        (ContactKind.PHONE, "+32470123456"),
        (ContactKind.URL, "lotte.example.com"),
        (ContactKind.URL, "linkedin.example.com/in/lottevdb"),
        (ContactKind.URL, "github.example.com/lottevdb"),
    }
    address = Address.objects.get(person=lotte)
    assert (address.street, address.postcode, address.city, address.country) == (
        "Meir 12",
        "2000",
        "Antwerpen",
        "BE",
    )

    profile = CandidateProfile.objects.get(person=lotte)
    assert profile.current_function == "Data-analist"  # basics.label
    assert profile.current_employer == "Havenbedrijf Schelde"  # the job without an end date
    assert profile.summary == (  # stored as text, verbatim
        "Analist met <b>zes jaar</b> ervaring in rapportering. <script>alert('x')</script>"
    )

    jobs = {j.employer: j for j in Experience.objects.filter(person=lotte)}
    assert set(jobs) == {"Havenbedrijf Schelde", "Brouwerij De Klok"}
    haven = jobs["Havenbedrijf Schelde"]
    assert haven.function == "Data-analist"
    assert (haven.started_on, haven.ended_on) == (dt.date(2021, 3, 1), None)
    assert haven.description == (
        "Rapportering over containertrafiek.\n"
        "• Dashboards voor de directie gebouwd\n"
        "• Maandrapport van drie dagen naar drie uur gebracht"
    )
    klok = jobs["Brouwerij De Klok"]
    assert klok.function == "Junior analist"
    assert (klok.started_on, klok.ended_on) == (dt.date(2018, 9, 1), dt.date(2021, 2, 28))

    study = Education.objects.get(person=lotte, kind="study")
    assert study.institution == "Universiteit Antwerpen"
    assert study.field_of_study == "Toegepaste Economische Wetenschappen"
    assert study.diploma == "Master Toegepaste Economische Wetenschappen"
    assert study.level == "master"
    assert (study.started_on, study.ended_on) == (dt.date(2013, 9, 15), dt.date(2018, 6, 30))
    certificate = Education.objects.get(person=lotte, kind="training")
    assert (certificate.diploma, certificate.institution) == ("Power BI Data Analyst", "Microsoft")
    assert (certificate.level, certificate.ended_on) == ("certificate", dt.date(2022, 5, 10))

    assert set(Skill.objects.filter(person=lotte).values_list("name", flat=True)) == {
        "Data-analyse",
        "SQL",
        "Power BI",
        "Python",
        "Communicatie",
    }
    assert dict(lotte.languages.values_list("language", "level")) == {
        "nl": "native",
        "fr": "B2",
        "en": "C1",
    }
    # An unknown language is skipped with a warning, not a rejection.
    assert run.lines("warning") == [
        "warning  sample_resume.json: language “Klingon” (Beginner) not recognised; skipped"
    ]

    provenance = Provenance.objects.get()
    assert (provenance.kind, provenance.name) == (SourceKind.MEDIUM, "LinkedIn")
    assert provenance.reference == "sample_resume.json"
    assert lotte.provenance_id == provenance.pk


@pytest.mark.req("R1.1")
def test_references_interests_and_other_sections_are_not_imported(
    run_import: Callable[..., Run],
) -> None:
    run_import(SAMPLE, fmt="jsonresume")

    stored = all_stored_text()
    assert "Van den Broeck" in stored  # the check can see what was imported
    for absent in (
        "Joris Wouters",  # references name other people
        "nauwkeurige collega",
        "Wielrennen",  # interests
        "Ronde van Vlaanderen",
        "Mountainbike",
        "Jeugdbeweging",  # volunteer
        "Beste masterproef",  # awards
        "Open havendata",  # projects
        "images.example.com",  # the photo
    ):
        assert absent not in stored, absent


@pytest.mark.req("R1.1")
def test_a_folder_is_imported_file_by_file_and_bad_files_are_reported(
    run_import: Callable[..., Run],
) -> None:
    run = run_import(FOLDER, fmt="jsonresume", source="partner:VDAB")

    assert run.summary == "6 records: 3 created, 0 merged, 0 unchanged, 3 rejected"
    rejected = run.lines("rejected")
    assert len(rejected) == 3
    broken, no_basics, no_surname = rejected
    assert broken.startswith("rejected broken.json: not valid JSON (line 5:")
    assert no_basics == "rejected no_basics.json: “basics” is missing or not an object"
    assert no_surname == "rejected no_surname.json: last_name: A surname is required."

    assert set(Person.objects.values_list("first_name", "last_name")) == {
        ("Gilles", "Dupont"),
        ("Sofie", "Janssens"),
        ("Pieter", "De Smet"),  # from a sub-folder
    }
    gilles = person_by_email("gilles.dupont@example.test")
    assert set(gilles.contact_points.values_list("kind", "normalised")) == {
        (ContactKind.EMAIL, "gilles.dupont@example.test"),
        (ContactKind.PHONE, "+3281223344"),
    }
    assert set(gilles.skills.values_list("name", flat=True)) == {
        "Comptabilité",
        "Winbooks",
        "BOB 50",
    }
    assert dict(gilles.languages.values_list("language", "level")) == {"fr": "native"}
    assert Education.objects.get(person=gilles).ended_on == dt.date(2015, 1, 1)
    assert dict(
        person_by_email("sofie.janssens@example.com").languages.values_list("language", "level")
    ) == {"nl": "native"}
    # A Dutch number written internationally, for someone living in the Netherlands.
    pieter = person_by_email("pieter.desmet@example.invalid")
    assert pieter.contact_points.get(kind=ContactKind.PHONE).normalised == "+31612345678"
    assert Address.objects.get(person=pieter).country == "NL"
    assert "Marie Lambert" not in all_stored_text()


@pytest.mark.req("R1.1")
def test_a_second_run_of_the_same_folder_changes_nothing(
    run_import: Callable[..., Run],
) -> None:
    run_import(FOLDER, fmt="jsonresume")
    run_import(SAMPLE, fmt="jsonresume")
    before = table_counts()

    again = run_import(FOLDER, fmt="jsonresume")
    sample_again = run_import(SAMPLE, fmt="jsonresume")

    assert again.summary == "6 records: 0 created, 0 merged, 3 unchanged, 3 rejected"
    assert sample_again.summary == "1 records: 0 created, 0 merged, 1 unchanged, 0 rejected"
    assert table_counts() == before


@pytest.mark.req("R1.1")
def test_a_bad_date_or_a_non_object_file_is_reported_with_its_reason(
    run_import: Callable[..., Run], tmp_path: Path
) -> None:
    folder = tmp_path / "cvs"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "good.json")
    bad_date = json.loads(SAMPLE.read_text(encoding="utf-8"))
    bad_date["basics"]["email"] = "other@example.com"
    bad_date["work"][0]["startDate"] = "soon"
    (folder / "bad_date.json").write_text(json.dumps(bad_date), encoding="utf-8")
    (folder / "a_list.json").write_text("[1, 2, 3]", encoding="utf-8")
    (folder / "latin1.json").write_bytes('{"basics": {"name": "Zoë"}}'.encode("latin-1"))

    run = run_import(folder, fmt="jsonresume")

    a_list, bad, latin1 = run.lines("rejected")
    assert a_list == "rejected a_list.json: the file does not hold a JSON object"
    assert bad == (
        "rejected bad_date.json: work.startDate: “soon” is not a date (use YYYY-MM-DD or "
        "DD/MM/YYYY)"
    )
    assert latin1.startswith("rejected latin1.json: cannot be read")
    assert run.summary == "4 records: 1 created, 0 merged, 0 unchanged, 3 rejected"
    assert Person.objects.get().first_name == "Lotte"


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Lotte Van den Broeck", ("Lotte", "Van den Broeck")),
        ("  Gilles   Dupont ", ("Gilles", "Dupont")),
        ("Madonna", ("Madonna", "")),
        ("", ("", "")),
    ],
)
def test_a_full_name_splits_into_first_name_and_surname(
    full: str, expected: tuple[str, str]
) -> None:
    assert split_name(full) == expected


@pytest.mark.req("R1.1")
def test_a_resume_without_an_end_date_on_any_job_has_no_current_employer_guess() -> None:
    record = resume_to_record(
        {
            "basics": {"name": "Sofie Janssens", "email": "sofie@example.com"},
            "work": [
                {
                    "name": "AZ Sint-Jan",
                    "position": "Verpleegkundige",
                    "startDate": "2015-01-01",
                    "endDate": "2020-01-01",
                },
            ],
        }
    )
    assert record.current_employer == ""
    assert record.current_function == ""
    assert [j.employer for j in record.experience] == ["AZ Sint-Jan"]
