"""The one validator (``clean_candidate``) and the one writer (``candidates_write``) of candidates:
field-level errors, duplicates found by e-mail and phone, merges, provenance and audit (R1.1,
R2.1)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from collections.abc import Iterator

import factory
import pytest
from django.utils import translation

from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.people.models import (
    Address,
    Channel,
    ContactKind,
    ContactPoint,
    Person,
    Provenance,
    SourceKind,
)
from candor.people.services import ProvenanceSpec
from candor.recruitment.intake import (
    CREATED,
    MERGED,
    REJECTED,
    UNCHANGED,
    candidates_write,
)
from candor.recruitment.models import (
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    Skill,
)
from candor.recruitment.records import (
    AddressData,
    CandidateRecord,
    EducationData,
    ExperienceData,
    RecordInvalid,
    clean_candidate,
)

TODAY = dt.date(2025, 3, 14)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


class RecordFactory(factory.Factory):
    """A synthetic Belgian candidate, reserved domains only."""

    class Meta:
        model = CandidateRecord

    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    emails = factory.Sequence(lambda n: [f"kandidaat{n}@example.com"])
    birth_date = dt.date(1990, 1, 1)


def cleaned(**fields: object) -> CandidateRecord:
    return clean_candidate(RecordFactory(**fields), today=TODAY)


def spec(code: str = "self", **extra: object) -> ProvenanceSpec:
    return ProvenanceSpec.parse(code, channel=Channel.IMPORT, **extra)


def write(
    actor: Actor, *records: CandidateRecord, source: ProvenanceSpec | None = None, **options: str
):
    return candidates_write(actor=actor, source=source or spec(), records=list(records), **options)


def counts() -> dict[str, int]:
    models = (
        Person,
        ContactPoint,
        Address,
        CandidateProfile,
        Education,
        Experience,
        LanguageSkill,
        Skill,
        Provenance,
        AuditEvent,
    )
    return {m.__name__: m.objects.count() for m in models}


# --- clean_candidate: field-level errors -------------------------------------------------------


@pytest.mark.req("R1.1")
def test_every_bad_field_is_reported_at_once_under_its_own_name() -> None:
    record = RecordFactory(
        first_name="",
        last_name="",
        emails=["lotte@@example"],
        phones=["12345"],
        mobiles=["0470 12"],
        birth_date=dt.date(2026, 1, 1),
        gender="q",
        nationality="Belgian",
        languages={"nl": "expert", "dutch": "C2"},
        available_from=dt.date(1900, 1, 1),
    )

    with pytest.raises(RecordInvalid) as excinfo:
        clean_candidate(record, today=TODAY)

    errors = excinfo.value.errors
    assert set(errors) == {
        "first_name",
        "last_name",
        "email",
        "phone",
        "mobile",
        "birth_date",
        "gender",
        "nationality",
        "languages",
        "available_from",
    }
    assert errors["email"] == ["“lotte@@example” is not a valid e-mail address."]
    assert errors["birth_date"] == ["A birth date cannot lie in the future."]
    assert errors["last_name"] == ["A surname is required."]
    assert "birth_date: A birth date cannot lie in the future." in excinfo.value.summary()


@pytest.mark.req("R1.1")
@pytest.mark.parametrize(
    ("birth_date", "code_word"),
    [
        (dt.date(2025, 3, 15), "future"),
        (dt.date(1900, 1, 1), "120 years"),
        (dt.date(2015, 1, 1), "younger than 14"),
    ],
)
def test_an_implausible_birth_date_is_a_birth_date_error(
    birth_date: dt.date, code_word: str
) -> None:
    with pytest.raises(RecordInvalid) as excinfo:
        cleaned(birth_date=birth_date)
    assert list(excinfo.value.errors) == ["birth_date"]
    assert code_word in excinfo.value.errors["birth_date"][0]


@pytest.mark.req("R1.1")
def test_contacts_are_normalised_and_deduplicated() -> None:
    record = cleaned(
        first_name="  Lotte ",
        last_name="Van den  Broeck",
        emails=[" Lotte@Example.COM", "lotte@example.com"],
        phones=["03 231 45 67"],
        mobiles=["0470 12 34 56", "+32 3 231 45 67"],
        urls=["https://www.linkedin.example.com/in/lotte/?trk=x", "not a url"],
    )

    assert (record.first_name, record.last_name) == ("Lotte", "Van den  Broeck")
    assert record.name_key == "lotte van den broeck"
    assert record.emails == ["lotte@example.com"]
    assert record.phones == ["+3232314567"]
    assert record.mobiles == ["+32470123456"]  # the landline is not held twice
    assert record.urls == ["linkedin.example.com/in/lotte"]
    assert record.warnings == ["profile address “not a url” is not a web address; skipped"]


@pytest.mark.req("R1.1")
def test_a_foreign_number_is_read_in_the_record_s_own_region() -> None:
    record = cleaned(phones=["06 12345678"], phone_region="NL")
    assert record.phones == ["+31612345678"]


@pytest.mark.req("R1.1")
def test_a_record_needs_an_email_a_phone_or_a_birth_date() -> None:
    with pytest.raises(RecordInvalid) as excinfo:
        cleaned(emails=[], birth_date=None)
    assert list(excinfo.value.errors) == ["identity"]
    assert cleaned(emails=[], birth_date=None, mobiles=["0470 12 34 56"]).mobiles


@pytest.mark.req("R1.1")
def test_html_and_script_stay_text_and_only_nul_bytes_are_removed() -> None:
    notes = "<script>alert('x')</script>\x00<b>ok</b>"
    record = cleaned(notes=notes, summary="<img src=x onerror=alert(1)>")
    assert record.notes == "<script>alert('x')</script><b>ok</b>"
    assert record.summary == "<img src=x onerror=alert(1)>"


@pytest.mark.req("R1.1")
def test_a_job_or_study_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(RecordInvalid) as excinfo:
        cleaned(
            experience=[
                ExperienceData("Kok", started_on=dt.date(2020, 1, 1), ended_on=dt.date(2019, 1, 1))
            ],
            education=[
                EducationData(
                    institution="KU Leuven",
                    started_on=dt.date(2012, 9, 1),
                    ended_on=dt.date(2010, 6, 30),
                )
            ],
        )
    assert set(excinfo.value.errors) == {"experience", "education"}


# --- candidates_write ------------------------------------------------------------------------


def full_record(**fields: object) -> CandidateRecord:
    return cleaned(
        **{
            "first_name": "Lotte",
            "last_name": "Van den Broeck",
            "emails": ["lotte.vandenbroeck@example.com"],
            "mobiles": ["0470 12 34 56"],
            "birth_date": dt.date(1991, 3, 14),
            "gender": "f",
            "notes": "Sterke analist",
            "address": AddressData(street="Meir", number="12", postcode="2000", city="Antwerpen"),
            "desired_function": "Data-analist",
            "education": [
                EducationData(
                    institution="Universiteit Antwerpen",
                    diploma="Master TEW",
                    level="master",
                    ended_on=dt.date(2018, 6, 30),
                )
            ],
            "experience": [
                ExperienceData("Analist", employer="Havenbedrijf", started_on=dt.date(2021, 3, 1))
            ],
            "languages": {"nl": "native", "fr": "B2"},
            "skills": ["SQL", "Power BI"],
            "urls": ["https://lotte.example.com"],
            **fields,
        }
    )


@pytest.mark.req("R1.1", "R2.1")
def test_a_new_record_is_stored_with_every_section_under_one_provenance(actor: Actor) -> None:
    source = spec("partner:VDAB", recorded_by_id=actor.user_id, reference="batch-7")

    [outcome] = write(actor, full_record(), source=source)

    assert outcome.status == CREATED
    person = Person.objects.get(pk=outcome.person_id)
    assert person.is_candidate
    assert (person.birth_date, person.gender, person.notes) == (
        dt.date(1991, 3, 14),
        "f",
        "Sterke analist",
    )
    provenance = Provenance.objects.get()
    assert (provenance.kind, provenance.name, provenance.reference) == (
        SourceKind.PARTNER,
        "VDAB",
        "batch-7",
    )
    assert provenance.recorded_by_id == actor.user_id
    expected = {
        ContactPoint: 3,
        Address: 1,
        CandidateProfile: 1,
        Education: 1,
        Experience: 1,
        LanguageSkill: 2,
        Skill: 2,
    }
    for model, n in expected.items():
        rows = model.objects.filter(person=person)
        assert rows.count() == n, model.__name__
        assert set(rows.values_list("provenance_id", flat=True)) == {provenance.pk}
    assert person.provenance_id == provenance.pk


@pytest.mark.req("R1.1")
def test_writing_the_same_record_again_changes_nothing(actor: Actor) -> None:
    write(actor, full_record())
    before = counts()

    [outcome] = write(actor, full_record())

    assert (outcome.status, outcome.conflicts) == (UNCHANGED, [])
    assert counts() == before  # not even a provenance row or an audit event


@pytest.mark.req("R1.1", "R2.1")
def test_a_merge_fills_gaps_adds_new_rows_and_reports_conflicts(actor: Actor) -> None:
    [created] = write(actor, full_record(notes="", desired_function=""))
    later = full_record(
        emails=["LOTTE.VANDENBROECK@example.com", "lotte@example.test"],
        mobiles=[],
        birth_date=dt.date(1991, 3, 15),
        gender="x",
        notes="Nieuw",
        desired_function="Controller",
        languages={"fr": "C1", "en": "B2"},
        skills=["sql", "Python"],
    )

    [outcome] = write(actor, later, source=spec("medium:Jobat"))

    assert (outcome.status, outcome.person_id) == (MERGED, created.person_id)
    assert sorted(outcome.conflicts) == ["birth_date", "gender", "languages.fr"]
    person = Person.objects.get()
    assert (person.birth_date, person.gender, person.notes) == (dt.date(1991, 3, 14), "f", "Nieuw")
    assert person.candidate.desired_function == "Controller"
    assert dict(person.languages.values_list("language", "level")) == {
        "nl": "native",
        "fr": "B2",
        "en": "B2",
    }
    skills = dict(person.skills.values_list("name", "provenance__kind"))
    assert skills == {"SQL": "subject", "Power BI": "subject", "Python": "medium"}
    emails = dict(
        person.contact_points.filter(kind=ContactKind.EMAIL).values_list("normalised", "is_primary")
    )
    assert emails == {"lotte.vandenbroeck@example.com": True, "lotte@example.test": False}
    merge = AuditEvent.objects.get(action="merge")
    assert merge.subject == str(person.pseudonym)
    assert merge.detail["fields"] == ["desired_function", "notes"]
    assert merge.detail["conflicts"] == ["birth_date", "gender", "languages.fr"]
    assert merge.detail["rows"] == {"contactpoint": 1, "languageskill": 1, "skill": 1}
    assert merge.detail["source"] == "medium:Jobat"


@pytest.mark.req("R1.1")
def test_a_number_held_as_mobile_matches_the_same_number_given_as_phone(actor: Actor) -> None:
    [created] = write(actor, full_record())
    [outcome] = write(actor, full_record(emails=[], mobiles=[], phones=["+32470123456"]))
    assert (outcome.status, outcome.person_id) == (UNCHANGED, created.person_id)
    assert ContactPoint.objects.filter(normalised="+32470123456").count() == 1


@pytest.mark.req("R1.1")
def test_same_contact_with_another_name_is_rejected_and_nothing_changes(actor: Actor) -> None:
    [created] = write(actor, full_record())
    before = counts()

    [outcome] = write(actor, full_record(first_name="Lien", last_name="Peeters", skills=["Go"]))

    assert outcome.status == REJECTED
    assert outcome.person_id is None
    assert f"person #{created.person_id}, whose name differs" in outcome.message
    assert counts() == before


@pytest.mark.req("R1.1")
def test_a_record_matching_two_people_is_rejected_and_nothing_changes(actor: Actor) -> None:
    [a, b] = write(
        actor,
        cleaned(first_name="Emma", last_name="Claes", emails=["emma@example.com"]),
        cleaned(first_name="Emma", last_name="Claes", emails=["e.claes@example.com"]),
    )
    assert (a.status, b.status) == (CREATED, CREATED)
    before = counts()

    [outcome] = write(
        actor,
        cleaned(
            first_name="Emma", last_name="Claes", emails=["emma@example.com", "e.claes@example.com"]
        ),
    )

    assert outcome.status == REJECTED
    first, second = sorted([a.person_id, b.person_id])
    assert outcome.message == f"matches several people (#{first}, #{second}); resolve by hand"
    assert counts() == before


@pytest.mark.req("R1.1")
def test_duplicates_in_one_batch_become_one_person_with_the_union_of_their_data(
    actor: Actor,
) -> None:
    job = ExperienceData("Kok", employer="De Karmeliet", started_on=dt.date(2019, 1, 1))
    outcomes = write(
        actor,
        cleaned(
            first_name="Jonas",
            last_name="Maes",
            emails=["jonas@example.com"],
            skills=["Koken"],
            experience=[job],
        ),
        cleaned(
            first_name="Jonas",
            last_name="Maes",
            emails=["JONAS@example.com"],
            mobiles=["0478 98 76 54"],
            skills=["Bakken"],
            experience=[
                ExperienceData("Kok", employer="De Karmeliet", started_on=dt.date(2019, 1, 1))
            ],
        ),
        cleaned(
            first_name="Jonas",
            last_name="Maes",
            emails=[],
            birth_date=None,
            mobiles=["+32478987654"],
            skills=["Serveren"],
        ),
        cleaned(first_name="Noor", last_name="Maes", emails=["jonas@example.com"]),
    )

    assert [o.status for o in outcomes] == [CREATED, MERGED, MERGED, REJECTED]
    assert "record 1 of this batch, whose name differs" in outcomes[3].message
    person = Person.objects.get()
    assert {o.person_id for o in outcomes[:3]} == {person.pk}
    assert set(person.skills.values_list("name", flat=True)) == {"Koken", "Bakken", "Serveren"}
    assert person.experience.count() == 1
    assert AuditEvent.objects.filter(action="create").count() == 1
    assert AuditEvent.objects.filter(action="merge").count() == 0


@pytest.mark.req("R1.1")
def test_two_records_of_one_batch_for_an_existing_person_are_merged_once(actor: Actor) -> None:
    [created] = write(
        actor, cleaned(first_name="Jonas", last_name="Maes", emails=["jonas@example.com"])
    )
    study = {
        "institution": "KU Leuven",
        "diploma": "Master Rechten",
        "ended_on": dt.date(2015, 6, 30),
    }
    outcomes = write(
        actor,
        cleaned(
            first_name="Jonas",
            last_name="Maes",
            emails=["jonas@example.com"],
            skills=["Fiscaliteit"],
            education=[EducationData(**study)],
            address=AddressData(city="Leuven", postcode="3000"),
        ),
        cleaned(
            first_name="Jonas",
            last_name="Maes",
            emails=["jonas@example.com"],
            skills=["Fiscaliteit", "Contractrecht"],
            education=[EducationData(**study)],
            address=AddressData(city="Leuven", postcode="3000"),
        ),
    )

    assert [(o.status, o.person_id) for o in outcomes] == [
        (MERGED, created.person_id),
        (MERGED, created.person_id),
    ]
    person = Person.objects.get()
    assert person.education.count() == 1
    assert person.addresses.count() == 1
    assert set(person.skills.values_list("name", flat=True)) == {"Fiscaliteit", "Contractrecht"}
    assert AuditEvent.objects.filter(action="merge").count() == 1

    again = write(
        actor,
        *(
            cleaned(first_name="Jonas", last_name="Maes", emails=["jonas@example.com"])
            for _ in range(2)
        ),
    )
    assert [o.status for o in again] == [UNCHANGED, UNCHANGED]


@pytest.mark.req("R1.1")
def test_report_mode_rejects_a_known_person_instead_of_merging(actor: Actor) -> None:
    [created] = write(actor, full_record())
    before = counts()

    [outcome] = write(actor, full_record(skills=["Nieuw"]), on_duplicate="report")

    assert (outcome.status, outcome.person_id) == (REJECTED, created.person_id)
    assert outcome.message == f"this person already exists (#{created.person_id})"
    assert counts() == before


@pytest.mark.req("R1.1")
def test_a_known_client_contact_becomes_a_candidate_on_merge(actor: Actor) -> None:
    provenance = spec("agency").row()
    contact = Person.objects.create(
        first_name="Els",
        last_name="Wouters",
        name_key="els wouters",
        is_client_contact=True,
        provenance=provenance,
    )
    ContactPoint.objects.create(
        person=contact,
        kind=ContactKind.EMAIL,
        value="els@example.com",
        normalised="els@example.com",
        provenance=provenance,
    )

    [outcome] = write(
        actor, cleaned(first_name="Els", last_name="Wouters", emails=["els@example.com"])
    )

    assert (outcome.status, outcome.person_id) == (MERGED, contact.pk)
    contact.refresh_from_db()
    assert contact.is_candidate
    assert contact.is_client_contact
    assert CandidateProfile.objects.filter(person=contact).exists()
    assert "is_candidate" in AuditEvent.objects.get(action="merge").detail["fields"]


@pytest.mark.req("R1.1")
def test_name_and_birth_date_match_when_there_is_no_contact(actor: Actor) -> None:
    [created] = write(
        actor,
        cleaned(first_name="Wout", last_name="Peeters", emails=[], birth_date=dt.date(1985, 7, 3)),
    )
    [same] = write(
        actor,
        cleaned(first_name="wout", last_name="PEETERS", emails=[], birth_date=dt.date(1985, 7, 3)),
    )
    [other] = write(
        actor,
        cleaned(first_name="Wout", last_name="Peeters", emails=[], birth_date=dt.date(1985, 7, 4)),
    )
    assert (same.status, same.person_id) == (UNCHANGED, created.person_id)
    assert other.status == CREATED


@pytest.mark.req("R1.1", "R9.1")
def test_each_created_person_gets_one_create_event_without_personal_values(
    actor: Actor,
) -> None:
    outcomes = write(
        actor,
        full_record(),
        cleaned(first_name="Gilles", last_name="Dupont", emails=["gilles@example.test"]),
    )

    events = list(AuditEvent.objects.all())
    assert len(events) == 2
    for outcome, event in zip(outcomes, events, strict=True):
        person = Person.objects.get(pk=outcome.person_id)
        assert (event.action, event.object_type, event.object_id, event.subject) == (
            "create",
            "people.person",
            str(person.pk),
            str(person.pseudonym),
        )
        assert event.actor == actor.ref
    text = json.dumps([e.detail for e in events])
    for value in (
        "Lotte",
        "Broeck",
        "lotte.vandenbroeck",
        "470123456",
        "Gilles",
        "Dupont",
        "gilles@",
        "Meir",
        "SQL",
        "Sterke",
        "1991",
    ):
        assert value not in text, value
    assert events[0].detail == {
        "source": "self",
        "rows": {
            "candidateprofile": 1,
            "contactpoint": 3,
            "address": 1,
            "education": 1,
            "experience": 1,
            "languageskill": 2,
            "skill": 2,
        },
    }


@pytest.mark.req("R1.1", "R2.1")
def test_a_batch_that_fails_leaves_nothing_behind_and_the_same_source_can_be_reused(
    actor: Actor, monkeypatch
) -> None:
    source = spec("partner:VDAB")
    records = [
        full_record(),
        cleaned(
            first_name="Gilles",
            last_name="Dupont",
            emails=["gilles@example.test"],
            skills=["Comptabilité"],
        ),
    ]

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("connection lost")

    monkeypatch.setattr("candor.recruitment.intake.audit_record_many", fail)
    before = counts()
    with pytest.raises(RuntimeError):
        write(actor, *records, source=source)
    assert counts() == before  # no person, no row of any section, no provenance
    monkeypatch.undo()

    outcomes = write(actor, *records, source=source)

    assert [o.status for o in outcomes] == [CREATED, CREATED]
    provenance = Provenance.objects.get()
    assert set(Person.objects.values_list("provenance_id", flat=True)) == {provenance.pk}
    assert set(Skill.objects.values_list("provenance_id", flat=True)) == {provenance.pk}


@pytest.mark.req("R1.1")
def test_a_record_sent_between_processes_arrives_whole() -> None:
    """Cleaned records travel pickled by their fields (``sent_by_fields``): what arrives, and
    a shallow copy, equal what was sent, nested sections and dates included."""
    record = CandidateRecord(
        "Lies",
        "Peeters",
        birth_date=dt.date(1990, 5, 17),
        emails=["lies.peeters@example.com"],
        address=AddressData(street="Kerkstraat", number="3", postcode="9000", city="Gent"),
        education=[EducationData(institution="UGent", ended_on=dt.date(2012, 6, 30))],
        languages={"nl": "native", "fr": "B2"},
        name_key="lies peeters",
        warnings=["a warning"],
    )
    assert pickle.loads(pickle.dumps(record)) == record  # noqa: S301
    shallow = copy.copy(record)
    assert shallow == record
    assert shallow is not record
    assert shallow.emails is record.emails  # shallow, as before


@pytest.mark.django_db
@pytest.mark.req("R2.1")
def test_new_people_get_their_own_keys_even_when_others_were_inserted_meanwhile(
    actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New people's keys are read back by key range; should that range miss some (rows of
    another writer, keys out of order), they are found by pseudonym: each outcome names the
    person holding that record's e-mail."""
    from candor.recruitment import intake

    monkeypatch.setattr(intake, "_last_person_id", lambda: 10**12)  # the range finds nothing
    records = [cleaned(), cleaned(), cleaned()]
    outcomes = write(actor, *records)
    assert [o.status for o in outcomes] == [CREATED] * 3
    for record, outcome in zip(records, outcomes, strict=True):
        holder = ContactPoint.objects.get(normalised=record.emails[0]).person_id
        assert outcome.person_id == holder
