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

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from candor.audit.services import Event, audit_record_many
from candor.core import clock
from candor.core.actor import Actor
from candor.core.bulk import insert_rows
from candor.people.models import Address, ContactKind, ContactPoint, Person
from candor.people.services import ProvenanceSpec
from candor.privacy.notices import notice_duties_open
from candor.privacy.retention import candidate_kept_until, retention_refresh
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
)
from candor.search.documents import Document, document_for_record
from candor.search.services import search_index, search_store

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


# A row to insert: its model and field values by attname (``person_id``); ``insert_rows`` fills
# the other fields with their defaults. Cheaper than a model instance per row (tens of µs).
Row = tuple[type[models.Model], dict[str, Any]]


def _contact_rows(person_id: int, r: CandidateRecord, prov_id: int) -> list[dict[str, Any]]:
    rows = []
    for i, email in enumerate(r.emails):
        rows.append(
            {
                "person_id": person_id,
                "kind": ContactKind.EMAIL,
                "value": email,
                "normalised": email,
                "is_primary": i == 0,
                "provenance_id": prov_id,
            }
        )
    for kind, values in ((ContactKind.PHONE, r.phones), (ContactKind.MOBILE, r.mobiles)):
        rows.extend(
            {
                "person_id": person_id,
                "kind": kind,
                "value": v,
                "normalised": v,
                "provenance_id": prov_id,
            }
            for v in values
        )
    rows.extend(
        {
            "person_id": person_id,
            "kind": ContactKind.URL,
            "value": u,
            "normalised": u,
            "provenance_id": prov_id,
        }
        for u in r.urls
    )
    return rows


class _Rows:
    """Child rows collected for one bulk insert per table."""

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[dict[str, Any]]] = defaultdict(list)

    def add(self, rows: list[Row]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for model, values in rows:
            self.by_model[model].append(values)
            label = str(model._meta.model_name)
            counts[label] = counts.get(label, 0) + 1
        return counts

    def save(self) -> None:
        for model, rows in self.by_model.items():
            insert_rows(model, rows)


def _children(
    person_id: int, r: CandidateRecord, prov_id: int, *, existing: dict | None
) -> list[Row]:
    """Rows for every section of the record not already held (``existing`` from _snapshot)."""
    base = {"person_id": person_id, "provenance_id": prov_id}
    contacts = _contact_rows(person_id, r, prov_id)
    education, experience, languages, skills = r.education, r.experience, r.languages, r.skills
    has_address = False
    if existing is not None:  # a new person holds nothing yet: every section is new
        have = existing
        contacts = [
            c
            for c in contacts
            if (
                c["kind"] if c["kind"] != ContactKind.MOBILE else ContactKind.PHONE,
                c["normalised"],
            )
            not in have["contacts"]
        ]
        for c in contacts:  # an existing person keeps their primary e-mail
            c["is_primary"] = False
        has_address = have["has_address"]
        education = [e for e in education if e.key() not in have["education"]]
        experience = [j for j in experience if j.key() not in have["experience"]]
        languages = {c: lv for c, lv in languages.items() if c not in have["languages"]}
        skills = [s for s in skills if s.casefold() not in have["skills"]]
    rows: list[Row] = [(ContactPoint, c) for c in contacts]
    if r.address is not None and not has_address:
        rows.append((Address, {**base, **_address_kwargs(r.address)}))
    rows.extend(
        (
            Education,
            {
                **base,
                "kind": e.kind,
                "institution": e.institution,
                "field_of_study": e.field_of_study,
                "diploma": e.diploma,
                "level": e.level,
                "started_on": e.started_on,
                "ended_on": e.ended_on,
            },
        )
        for e in education
    )
    rows.extend(
        (
            Experience,
            {
                **base,
                "function": j.function,
                "employer": j.employer,
                "started_on": j.started_on,
                "ended_on": j.ended_on,
                "description": j.description,
            },
        )
        for j in experience
    )
    rows.extend(
        (LanguageSkill, {**base, "language": code, "level": level})
        for code, level in languages.items()
    )
    rows.extend((Skill, {**base, "name": s}) for s in skills)
    return rows


def _address_kwargs(a: AddressData) -> dict[str, str]:
    return {
        "street": a.street,
        "number": a.number,
        "box": a.box,
        "postcode": a.postcode,
        "city": a.city,
        "country": a.country,
    }


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


def _find_matches(records: list[CandidateRecord]) -> dict[int, set[int]]:
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
    values = list(wanted)
    for start in range(0, len(values), 900):  # SQLite's bound-parameter limit
        chunk = values[start : start + 900]
        for value, pid in ContactPoint.objects.filter(normalised__in=chunk).values_list(
            "normalised", "person_id"
        ):
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


def _ids_by_pseudonym(pseudonyms: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The keys the database gave to people just inserted, found by their unique pseudonym."""
    ids: dict[uuid.UUID, int] = {}
    for start in range(0, len(pseudonyms), 900):  # SQLite's bound-parameter limit
        chunk = pseudonyms[start : start + 900]
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


def _profile(person_id: int, r: CandidateRecord, prov_id: int) -> Row:
    return (
        CandidateProfile,
        {
            "person_id": person_id,
            "provenance_id": prov_id,
            **{name: getattr(r, name) for name in PROFILE_FIELDS},
        },
    )


class _Batch:
    """One call of ``candidates_write``: classify the records, then create, merge and record."""

    def __init__(self, actor: Actor, source: ProvenanceSpec, records: list[CandidateRecord]):
        self.actor, self.source, self.records = actor, source, records
        self.outcomes: list[WriteOutcome | None] = [None] * len(records)
        self.targets: dict[int, int] = {}  # record index → existing person id
        self.folded: dict[int, int] = {}  # later record index → record it was folded into
        self.existing: dict[int, Person] = {}
        self.events: list[Event] = []
        self.rows = _Rows()
        self.prov_id: int | None = None  # stored on first use: a run adding nothing leaves none
        self.new_documents: list[Document] = []  # search entries of people created here

    def reject(self, i: int, message: str, person_id: int | None = None) -> None:
        self.outcomes[i] = WriteOutcome(REJECTED, person_id=person_id, message=message)

    # -- classification ----------------------------------------------------------------------

    def classify(self, on_duplicate: str) -> None:
        matches = _find_matches(self.records)
        first_of: dict[str, int] = {}  # contact value / name key → first record index in batch
        for i, r in enumerate(self.records):
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
                _union(self.records[first_for[pid]], self.records[i])
                del self.targets[i]
            else:
                first_for[pid] = i

    def _fold_within_batch(self, i: int, r: CandidateRecord, first_of: dict[str, int]) -> None:
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
            _union(self.records[earlier], r)
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
        records = self.records
        pseudonyms = [uuid.uuid4() for _ in new_indexes]
        collected_on = clock.today()
        insert_rows(
            Person,
            [
                {
                    "pseudonym": pseudonym,
                    "provenance_id": prov_id,
                    "first_name": records[i].first_name,
                    "last_name": records[i].last_name,
                    "name_key": records[i].name_key,
                    "is_candidate": True,
                    "kept_until": candidate_kept_until(records[i].birth_date, collected_on),
                    **{name: getattr(records[i], name) for name in PERSON_FIELDS},
                }
                for i, pseudonym in zip(new_indexes, pseudonyms, strict=True)
            ],
        )
        person_ids = _ids_by_pseudonym(pseudonyms)
        # data not obtained from the person: they are to be informed (R2.2)
        notice_duties_open(person_ids=person_ids.values(), provenance=self.source.row())
        code = self.source.code
        for i, pseudonym in zip(new_indexes, pseudonyms, strict=True):
            r, pid = records[i], person_ids[pseudonym]
            added = self.rows.add([_profile(pid, r, prov_id)])
            added.update(self.rows.add(_children(pid, r, prov_id, existing=None)))
            self.outcomes[i] = WriteOutcome(CREATED, pid)
            self.new_documents.append(
                document_for_record(
                    pid, r, source_kind=self.source.kind, source_name=self.source.name
                )
            )
            self.events.append(
                Event(
                    "create",
                    "people.person",
                    str(pid),
                    str(pseudonym),
                    {"source": code, "rows": added},
                )
            )

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
            r, person = self.records[i], self.existing[pid]
            filled, conflicts = _merge_scalars(person, r, PERSON_FIELDS)
            if not person.is_candidate:
                person.is_candidate = True
                filled.append("is_candidate")
            if filled:
                person_updates.append(person)
            profile = profiles.get(pid)
            counts: dict[str, int] = {}
            if profile is None:
                counts.update(self.rows.add([_profile(pid, r, merge_prov)]))
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
            counts.update(self.rows.add(_children(pid, r, merge_prov, existing=snap[pid])))
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
        if self.prov_id is None and self.rows.by_model:  # merges add rows: store the source now
            self.prov_id = self.source.row().pk
            for pending in self.rows.by_model.values():
                for row in pending:
                    if row["provenance_id"] == PENDING_PROVENANCE:
                        row["provenance_id"] = self.prov_id
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
        search_store(self.new_documents)
        merged = {o.person_id for o in self.outcomes if o and o.status == MERGED}
        search_index(pid for pid in merged if pid)
        audit_record_many(actor=self.actor, events=self.events)
        return [o or WriteOutcome(REJECTED, message="not processed") for o in self.outcomes]


def candidates_write(
    *,
    actor: Actor,
    source: ProvenanceSpec,
    records: list[CandidateRecord],
    on_duplicate: str = "merge",
) -> list[WriteOutcome]:
    """Store cleaned records; one outcome per record, in order (R1.1, R2.1).

    ``on_duplicate="report"`` rejects records that match an existing person instead of merging
    (the API's create endpoint, where the caller decides).
    """
    with source.forgotten_on_rollback(), transaction.atomic():
        batch = _Batch(actor, source, records)
        batch.classify(on_duplicate)
        batch.create_new()
        batch.merge_existing()
        return batch.finish()
