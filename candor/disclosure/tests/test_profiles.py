"""Anonymous profiles (R4.1): built from an allow-list the registry vouches for, with nothing
that identifies the person — checked against hundreds of generated candidates."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils.text import slugify

from candor.api.tests.factories import FAKE, candidate_record, make_candidate, make_client
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import Disclosure
from candor.disclosure.profiles import (
    SHAREABLE,
    SHOWN,
    build_profiles,
    profile_code,
    render_profile,
    shown_categories,
)
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.privacy.registry import Category, declaration_for
from candor.privacy.services import restriction_start
from candor.recruitment.intake import CREATED, candidates_write
from candor.recruitment.records import AddressData, EducationData, ExperienceData, clean_candidate

pytestmark = [pytest.mark.django_db, pytest.mark.req("R4.1")]

FUNCTIONS = ["Boekhouder", "Magazijnier", "Comptable", "Verpleegkundige", "Developer", "Lasser"]
SKILLS = ["Excel", "SAP", "heftruck", "Python", "soudure", "HACCP", "Dutch writing"]
SECTORS = ["logistiek", "zorg", "bouw", "IT"]


def _generated(actor: Actor, count: int, seed: int = 7) -> list[Person]:
    """``count`` candidates with everything that could leak: employers (some known to the
    agency, some named after the person), rare schools, streets, phones, birth dates, a summary
    and notes naming the person, and functions and skills that mention their name."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not security
    known = [
        make_client(actor, name=f"{FAKE.company()} {i}", sector=rng.choice(SECTORS))
        for i in range(5)
    ]
    today = clock.today()
    records = []
    for i in range(count):
        first, last = FAKE.first_name(), FAKE.last_name()
        birth = dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
        own_firm = f"{last} & Zonen BV"
        start = today - dt.timedelta(days=rng.randint(400, 4000))
        records.append(
            clean_candidate(
                candidate_record(
                    first_name=first,
                    last_name=last,
                    birth_date=birth,
                    emails=[f"{slugify(first)}.{slugify(last)}.{i}@example.com"],
                    mobiles=[f"+32 47{rng.randint(0, 9)} {rng.randint(100000, 999999)}"],
                    address=AddressData(
                        street=f"{FAKE.street_name()}",
                        number=str(rng.randint(1, 200)),
                        postcode=str(rng.choice([1000, 2000, 2600, 3000, 4000, 8000, 9000])),
                        city=FAKE.city(),
                    ),
                    desired_function=rng.choice(FUNCTIONS),
                    current_function=f"Assistent van {first} {last}"
                    if i % 7 == 0
                    else rng.choice(FUNCTIONS),
                    current_employer=own_firm if i % 2 else known[i % 5].name,
                    available_from=today + dt.timedelta(days=rng.randint(-30, 90)),
                    summary=f"{first} {last} is een gedreven kracht, bel {first} op zijn gsm.",
                    notes=f"Mail {slugify(first)}@example.com; woont in {FAKE.street_name()}.",
                    education=[
                        EducationData(
                            institution=f"Sint-{last}instituut {i}",
                            field_of_study=rng.choice(["Rechten", "Informatica", "Boekhouden"]),
                            diploma="Bachelor" if i % 3 else f"Diploma {last}",
                            level=rng.choice(["bachelor", "master", "secondary"]),
                            ended_on=birth + dt.timedelta(days=365 * 22),
                        )
                    ],
                    experience=[
                        ExperienceData(
                            function=rng.choice(FUNCTIONS),
                            employer=own_firm,
                            started_on=start,
                            description=f"Werkte samen met {first} {last} senior.",
                        ),
                        ExperienceData(
                            function=rng.choice(FUNCTIONS),
                            employer=known[(i + 1) % 5].name,
                            started_on=start - dt.timedelta(days=900),
                            ended_on=start - dt.timedelta(days=10),
                        ),
                    ],
                    languages={"nl": rng.choice(["B2", "C1", "native"]), "fr": "B1"},
                    skills=rng.sample(SKILLS, 3) + ([f"{last} method"] if i % 5 == 0 else []),
                ),
                today=today,
            )
        )
    spec = ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id)
    outcomes = candidates_write(actor=actor, source=spec, records=records)
    assert {o.status for o in outcomes} == {CREATED}
    return list(Person.objects.filter(pk__in=[o.person_id for o in outcomes]).order_by("pk"))


def _identifiers(person: Person) -> list[str]:
    """Everything that names this person: names, e-mail, phone, street, birth date, employer,
    school, and the free texts about them."""
    found = [person.first_name, person.last_name, f"{person.first_name} {person.last_name}"]
    found += [p.value for p in person.contact_points.all()]
    found += [p.normalised for p in person.contact_points.all()]
    found += [a.street for a in person.addresses.all()]
    if person.birth_date:
        found += [person.birth_date.isoformat(), f"{person.birth_date:%d/%m/%Y}"]
    found += [e.employer for e in person.experience.all()]
    found += [e.description for e in person.experience.all()]
    found += [e.institution for e in person.education.all()]
    found += [person.candidate.summary, person.candidate.current_employer, person.notes]
    return [f for f in found if f and len(f) >= 3]


def _contains(text: str, identifier: str) -> bool:
    # Names as whole words (a first name "Ann" may not flag "Annual"); the rest anywhere.
    return (
        re.search(rf"(?<!\w){re.escape(identifier.casefold())}(?!\w)", text.casefold()) is not None
    )


def test_no_profile_contains_any_identifier_of_its_person(actor: Actor) -> None:
    people = _generated(actor, 300)

    profiles = build_profiles([p.pk for p in people])
    leaks = []
    for person in (
        Person.objects.filter(pk__in=[p.pk for p in people])
        .prefetch_related("contact_points", "addresses", "experience", "education")
        .select_related("candidate")
    ):
        rendered = render_profile(profiles[person.pk])
        for text in (rendered.text, rendered.html):
            leaks += [(person.pk, i) for i in _identifiers(person) if _contains(text, i)]
    assert leaks == []
    # The profiles are not empty shells: the shared facts are there.
    sample = render_profile(profiles[people[1].pk]).text
    assert "Looking for:" in sample
    assert "Age:" in sample
    assert "Region:" in sample
    assert "Languages: French B1, Dutch" in sample


def test_a_profile_shows_bands_regions_sectors_and_common_schools(actor: Actor) -> None:
    known = make_client(actor, name="Havenbedrijf Voorbeeld", sector="logistiek")
    today = clock.today()
    person = make_candidate(
        actor,
        birth_date=today.replace(year=today.year - 33) - dt.timedelta(days=1),
        address=AddressData(street="Kerkstraat", number="1", postcode="2000", city="Antwerpen"),
        desired_function="Boekhouder",
        experience=[ExperienceData(function="Planner", employer=known.name)],
        education=[
            EducationData(institution="KU Leuven", field_of_study="Economie", level="master")
        ],
    )
    for _ in range(10):
        make_candidate(actor, education=[EducationData(institution="KU Leuven", level="master")])

    text = render_profile(build_profiles([person.pk])[person.pk]).text

    assert "Age: 30–34 years" in text
    assert "Region: Antwerp" in text
    assert "Planner, sector: logistiek" in text
    assert "Havenbedrijf" not in text
    assert "Master Economie — KU Leuven" in text


def test_every_shown_field_is_declared_and_only_shareable_categories_are_shown_as_is() -> None:
    for label, fields in SHOWN.items():
        from django.apps import apps

        declaration = declaration_for(apps.get_model(label))
        assert declaration is not None
        for name, form in fields.items():
            category = declaration.fields[name].category
            if form == "as is":
                assert category in SHAREABLE, (label, name)
            assert not declaration.fields[name].sensitive or form != "as is", (label, name)
    assert Category.IDENTITY.value not in shown_categories()


def test_the_reference_code_is_stable_and_not_the_id_or_the_name(actor: Actor) -> None:
    person = make_candidate(actor)

    code = profile_code(person.pseudonym)

    assert code == profile_code(person.pseudonym)
    assert re.fullmatch(r"C-[A-Z2-7]{8}", code)
    assert person.last_name.upper()[:4] not in code
    assert profile_code(make_candidate(actor).pseudonym) != code


def test_candor_profile_prints_text_and_html_and_records_only_with_to(
    actor: Actor, capsys: Any, consultant: Any
) -> None:
    person = make_candidate(actor, desired_function="Lasser")
    client = make_client(actor)

    call_command("profile", str(person.pk))
    out, err = capsys.readouterr()
    assert out.startswith(f"Candidate {profile_code(person.pseudonym)}")
    assert "Looking for: Lasser" in out
    assert "not recorded" in err
    assert not Disclosure.objects.exists()

    call_command(
        "profile",
        str(person.pk),
        "--format",
        "html",
        "--to",
        str(client.pk),
        "--actor",
        consultant.username,
    )
    out, _ = capsys.readouterr()
    assert out.startswith("<section")
    assert "Lasser" in out
    row = Disclosure.objects.get()
    assert (row.organisation_id, row.content, row.by_id) == (client.pk, out, consultant.pk)


def test_candor_profile_refuses_a_restricted_candidate_with_the_reason(actor: Actor) -> None:
    person = make_candidate(actor)
    restriction_start(actor=actor, person=person, ground="accuracy", via="email")

    with pytest.raises(CommandError, match="restrict"):
        call_command("profile", str(person.pk))
    with pytest.raises(CommandError, match="no candidate"):
        call_command("profile", "999999")
