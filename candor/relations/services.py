"""Writes for clients and suppliers, their contact persons (R1.3).

Every function takes a keyword-only ``actor`` and writes its audit event in the same transaction
as the change; events name fields, never values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candor.audit.services import Event, audit_record, audit_record_many
from candor.core.actor import Actor
from candor.core.editing import locked_unless_stale
from candor.core.normalise import (
    normalise_email,
    normalise_iban,
    normalise_name,
    normalise_phone,
    normalise_vat,
)
from candor.people.models import ContactKind, ContactPoint, Person
from candor.people.services import ProvenanceSpec
from candor.privacy.notices import notice_duties_open
from candor.privacy.retention import retention_refresh
from candor.relations.models import ContactPerson, Organisation, OrganisationKind

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


def organisation_update(
    *,
    actor: Actor,
    organisation: Organisation,
    data: dict[str, Any],
    expected_updated_at: dt.datetime | None = None,
) -> list[str]:
    """Change a client or supplier (R1.3); returns the names of the fields that changed.

    The same cleaning as ``organisation_create`` (VAT number and IBAN checksums). When
    ``expected_updated_at`` no longer matches the stored row, someone else saved in between:
    ``StaleEdit`` is raised and nothing is written (two consultants never silently overwrite
    each other). The audit event names the changed fields, never their values.
    """
    cleaned = clean_organisation(data)
    with transaction.atomic():
        current = locked_unless_stale(Organisation.objects, organisation.pk, expected_updated_at)
        changed = [
            name
            for name in ORGANISATION_FIELDS
            if name in cleaned and cleaned[name] != getattr(current, name)
        ]
        if not changed:
            return []
        for name in changed:
            setattr(current, name, cleaned[name])
        current.full_clean()
        current.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            object_type="relations.organisation",
            object_id=current.pk,
            detail={"fields": sorted(changed)},
        )
    for name in [*changed, "updated_at"]:
        setattr(organisation, name, getattr(current, name))
    return changed


def _role_flags(organisation: Organisation) -> list[str]:
    return {
        OrganisationKind.CLIENT: ["is_client_contact"],
        OrganisationKind.SUPPLIER: ["is_supplier_contact"],
    }.get(OrganisationKind(organisation.kind), ["is_client_contact", "is_supplier_contact"])


@dataclass(frozen=True, slots=True)
class _ContactInput:
    first_name: str
    last_name: str
    job_title: str
    department: str
    points: list[tuple[str, str, str]]  # (kind, value as stored, normalised value)

    @property
    def name_key(self) -> str:
        return normalise_name(f"{self.first_name} {self.last_name}")


def _clean_contact(
    *,
    first_name: str,
    last_name: str,
    job_title: str,
    department: str,
    email: str,
    phone: str,
) -> _ContactInput:
    """The contact's input, trimmed and checked field by field (names required, lengths, e-mail
    and phone normalised); raises one ``ValidationError`` naming every bad field."""
    errors: dict[str, list[str]] = {}
    points: list[tuple[str, str, str]] = []
    for name, kind, typed, normalise in (
        ("email", ContactKind.EMAIL, email.strip(), normalise_email),
        ("phone", ContactKind.PHONE, phone.strip(), normalise_phone),
    ):
        if not typed:
            continue
        try:
            value = normalise(typed)
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
        else:  # a phone number is shown as typed, an e-mail address in its normal form
            points.append((kind, value if kind == ContactKind.EMAIL else typed, value))
    given = _ContactInput(
        first_name.strip(), last_name.strip(), job_title.strip(), department.strip(), points
    )
    for draft, fields in (
        (
            Person(first_name=given.first_name, last_name=given.last_name),
            {"first_name", "last_name"},
        ),
        (
            ContactPerson(job_title=given.job_title, department=given.department),
            {"job_title", "department"},
        ),
    ):
        try:
            draft.clean_fields(exclude=[f.name for f in draft._meta.fields if f.name not in fields])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    return given


def _known_person(given: _ContactInput, organisation: Organisation) -> tuple[Person | None, set]:
    """The person already known by one of the contact points under the same name (or None),
    and the normalised contact points already stored."""
    known = dict(
        ContactPoint.objects.filter(normalised__in=[p[2] for p in given.points]).values_list(
            "normalised", "person_id"
        )
    )
    if not known:
        return None, set()
    matches = list(Person.objects.filter(pk__in=set(known.values()), name_key=given.name_key))
    if len(set(known.values())) > 1 or not matches:
        raise ValidationError(
            {
                ("email" if kind == ContactKind.EMAIL else "phone"): _(
                    "This belongs to another person in Candor: check the name or the address."
                )
                for kind, _stored, normalised in given.points
                if normalised in known
            }
        )
    if ContactPerson.objects.filter(person=matches[0], organisation=organisation).exists():
        raise ValidationError(
            {"last_name": _("This person is already a contact of this organisation.")}
        )
    return matches[0], set(known)


def _with_roles(
    person: Person | None, given: _ContactInput, flags: list[str], source: ProvenanceSpec
) -> tuple[Person, Event | None]:
    """The person created with the contact role(s), or the known one given them; and the event."""
    if person is None:
        person = Person(
            first_name=given.first_name,
            last_name=given.last_name,
            name_key=given.name_key,
            provenance=source.row(),
            **dict.fromkeys(flags, True),
        )
        person.full_clean()
        person.save()
        detail = {"source": source.code, "fields": ["first_name", "last_name", *flags]}
        return person, Event(
            "create", "people.person", str(person.pk), str(person.pseudonym), detail
        )
    added = [flag for flag in flags if not getattr(person, flag)]
    if not added:
        return person, None
    for flag in added:
        setattr(person, flag, True)
    person.save(update_fields=[*added, "updated_at"])
    return person, Event(
        "update", "people.person", str(person.pk), str(person.pseudonym), {"fields": added}
    )


def contact_person_create(
    *,
    actor: Actor,
    organisation: Organisation,
    source: ProvenanceSpec,
    first_name: str,
    last_name: str,
    job_title: str = "",
    department: str = "",
    email: str = "",
    phone: str = "",
    is_primary: bool = False,
) -> ContactPerson:
    """Add a contact person to a client or supplier (R1.3), with where their data came from
    (R2.1).

    The person gets the client- or supplier-contact role. Someone already known by the same
    e-mail address or phone number and the same name is linked rather than duplicated; the same
    address under another name is refused. A new primary contact takes over the flag from the
    previous one. Everything is written, with its audit events, in one transaction.
    """
    given = _clean_contact(
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
        department=department,
        email=email,
        phone=phone,
    )
    person, stored_points = _known_person(given, organisation)
    with source.forgotten_on_rollback(), transaction.atomic():
        provenance = source.row()
        person, event = _with_roles(person, given, _role_flags(organisation), source)
        notice_duties_open(person_ids=[person.pk], provenance=provenance)  # R2.2
        events = [event] if event else []
        new_points = [p for p in given.points if p[2] not in stored_points]
        ContactPoint.objects.bulk_create(
            ContactPoint(
                person=person,
                kind=kind,
                value=value,
                normalised=normalised,
                is_primary=not person.contact_points.filter(kind=kind).exists(),
                provenance=provenance,
            )
            for kind, value, normalised in new_points
        )
        if is_primary:
            for previous in ContactPerson.objects.select_related("person").filter(
                organisation=organisation, is_primary=True
            ):
                previous.is_primary = False
                previous.save(update_fields=["is_primary", "updated_at"])
                events.append(
                    Event(
                        "update",
                        "relations.contactperson",
                        str(previous.pk),
                        str(previous.person.pseudonym),
                        {"fields": ["is_primary"]},
                    )
                )
        contact = ContactPerson.objects.create(
            person=person,
            organisation=organisation,
            job_title=given.job_title,
            department=given.department,
            is_primary=is_primary,
            provenance=provenance,
        )
        filled = [n for n in ("job_title", "department", "is_primary") if getattr(contact, n)]
        events.append(
            Event(
                "create",
                "relations.contactperson",
                str(contact.pk),
                str(person.pseudonym),
                {
                    "organisation": organisation.pk,
                    "source": source.code,
                    "fields": sorted(filled + [f"contact_point:{p[0]}" for p in new_points]),
                },
            )
        )
        retention_refresh([person.pk])  # a contract party is kept for the bookkeeping period
        audit_record_many(actor=actor, events=events)
    return contact
