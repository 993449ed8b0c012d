"""Synthetic test data for the API and site tests, written through the real services.

Names come from Faker's nl_BE and fr_BE locales; e-mail addresses only use example.com.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.core.files.base import ContentFile
from faker import Faker

from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Document, Person
from candor.people.services import ProvenanceSpec
from candor.recruitment.intake import CREATED, candidates_write
from candor.recruitment.models import Application, Vacancy
from candor.recruitment.records import CandidateRecord, clean_candidate
from candor.recruitment.services import application_create, vacancy_create
from candor.relations.models import Organisation
from candor.relations.services import organisation_create

FAKE = Faker(["nl_BE", "fr_BE"])
FAKE.seed_instance(20240611)
_serial = itertools.count(1)


def belgian_vat(number: int) -> str:
    """A valid Belgian VAT number: BE0 + 7 digits + check digits 97 - (n mod 97)."""
    base = f"0{number:07d}"
    return f"BE{base}{97 - int(base) % 97:02d}"


def belgian_iban(bank: int, account: int) -> str:
    """A valid Belgian IBAN (national and international check digits both right)."""
    first_ten = f"{bank:03d}{account:07d}"
    national = int(first_ten) % 97 or 97
    bban = f"{first_ten}{national:02d}"
    numeric = int(bban + "1114" + "00")  # B=11, E=14, check digits 00
    return f"BE{98 - numeric % 97:02d}{bban}"


def unique_email(hint: str = "kandidaat") -> str:
    return f"{hint}.{next(_serial)}@example.com"


def candidate_record(**overrides: Any) -> CandidateRecord:
    values: dict[str, Any] = {
        "first_name": FAKE.first_name(),
        "last_name": FAKE.last_name(),
        "emails": [unique_email()],
    }
    values.update(overrides)
    return CandidateRecord(**values)


def make_candidates(
    actor: Actor, count: int = 1, *, source: str = "self", **overrides: Any
) -> list[Person]:
    """``count`` new candidates from one source, written by ``candidates_write``."""
    records = [
        clean_candidate(candidate_record(**overrides), today=clock.today()) for _ in range(count)
    ]
    spec = ProvenanceSpec.parse(source, channel="form", recorded_by_id=actor.user_id)
    outcomes = candidates_write(actor=actor, source=spec, records=records)
    assert [o.status for o in outcomes] == [CREATED] * count, outcomes
    ids = [o.person_id for o in outcomes]
    return list(Person.objects.filter(pk__in=ids).order_by("id"))


def make_candidate(actor: Actor, *, source: str = "self", **overrides: Any) -> Person:
    return make_candidates(actor, 1, source=source, **overrides)[0]


def make_client(actor: Actor, **overrides: Any) -> Organisation:
    data = {"kind": "client", "name": FAKE.company(), "sector": "logistiek"}
    data.update(overrides)
    return organisation_create(actor=actor, data=data)


def make_vacancy(actor: Actor, client: Organisation, **overrides: Any) -> Vacancy:
    data: dict[str, Any] = {
        "client": client,
        "reference": f"VAC-{next(_serial):04d}",
        "title": "Boekhouder",
        "consultant_id": actor.user_id,
        "opened_on": clock.today() - dt.timedelta(days=3),
    }
    data.update(overrides)
    return vacancy_create(actor=actor, data=data)


def make_application(actor: Actor, person: Person, vacancy: Vacancy) -> Application:
    spec = ProvenanceSpec.parse("self", channel="form", recorded_by_id=actor.user_id)
    return application_create(actor=actor, person=person, vacancy=vacancy, source=spec)


def missing_id(model: type) -> int:
    """An id no row of ``model`` has (works with PostgreSQL sequences that are never reset)."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return last + 1000


def make_document(person: Person, content: bytes, *, name: str = "cv.pdf") -> Document:
    """A CV stored for ``person`` through the storage (encrypted there like any document)."""
    return Document.objects.create(
        person=person,
        provenance=person.provenance,
        kind="cv",
        file=ContentFile(content, name=name),
        original_name=name,
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
    )
