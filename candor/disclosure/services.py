"""``disclose``: the one way personal data leaves the agency (DESIGN invariant 3, R4.5).

Whatever sends data about people — an anonymous profile to a client, a report to the party paying
a trajectory, a file to a processor, an access report to the person — calls ``disclose`` in the
same transaction as the sending (or the queueing of the sending). It asks the gate first: when the
gate refuses any of the people for the purpose, nothing is recorded and ``DisclosureRefused`` names
them with the gate's reasons, so the caller sends nothing. Data given to the person themselves
needs no purpose: it is their right (GDPR Art. 15 and 20).

Each person gets one ledger row and one audit event naming the recipient and the categories; the
row keeps a copy of what was sent and its SHA-256.

A processor (R4.4) is named by its register entry (``Recipient.for_processor``): ``disclose``
refuses (``ProcessorRefused``, logged, nothing recorded) when it has no processing agreement
valid on the day — for a sub-processor, its own and its processor's — or when the categories
are not among those its entry allows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from candor.audit.services import Event, audit_record_many
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import Channel, Disclosure, Processor, RecipientKind
from candor.disclosure.selectors import processor_refusal
from candor.people.models import Person
from candor.privacy.gate import may
from candor.privacy.policy import policy
from candor.privacy.registry import Category

OWN_RIGHT = "data_subject_right"  # the legal basis recorded when the person receives their data
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Recipient:
    kind: str  # a RecipientKind value
    name: str
    organisation_id: int | None = None
    processor_id: int | None = None  # required for RecipientKind.PROCESSOR

    @classmethod
    def person(cls) -> Recipient:
        return cls(kind=RecipientKind.PERSON, name="the person")

    @classmethod
    def for_client(cls, organisation: Any) -> Recipient:
        return cls(
            kind=RecipientKind.CLIENT, name=organisation.name, organisation_id=organisation.pk
        )

    @classmethod
    def for_processor(cls, processor: Processor) -> Recipient:
        return cls(
            kind=RecipientKind.PROCESSOR,
            name=processor.name,
            organisation_id=processor.organisation_id,
            processor_id=processor.pk,
        )


class DisclosureRefused(Exception):
    """The gate refused some of the people: nothing was recorded, nothing may be sent."""

    def __init__(self, refused: Mapping[int, Sequence[str]]) -> None:
        self.refused = dict(refused)
        super().__init__(
            _("The data of %(count)d person(s) may not be disclosed for this purpose.")
            % {"count": len(self.refused)}
        )


class ProcessorRefused(DisclosureRefused):
    """The processor may not receive the data (R4.4): no valid agreement, or categories its
    register entry does not cover. Nothing was recorded, nothing may be sent."""

    def __init__(self, message: str) -> None:
        self.refused = {}
        Exception.__init__(self, message)


def sha256(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def _validated(recipient: Recipient, categories: Sequence[str], channel: str) -> list[str]:
    if recipient.kind not in RecipientKind.values:
        raise ValueError(f"unknown recipient kind {recipient.kind!r}")
    if not recipient.name.strip():
        raise ValueError("a disclosure needs the recipient's name")
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    unknown = sorted(set(categories) - set(Category))
    if unknown or not categories:
        raise ValueError(f"a disclosure names known data categories, not {unknown or 'none'}")
    if recipient.processor_id is not None and recipient.kind != RecipientKind.PROCESSOR:
        raise ValueError("only a disclosure to a processor names a processor")
    return sorted(set(categories))


@transaction.atomic
def disclose(
    *,
    actor: Actor,
    recipient: Recipient,
    contents: Mapping[int, str],
    categories: Sequence[str],
    purpose: str,
    channel: str,
    reference: str = "",
    legal_basis: str = "",
) -> list[Disclosure]:
    """Record that each person in ``contents`` (person id → what was sent about them) was
    disclosed to ``recipient``; raises ``DisclosureRefused`` (and records nothing) when the gate
    refuses any of them for ``purpose``. ``legal_basis``: the basis to record when it is not the
    purpose's own — only ``legal_obligation`` for a purpose that declares it also rests on one
    (a trajectory report to the employer paying an outplacement, R4.3)."""
    chosen = _validated(recipient, categories, channel)
    at = clock.now()
    if recipient.kind == RecipientKind.PROCESSOR:
        refusal = processor_refusal(recipient.processor_id, chosen, clock.localdate(at))
        if refusal:
            log.warning("disclosure to processor %s refused: %s", recipient.processor_id, refusal)
            raise ProcessorRefused(refusal)
    to_person = recipient.kind == RecipientKind.PERSON
    if to_person:
        if len(contents) != 1:
            raise ValueError("a disclosure to the person concerns that one person")
        basis = OWN_RIGHT
    else:
        declared = policy().purpose(purpose)
        basis = str(declared.legal_basis)
        if legal_basis and legal_basis != basis:
            if not (legal_basis == "legal_obligation" and declared.also_legal_obligation):
                raise ValueError(f"purpose {purpose!r} does not rest on {legal_basis!r}")
            basis = legal_basis
        refused: dict[int, Sequence[str]] = {}
        for person_id in contents:
            decision = may(person_id, purpose)
            if not decision:
                refused[person_id] = decision.reasons
        if refused:
            raise DisclosureRefused(refused)
    pseudonyms = dict(Person.objects.filter(pk__in=list(contents)).values_list("pk", "pseudonym"))
    missing = sorted(set(contents) - set(pseudonyms))
    if missing:
        raise DisclosureRefused({pk: (_("No such person."),) for pk in missing})
    rows = [
        Disclosure(
            person_id=person_id,
            recipient_kind=recipient.kind,
            organisation_id=recipient.organisation_id,
            processor_id=recipient.processor_id,
            recipient=recipient.name,
            categories=chosen,
            purpose=purpose if not to_person else "",
            legal_basis=basis,
            channel=channel,
            at=at,
            by_id=actor.user_id,
            actor=actor.ref,
            reference=reference,
            content_sha256=sha256(content),
            content=content,
        )
        for person_id, content in contents.items()
    ]
    created = Disclosure.objects.bulk_create(rows)
    audit_record_many(
        actor=actor,
        events=[
            Event(
                action="disclosure.record",
                object_type="disclosure",
                object_id=str(row.pk or ""),
                subject=str(pseudonyms[row.person_id]),
                detail={
                    "recipient_kind": row.recipient_kind,
                    "organisation": row.organisation_id,
                    "processor": row.processor_id,
                    "categories": chosen,
                    "purpose": row.purpose,
                    "channel": channel,
                    "sha256": row.content_sha256,
                },
            )
            for row in created
        ],
    )
    return created
