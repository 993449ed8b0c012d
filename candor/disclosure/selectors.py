"""Reading the ledger: who received a person's data (access reports, Art. 19 notifications)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from candor.disclosure.models import Disclosure, RecipientKind


@dataclass(slots=True)
class RecipientSummary:
    """One recipient of a person's data, with what it received and when."""

    kind: str
    name: str
    organisation_id: int | None
    categories: set[str] = field(default_factory=set)
    purposes: set[str] = field(default_factory=set)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    times: int = 0

    def add(self, categories: list[str], purpose: str, at: dt.datetime) -> None:
        self.categories.update(categories)
        if purpose:
            self.purposes.add(purpose)
        self.first = at if self.first is None else min(self.first, at)
        self.last = at if self.last is None else max(self.last, at)
        self.times += 1


def recipients(person_id: int, *, include_person: bool = False) -> list[RecipientSummary]:
    """Every recipient of the person's data, most recent first (one query)."""
    rows = Disclosure.objects.filter(person_id=person_id).order_by()
    if not include_person:
        rows = rows.exclude(recipient_kind=RecipientKind.PERSON)
    grouped: dict[tuple[str, str, int | None], RecipientSummary] = {}
    for kind, name, org, categories, purpose, at in rows.values_list(
        "recipient_kind", "recipient", "organisation_id", "categories", "purpose", "at"
    ):
        key = (kind, name, org)
        summary = grouped.get(key) or grouped.setdefault(key, RecipientSummary(kind, name, org))
        summary.add(categories, purpose, at)
    return sorted(grouped.values(), key=lambda s: (s.last is not None, s.last), reverse=True)


def disclosures_for(person_id: int, *, limit: int = 50) -> list[Disclosure]:
    """The person's latest disclosures, newest first."""
    return list(Disclosure.objects.filter(person_id=person_id).select_related("by")[:limit])
