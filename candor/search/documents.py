"""What the search index holds for one candidate, built from the database in a few queries.

Columns: ``names``, ``functions`` (desired, current and past functions), ``skills``, ``career``
(employers and job descriptions), ``education`` and ``notes`` (the profile summary) for full
text; ``facets`` holds filter tokens (language at or above a CEFR level, education at
or above a level, province, postcode area, procedure stage, source), so a search and its filters
are answered together by the full-text index.

Fields registered ``sensitive`` (encrypted with the person's key: free notes, birth date,
assessment results, guidance notes) are never indexed: an index entry in clear would outlive the
key and defeat crypto-shredding. What is indexed is what finding a candidate needs: names,
functions, skills, career, education, the summary they wrote, and coarse facets.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from candor.people.models import Address, Person
from candor.recruitment.models import (
    CEFR_RANK,
    Application,
    Education,
    Experience,
    LanguageSkill,
    Skill,
)
from candor.recruitment.records import CandidateRecord
from candor.search.text import FACET, joined, words

CHUNK = 900  # SQLite's bound-parameter limit
EDUCATION_ORDER = ["secondary", "bachelor", "master", "doctorate"]

# Belgian postcode ranges → province (the first two digits decide).
PROVINCES: dict[str, str] = {
    "brussels": "Brussels-Capital Region",
    "walloon_brabant": "Walloon Brabant",
    "flemish_brabant": "Flemish Brabant",
    "antwerp": "Antwerp",
    "limburg": "Limburg",
    "liege": "Liège",
    "namur": "Namur",
    "hainaut": "Hainaut",
    "luxembourg": "Luxembourg",
    "west_flanders": "West Flanders",
    "east_flanders": "East Flanders",
}
_RANGES = [
    (1000, 1299, "brussels"),
    (1300, 1499, "walloon_brabant"),
    (1500, 1999, "flemish_brabant"),
    (2000, 2999, "antwerp"),
    (3000, 3499, "flemish_brabant"),
    (3500, 3999, "limburg"),
    (4000, 4999, "liege"),
    (5000, 5999, "namur"),
    (6000, 6599, "hainaut"),
    (6600, 6999, "luxembourg"),
    (7000, 7999, "hainaut"),
    (8000, 8999, "west_flanders"),
    (9000, 9999, "east_flanders"),
]


def province_of(postcode: str) -> str | None:
    if not (len(postcode) == 4 and postcode.isdigit()):
        return None
    number = int(postcode)
    return next((p for low, high, p in _RANGES if low <= number <= high), None)


@functools.lru_cache(maxsize=4096)
def facet(kind: str, *values: str) -> str:
    """One filter token, e.g. ``facet("lang", "nl", "b2")`` → ``0flangnlb2``. The ``0f`` start
    keeps them apart from searched words (``text.query_words`` drops words starting so), so
    free text can search every column without a column filter."""
    return FACET + kind + "".join("".join(words(v)) for v in values)


@functools.lru_cache(maxsize=1024)
def language_facets(code: str, level: str) -> tuple[str, ...]:
    rank = CEFR_RANK.get(level, 0)
    return tuple(facet("lang", code, lv) for lv, r in CEFR_RANK.items() if r <= rank)


@functools.lru_cache(maxsize=64)
def education_facets(level: str) -> tuple[str, ...]:
    if level in EDUCATION_ORDER:
        return tuple(facet("edu", lv) for lv in EDUCATION_ORDER[: EDUCATION_ORDER.index(level) + 1])
    return (facet("edu", level),) if level else ()


@dataclass(slots=True)
class Document:
    person_id: int
    names: str = ""
    functions: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    career: list[str] = field(default_factory=list)
    education: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facets: set[str] = field(default_factory=set)

    def columns(self) -> tuple[str, str, str, str, str, str, str]:
        return (
            self.names,
            joined(*sorted(self.functions)),  # sorted: the same entry whatever the row order
            joined(*sorted(self.skills)),
            joined(*sorted(self.career)),
            joined(*sorted(self.education)),
            joined(*sorted(self.notes)),
            " ".join(sorted(self.facets)),
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """A document already turned into its columns (``Document.columns``), e.g. built where an
    import reads its file, for a person whose id is now known."""

    person_id: int
    built: tuple[str, ...]

    @property
    def names(self) -> str:
        return self.built[0]

    def columns(self) -> tuple[str, ...]:
        return self.built


@functools.lru_cache(maxsize=256)
def _source_facets(kind: str, name: str) -> tuple[str, ...]:
    return (facet("src", kind), facet("src", kind, name)) if name else (facet("src", kind),)


@functools.lru_cache(maxsize=4096)
def _address_facets(postcode: str, country: str) -> tuple[str, ...]:
    postcode = postcode.strip()
    if country == "BE" and (province := province_of(postcode)):
        return (facet("prov", province), facet("pc", postcode[:2]))
    return ()


def entry_for_record(
    record: CandidateRecord, *, source_kind: str, source_name: str
) -> tuple[str, ...]:
    """The index entry (``Document.columns``) of a person just created from ``record`` (a
    cleaned record, stored as is): what ``documents_for`` would read back, without reading
    anything back or building a ``Document`` (an import builds one per new person)."""
    facets = set(_source_facets(source_kind, source_name))
    career = [record.current_employer]
    for job in record.experience:
        career += (job.employer, job.description)
    education: list[str] = []
    for study in record.education:
        education += (study.institution, study.field_of_study, study.diploma)
        facets.update(education_facets(study.level))
    for code, level in record.languages.items():
        facets.update(language_facets(code, level))
    if record.address is not None:
        facets.update(_address_facets(record.address.postcode, record.address.country))
    functions = [record.desired_function, record.current_function]
    functions += [job.function for job in record.experience]
    return (
        joined(record.first_name, record.last_name),
        joined(*sorted(functions)),
        joined(*sorted(record.skills)),
        joined(*sorted(career)),
        joined(*sorted(education)),
        joined(record.summary),  # not record.notes: sensitive, encrypted, never indexed
        " ".join(sorted(facets)),
    )


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def documents_for(person_ids: Iterable[int]) -> tuple[list[Document], list[int]]:
    """(documents for the candidates among ``person_ids``, ids that must leave the index)."""
    ids = sorted(set(person_ids))
    docs: dict[int, Document] = {}
    for chunk in _chunks(ids):
        rows = Person.objects.filter(pk__in=chunk, is_candidate=True).values_list(
            "pk",
            "first_name",
            "last_name",
            "provenance__kind",
            "provenance__name",
            "candidate__desired_function",
            "candidate__current_function",
            "candidate__current_employer",
            "candidate__summary",
        )
        for pk, first, last, kind, source, desired, current, employer, summary in rows:
            doc = Document(pk, names=joined(first, last))
            doc.functions += [desired or "", current or ""]
            doc.career.append(employer or "")
            doc.notes.append(summary or "")
            doc.facets.update(_source_facets(kind or "", source or ""))
            docs[pk] = doc
    found = sorted(docs)
    for chunk in _chunks(found):
        for pid, function, employer, description in Experience.objects.filter(
            person_id__in=chunk
        ).values_list("person_id", "function", "employer", "description"):
            docs[pid].functions.append(function)
            docs[pid].career += [employer, description]
        for pid, institution, study, diploma, level in Education.objects.filter(
            person_id__in=chunk
        ).values_list("person_id", "institution", "field_of_study", "diploma", "level"):
            docs[pid].education += [institution, study, diploma]
            docs[pid].facets.update(education_facets(level))
        for pid, name in Skill.objects.filter(person_id__in=chunk).values_list("person_id", "name"):
            docs[pid].skills.append(name)
        for pid, code, level in LanguageSkill.objects.filter(person_id__in=chunk).values_list(
            "person_id", "language", "level"
        ):
            docs[pid].facets.update(language_facets(code, level))
        for pid, postcode, country in Address.objects.filter(person_id__in=chunk).values_list(
            "person_id", "postcode", "country"
        ):
            docs[pid].facets.update(_address_facets(postcode, country))
        stages = Application.objects.filter(person_id__in=chunk).values_list("person_id", "stage")
        for pid, stage in stages:
            docs[pid].facets.add(facet("stage", stage))
    gone = [pid for pid in ids if pid not in docs]
    return [docs[pid] for pid in found], gone
