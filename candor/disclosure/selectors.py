"""Reading the ledger (who received a person's data: access reports, Art. 19 notifications; what a
client received), and the processor register's agreement rules (R4.4)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from candor.disclosure.models import (
    AgreementStatus,
    Disclosure,
    Processor,
    RecipientKind,
)

log = logging.getLogger(__name__)


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


# -- processors (R4.4) -------------------------------------------------------------------------


def agreement_status(processor: Processor, day: dt.date) -> AgreementStatus:
    """The processor's agreement status on ``day``: valid when one of its agreements is in force
    that day; otherwise expired (one ended), not yet (one starts later) or missing."""
    statuses = {a.status_on(day) for a in processor.agreements.all()}
    for status in (AgreementStatus.VALID, AgreementStatus.NOT_YET, AgreementStatus.EXPIRED):
        if status in statuses:
            return status
    return AgreementStatus.MISSING


def processor_refusal(processor_id: int | None, categories: Sequence[str], day: dt.date) -> str:
    """Why data in ``categories`` may not go to the processor on ``day`` ("" when it may): no
    such processor, no agreement valid that day (for a sub-processor: its own and its
    processor's), or categories its register entry does not cover."""
    if processor_id is None:
        return _("A disclosure to a processor must name the processor.")
    processor = Processor.objects.filter(pk=processor_id).prefetch_related("agreements").first()
    if processor is None:
        return _("There is no processor %(id)s in the register.") % {"id": processor_id}
    chain, seen = [processor], {processor.pk}
    while chain[-1].parent_id is not None and chain[-1].parent_id not in seen:
        parent = Processor.objects.prefetch_related("agreements").get(pk=chain[-1].parent_id)
        chain.append(parent)
        seen.add(parent.pk)
    for entry in chain:
        status = agreement_status(entry, day)
        if status != AgreementStatus.VALID:
            return _(
                "%(name)s has no processing agreement valid on %(day)s (%(status)s): nothing "
                "may be sent to it."
            ) % {"name": entry.name, "day": day.isoformat(), "status": status.label}
    uncovered = sorted(set(categories) - set(processor.categories))
    if uncovered:
        return _(
            "The register does not allow %(name)s to receive these data categories: %(categories)s."
        ) % {"name": processor.name, "categories": ", ".join(uncovered)}
    if processor.outside_eea and not processor.safeguard:
        return _(
            "%(name)s processes data outside the EEA without a recorded transfer safeguard."
        ) % {"name": processor.name}
    return ""


def processors_register(day: dt.date) -> list[tuple[Processor, AgreementStatus, Any]]:
    """Every processor in the register with its agreement status on ``day`` and its latest
    agreement (the register page and the Art. 30 record)."""
    rows = []
    for processor in Processor.objects.select_related("parent", "organisation").prefetch_related(
        "agreements"
    ):
        agreements = list(processor.agreements.all())
        rows.append(
            (processor, agreement_status(processor, day), agreements[0] if agreements else None)
        )
    return rows


# -- what a client received (R4.1) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Received:
    code: str
    person_id: int
    content: str
    at: dt.datetime
    reference: str


class NotSentToClient(Exception):
    """A client asked for a candidate it was never sent: refused, nothing disclosed."""


def received_profiles(organisation_id: int) -> list[Received]:
    """The anonymous profiles a client organisation received, newest first (its portal view):
    read from the ledger, so it shows exactly what was sent."""
    from candor.disclosure.profiles import profile_code

    rows = (
        Disclosure.objects.filter(
            organisation_id=organisation_id, recipient_kind=RecipientKind.CLIENT
        )
        .exclude(content="")
        .values_list("person_id", "person__pseudonym", "content", "at", "reference")
    )
    return [
        Received(profile_code(pseudonym), pid, content, at, reference)
        for pid, pseudonym, content, at, reference in rows
    ]


def received_profile(organisation_id: int, code: str) -> Received:
    """One profile the client received, by its reference code; ``NotSentToClient`` (logged)
    when this client was never sent that candidate."""
    wanted = code.strip().upper()
    for received in received_profiles(organisation_id):
        if received.code == wanted:
            return received
    log.warning("client %s asked for a profile it was not sent", organisation_id)
    raise NotSentToClient(
        _("Candidate %(code)s was not sent to this client; nothing is shown.") % {"code": wanted}
    )
