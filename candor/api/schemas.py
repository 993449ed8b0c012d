from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict


class In(Schema):
    """A request body: a field the API does not know is refused (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class SourceOut(Schema):
    kind: str
    name: str
    channel: str
    obtained_at: dt.datetime


class ContactOut(Schema):
    kind: str
    value: str
    source: SourceOut


class AddressIn(In):
    street: str = ""
    number: str = ""
    box: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "BE"


class EducationIn(In):
    institution: str = ""
    field_of_study: str = ""
    diploma: str = ""
    level: str = ""
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


class ExperienceIn(In):
    function: str
    employer: str = ""
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    description: str = ""


class CandidateIn(In):
    first_name: str = Field(..., max_length=100)
    last_name: str = Field(..., max_length=100)
    birth_date: dt.date | None = None
    gender: str = ""
    civil_status: str = ""
    nationality: str = ""
    preferred_language: str = ""
    contact_channel: str = ""
    contact_times: str = ""
    notes: str = ""
    emails: list[str] = []
    phones: list[str] = []
    mobiles: list[str] = []
    urls: list[str] = []
    address: AddressIn | None = None
    desired_function: str = ""
    current_function: str = ""
    current_employer: str = ""
    available_from: dt.date | None = None
    summary: str = ""
    education: list[EducationIn] = []
    experience: list[ExperienceIn] = []
    languages: dict[str, str] = Field(default={}, examples=[{"nl": "native", "fr": "B2"}])
    skills: list[str] = []
    source: str = Field("self", description="self, third-party, medium:NAME or partner:NAME")


class CandidateSummary(Schema):
    id: int
    first_name: str
    last_name: str
    desired_function: str
    source: SourceOut


class LanguageOut(Schema):
    language: str
    level: str


class CandidateOut(Schema):
    id: int
    first_name: str
    last_name: str
    birth_date: dt.date | None
    gender: str
    civil_status: str
    nationality: str
    preferred_language: str
    contact_channel: str
    contact_times: str
    notes: str
    roles: list[str]
    source: SourceOut
    contacts: list[ContactOut]
    desired_function: str
    current_function: str
    current_employer: str
    languages: list[LanguageOut]
    skills: list[str]


class PersonPatch(In):
    first_name: str | None = None
    last_name: str | None = None
    birth_date: dt.date | None = None
    gender: str | None = None
    civil_status: str | None = None
    nationality: str | None = None
    preferred_language: str | None = None
    contact_channel: str | None = None
    contact_times: str | None = None
    notes: str | None = None


class OrganisationIn(In):
    kind: str = Field(..., description="client, supplier or both")
    name: str
    sector: str = ""
    website: str = ""
    vat_number: str = ""
    iban: str = ""
    bic: str = ""
    billing_street: str = ""
    billing_postcode: str = ""
    billing_city: str = ""
    billing_country: str = "BE"


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    sector: str
    vat_number: str
    iban: str


class VacancyIn(In):
    client_id: int
    reference: str
    title: str
    description: str = ""
    postcode: str = ""
    city: str = ""
    status: str = "open"
    opened_on: dt.date | None = None


class VacancyOut(Schema):
    id: int
    client_id: int
    reference: str
    title: str
    status: str
    opened_on: dt.date


class ApplicationIn(In):
    person_id: int
    vacancy_id: int
    motivation: str = ""
    source: str = "self"


class ApplicationOut(Schema):
    id: int
    person_id: int
    vacancy_id: int
    stage: str
    applied_on: dt.date


class MoveIn(In):
    stage: str


class StepIn(In):
    kind: str
    scheduled_at: dt.datetime
    outcome: str = "pending"
    score: Decimal | None = None
    report: str = ""
    test_name: str = ""
