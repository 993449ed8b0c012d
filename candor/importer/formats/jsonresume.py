"""JSON Resume import (the public jsonresume.org schema, v1): one file or a folder of them.

Imported: basics (name, label, e-mail, phone, url, summary, location, profiles), work,
education, certificates, skills and languages. Not imported, by design (minimisation, and
because they name other people): references, interests, volunteer, awards, publications,
projects, and the photo in ``basics.image``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from candor.core.readahead import EVERYTHING, Share
from candor.importer.formats.base import FileRejected, Item, parse_date
from candor.recruitment.records import AddressData, CandidateRecord, EducationData, ExperienceData

MAX_FILE = 5 * 1024 * 1024

LANGUAGE_NAMES = {
    "dutch": "nl",
    "nederlands": "nl",
    "néerlandais": "nl",
    "neerlandais": "nl",
    "flemish": "nl",
    "vlaams": "nl",
    "french": "fr",
    "frans": "fr",
    "français": "fr",
    "francais": "fr",
    "english": "en",
    "engels": "en",
    "anglais": "en",
    "german": "de",
    "duits": "de",
    "allemand": "de",
    "deutsch": "de",
    "spanish": "es",
    "spaans": "es",
    "espagnol": "es",
    "español": "es",
    "italian": "it",
    "italiaans": "it",
    "italien": "it",
    "portuguese": "pt",
    "portugees": "pt",
    "portugais": "pt",
    "arabic": "ar",
    "arabisch": "ar",
    "arabe": "ar",
    "turkish": "tr",
    "turks": "tr",
    "turc": "tr",
    "polish": "pl",
    "pools": "pl",
    "polonais": "pl",
    "russian": "ru",
    "russisch": "ru",
    "russe": "ru",
    "chinese": "zh",
    "mandarin": "zh",
    "chinees": "zh",
    "chinois": "zh",
    "japanese": "ja",
    "romanian": "ro",
    "roemeens": "ro",
    "roumain": "ro",
    "greek": "el",
    "grieks": "el",
    "grec": "el",
}
FLUENCY = {
    "native": "native",
    "native speaker": "native",
    "moedertaal": "native",
    "langue maternelle": "native",
    "bilingual": "native",
    "fluent": "C1",
    "full professional proficiency": "C1",
    "professional working proficiency": "B2",
    "professional": "B2",
    "advanced": "C1",
    "upper intermediate": "B2",
    "intermediate": "B1",
    "limited working proficiency": "B1",
    "conversational": "B1",
    "elementary": "A2",
    "elementary proficiency": "A2",
    "basic": "A1",
    "beginner": "A1",
}
STUDY_LEVELS = {
    "bachelor": "bachelor",
    "ba": "bachelor",
    "bsc": "bachelor",
    "professional bachelor": "bachelor",
    "master": "master",
    "ma": "master",
    "msc": "master",
    "mba": "master",
    "phd": "doctorate",
    "doctorate": "doctorate",
    "doctor": "doctorate",
    "secondary": "secondary",
    "high school": "secondary",
    "secundair": "secondary",
    "certificate": "certificate",
}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    """The strings of a list; anything else (null, a number, an object) holds none."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def split_name(full: str) -> tuple[str, str]:
    """First word is the first name; the rest (``Van den Broeck``) is the surname."""
    parts = full.split()
    if len(parts) < 2:
        return (parts[0] if parts else "", "")
    return parts[0], " ".join(parts[1:])


def _level(study_type: str) -> str:
    text = study_type.casefold()
    for word, level in STUDY_LEVELS.items():
        if text == word or text.startswith(word + " ") or f" {word}" in f" {text}":
            return level
    return ""


def resume_to_record(data: dict[str, Any]) -> CandidateRecord:
    if not isinstance(data, dict):
        raise ValueError("the file does not hold a JSON object")
    basics = data.get("basics")
    if not isinstance(basics, dict):
        raise ValueError("“basics” is missing or not an object")
    first, last = split_name(_text(basics.get("name")))
    raw_location = basics.get("location")
    location: dict[str, Any] = raw_location if isinstance(raw_location, dict) else {}
    country = _text(location.get("countryCode")).upper()[:2] or "BE"
    warnings: list[str] = []

    experience = []
    for job in _list(data.get("work")):
        description = "\n".join(
            [_text(job.get("summary"))] + [f"• {h}" for h in _strings(job.get("highlights"))]
        ).strip()
        experience.append(
            ExperienceData(
                function=_text(job.get("position")) or _text(job.get("name")),
                employer=_text(job.get("name")),
                started_on=parse_date(_text(job.get("startDate")), field="work.startDate"),
                ended_on=parse_date(_text(job.get("endDate")), field="work.endDate"),
                description=description,
            )
        )
    current = next((j for j in experience if j.ended_on is None), None)

    education = [
        EducationData(
            institution=_text(e.get("institution")),
            field_of_study=_text(e.get("area")),
            diploma=" ".join(p for p in (_text(e.get("studyType")), _text(e.get("area"))) if p),
            level=_level(_text(e.get("studyType"))),
            started_on=parse_date(_text(e.get("startDate")), field="education.startDate"),
            ended_on=parse_date(_text(e.get("endDate")), field="education.endDate"),
        )
        for e in _list(data.get("education"))
    ]
    education += [
        EducationData(
            kind="training",
            diploma=_text(c.get("name")),
            institution=_text(c.get("issuer")),
            level="certificate",
            ended_on=parse_date(_text(c.get("date")), field="certificates.date"),
        )
        for c in _list(data.get("certificates"))
    ]

    languages: dict[str, str] = {}
    for lang in _list(data.get("languages")):
        name = _text(lang.get("language"))
        code = LANGUAGE_NAMES.get(name.casefold(), name.lower() if len(name) == 2 else "")
        fluency = _text(lang.get("fluency"))
        level = (
            fluency.upper()
            if fluency.upper() in {"A1", "A2", "B1", "B2", "C1", "C2"}
            else (FLUENCY.get(fluency.casefold(), ""))
        )
        if not code or not level:
            warnings.append(f"language “{name}” ({fluency or 'no level'}) not recognised; skipped")
            continue
        languages[code] = level

    skills: list[str] = []
    for skill in _list(data.get("skills")):
        skills.append(_text(skill.get("name")))
        skills.extend(_strings(skill.get("keywords")))

    urls = [_text(basics.get("url"))] + [_text(p.get("url")) for p in _list(basics.get("profiles"))]
    return CandidateRecord(
        first_name=first,
        last_name=last,
        emails=[e for e in [_text(basics.get("email"))] if e],
        phones=[p for p in [_text(basics.get("phone"))] if p],
        urls=[u for u in urls if u],
        phone_region=country,
        address=AddressData(
            street=_text(location.get("address")),
            postcode=_text(location.get("postalCode")),
            city=_text(location.get("city")),
            country=country,
        ),
        current_function=_text(basics.get("label")) or (current.function if current else ""),
        current_employer=current.employer if current else "",
        summary=_text(basics.get("summary")),
        experience=experience,
        education=education,
        languages=languages,
        skills=skills,
        warnings=warnings,
    )


class JsonResumeFormat:
    name = "jsonresume"

    def _files(self, path: Path) -> list[Path]:
        if path.is_dir():
            return sorted(p for p in path.rglob("*.json") if p.is_file())
        return [path]

    def count(self, path: Path) -> int | None:
        return len(self._files(path))

    def read(self, path: Path, share: Share = EVERYTHING) -> Iterator[Item]:
        if not path.exists():
            raise FileRejected(f"{path} does not exist")
        base = path if path.is_dir() else path.parent
        for index, file in enumerate(self._files(path)):
            if index not in share:
                continue
            where = str(file.relative_to(base))
            try:
                if file.stat().st_size > MAX_FILE:
                    yield Item(where, error=f"larger than {MAX_FILE // (1024 * 1024)} MB")
                    continue
                data = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                yield Item(where, error=f"cannot be read ({exc})")
                continue
            except json.JSONDecodeError as exc:
                yield Item(where, error=f"not valid JSON (line {exc.lineno}: {exc.msg})")
                continue
            try:
                yield Item(where, record=resume_to_record(data))
            except ValueError as exc:
                yield Item(where, error=str(exc))
