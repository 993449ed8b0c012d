"""CSV import: one row per candidate, header documented in ``docs/import.md``."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from candor.core.readahead import EVERYTHING, Share
from candor.importer.formats.base import FileRejected, Item, parse_date
from candor.recruitment.records import AddressData, CandidateRecord, EducationData, ExperienceData

COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "birth_date",
    "gender",
    "civil_status",
    "nationality",
    "language",
    "contact_channel",
    "contact_times",
    "street",
    "number",
    "box",
    "postcode",
    "city",
    "country",
    "desired_function",
    "current_function",
    "current_employer",
    "available_from",
    "education_diploma",
    "education_field",
    "education_institution",
    "education_level",
    "education_end",
    "languages",
    "skills",
    "profile_url",
    "notes",
)
REQUIRED = ("first_name", "last_name")
MAX_FIELD = 100_000


def _split(value: str) -> list[str]:
    return [part for part in map(str.strip, (value or "").replace(",", ";").split(";")) if part]


def _languages(value: str) -> dict[str, str]:
    """``nl:C2;fr:B1;en:native`` → {"nl": "C2", ...}."""
    result = {}
    for part in _split(value):
        code, sep, level = part.partition(":")
        if not sep:
            raise ValueError(f"languages: “{part}” should look like nl:C2")
        level = level.strip()
        result[code.strip().lower()] = "native" if level.lower() == "native" else level.upper()
    return result


EMPTY_ROW = dict.fromkeys(COLUMNS, "")


def row_to_record(row: dict[str, str]) -> CandidateRecord:
    return _record(EMPTY_ROW | {name: (value or "").strip() for name, value in row.items()})


def _record(stripped: dict[str, str]) -> CandidateRecord:
    """The record of a row whose every column is there, stripped (a missing one empty)."""
    get = stripped.__getitem__
    education = []
    if get("education_diploma") or get("education_institution") or get("education_field"):
        education.append(
            EducationData(
                diploma=get("education_diploma"),
                field_of_study=get("education_field"),
                institution=get("education_institution"),
                level=get("education_level").lower(),
                ended_on=parse_date(get("education_end"), field="education_end"),
            )
        )
    experience = []
    if get("current_function"):
        experience.append(
            ExperienceData(function=get("current_function"), employer=get("current_employer"))
        )
    address = AddressData(
        street=get("street"),
        number=get("number"),
        box=get("box"),
        postcode=get("postcode"),
        city=get("city"),
        country=get("country") or "BE",
    )
    return CandidateRecord(
        first_name=get("first_name"),
        last_name=get("last_name"),
        birth_date=parse_date(get("birth_date"), field="birth_date"),
        gender=get("gender").lower(),
        civil_status=get("civil_status").lower(),
        nationality=get("nationality"),
        preferred_language=get("language").lower(),
        contact_channel=get("contact_channel").lower(),
        contact_times=get("contact_times"),
        emails=_split(get("email")),
        phones=_split(get("phone")),
        mobiles=_split(get("mobile")),
        urls=_split(get("profile_url")),
        address=address,
        desired_function=get("desired_function"),
        current_function=get("current_function"),
        current_employer=get("current_employer"),
        available_from=parse_date(get("available_from"), field="available_from"),
        education=education,
        experience=experience,
        languages=_languages(get("languages")),
        skills=_split(get("skills")),
        notes=get("notes"),
    )


def values_to_record(header: list[str], values: list[str]) -> CandidateRecord:
    """A row as ``read`` found it (a short row: the rest is empty) → its record."""
    stripped = EMPTY_ROW.copy()
    stripped.update(zip(header, map(str.strip, values), strict=False))
    return _record(stripped)


def _header(row: list[str], path: Path) -> list[str]:
    """The column names, or why the file cannot be read with them."""
    header = [h.strip() for h in row]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in REQUIRED if h not in header]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        raise FileRejected(
            f"{path.name}: {'; '.join(problems)}. Expected columns: {', '.join(COLUMNS)}"
        )
    return header


class CsvFormat:
    name = "csv"

    def count(self, path: Path) -> int | None:
        with path.open("rb") as fh:
            return max(sum(1 for _ in fh) - 1, 0)

    def read(self, path: Path, share: Share = EVERYTHING) -> Iterator[Item]:
        csv.field_size_limit(MAX_FIELD)
        try:
            fh = path.open(encoding="utf-8-sig", newline="")
            sample = fh.read(4096)
        except (OSError, UnicodeDecodeError) as exc:
            raise FileRejected(f"{path.name}: cannot be read as UTF-8 text ({exc})") from None
        fh.seek(0)
        try:
            delimiter = ";" if sample.count(";") > sample.count(",") else ","
            reader = csv.reader(fh, delimiter=delimiter)
            header = _header(next(reader, []), path)
            width = len(header)
            index = -1
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    break
                except (csv.Error, UnicodeDecodeError) as exc:
                    index += 1
                    if index in share:
                        yield Item(
                            f"{path.name}:{reader.line_num}", error=f"unreadable row ({exc})"
                        )
                    continue
                if not any(v.strip() for v in values):
                    continue  # blank line
                index += 1
                if index not in share:
                    continue
                where = f"{path.name}:{reader.line_num}"
                if len(values) > width:
                    yield Item(where, error=f"{len(values) - width} more value(s) than columns")
                    continue
                try:
                    record = values_to_record(header, values)
                    yield Item(where, record=record, again=(values_to_record, (header, values)))
                except ValueError as exc:
                    yield Item(where, error=str(exc))
        finally:
            fh.close()
