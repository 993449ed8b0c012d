"""Proof of erasure (R6.6): after a person is erased, look for what could still identify them.

``identifiers_of`` captures, before the erasure, what identifies the person: first and last
name, e-mail addresses, phone numbers (E.164, national ``0470…`` and ``32470…`` forms, a mobile
spaced as usual), profile
URLs, the birth date (ISO ``1985-04-12`` and Belgian ``12/04/1985``) and the names of their
stored files. ``proof_scan`` then looks in five places, each chosen so that a scan costs index
lookups rather than a read of the whole database, except the last:

1. **The person's own rows**, every model the registry reaches from the Person (its
   ``subject`` path): rows erasure keeps must hold none of the identifiers, the last name alone
   included, in any text column, nor the birth date in a personal date column. Fields the
   registry keeps under a named obligation are not residue (the erasure report names them).
2. **Identifier columns across the database**: every indexed text column the registry declares
   as contact or account data (today: contact points' normalised values, user names) is asked
   for the person's e-mail addresses, phone numbers and URLs by equality, and people are asked
   for the same name key *and* birth date (both indexed). A row found belongs to someone else:
   a duplicate record, or an identifier shared with a relative — for the DPO to resolve.
3. **The search index**: the person's own entry must be gone, and no entry may hold an e-mail
   address, phone number or URL of theirs as a phrase (FTS5 ``MATCH`` / ``tsvector @@``, one
   index lookup); on PostgreSQL, no word of theirs may linger in ``search_word`` without an
   entry holding it.
4. **Stored files**: every file the person's rows named, and their storage folder
   (``documents/<pseudonym>/``), must be gone.
5. **Free text** (``free_text=True``, the default): every personal free-text column of every
   model — ``TextField``\\ s and text columns of 200 characters or more, which is where a
   consultant may have typed someone else's e-mail address — is streamed by the database in one
   statement per model (``LIKE``), looking for the e-mail addresses, phone numbers and URLs,
   and for the full name *together with* the birth date. This part reads every row of those
   tables, so it grows with the database (see docs/rights.md for figures); the other four do
   not. Columns encrypted per person (``candor.privacy.fields``: free notes, guidance notes,
   reports) cannot be searched by the database: their non-empty values are decrypted and
   looked at here, the keys of 2,000 rows read in one query.

The rule for names: a name alone is residue only in the person's own rows. Elsewhere a name
is common to many people ("Peeters"), so it counts only beside another identifier of the
person (the birth date in the same text, or the same name key and birth date on a person row).
Residues name the table, the column and the row's key, never the value found.

Not scanned: the audit trail (append-only by design; it names people by pseudonym, and a
rectification's old values live there on purpose, R6.5) and the disclosure ledger's recipient
names. Backups are outside the application's reach.

``erase_with_proof`` is what a subject request's erasure calls: capture, suppress (R6.11),
erase in one transaction, then scan what was committed and audit the result.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast

from candor.audit.services import audit_record
from candor.core.actor import Actor
from candor.disclosure.selectors import RecipientSummary, recipients
from candor.people.models import ContactKind, ContactPoint, Person
from candor.privacy import crypto
from candor.privacy.erasure import PERSON_FOLDERS, ErasureReport, person_erase
from candor.privacy.fields import EncryptedMixin
from candor.privacy.models import SuppressionReason
from candor.privacy.registry import Category, ModelDeclaration, declarations
from candor.privacy.suppression import suppress_person
from candor.search.text import words

FREE_TEXT_MIN_LENGTH = 200  # a CharField this long is free text, not a code or a name
IDENTIFIER_CATEGORIES = {Category.CONTACT, Category.ACCOUNT}
# Long text columns of these categories hold one identifier each (an address, a name key, a
# file name), not prose: they are looked up by equality where indexed, not streamed.
NAMED_COLUMNS = {Category.CONTACT, Category.IDENTITY, Category.ACCOUNT}
# Free-text columns the search index holds for every candidate (candor.search.documents): the
# index answers for them in one lookup, and only rows outside it (``OUTSIDE_INDEX``) are
# streamed. ``test_proof`` checks that the index really holds each of these columns.
INDEXED_FREE_TEXT: dict[str, tuple[str, ...]] = {
    "recruitment.candidateprofile": ("summary",),
    "recruitment.experience": ("description",),
}
OUTSIDE_INDEX: dict[str, Q] = {}
SUBJECT_OF_INDEXED = {"recruitment.candidateprofile": "person_id"}
SUBJECT_OF_INDEXED["recruitment.experience"] = "person_id"
STREAM_CHUNK = 2000  # encrypted rows decrypted per round (their keys read in one query)


@dataclass(frozen=True, slots=True)
class Identifiers:
    """What identified a person, captured before erasure; held in memory only."""

    person_id: int
    pseudonym: str
    first_name: str = ""
    last_name: str = ""
    name_key: str = ""
    birth_date: dt.date | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()  # E.164
    urls: tuple[str, ...] = ()
    files: tuple[tuple[str, str, str], ...] = ()  # (model label, field, stored name)

    def phone_forms(self) -> list[str]:
        """E.164, the two other ways a number is written without separators, and a Belgian
        mobile number as it is usually spaced (``0470 12 34 56``, ``+32 470 12 34 56``).
        Other spacings are found only in the person's own rows (compared without separators),
        not in other people's free text or the search index."""
        forms = []
        for phone in self.phones:
            forms.append(phone)
            forms.append(phone.lstrip("+"))
            national = phone[3:] if phone.startswith("+32") else ""
            if national:
                forms.append("0" + national)
            if len(national) == 9 and national.startswith("4"):
                pairs = f"{national[3:5]} {national[5:7]} {national[7:]}"
                forms += [f"0{national[:3]} {pairs}", f"+32 {national[:3]} {pairs}"]
        return list(dict.fromkeys(forms))

    def strong(self) -> list[str]:
        """Identifiers that point at this person alone, wherever they appear."""
        return [*self.emails, *self.phone_forms(), *self.urls]

    def birth_forms(self) -> list[str]:
        if self.birth_date is None:
            return []
        return [self.birth_date.isoformat(), self.birth_date.strftime("%d/%m/%Y")]

    def full_names(self) -> list[str]:
        if not (self.first_name and self.last_name):
            return [self.last_name] if self.last_name else []
        return [f"{self.first_name} {self.last_name}", f"{self.last_name} {self.first_name}"]


@dataclass(frozen=True, slots=True)
class Residue:
    """Where something of the person was found; never the value itself."""

    where: str  # "table.column", "search_index", "search_word" or "storage"
    row: str  # the row's key, the index entry's person id, or the stored file's name
    kind: str  # email | phone | url | name | birth_date | name+birth_date | entry | file


@dataclass(slots=True)
class ProofResult:
    """The outcome of a proof scan, to be stored with the request: clean or not, each residue,
    what was looked at (rows read per place) and how long it took."""

    clean: bool
    residues: list[Residue] = field(default_factory=list)
    scanned: dict[str, int] = field(default_factory=dict)  # place → rows read or lookups made
    not_scanned: list[str] = field(default_factory=list)
    duration_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (no personal value in it) for the request record."""
        return {
            "clean": self.clean,
            "residues": [{"where": r.where, "row": r.row, "kind": r.kind} for r in self.residues],
            "scanned": self.scanned,
            "not_scanned": self.not_scanned,
            "duration_ms": round(self.duration_ms, 1),
        }


def _rows_of(declaration: ModelDeclaration, person_id: int) -> models.QuerySet[Any]:
    key = declaration.subject or "pk"
    return declaration.model._default_manager.filter(**{key: person_id}).order_by()


def identifiers_of(person_id: int) -> Identifiers:
    """The person's identifiers as they stand now (call it before erasing)."""
    person = Person.objects.get(pk=person_id)
    emails, phones, urls = [], [], []
    for kind, normalised in ContactPoint.objects.filter(person_id=person_id).values_list(
        "kind", "normalised"
    ):
        if kind == ContactKind.EMAIL:
            emails.append(normalised)
        elif kind in {ContactKind.PHONE, ContactKind.MOBILE}:
            phones.append(normalised)
        elif kind == ContactKind.URL:
            urls.append(normalised)
    files = []
    for d in declarations():
        if d.subject is None:
            continue
        for name in d.fields:
            f = d.model._meta.get_field(name)
            if isinstance(f, models.FileField):
                stored = _rows_of(d, person_id).values_list(name, flat=True)
                files += [(d.label, name, str(s)) for s in stored if s]
    return Identifiers(
        person_id=person_id,
        pseudonym=str(person.pseudonym),
        first_name=person.first_name,
        last_name=person.last_name,
        name_key=person.name_key,
        birth_date=person.birth_date,
        emails=tuple(dict.fromkeys(emails)),
        phones=tuple(dict.fromkeys(phones)),
        urls=tuple(dict.fromkeys(urls)),
        files=tuple(files),
    )


# -- matching in memory (the person's own rows) ------------------------------------------------


def _phrase(text: str, phrase: str) -> bool:
    """``phrase``'s words appear in ``text`` in a row, as whole words (accents and case
    folded): "Peeters" is in "Jan Peeters" but not in "Peetersen"."""
    wanted = words(phrase)
    if not wanted:
        return False
    have = words(text)
    n = len(wanted)
    return any(have[i : i + n] == wanted for i in range(len(have) - n + 1))


def _found_in(text: str, ident: Identifiers, *, name_alone: bool) -> str:
    """The kind of identifier ``text`` holds ("" for none)."""
    lowered = text.lower()
    for email in ident.emails:
        if email in lowered:
            return "email"
    compact = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    for form in ident.phone_forms():
        if form.replace(" ", "") in compact:
            return "phone"
    for url in ident.urls:
        if url in lowered:
            return "url"
    named = any(_phrase(text, n) for n in ident.full_names())
    if named and any(b in text for b in ident.birth_forms()):
        return "name+birth_date"
    if name_alone and (named or (ident.last_name and _phrase(text, ident.last_name))):
        return "name"
    return ""


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def _own_rows(ident: Identifiers, result: ProofResult) -> None:
    for d in declarations():
        if d.subject is None:
            continue
        kept = {name for name, pd in d.fields.items() if pd.erasure.kind == "keep"}
        texts = [f for f in _text_fields(d.model) if f.name not in kept]
        dates = [
            name
            for name in d.fields
            if name not in kept
            and isinstance(d.model._meta.get_field(name), models.DateField)
            and not isinstance(d.model._meta.get_field(name), models.DateTimeField)
        ]
        if not texts and not dates:
            continue
        names = ["pk", *[f.attname for f in texts], *dates]
        n = 0
        for row in _rows_of(d, ident.person_id).values_list(*names):
            n += 1
            pk, values = row[0], row[1:]
            for f, value in zip(texts, values[: len(texts)], strict=True):
                kind = value and _found_in(str(value), ident, name_alone=f.name in d.fields)
                if kind:
                    result.residues.append(
                        Residue(f"{d.model._meta.db_table}.{f.column}", str(pk), kind)
                    )
            for name, value in zip(dates, values[len(texts) :], strict=True):
                if ident.birth_date is not None and value == ident.birth_date:
                    table = d.model._meta.db_table
                    result.residues.append(Residue(f"{table}.{name}", str(pk), "birth_date"))
        result.scanned["own rows"] = result.scanned.get("own rows", 0) + n


# -- indexed identifier columns ----------------------------------------------------------------


def _indexed(model: type[models.Model], name: str) -> bool:
    f = model._meta.get_field(name)
    if getattr(f, "db_index", False) or getattr(f, "unique", False):
        return True
    return any(index.fields and index.fields[0] == name for index in model._meta.indexes)


def _identifier_columns(ident: Identifiers, result: ProofResult) -> None:
    strong = ident.strong()
    lookups = 0
    for d in declarations():
        for name, pd in d.fields.items():
            f = d.model._meta.get_field(name)
            if (
                pd.category in IDENTIFIER_CATEGORIES
                and isinstance(f, models.CharField)
                and not f.choices
                and _indexed(d.model, name)
                and strong
            ):
                lookups += 1
                table = d.model._meta.db_table
                for pk in d.model._default_manager.filter(**{f"{name}__in": strong}).values_list(
                    "pk", flat=True
                ):
                    result.residues.append(Residue(f"{table}.{f.column}", str(pk), "identifier"))
    if ident.name_key and ident.birth_date is not None:
        lookups += 1
        # the birth date is encrypted: the name key narrows, the date is compared here
        same = Person.objects.filter(name_key=ident.name_key).values_list("pk", "birth_date")
        for pk, born in same:
            if born == ident.birth_date:
                result.residues.append(
                    Residue("people_person.name_key", str(pk), "name+birth_date")
                )
    result.scanned["identifier columns (index lookups)"] = lookups


# -- the search index --------------------------------------------------------------------------


def _phrases(ident: Identifiers) -> list[list[str]]:
    found = [words(s) for s in ident.strong()]
    return [p for p in found if p]


def _named_and_born(ident: Identifiers) -> tuple[list[list[str]], list[list[str]]]:
    """The full name's phrases and the birth date's, as the index holds words."""
    if not (ident.first_name and ident.last_name and ident.birth_date):
        return [], []
    return [words(n) for n in ident.full_names()], [words(b) for b in ident.birth_forms()]


def _fts_phrase(phrase: list[str]) -> str:
    return '"' + " ".join(phrase) + '"'


def _locate(ident: Identifiers, person_ids: list[int], result: ProofResult) -> None:
    """Entries the index found: name the row and column holding the identifier (a few rows)."""
    for d in declarations():
        columns = INDEXED_FREE_TEXT.get(d.label)
        if not columns or not person_ids:
            continue
        key = SUBJECT_OF_INDEXED[d.label]
        rows = d.model._default_manager.filter(**{f"{key}__in": person_ids}).order_by()
        table = d.model._meta.db_table
        for row in rows.values_list("pk", *columns):
            for column, value in zip(columns, row[1:], strict=True):
                kind = value and _found_in(str(value), ident, name_alone=False)
                if kind:
                    result.residues.append(Residue(f"{table}.{column}", str(row[0]), kind))


def _search_index(ident: Identifiers, result: ProofResult) -> None:
    phrases = _phrases(ident)
    names, births = _named_and_born(ident)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT person_id FROM search_candidate WHERE person_id = %s", [ident.person_id]
            )
            own = [r[0] for r in cursor.fetchall()]
            holding: list[int] = []
            either = ["phraseto_tsquery('simple', %s)"] * len(phrases)
            params = [" ".join(p) for p in phrases]
            if names:
                named = " || ".join(["phraseto_tsquery('simple', %s)"] * len(names))
                born = " || ".join(["phraseto_tsquery('simple', %s)"] * len(births))
                either.append(f"(({named}) && ({born}))")
                params += [" ".join(p) for p in names] + [" ".join(p) for p in births]
            if either:
                # No LIMIT: with one, the planner expects to find rows early and reads the
                # whole table instead of the GIN index (52 ms against 0.1 ms at 20,000).
                cursor.execute(
                    "SELECT person_id FROM search_candidate "  # noqa: S608
                    f"WHERE document @@ ({' || '.join(either)})",
                    params,
                )
                holding = [r[0] for r in cursor.fetchall()]
            own_words = sorted({w for p in phrases for w in p} | set(words(ident.last_name)))
            lingering = []
            if own_words:
                cursor.execute(
                    "SELECT w.word FROM search_word w WHERE w.word = ANY(%s) AND NOT EXISTS "
                    "(SELECT 1 FROM search_candidate s "
                    "WHERE s.document @@ quote_literal(w.word)::tsquery)",
                    [own_words],
                )
                lingering = [r[0] for r in cursor.fetchall()]
            result.residues += [Residue("search_word", "-", "word") for _w in lingering]
        else:
            cursor.execute("SELECT rowid FROM search_candidate WHERE rowid = %s", [ident.person_id])
            own = [r[0] for r in cursor.fetchall()]
            holding = []
            terms = [_fts_phrase(p) for p in phrases]
            if names:
                named = " OR ".join(_fts_phrase(p) for p in names)
                born = " OR ".join(_fts_phrase(p) for p in births)
                terms.append(f"(({named}) AND ({born}))")
            if terms:
                match = " OR ".join(terms)
                cursor.execute(
                    "SELECT rowid FROM search_candidate WHERE search_candidate MATCH %s LIMIT 100",
                    [match],
                )
                holding = [r[0] for r in cursor.fetchall()]
    result.residues += [Residue("search_index", str(pk), "entry") for pk in own]
    result.residues += [Residue("search_index", str(pk), "identifier") for pk in holding]
    _locate(ident, holding, result)
    result.scanned["search index (index lookups)"] = 1 + bool(phrases or names)


# -- stored files ------------------------------------------------------------------------------


def _files(ident: Identifiers, result: ProofResult) -> None:
    checked = 0
    for label, name, stored in ident.files:
        model = next(d.model for d in declarations() if d.label == label)
        storage = model._meta.get_field(name).storage  # type: ignore[union-attr]
        checked += 1
        if storage.exists(stored):
            result.residues.append(Residue("storage", stored, "file"))
    for top in PERSON_FOLDERS:
        folder = f"{top}/{ident.pseudonym}"
        if not default_storage.exists(folder):
            continue
        _dirs, names = default_storage.listdir(folder)
        checked += 1
        known = {r.row for r in result.residues if r.where == "storage"}
        for n in names:
            if f"{folder}/{n}" not in known:
                result.residues.append(Residue("storage", f"{folder}/{n}", "file"))
    result.scanned["stored files"] = checked


# -- free text ---------------------------------------------------------------------------------


def free_text_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Per model, the personal columns where people write freely (see the module docstring)."""
    found = []
    for d in declarations():
        names = []
        for name, pd in d.fields.items():
            f = d.model._meta.get_field(name)
            if isinstance(f, models.TextField) or (
                isinstance(f, models.CharField)
                and not f.choices
                and (f.max_length or 0) >= FREE_TEXT_MIN_LENGTH
                and pd.category not in NAMED_COLUMNS
            ):
                names.append(name)
        if names:
            found.append((d.model, names))
    return found


def _text_q(columns: list[str], ident: Identifiers) -> Q:
    """Rows whose free text holds a strong identifier, or the full name with the birth date."""
    strong, births = ident.strong(), ident.birth_forms()
    names = ident.full_names() if ident.first_name else []
    q = Q()
    for column in columns:
        for value in strong:
            q |= Q(**{f"{column}__icontains": value})
        if names and births:
            named, dated = Q(), Q()
            for n in names:
                named |= Q(**{f"{column}__icontains": n})
            for b in births:
                dated |= Q(**{f"{column}__contains": b})
            q |= named & dated
    return q


def _encrypted_text(ident: Identifiers, model: type[models.Model], column: str) -> list[Residue]:
    """An encrypted column cannot be searched by the database: its non-empty values are read
    and decrypted here, the keys of a chunk of rows in one query."""
    f = model._meta.get_field(column)
    table, context = model._meta.db_table, f"{model._meta.db_table}.{f.column}"  # type: ignore[union-attr]
    rows = (
        model._default_manager.order_by("pk")
        .exclude(**{column: ""})
        .filter(**{f"{column}__isnull": False})
        .values_list("pk", Cast(column, models.TextField()))
    )
    found = []
    chunk: list[tuple[Any, str]] = []

    def check() -> None:
        plain = crypto.unseal_many([t for _pk, t in chunk], context=context)
        for (pk, _token), value in zip(chunk, plain, strict=True):
            kind = value and _found_in(value, ident, name_alone=False)
            if kind:
                found.append(Residue(f"{table}.{f.column}", str(pk), kind))  # type: ignore[union-attr]
        chunk.clear()

    for row in rows.iterator(chunk_size=STREAM_CHUNK):
        chunk.append(row)
        if len(chunk) >= STREAM_CHUNK:
            check()
    check()
    return found


def _free_text(ident: Identifiers, result: ProofResult) -> None:
    streamed = 0
    for model, every in free_text_columns():
        label = model._meta.label_lower
        indexed = INDEXED_FREE_TEXT.get(label, ())
        outside = OUTSIDE_INDEX.get(label)
        columns = every if outside is not None else [c for c in every if c not in indexed]
        sealed = [c for c in columns if isinstance(model._meta.get_field(c), EncryptedMixin)]
        for column in sealed:
            streamed += 1
            result.residues += _encrypted_text(ident, model, column)
        columns = [c for c in columns if c not in sealed]
        q = _text_q(columns, ident)
        if not columns or not q:
            continue
        streamed += 1
        table = model._meta.db_table
        rows = model._default_manager.order_by()
        if outside is not None:  # the index answered for the rest (see INDEXED_FREE_TEXT)
            rows = rows.filter(outside)  # first: the cheap test is made before the LIKEs
        rows = rows.filter(q)
        for row in rows.values_list("pk", *columns):
            for column, value in zip(columns, row[1:], strict=True):
                kind = value and _found_in(str(value), ident, name_alone=False)
                if kind:
                    f = model._meta.get_field(column)
                    result.residues.append(Residue(f"{table}.{f.column}", str(row[0]), kind))  # type: ignore[union-attr]
    result.scanned["free-text tables (streamed)"] = streamed


def proof_scan(ident: Identifiers, *, free_text: bool = True) -> ProofResult:
    """Look for the person's identifiers after erasure (R6.6); see the module docstring for
    where and the rule for names. Reads only; call it once the erasure is committed (stored
    files are deleted at commit)."""
    started = time.perf_counter()
    result = ProofResult(clean=True)
    _own_rows(ident, result)
    _identifier_columns(ident, result)
    _search_index(ident, result)
    _files(ident, result)
    if free_text:
        _free_text(ident, result)
    else:
        result.not_scanned.append("free text of other rows (free_text=False)")
    result.not_scanned += ["audit trail (append-only; pseudonyms only, R6.5 old values)"]
    result.residues = list(dict.fromkeys(result.residues))
    result.clean = not result.residues
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result


class ProvenErasure(NamedTuple):
    """What ``erase_with_proof`` did: the erasure, the proof scan, and the recipients who
    received the person's data and must be told (GDPR Art. 19)."""

    report: ErasureReport
    proof: ProofResult
    recipients: list[RecipientSummary]


class RequestErasure(NamedTuple):
    """The first half of an erasure on request, done in the caller's transaction: what
    identified the person (for the proof scan once committed), the erasure and the recipients."""

    identifiers: Identifiers
    report: ErasureReport
    recipients: list[RecipientSummary]


def erase_for_request(*, actor: Actor, person_id: int, reason: str = "request") -> RequestErasure:
    """Capture the person's identifiers and recipients, put them on the suppression list (R6.11)
    and erase them (``person_erase``: registry strategies, files at commit, search entry, audit
    event), in the caller's transaction. Prove it with ``erasure_prove`` once committed.

    Raises ``Person.DoesNotExist`` for an unknown person and ``ValueError`` for one already
    erased."""
    person = Person.objects.get(pk=person_id)
    if person.erased_at is not None:
        raise ValueError(f"person {person_id} was already erased on {person.erased_at:%Y-%m-%d}")
    ident = identifiers_of(person_id)
    told = recipients(person_id)
    with transaction.atomic():
        suppress_person(actor=actor, person=person_id, reason=SuppressionReason.ERASURE)
        report = person_erase(actor=actor, person=person_id, reason=reason)
    return RequestErasure(ident, report, told)


def erasure_prove(*, actor: Actor, ident: Identifiers, free_text: bool = True) -> ProofResult:
    """Scan committed state for residue of an erased person and write the ``erasure.proof``
    audit event with the outcome (places and counts, never a value). Must run outside any
    transaction: the proof is of what was committed, and stored files go only at commit."""
    if connection.in_atomic_block:
        raise RuntimeError(
            "the proof scan must run outside a transaction: it reads what the erasure "
            "committed, and stored files are only deleted at commit"
        )
    proof = proof_scan(ident, free_text=free_text)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="erasure.proof",
            object_type="people.person",
            object_id=ident.person_id,
            subject=ident.pseudonym,
            detail={
                "clean": proof.clean,
                "residues": sorted({r.where for r in proof.residues}),
                "count": len(proof.residues),
                "scanned": proof.scanned,
            },
        )
    return proof


def erase_with_proof(
    *, actor: Actor, person_id: int, reason: str = "request", free_text: bool = True
) -> ProvenErasure:
    """Erase a person on their request (R6.6) and prove it: ``erase_for_request`` in a
    transaction of its own, then ``erasure_prove`` of what it committed.

    Must run outside any transaction (a subject request runs the two halves itself: the erasure
    in the decision's transaction, the proof once it commits). Raises ``Person.DoesNotExist``
    for an unknown person and ``ValueError`` for one already erased. A residue does not undo
    the erasure: ``proof.clean`` is False and the request fails. ``free_text=False`` leaves out
    the one part of the scan that grows with the database (the result says so); a request
    should keep the default."""
    if connection.in_atomic_block:
        raise RuntimeError(
            "erase_with_proof must run outside a transaction: the proof scan reads what the "
            "erasure committed, and stored files are only deleted at commit"
        )
    with transaction.atomic():
        done = erase_for_request(actor=actor, person_id=person_id, reason=reason)
    proof = erasure_prove(actor=actor, ident=done.identifiers, free_text=free_text)
    return ProvenErasure(done.report, proof, done.recipients)
