from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from candor.audit.services import audit_record
from candor.core.actor import Actor
from candor.core.normalise import normalise_iban, normalise_vat
from candor.relations.models import Organisation

ORGANISATION_FIELDS = (
    "kind",
    "name",
    "sector",
    "website",
    "vat_number",
    "iban",
    "bic",
    "billing_street",
    "billing_postcode",
    "billing_city",
    "billing_country",
)


def clean_organisation(data: dict[str, Any]) -> dict[str, Any]:
    """Validate an organisation's data; VAT number and IBAN are checked with their checksums."""
    errors: dict[str, list[str]] = {}
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    for name, normalise in (("vat_number", normalise_vat), ("iban", normalise_iban)):
        if cleaned.get(name):
            try:
                cleaned[name] = normalise(cleaned[name])
            except ValidationError as exc:
                errors[name] = [str(m) for m in exc.messages]
    if not cleaned.get("name"):
        errors["name"] = ["A name is required."]
    if errors:
        raise ValidationError(errors)
    return cleaned


def organisation_create(*, actor: Actor, data: dict[str, Any]) -> Organisation:
    """Create a client or supplier (R1.3); financial data validated, audited."""
    cleaned = clean_organisation(data)
    organisation = Organisation(**{k: v for k, v in cleaned.items() if k in ORGANISATION_FIELDS})
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        audit_record(
            actor=actor,
            action="create",
            object_type="relations.organisation",
            object_id=organisation.pk,
            detail={"fields": sorted(k for k, v in cleaned.items() if v)},
        )
    return organisation
