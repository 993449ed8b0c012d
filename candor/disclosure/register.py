"""What the disclosure app tells the record of processing activities (GDPR Art. 30, R9.2):
the recipients recorded in the ledger per purpose (R4.5) and the processor register (R4.4).

Connected to ``candor.privacy.ropa`` by ``DisclosureConfig.ready`` through its hooks, so the
privacy app does not import this one.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext as _

from candor.disclosure.models import Disclosure, Processor, RecipientKind
from candor.disclosure.selectors import agreement_status
from candor.privacy.policy import Purpose
from candor.privacy.ropa import ProcessorEntry


def recorded_recipients(purpose: Purpose) -> list[str]:
    """The recipients recorded for ``purpose``, in words: clients counted (they are many),
    processors and other recipients named, each with the number of disclosures."""
    rows = (
        Disclosure.objects.filter(purpose=purpose.key)
        .values("recipient_kind", "recipient")
        .annotate(times=Count("id"))
        .order_by("recipient_kind", "recipient")
    )
    clients, times, named = 0, 0, []
    for row in rows:
        if row["recipient_kind"] == RecipientKind.CLIENT:
            clients += 1
            times += row["times"]
        else:
            kind = RecipientKind(row["recipient_kind"]).label
            named.append(
                _("%(name)s (%(kind)s): %(n)d disclosures")
                % {"name": row["recipient"], "kind": kind, "n": row["times"]}
            )
    if clients:
        named.insert(
            0,
            _("Recorded: %(n)d client organisations received data (%(times)d disclosures).")
            % {"n": clients, "times": times},
        )
    return named


def processor_entries(day: dt.date) -> list[ProcessorEntry]:
    """The processors in use, with their agreement status on ``day``."""
    entries = []
    processors = Processor.objects.filter(active=True).select_related("parent")
    for processor in processors.prefetch_related("agreements"):
        status = agreement_status(processor, day)
        agreements = sorted(processor.agreements.all(), key=lambda a: a.signed_on, reverse=True)
        words = str(status.label)
        if agreements:
            latest = agreements[0]
            words += " — " + (
                _("signed %(signed)s, until %(until)s")
                % {"signed": latest.signed_on.isoformat(), "until": latest.valid_until.isoformat()}
                if latest.valid_until
                else _("signed %(signed)s, no end date") % {"signed": latest.signed_on.isoformat()}
            )
        entries.append(
            ProcessorEntry(
                name=processor.name,
                kind=str(processor.get_kind_display()),
                works_for=(
                    _("for %(name)s") % {"name": processor.parent.name} if processor.parent else ""
                ),
                service=str(processor.get_service_display())
                + (f" — {processor.description}" if processor.description else ""),
                categories=list(processor.categories),
                country=processor.country,
                location=processor.location,
                outside_eea=processor.outside_eea,
                safeguard=processor.safeguard,
                agreement=words,
                review_on=processor.review_on,
            )
        )
    return entries
