"""Keeping the candidate index in step with the data, and searching it (one interface, two
databases).

``search_index(person_ids)`` rebuilds those people's entries; call it inside the transaction that
changed them (the signal handlers in ``signals`` do so for single saves; batch writers such as
the importer call it themselves), so the index commits or rolls back with the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from candor.people.models import Person
from candor.privacy.gate import allowed_ids, refusals, scope
from candor.recruitment.models import CEFR_RANK
from candor.search.backends import Terms, backend
from candor.search.documents import Document, Entry, documents_for, education_facets, facet
from candor.search.text import query_words

COUNT_CAP = 1000


def search_index(person_ids: Iterable[int], *, new: bool = False) -> None:
    """Rebuild these people's entries (``new``: they are known to have none yet)."""
    docs, gone = documents_for(person_ids)
    backend().replace(docs, gone, new=new)


def search_store(docs: Sequence[Document | Entry]) -> None:
    """Add entries for people known to have none yet (just created)."""
    if docs:
        backend().replace(docs, [], new=True)


def search_remove(person_ids: Iterable[int]) -> None:
    backend().replace([], list(person_ids))


def search_rebuild(*, batch: int = 2000, on_progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index, batch by batch; returns how many candidates it holds."""
    indexed = 0
    with transaction.atomic():
        backend().clear()
        last = 0
        while True:
            ids = list(
                Person.objects.filter(is_candidate=True, pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            search_index(ids, new=True)
            indexed += len(ids)
            last = ids[-1]
            if on_progress:
                on_progress(len(ids))
        backend().tidy()
    return indexed


@dataclass(slots=True)
class CandidateSearch:
    """What a consultant asks for; every part optional, all parts combined (AND)."""

    text: str = ""
    function: str = ""
    skills: str = ""
    language: str = ""
    min_level: str = ""
    education: str = ""
    province: str = ""
    postcode: str = ""  # a postcode area: its first two digits
    available_by: dt.date | None = None
    stage: str = ""
    source: str = ""  # self, third-party, medium, medium:NAME, partner:NAME, agency

    def terms(self) -> tuple[Terms, list[str]]:
        """The backend's terms, and notes for the user about what was ignored."""
        notes: list[str] = []
        anywhere, cut = query_words(self.text)
        functions, cut_f = query_words(self.function)
        skills, cut_s = query_words(self.skills)
        if cut or cut_f or cut_s:
            notes.append(_("Only the first words of a long search were used."))
        facets: list[str] = []
        if self.language:
            level = self.min_level if self.min_level in CEFR_RANK else "A1"
            facets.append(facet("lang", self.language, level))
        if self.education:
            facets += education_facets(self.education)[-1:]
        if self.province:
            facets.append(facet("prov", self.province))
        if self.postcode:
            facets.append(facet("pc", self.postcode.strip()[:2]))
        if self.stage:
            facets.append(facet("stage", self.stage))
        if self.source:
            kind, _sep, name = self.source.partition(":")
            kind = {"self": "subject", "third-party": "third_party"}.get(kind, kind)
            facets.append(facet("src", kind, name) if name else facet("src", kind))
        terms = Terms(
            anywhere=tuple(anywhere),
            functions=tuple(functions),
            skills=tuple(skills),
            facets=tuple(f for f in facets if f),
            available_by=self.available_by,
        )
        return terms, notes


@dataclass(slots=True)
class SearchPage:
    people: list[Person]
    number: int
    has_next: bool
    total: int  # capped at COUNT_CAP: "1,000 or more"
    notes: list[str] = field(default_factory=list)

    @property
    def total_capped(self) -> bool:
        return self.total >= COUNT_CAP

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def search_candidates(query: CandidateSearch, *, page: int = 1, per_page: int = 25) -> SearchPage:
    """One page of candidates, best match first; newest first when nothing is asked, or when
    so many match (``COUNT_CAP`` or more) that ranking them all would make the page slow.

    Only people the purpose gate allows for the ``search`` feature are returned (R6.7, R6.8):
    the index answers, then ``allowed_ids`` drops the restricted, objecting and erased in one
    query."""
    page = max(1, page)
    offset = (page - 1) * per_page
    terms, notes = query.terms()
    if terms.has_text():
        ranked = backend().ranked(terms, cap=COUNT_CAP)
        if len(ranked) < COUNT_CAP:
            best = allowed_ids(ranked, feature="search", indexed=True)
            total = len(best)
            found = best[offset : offset + per_page + 1]
        else:  # ranking every one of 100,000 matches costs too much: newest first
            total = COUNT_CAP
            notes.append(_("Many candidates match, newest first: add words or filters to rank."))
            found = _newest_allowed(terms, limit=per_page + 1, offset=offset)
    else:
        everyone = Person.objects.filter(is_candidate=True, erased_at=None)
        if terms.available_by:
            everyone = everyone.exclude(candidate__available_from__gt=terms.available_by)
        candidates = scope(everyone, feature="search")
        found = list(
            candidates.order_by("-pk").values_list("pk", flat=True)[offset : offset + per_page + 1]
        )
        # Counting 1,000 people through the gate probes its tables 1,000 times; when even
        # after every refusal there are at least 1,000 left, "1,000 or more" is known without.
        refused = refusals(feature="search")
        if refused is not None and everyone[: COUNT_CAP + refused].count() >= COUNT_CAP + refused:
            total = COUNT_CAP
        else:
            total = candidates[:COUNT_CAP].count()
    by_id = Person.objects.select_related("candidate", "provenance").in_bulk(found[:per_page])
    people = [by_id[pk] for pk in found[:per_page] if pk in by_id]
    return SearchPage(people, page, len(found) > per_page, total, notes)


def _newest_allowed(terms: Terms, *, limit: int, offset: int) -> list[int]:
    """Newest matches the gate allows. Pages are cut before the gate's filter, so a page may
    show a few fewer people than asked when some are restricted or objecting; it reads more
    rows when the first read left fewer than one person to show."""
    wanted = limit
    while True:
        ids = backend().newest(terms, limit=wanted, offset=offset)
        allowed = allowed_ids(ids, feature="search", indexed=True)
        if allowed or len(ids) < wanted or wanted >= 8 * limit:
            return allowed[:limit]
        wanted *= 2
