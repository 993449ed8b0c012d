"""Storing cleaned candidate records in batches, with duplicate detection (R1.1, R2.1).

``candidates_write`` is the only writer of new candidates. Per call it:

1. finds existing people by normalised e-mail and phone (E.164), or by name + birth date when a
   record has neither;
2. creates new people with every section in bulk, or merges new information into the one
   existing match (empty fields filled, missing rows added, differing values kept and reported);
3. reports, and does not touch, records that match several people or a person with another name;
4. writes one audit event per person created or merged, and their search index entries, in the
   same transaction.

The whole batch commits or none of it does, so a killed process leaves no half-written person;
callers that want one bad record not to sink its neighbours retry record by record.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
import marshal
import operator
import os
import pickle
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection, models, transaction

from candor.audit.services import Event, audit_detail_json, audit_record_many
from candor.core import clock
from candor.core.actor import Actor
from candor.core.bulk import RowPreparer, insert_rows
from candor.people.models import Address, ContactKind, ContactPoint, Person
from candor.people.services import ProvenanceSpec
from candor.privacy.crypto import keys_store
from candor.privacy.fields import NewPersonSealer
from candor.privacy.notices import notice_duties_open
from candor.privacy.retention import candidate_kept_until, retention_refresh
from candor.privacy.suppression import (
    SUPPRESSED,
    Identifier,
    identifier_digests,
    suppressed_among,
)
from candor.recruitment.models import (
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    Skill,
)
from candor.recruitment.records import (
    CandidateRecord,
    EducationData,
    ExperienceData,
    clean_candidate,
    contact_keys,
)
from candor.search.documents import Entry, entry_for_record
from candor.search.services import search_index, search_store

PERSON_TABLE = Person._meta.db_table
CREATED, MERGED, UNCHANGED, REJECTED = "created", "merged", "unchanged", "rejected"
PENDING_PROVENANCE = 0  # merge rows wait for it: the provenance is stored only if they exist

PERSON_FIELDS = (
    "birth_date",
    "gender",
    "civil_status",
    "nationality",
    "preferred_language",
    "contact_channel",
    "contact_times",
    "notes",
)
PROFILE_FIELDS = (
    "desired_function",
    "current_function",
    "current_employer",
    "available_from",
    "summary",
)


@dataclass(slots=True)
class WriteOutcome:
    status: str
    person_id: int | None = None
    message: str = ""
    conflicts: list[str] = field(default_factory=list)


# -- the rows a record becomes -------------------------------------------------------------
#
# Rows are tuples of values in a fixed column order (cheaper than a mapping or a model instance
# per row; ``insert_rows`` fills the other columns with their defaults). A person's row starts
# with (pseudonym, provenance_id); a section row (profile, contact point, …) with (person_id,
# provenance_id), which the writer adds to the values built here. A new column that intake
# fills goes into the column list and into the function that builds its values, side by side.

PERSON_COLUMNS = (
    "pseudonym",
    "provenance_id",
    "first_name",
    "last_name",
    "name_key",
    "is_candidate",
    "kept_until",
    *PERSON_FIELDS,
)


def _person_values(r: CandidateRecord, today: dt.date | None = None) -> tuple[Any, ...]:
    """A new person's row after (pseudonym, provenance_id), in ``PERSON_COLUMNS`` order; the
    retention date is computed as the row is built (R5.1)."""
    kept = candidate_kept_until(r.birth_date, today or clock.today())
    return (
        r.first_name,
        r.last_name,
        r.name_key,
        True,
        kept,
        *_person_fields(r),
    )


SECTION_COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    CandidateProfile: PROFILE_FIELDS,
    ContactPoint: ("kind", "value", "normalised", "is_primary"),
    Address: ("street", "number", "box", "postcode", "city", "country"),
    Education: (
        "kind",
        "institution",
        "field_of_study",
        "diploma",
        "level",
        "started_on",
        "ended_on",
    ),
    Experience: ("function", "employer", "started_on", "ended_on", "description"),
    LanguageSkill: ("language", "level"),
    Skill: ("name",),
}
SECTIONS = tuple(SECTION_COLUMNS)  # the profile first
LABELS = {model: str(model._meta.model_name) for model in SECTIONS}
# The kinds as plain text, which ``insert_rows`` passes on as is (an enum member is converted).
EMAIL, PHONE, MOBILE, URL = (
    str(ContactKind.EMAIL.value),
    str(ContactKind.PHONE.value),
    str(ContactKind.MOBILE.value),
    str(ContactKind.URL.value),
)

# Section rows by table, in ``SECTIONS`` order (one list per table, possibly empty); each row
# holds its values in ``SECTION_COLUMNS`` order, keys not yet known.
Sections = tuple[list[tuple[Any, ...]], ...]


_person_fields = operator.attrgetter(*PERSON_FIELDS)  # a tuple: there are several
_profile_fields = operator.attrgetter(*PROFILE_FIELDS)


def _profile_values(r: CandidateRecord) -> tuple[Any, ...]:
    """A profile's row after (person_id, provenance_id), in ``PROFILE_FIELDS`` order."""
    return _profile_fields(r)


def _sections(r: CandidateRecord, *, existing: dict | None) -> Sections:
    """Rows for every section of the record not already held (``existing`` from _snapshot);
    the profile's list is left empty."""
    contacts = [(EMAIL, email, email, i == 0) for i, email in enumerate(r.emails)]
    contacts += [(PHONE, v, v, False) for v in r.phones]
    contacts += [(MOBILE, v, v, False) for v in r.mobiles]
    contacts += [(URL, u, u, False) for u in r.urls]
    education, experience, languages, skills = r.education, r.experience, r.languages, r.skills
    has_address = False
    if existing is not None:  # a new person holds nothing yet: every section is new
        have = existing
        contacts = [  # an existing person keeps their primary e-mail
            (kind, value, normalised, False)
            for kind, value, normalised, _primary in contacts
            if (PHONE if kind == MOBILE else kind, normalised) not in have["contacts"]
        ]
        has_address = have["has_address"]
        education = [e for e in education if e.key() not in have["education"]]
        experience = [j for j in experience if j.key() not in have["experience"]]
        languages = {c: lv for c, lv in languages.items() if c not in have["languages"]}
        skills = [s for s in skills if s.casefold() not in have["skills"]]
    a = r.address
    return (
        [],
        contacts,
        [(a.street, a.number, a.box, a.postcode, a.city, a.country)]
        if a is not None and not has_address
        else [],
        [
            (e.kind, e.institution, e.field_of_study, e.diploma, e.level, e.started_on, e.ended_on)
            for e in education
        ],
        [(j.function, j.employer, j.started_on, j.ended_on, j.description) for j in experience],
        list(languages.items()),
        [(name,) for name in skills],
    )


@functools.cache
def _preparers() -> tuple[RowPreparer, dict[type[models.Model], RowPreparer]]:
    """What converts a new person's row and section rows to database values (once per process:
    the database settings do not change)."""
    return (
        RowPreparer(Person, PERSON_COLUMNS[2:]),  # (pseudonym, provenance) come later
        {model: RowPreparer(model, SECTION_COLUMNS[model]) for model in SECTIONS},
    )


def _prepared(sections: Sections) -> Sections:
    """Section rows converted to database values (``_Rows.save`` inserts them as ready)."""
    _person, by_model = _preparers()
    return tuple(
        [by_model[model](values) for values in rows] if rows else rows
        for model, rows in zip(SECTIONS, sections, strict=True)
    )


def _counts(sections: Sections) -> dict[str, int]:
    """Rows per table, for the audit event."""
    return {
        LABELS[model]: len(rows) for model, rows in zip(SECTIONS, sections, strict=True) if rows
    }


class _Rows:
    """Section rows collected for one bulk insert per table."""

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[tuple[Any, ...]]] = {m: [] for m in SECTIONS}

    def add(self, person_id: int, prov_id: int, sections: Sections) -> None:
        self.add_many([(person_id, sections)], prov_id)

    def add_many(self, people: list[tuple[int, Sections]], prov_id: int) -> None:
        """The sections of many people (person id, sections), one pass per table."""
        for k, model in enumerate(SECTIONS):
            self.by_model[model] += [
                (person_id, prov_id, *values)
                for person_id, sections in people
                for values in sections[k]
            ]

    def save(self) -> None:
        """Insert the rows (their values converted by ``_prepared``)."""
        _person, by_model = _preparers()
        for model, rows in self.by_model.items():
            if rows:
                columns = ("person_id", "provenance_id", *SECTION_COLUMNS[model])
                ready = ("person_id", "provenance_id", *by_model[model].ready)
                insert_rows(model, rows, columns=columns, ready=ready)


class NewPerson(NamedTuple):
    """What a record becomes if it turns out to be a new person, short of the database keys:
    built by ``new_person`` ahead of the write (an import builds it in its reading process,
    beside the writer; a tuple of plain values, cheap to send) and used only if the record is
    written as it was then. Its encrypted values are already sealed with a key made for it."""

    pseudonym: bytes  # the UUID's 16 bytes (a ``uuid.UUID`` costs more to send)
    key: tuple[str, bytes] | None  # the person key to store (``crypto.keys_store``), if any
    person: tuple[Any, ...]  # PERSON_COLUMNS after (pseudonym, provenance_id)
    sections: Sections  # the profile included
    counts: dict[str, int]  # rows per table, for the audit event
    entry: tuple[str, ...]  # the search index entry's columns
    source: tuple[str, str]  # (kind, name) the entry and detail were built for
    detail: str  # the ``create`` audit event's detail, serialised


def person_sealer() -> NewPersonSealer:
    """What seals a new person's row (``new_person``); make one per run or batch: it reads the
    master key once."""
    return NewPersonSealer(Person, PERSON_COLUMNS[2:])


def new_person(
    r: CandidateRecord,
    source: ProvenanceSpec,
    sealer: NewPersonSealer | None = None,
    *,
    today: dt.date | None = None,
) -> NewPerson:
    sections = _sections(r, existing=None)
    sections[0].append(_profile_values(r))
    sections = _prepared(sections)
    counts = _counts(sections)
    entry = entry_for_record(r, source_kind=source.kind, source_name=source.name)
    pseudonym = uuid.UUID(bytes=os.urandom(16), version=4)
    values = list(_person_values(r, today))
    key = (sealer or person_sealer()).seal(values, pseudonym)
    person = _preparers()[0](values)
    return NewPerson(
        pseudonym.bytes,
        key,
        person,
        sections,
        counts,
        entry,
        (source.kind, source.name),
        _create_detail(source.code, tuple(counts.items())),
    )


@functools.lru_cache(maxsize=4096)
def _create_detail(code: str, counts: tuple[tuple[str, int], ...]) -> str:
    """A new person's ``create`` event detail, serialised: people read from one source mostly
    have the same numbers of rows, so the same few details recur."""
    return audit_detail_json({"source": code, "rows": dict(counts)})


# How to read a record again (``Item.again``): a function and its arguments (or the arguments
# in ``marshal``'s format, as ``PackedRecord.plain`` sends them).
Recipe = tuple[Callable[..., CandidateRecord], tuple[Any, ...] | bytes]


class PackedRecord:
    """A cleaned record as an import's reading process sends it when it is likely new: what
    classifying it needs (identifiers and their suppression digests, name key, birth date,
    warnings) in the clear, and how to get the whole record back: read again from what the
    format read (``again``: a CSV row's values, cleaned again for ``today``), or pickled. The
    writer opens it (``opened``) only to merge or fold it; a new person is written from its
    ``NewPerson``."""

    __slots__ = (
        "birth_date",
        "digests",
        "emails",
        "mobiles",
        "name_key",
        "phones",
        "source",
        "urls",
        "warnings",
    )

    def __init__(
        self, r: CandidateRecord, *, again: Recipe | None = None, today: dt.date | None = None
    ) -> None:
        self.emails, self.phones, self.mobiles, self.urls = r.emails, r.phones, r.mobiles, r.urls
        self.name_key, self.birth_date, self.warnings = r.name_key, r.birth_date, r.warnings
        self.digests = record_digests(r)
        self.source: bytes | tuple[Recipe, dt.date] = (
            (again, today)
            if again is not None and today is not None
            else pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpack, _packed_fields(self))

    def contact_keys(self) -> list[tuple[str, str]]:
        return contact_keys(self.emails, self.phones, self.mobiles)

    def plain(self) -> tuple[Any, ...]:
        """The record in plain values only (text, numbers, lists, dicts, tuples, bytes), which
        ``marshal`` writes: dates as day numbers, the function that reads it again by its name
        (``packed_from_plain`` undoes it). ValueError when a value cannot be so written."""
        source: Any = self.source
        if not isinstance(source, bytes):
            # The arguments in one piece: the writer opens them only to merge or fold the
            # record, and one value is much cheaper to receive than the row's dozens.
            (read, args), today = source
            if read.__qualname__ != read.__name__:  # not a module-level function
                raise ValueError(f"{read.__qualname__} cannot be found by its name")
            source = ((read.__module__, read.__name__), marshal.dumps(args), today.toordinal())
        birth = self.birth_date
        return (
            None if birth is None else birth.toordinal(),
            self.digests,
            self.emails,
            self.mobiles,
            self.name_key,
            self.phones,
            source,
            self.urls,
            self.warnings,
        )

    def opened(self) -> CandidateRecord:
        if isinstance(self.source, bytes):
            return pickle.loads(self.source)  # noqa: S301 - built by this program's reader
        (read, args), today = self.source
        if isinstance(args, bytes):  # as ``plain`` sent them
            args = marshal.loads(args)  # noqa: S302 - written by this program's reader
        return clean_candidate(read(*args), today=today)


_packed_fields = operator.attrgetter(*PackedRecord.__slots__)


def _unpack(  # noqa: PLR0917 - the slots, in order, as ``__reduce__`` gives them
    birth_date: dt.date | None,
    digests: dict[str, Identifier],
    emails: list[str],
    mobiles: list[str],
    name_key: str,
    phones: list[str],
    source: bytes | tuple[Recipe, dt.date],
    urls: list[str],
    warnings: list[str],
) -> PackedRecord:
    packed = object.__new__(PackedRecord)
    packed.birth_date, packed.digests, packed.emails, packed.mobiles = (
        birth_date,
        digests,
        emails,
        mobiles,
    )
    packed.name_key, packed.phones, packed.source = name_key, phones, source
    packed.urls, packed.warnings = urls, warnings
    return packed


def packed_from_plain(values: Sequence[Any]) -> PackedRecord:
    """The record ``PackedRecord.plain`` gave these values for."""
    birth, digests, emails, mobiles, name_key, phones, source, urls, warnings = values
    if not isinstance(source, bytes):
        (module, name), args, today = source
        source = ((_function(module, name), args), dt.date.fromordinal(today))
    return _unpack(
        None if birth is None else dt.date.fromordinal(birth),
        digests,
        emails,
        mobiles,
        name_key,
        phones,
        source,
        urls,
        warnings,
    )


@functools.cache
def _function(module: str, name: str) -> Callable[..., CandidateRecord]:
    """A module-level function by name (a ``Recipe``'s, as ``Item.again`` requires)."""
    found: Callable[..., CandidateRecord] = getattr(importlib.import_module(module), name)
    return found


def record_digests(r: CandidateRecord | PackedRecord) -> dict[str, Identifier]:
    """The suppression digests of a record's identifiers (R6.11)."""
    return identifier_digests(emails=r.emails, phones=(*r.phones, *r.mobiles), urls=r.urls)


# What ``candidates_write`` takes: cleaned records, or records packed by the reading process.
Record = CandidateRecord | PackedRecord


def _snapshot(person_ids: set[int]) -> dict[int, dict]:
    """What existing people already hold, in one query per table."""
    snap: dict[int, dict] = {
        pid: {
            "contacts": set(),
            "education": set(),
            "experience": set(),
            "languages": {},
            "skills": set(),
            "has_address": False,
            "has_profile": False,
        }
        for pid in person_ids
    }
    for pid, held, normalised in ContactPoint.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "kind", "normalised"
    ):
        kind = ContactKind.PHONE if held == ContactKind.MOBILE else held
        snap[pid]["contacts"].add((kind, normalised))
    for pid in Address.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True):
        snap[pid]["has_address"] = True
    for pid, institution, field_of_study, diploma, ended_on in Education.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "institution", "field_of_study", "diploma", "ended_on"):
        key = EducationData(
            institution=institution,
            field_of_study=field_of_study,
            diploma=diploma,
            ended_on=ended_on,
        ).key()
        snap[pid]["education"].add(key)
    for pid, function, employer, started_on in Experience.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "function", "employer", "started_on"):
        key = ExperienceData(function=function, employer=employer, started_on=started_on).key()
        snap[pid]["experience"].add(key)
    for pid, lang, level in LanguageSkill.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "language", "level"
    ):
        snap[pid]["languages"][lang] = level
    for pid, name in Skill.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "name"
    ):
        snap[pid]["skills"].add(name.casefold())
    return snap


NORMALISED = ContactPoint._meta.get_field("normalised")
CONTACT_TABLE = ContactPoint._meta.db_table


def _holders(values: list[str]) -> list[tuple[str, int]]:
    """(normalised value, person id) of every contact point holding one of ``values``: one
    indexed query, the values travelling as one parameter (a JSON list on SQLite, an array on
    PostgreSQL), as the suppression check does. A column that is not plain text (one that
    converts or encrypts its values) is asked through the ORM, which converts them."""
    if not values:
        return []
    if type(NORMALISED) is not models.CharField:
        found: list[tuple[str, int]] = []
        for start in range(0, len(values), 900):  # SQLite's bound-parameter limit
            chunk = values[start : start + 900]
            found += ContactPoint.objects.filter(normalised__in=chunk).values_list(
                "normalised", "person_id"
            )
        return found
    sql = f"SELECT normalised, person_id FROM {CONTACT_TABLE} WHERE normalised "  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql + "= ANY(%s)", [values])
        else:
            cursor.execute(sql + "IN (SELECT value FROM json_each(%s))", [json.dumps(values)])  # noqa: S608
        return cursor.fetchall()


def _find_matches(records: Sequence[Record]) -> dict[int, set[int]]:
    """Record index → ids of existing people sharing an e-mail or phone (or name + birth date)."""
    wanted: dict[str, list[int]] = defaultdict(list)
    by_name: dict[tuple, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        keys = r.contact_keys()
        for _kind, value in keys:
            wanted[value].append(i)
        if not keys and r.birth_date:
            by_name[(r.name_key, r.birth_date)].append(i)
    matches: dict[int, set[int]] = defaultdict(set)
    for value, pid in _holders(list(wanted)):
        for i in wanted[value]:
            matches[i].add(pid)
    if by_name:
        names = {k[0] for k in by_name}
        for pid, name_key, birth in Person.objects.filter(name_key__in=names).values_list(
            "id", "name_key", "birth_date"
        ):
            for i in by_name.get((name_key, birth), []):
                matches[i].add(pid)
    return matches


def _last_person_id() -> int:
    """The highest key the person table holds (0 when empty)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {PERSON_TABLE}")  # noqa: S608
        (last,) = cursor.fetchone()
    return int(last or 0)


def _ids_by_pseudonym(pseudonyms: list[uuid.UUID], *, after: int) -> dict[uuid.UUID, int]:
    """The keys the database gave to people just inserted, found by their unique pseudonym.

    ``after``: the highest key before the insert. Keys grow, so the new rows are those above
    it, read in one range scan (with plain values: no query of a thousand parameters, no
    conversion of every pseudonym); rows others committed meanwhile (PostgreSQL) are simply
    not asked for. Any pseudonym not found so is looked up by value.
    """
    wanted = {p.hex: p for p in pseudonyms}
    ids: dict[uuid.UUID, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pseudonym, id FROM {PERSON_TABLE} WHERE id > %s",  # noqa: S608
            [after],
        )
        for pseudonym, pk in cursor.fetchall():
            key = pseudonym.hex if isinstance(pseudonym, uuid.UUID) else pseudonym.replace("-", "")
            found = wanted.get(key)
            if found is not None:
                ids[found] = pk
    missing = [p for p in pseudonyms if p not in ids]
    for start in range(0, len(missing), 900):  # SQLite's bound-parameter limit
        chunk = missing[start : start + 900]
        ids.update(Person.objects.filter(pseudonym__in=chunk).values_list("pseudonym", "pk"))
    return ids


def _merge_scalars(target: Any, r: CandidateRecord, names: tuple[str, ...]) -> tuple[list, list]:
    filled, conflicts = [], []
    for name in names:
        incoming = getattr(r, name)
        if incoming in ("", None):
            continue
        current = getattr(target, name)
        if current in ("", None):
            setattr(target, name, incoming)
            filled.append(name)
        elif current != incoming:
            conflicts.append(name)
    return filled, conflicts


def _union(first: CandidateRecord, later: CandidateRecord) -> None:
    """Fold a later duplicate within the same batch into the first occurrence."""
    for name in PERSON_FIELDS + PROFILE_FIELDS:
        if getattr(first, name) in ("", None):
            setattr(first, name, getattr(later, name))
    for name in ("emails", "phones", "mobiles", "urls", "skills"):
        setattr(first, name, list(dict.fromkeys(getattr(first, name) + getattr(later, name))))
    studies, jobs = {e.key() for e in first.education}, {j.key() for j in first.experience}
    first.education += [e for e in later.education if e.key() not in studies]
    first.experience += [j for j in later.experience if j.key() not in jobs]
    first.languages = {**later.languages, **first.languages}
    if first.address is None:
        first.address = later.address


class _Batch:
    """One call of ``candidates_write``: classify the records, then create, merge and record."""

    def __init__(
        self,
        actor: Actor,
        source: ProvenanceSpec,
        records: Sequence[Record],
        prebuilt: Sequence[NewPerson | None] | None,
    ):
        self.actor, self.source = actor, source
        self.records: list[Record] = list(records)
        self.prebuilt = prebuilt
        self.changed: set[int] = set()  # records changed here: what was built for them is stale
        self.outcomes: list[WriteOutcome | None] = [None] * len(records)
        self.targets: dict[int, int] = {}  # record index → existing person id
        self.folded: dict[int, int] = {}  # later record index → record it was folded into
        self.existing: dict[int, Person] = {}
        self.events: list[Event] = []
        self.rows = _Rows()
        self.prov_id: int | None = None  # stored on first use: a run adding nothing leaves none
        self.new_entries: list[Entry] = []  # search entries of people created here
        self.sealer: NewPersonSealer | None = None  # for records built here, made when needed
        self.today = clock.today()

    def full(self, i: int) -> CandidateRecord:
        """Record ``i`` itself, opened if it came packed (a merge or fold needs all of it)."""
        r = self.records[i]
        if isinstance(r, PackedRecord):
            r = self.records[i] = r.opened()
        return r

    def reject(self, i: int, message: str, person_id: int | None = None) -> None:
        self.outcomes[i] = WriteOutcome(REJECTED, person_id=person_id, message=message)

    # -- classification ----------------------------------------------------------------------

    def suppress(self) -> None:
        """Reject records holding an identifier on the suppression list (R6.11): one query for
        the whole batch. Each is reported and audited (the kinds matched, never the value)."""
        records = self.records
        by_digest: dict[str, Identifier] = {}
        for r in records:
            by_digest.update(r.digests if isinstance(r, PackedRecord) else record_digests(r))
        hits = suppressed_among(by_digest)
        if not hits:
            return
        for i, r in enumerate(records):
            held = {("email", e) for e in r.emails} | {("url", u) for u in r.urls}
            held |= {("phone", p) for p in (*r.phones, *r.mobiles)}
            kinds = sorted({kind for kind, _value in held & hits})
            if kinds:
                self.reject(i, SUPPRESSED)
                self.events.append(
                    Event(
                        "suppression.blocked",
                        "privacy.suppression",
                        "",
                        "",
                        {
                            "kinds": kinds,
                            "source": self.source.code,
                            "channel": self.source.channel,
                        },
                    )
                )

    def classify(self, on_duplicate: str) -> None:
        self.suppress()
        matches = _find_matches(self.records)
        first_of: dict[str, int] = {}  # contact value / name key → first record index in batch
        for i, r in enumerate(self.records):
            if self.outcomes[i] is not None:  # suppressed
                continue
            found = matches.get(i, set())
            if len(found) > 1:
                listed = ", ".join(f"#{pid}" for pid in sorted(found))
                self.reject(i, f"matches several people ({listed}); resolve by hand")
            elif found:
                self.targets[i] = next(iter(found))
            else:
                self._fold_within_batch(i, r, first_of)
        self.existing = {p.pk: p for p in Person.objects.filter(pk__in=set(self.targets.values()))}
        for i, pid in list(self.targets.items()):
            if self.existing[pid].name_key != self.records[i].name_key:
                self.reject(
                    i,
                    f"shares an e-mail or phone with person #{pid}, whose name differs; "
                    "not merged, check by hand",
                )
                del self.targets[i]
            elif on_duplicate == "report":
                self.reject(i, f"this person already exists (#{pid})", person_id=pid)
                del self.targets[i]
        first_for: dict[int, int] = {}  # existing person id → first record merging into them
        for i, pid in list(self.targets.items()):
            if pid in first_for:  # several rows of this batch for one person: merge them once
                self.folded[i] = first_for[pid]
                _union(self.full(first_for[pid]), self.full(i))
                self.changed.add(first_for[pid])
                del self.targets[i]
            else:
                first_for[pid] = i

    def _fold_within_batch(self, i: int, r: Record, first_of: dict[str, int]) -> None:
        keys = [v for _k, v in r.contact_keys()] or [f"{r.name_key}|{r.birth_date}"]
        earlier = next((first_of[k] for k in keys if k in first_of), None)
        if earlier is None:
            for k in keys:
                first_of[k] = i
        elif self.records[earlier].name_key != r.name_key:
            self.reject(
                i,
                f"shares an e-mail or phone with record {earlier + 1} of this batch, "
                "whose name differs; not merged",
            )
        else:
            self.folded[i] = earlier
            _union(self.full(earlier), self.full(i))
            self.changed.add(earlier)
            for k in keys:  # a later row may be linked to this one by its phone only
                first_of.setdefault(k, earlier)

    # -- writing -----------------------------------------------------------------------------

    def create_new(self) -> None:
        new_indexes = [
            i
            for i in range(len(self.records))
            if self.outcomes[i] is None and i not in self.targets and i not in self.folded
        ]
        if not new_indexes:
            return
        prov_id = self.prov_id = self.source.row().pk
        built = [self._new_person(i) for i in new_indexes]
        pseudonyms = [uuid.UUID(bytes=new.pseudonym) for new in built]
        keys_store(
            [
                (pseudonym, *new.key)
                for pseudonym, new in zip(pseudonyms, built, strict=True)
                if new.key is not None
            ]
        )
        last = _last_person_id()
        insert_rows(
            Person,
            [
                (pseudonym, prov_id, *new.person)
                for pseudonym, new in zip(pseudonyms, built, strict=True)
            ],
            columns=PERSON_COLUMNS,
            # new_person converted and checked every value but the pseudonym (converted here)
            # and the encrypted ones (sealed already: left as they are); the provenance is a key
            ready=["provenance_id", *_preparers()[0].ready],
        )
        person_ids = _ids_by_pseudonym(pseudonyms, after=last)
        # data not obtained from the person: they are to be informed (R2.2)
        notice_duties_open(person_ids=person_ids.values(), provenance=self.source.row(), new=True)
        code = self.source.code
        outcomes, entries, events = self.outcomes, self.new_entries, self.events
        people: list[tuple[int, Sections]] = []
        for i, new, pseudonym in zip(new_indexes, built, pseudonyms, strict=True):
            pid = person_ids[pseudonym]
            people.append((pid, new.sections))
            outcomes[i] = WriteOutcome(CREATED, pid)
            entries.append(Entry(pid, new.entry))
            events.append(
                Event(
                    "create",
                    "people.person",
                    str(pid),
                    str(pseudonym),
                    {"source": code, "rows": new.counts},
                    canonical=new.detail,
                )
            )
        self.rows.add_many(people, prov_id)

    def _new_person(self, i: int) -> NewPerson:
        """What was built for record ``i`` ahead of the write, if it still holds; else built
        now."""
        source = self.source
        new = self.prebuilt[i] if self.prebuilt is not None and i not in self.changed else None
        if new is None or new.source != (source.kind, source.name):
            if self.sealer is None:
                self.sealer = person_sealer()
            new = new_person(self.full(i), source, self.sealer, today=self.today)
        return new

    def merge_existing(self) -> None:
        if not self.targets:
            return
        merge_prov = self.prov_id if self.prov_id is not None else PENDING_PROVENANCE
        person_ids = set(self.targets.values())
        snap = _snapshot(person_ids)
        profiles = {
            p.person_id: p for p in CandidateProfile.objects.filter(person_id__in=person_ids)
        }
        person_updates, profile_updates = [], []
        for i, pid in self.targets.items():
            r, person = self.full(i), self.existing[pid]
            filled, conflicts = _merge_scalars(person, r, PERSON_FIELDS)
            if not person.is_candidate:
                person.is_candidate = True
                filled.append("is_candidate")
            if filled:
                person_updates.append(person)
            profile = profiles.get(pid)
            counts: dict[str, int] = {}
            if profile is None:
                counts[LABELS[CandidateProfile]] = 1
                profile_row = _preparers()[1][CandidateProfile](_profile_values(r))
                self.rows.by_model[CandidateProfile].append((pid, merge_prov, *profile_row))
            else:
                p_filled, p_conflicts = _merge_scalars(profile, r, PROFILE_FIELDS)
                if p_filled:
                    profile_updates.append(profile)
                filled += p_filled
                conflicts += p_conflicts
            held_levels = snap[pid]["languages"]
            conflicts += [
                f"languages.{code}"
                for code, level in r.languages.items()
                if code in held_levels and held_levels[code] != level
            ]
            sections = _prepared(_sections(r, existing=snap[pid]))
            self.rows.add(pid, merge_prov, sections)
            counts.update(_counts(sections))
            self._merge_outcome(i, person, filled, conflicts, counts)
        if person_updates:
            Person.objects.bulk_update(person_updates, [*PERSON_FIELDS, "is_candidate"])
            retention_refresh([p.pk for p in person_updates])  # birth date or role may change it
        if profile_updates:
            CandidateProfile.objects.bulk_update(profile_updates, list(PROFILE_FIELDS))

    def _merge_outcome(
        self,
        i: int,
        person: Person,
        filled: list[str],
        conflicts: list[str],
        counts: dict[str, int],
    ) -> None:
        if not (filled or counts):
            self.outcomes[i] = WriteOutcome(UNCHANGED, person.pk, conflicts=conflicts)
            return
        self.outcomes[i] = WriteOutcome(MERGED, person.pk, conflicts=conflicts)
        self.events.append(
            Event(
                "merge",
                "people.person",
                str(person.pk),
                str(person.pseudonym),
                {
                    "source": self.source.code,
                    "fields": sorted(filled),
                    "rows": counts,
                    "conflicts": sorted(conflicts),
                },
            )
        )

    def finish(self) -> list[WriteOutcome]:
        if self.prov_id is None and any(self.rows.by_model.values()):
            # Merges add rows: the source is stored now.
            self.prov_id = self.source.row().pk
            prov_id = self.prov_id
            for pending in self.rows.by_model.values():
                pending[:] = [
                    (row[0], prov_id, *row[2:]) if row[1] == PENDING_PROVENANCE else row
                    for row in pending
                ]
        self.rows.save()
        for later, first in self.folded.items():
            first_outcome = self.outcomes[first]
            status = first_outcome.status if first_outcome else REJECTED
            self.outcomes[later] = WriteOutcome(
                MERGED if status == CREATED else status,  # unchanged stays unchanged on re-runs
                person_id=first_outcome.person_id if first_outcome else None,
                message="same person as an earlier record in this batch; merged into it"
                if status != REJECTED
                else "same person as an earlier record in this batch, which was rejected",
            )
        # Search entries: built from the records for people created here (nothing to read
        # back), read from the database for people merged into.
        search_store(self.new_entries)
        merged = {o.person_id for o in self.outcomes if o and o.status == MERGED}
        search_index(pid for pid in merged if pid)
        audit_record_many(actor=self.actor, events=self.events, returning=False)
        return [o or WriteOutcome(REJECTED, message="not processed") for o in self.outcomes]


def candidates_write(
    *,
    actor: Actor,
    source: ProvenanceSpec,
    records: Sequence[Record],
    on_duplicate: str = "merge",
    prebuilt: Sequence[NewPerson | None] | None = None,
) -> list[WriteOutcome]:
    """Store cleaned records; one outcome per record, in order (R1.1, R2.1).

    ``on_duplicate="report"`` rejects records that match an existing person instead of merging
    (the API's create endpoint, where the caller decides). ``prebuilt``: for each record, what
    ``new_person`` built for it ahead of the write (or None), used if the
    record is new.
    """
    with source.forgotten_on_rollback(), transaction.atomic():
        batch = _Batch(actor, source, records, prebuilt)
        batch.classify(on_duplicate)
        batch.create_new()
        batch.merge_existing()
        return batch.finish()
