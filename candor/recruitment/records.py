"""The one shape in which a candidate enters the system, and the one place it is validated.

Every intake path (back-office form, API, CSV, JSON Resume, demo data) builds a
``CandidateRecord`` and passes it through ``clean_candidate``; the writer in
``candor.recruitment.services`` accepts only cleaned records. So a rule about e-mail, phone or
birth dates is written once and holds everywhere.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from candor.core.normalise import (
    normalise_email,
    normalise_name,
    normalise_phone,
    normalise_url,
    validate_birth_date,
)
from candor.core.readahead import sent_by_fields
from candor.people.models import CivilStatus, ContactChannel, Gender, Language
from candor.recruitment.models import CEFR, EducationLevel

MAX_TEXT = 10_000
# The allowed values, listed once (an enum's ``.values`` is rebuilt on every access).
GENDERS, CIVIL_STATUSES = list(Gender.values), list(CivilStatus.values)
LANGUAGES, CONTACT_CHANNELS = list(Language.values), list(ContactChannel.values)
CEFR_LEVELS, EDUCATION_LEVELS = list(CEFR.values), list(EducationLevel.values)


@sent_by_fields  # an import sends records between processes
@dataclass(slots=True)
class EducationData:
    institution: str = ""
    field_of_study: str = ""
    diploma: str = ""
    level: str = ""
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    kind: str = "study"

    def key(self) -> tuple[str, str, str]:
        return (
            normalise_name(self.institution),
            normalise_name(self.diploma or self.field_of_study),
            str(self.ended_on.year if self.ended_on else ""),
        )


@sent_by_fields  # an import sends records between processes
@dataclass(slots=True)
class ExperienceData:
    function: str
    employer: str = ""
    started_on: dt.date | None = None
    ended_on: dt.date | None = None
    description: str = ""

    def key(self) -> tuple[str, str, str]:
        return (
            normalise_name(self.employer),
            normalise_name(self.function),
            self.started_on.isoformat() if self.started_on else "",
        )


@sent_by_fields  # an import sends records between processes
@dataclass(slots=True)
class AddressData:
    street: str = ""
    number: str = ""
    box: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "BE"

    def is_empty(self) -> bool:
        return not (self.street or self.postcode or self.city)


@sent_by_fields  # an import sends records between processes
@dataclass(slots=True)
class CandidateRecord:
    first_name: str
    last_name: str
    birth_date: dt.date | None = None
    gender: str = ""
    civil_status: str = ""
    nationality: str = ""
    preferred_language: str = ""
    contact_channel: str = ""
    contact_times: str = ""
    notes: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    mobiles: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    address: AddressData | None = None
    desired_function: str = ""
    current_function: str = ""
    current_employer: str = ""
    available_from: dt.date | None = None
    summary: str = ""
    education: list[EducationData] = field(default_factory=list)
    experience: list[ExperienceData] = field(default_factory=list)
    languages: dict[str, str] = field(default_factory=dict)  # ISO 639-1 → CEFR level
    skills: list[str] = field(default_factory=list)
    phone_region: str = "BE"
    # Set by clean_candidate:
    name_key: str = ""
    warnings: list[str] = field(default_factory=list)

    def contact_keys(self) -> list[tuple[str, str]]:
        """(kind, normalised value) pairs used to find duplicates."""
        return contact_keys(self.emails, self.phones, self.mobiles)


def contact_keys(emails: list[str], phones: list[str], mobiles: list[str]) -> list[tuple[str, str]]:
    keys = [("email", e) for e in emails]
    keys += [("phone", p) for p in phones + mobiles]
    return keys


class RecordInvalid(Exception):
    """A record that cannot be stored; ``errors`` maps field names to readable messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(self.summary())

    def summary(self) -> str:
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.errors.items())


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _text(value: str, limit: int) -> str:
    # Stored as typed: HTML or script stays text, escaped wherever it is shown.
    return (value or "").replace("\x00", "").strip()[:limit]


class _Errors(dict[str, list[str]]):
    """Problems by field name, gathered so a record reports all of them at once."""

    def add(self, name: str, *messages: str) -> None:
        self.setdefault(name, []).extend(messages)


def _choice(errors: _Errors, name: str, value: str, allowed: list[str]) -> str:
    value = (value or "").strip()
    if value and value not in allowed:
        errors.add(
            name,
            _("“%(value)s” is not one of: %(allowed)s.")
            % {"value": value, "allowed": ", ".join(v for v in allowed if v)},
        )
    return value


def _clean_identity(r: CandidateRecord, errors: _Errors, today: dt.date) -> None:
    r.first_name = _text(r.first_name, 100)
    r.last_name = _text(r.last_name, 100)
    if not r.first_name:
        errors.add("first_name", _("A first name is required."))
    if not r.last_name:
        errors.add("last_name", _("A surname is required."))
    r.name_key = normalise_name(f"{r.first_name} {r.last_name}")
    if r.birth_date is not None:
        try:
            validate_birth_date(r.birth_date, today=today)
        except ValidationError as exc:
            errors.add("birth_date", *_messages(exc))
    if r.available_from is not None and r.available_from.year < 1950:
        errors.add("available_from", _("This date is not plausible."))
    r.gender = _choice(errors, "gender", r.gender, GENDERS)
    r.civil_status = _choice(errors, "civil_status", r.civil_status, CIVIL_STATUSES)
    r.preferred_language = _choice(errors, "preferred_language", r.preferred_language, LANGUAGES)
    r.contact_channel = _choice(errors, "contact_channel", r.contact_channel, CONTACT_CHANNELS)
    r.nationality = (r.nationality or "").strip().upper()
    if r.nationality and (len(r.nationality) != 2 or not r.nationality.isalpha()):
        errors.add("nationality", _("Use a two-letter country code (BE, NL, FR…)."))


def _normalised(values: list[str], normalise: Any, errors: _Errors, name: str) -> list[str]:
    kept = []
    for value in values:
        try:
            kept.append(normalise(value))
        except ValidationError as exc:
            errors.add(name, *_messages(exc))
    return list(dict.fromkeys(kept))


def _clean_contacts(r: CandidateRecord, errors: _Errors) -> None:
    region = r.phone_region or "BE"
    r.emails = _normalised(r.emails, normalise_email, errors, "email")
    r.phones = _normalised(r.phones, lambda v: normalise_phone(v, region), errors, "phone")
    mobiles = _normalised(r.mobiles, lambda v: normalise_phone(v, region), errors, "mobile")
    r.mobiles = [m for m in mobiles if m not in r.phones]
    urls = []
    for value in r.urls:
        try:
            urls.append(normalise_url(value))
        except ValidationError:
            r.warnings.append(f"profile address “{value}” is not a web address; skipped")
    r.urls = list(dict.fromkeys(urls))
    if r.address is not None:
        a = r.address
        a.street, a.number, a.box = _text(a.street, 120), _text(a.number, 12), _text(a.box, 12)
        a.postcode, a.city = _text(a.postcode, 12), _text(a.city, 120)
        a.country = (a.country or "BE").strip().upper()[:2]
        if a.is_empty():
            r.address = None


def _clean_languages(r: CandidateRecord, errors: _Errors) -> None:
    languages = {}
    for raw_code, level in r.languages.items():
        code = (raw_code or "").strip().lower()
        if len(code) != 2 or not code.isalpha():
            errors.add(
                "languages", _("“%(code)s” is not a two-letter language code.") % {"code": code}
            )
        elif level not in CEFR_LEVELS:
            errors.add(
                "languages",
                _("“%(level)s” is not a CEFR level (A1–C2 or native).") % {"level": level},
            )
        else:
            languages[code] = level
    r.languages = languages


def _clean_history(r: CandidateRecord, errors: _Errors) -> None:
    for item in r.education:
        item.institution = _text(item.institution, 160)
        item.field_of_study = _text(item.field_of_study, 160)
        item.diploma = _text(item.diploma, 160)
        item.level = _choice(errors, "education", item.level, EDUCATION_LEVELS)
        if item.started_on and item.ended_on and item.ended_on < item.started_on:
            errors.add("education", _("An education ends before it starts."))
    r.education = [e for e in r.education if e.institution or e.diploma or e.field_of_study]
    for job in r.experience:
        job.function = _text(job.function, 160)
        job.employer = _text(job.employer, 160)
        job.description = _text(job.description, MAX_TEXT)
        if job.started_on and job.ended_on and job.ended_on < job.started_on:
            errors.add("experience", _("A job ends before it starts."))
    r.experience = [j for j in r.experience if j.function]
    r.skills = list(dict.fromkeys(s for s in (_text(x, 80) for x in r.skills) if s))
    for name, limit in (
        ("desired_function", 160),
        ("current_function", 160),
        ("current_employer", 160),
        ("contact_times", 120),
    ):
        setattr(r, name, _text(getattr(r, name), limit))
    r.summary = _text(r.summary, MAX_TEXT)
    r.notes = _text(r.notes, MAX_TEXT)


def clean_candidate(record: CandidateRecord, *, today: dt.date) -> CandidateRecord:
    """Validate and normalise a record; raise ``RecordInvalid`` listing every problem at once
    (R1.1). Free text is kept as typed (HTML stays text) and trimmed to the field's length."""
    errors = _Errors()
    r = copy.copy(record)  # as ``dataclasses.replace`` would, at a third of its cost
    r.warnings = list(record.warnings)
    _clean_identity(r, errors, today)
    _clean_contacts(r, errors)
    _clean_languages(r, errors)
    _clean_history(r, errors)
    if not (r.emails or r.phones or r.mobiles or r.birth_date):
        errors.add(
            "identity",
            _(
                "An e-mail address, a phone number or a birth date is needed to tell this "
                "person apart from others."
            ),
        )
    if errors:
        raise RecordInvalid(dict(errors))
    return r
