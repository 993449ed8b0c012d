"""Writing the processor register (R4.4) and sending data to a processor through the ledger.

- ``processor_save``: create or change a register entry (the DPO); the rules: a sub-processor
  names the processor it works for, the categories are the registry's, and processing outside
  the EEA names its transfer safeguard.
- ``agreement_add``: record a processing agreement, its term and the signed copy (stored through
  Django's storage API under a random name, with its SHA-256).
- ``processor_transfer``: the one way a person's data goes to a processor: the data of the
  chosen categories, read through the registry, recorded by ``disclose`` — which refuses when
  there is no agreement valid today.

Every write has its audit event in the same transaction; the events hold field names, never
values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import EEA, ProcessingAgreement, Processor, ProcessorKind
from candor.disclosure.services import Recipient, disclose
from candor.privacy.registry import Category, declarations

EDITABLE = (
    "name",
    "kind",
    "parent",
    "organisation",
    "service",
    "description",
    "categories",
    "country",
    "location",
    "safeguard",
    "review_on",
    "active",
)
MAX_AGREEMENT_BYTES = 20 * 1024 * 1024


def _check(processor: Processor) -> None:
    errors: dict[str, list[str]] = {}
    processor.country = (processor.country or "").strip().upper()
    unknown = sorted(set(processor.categories) - {c.value for c in Category})
    if unknown:
        errors["categories"] = [_("Unknown data categories: %(c)s.") % {"c": ", ".join(unknown)}]
    if not processor.categories:
        errors["categories"] = [_("Name the data categories the processor may receive.")]
    if processor.kind == ProcessorKind.SUB_PROCESSOR:
        if processor.parent_id is None:
            errors["parent"] = [_("A sub-processor names the processor it works for.")]
        elif processor.parent_id == processor.pk:
            errors["parent"] = [_("A processor cannot work for itself.")]
    elif processor.parent_id is not None:
        errors["parent"] = [_("Only a sub-processor works for another processor.")]
    if len(processor.country) != 2 or not processor.country.isalpha():
        errors["country"] = [_("Give the country as its two-letter code (BE, NL, US…).")]
    elif processor.country not in EEA and not processor.safeguard:
        errors["safeguard"] = [
            _("Outside the EEA a transfer needs a safeguard (GDPR Art. 44–49): name it.")
        ]
    if errors:
        raise ValidationError(errors)
    processor.full_clean(exclude=["parent", "organisation"])


def processor_save(
    *, actor: Actor, data: dict[str, Any], processor: Processor | None = None
) -> Processor:
    """Create a register entry, or change ``processor``; ``ValidationError`` (nothing written)
    when a rule is broken. One audit event naming the changed fields."""
    target = processor or Processor()
    before = {
        name: getattr(target, f"{name}_id" if name in {"parent", "organisation"} else name)
        for name in EDITABLE
    }
    for name in EDITABLE:
        if name in data:
            setattr(target, name, data[name])
    target.categories = sorted(set(target.categories or []))
    _check(target)
    changed = [
        name
        for name in EDITABLE
        if getattr(target, f"{name}_id" if name in {"parent", "organisation"} else name)
        != before[name]
    ]
    with transaction.atomic():
        target.save()
        audit_record(
            actor=actor,
            action="create" if processor is None else "update",
            object_type="disclosure.processor",
            object_id=target.pk,
            detail={"fields": sorted(changed)},
        )
    return target


def agreement_add(
    *,
    actor: Actor,
    processor: Processor,
    signed_on: dt.date,
    valid_until: dt.date | None = None,
    reference: str = "",
    upload: UploadedFile | None = None,
) -> ProcessingAgreement:
    """Record a processing agreement (GDPR Art. 28(3)) and its signed copy; the processor's
    status follows from the terms (``selectors.agreement_status``). The file is stored first;
    when the row cannot be written it is deleted again."""
    if valid_until is not None and valid_until < signed_on:
        raise ValidationError({"valid_until": [_("The agreement cannot end before it is signed.")]})
    if upload is not None and upload.size and upload.size > MAX_AGREEMENT_BYTES:
        raise ValidationError({"file": [_("The file is larger than 20 MB.")]})
    agreement = ProcessingAgreement(
        processor=processor,
        reference=reference.strip()[:60],
        signed_on=signed_on,
        valid_until=valid_until,
        uploaded_by_id=actor.user_id,
        uploaded_at=clock.now(),
    )
    if upload is not None:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        agreement.sha256 = digest.hexdigest()
        agreement.original_name = (upload.name or "")[:200]
        agreement.file.save("agreement", upload, save=False)
    try:
        with transaction.atomic():
            agreement.save()
            audit_record(
                actor=actor,
                action="create",
                object_type="disclosure.processingagreement",
                object_id=agreement.pk,
                detail={
                    "processor": processor.pk,
                    "fields": [
                        f
                        for f in ("reference", "signed_on", "valid_until", "file")
                        if getattr(agreement, f)
                    ],
                },
            )
    except BaseException:
        if agreement.file:  # no row, no file: a failed write leaves nothing behind
            agreement.file.delete(save=False)
        raise
    return agreement


def payload(person_id: int, categories: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The person's data in ``categories``, model by model, read through the registry: what a
    transfer to a processor holds."""
    wanted = set(categories)
    found: dict[str, list[dict[str, Any]]] = {}
    for declaration in declarations():
        if declaration.subject is None:
            continue
        names = [n for n, pd in declaration.fields.items() if pd.category.value in wanted]
        if not names:
            continue
        lookup = f"{declaration.subject}_id" if declaration.subject else "pk"
        rows = declaration.model._default_manager.filter(**{lookup: person_id}).values(*names)
        listed = [{k: v for k, v in row.items() if v not in (None, "")} for row in rows]
        listed = [row for row in listed if row]
        if listed:
            found[declaration.label] = listed
    return found


def processor_transfer(
    *,
    actor: Actor,
    processor: Processor,
    person_ids: Sequence[int],
    categories: Sequence[str],
    purpose: str,
    channel: str = "download",
    reference: str = "",
) -> dict[int, str]:
    """Send the people's data in ``categories`` to ``processor`` (R4.4, R4.5): the payload per
    person (JSON), recorded in the ledger in the same transaction. ``ProcessorRefused`` when the
    processor has no agreement valid today or the categories are not its; ``DisclosureRefused``
    when the gate refuses someone for ``purpose``: then nothing is recorded and nothing is
    returned to send."""
    contents = {
        pk: json.dumps(payload(pk, categories), default=str, sort_keys=True, ensure_ascii=False)
        for pk in dict.fromkeys(person_ids)
    }
    disclose(
        actor=actor,
        recipient=Recipient.for_processor(processor),
        contents=contents,
        categories=categories,
        purpose=purpose,
        channel=channel,
        reference=reference,
    )
    return contents
