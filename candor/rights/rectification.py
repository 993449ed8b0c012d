"""Rectification (R6.5, GDPR Art. 16 and 19): staff record a person's correction through their
request; the old value goes to the audit trail only; the recipients who received the corrected
categories are listed so that they can be told.

``rectify`` takes the changes as ``{field path: new value}``:

- ``first_name``, ``birth_date``, … (or ``person.first_name``): the person's own fields, through
  ``person_update`` and its validation (the fields of ``PERSON_EDITABLE``);
- ``contact_points.<id>``: a new value for one of the person's contact points, normalised as on
  intake (e-mail, E.164 phone, profile URL); ``contact_points.new.<kind>`` completes the data
  with a new one (``email``, ``phone``, ``mobile``, ``url``);
- ``address.<field>``: the person's address (created when they had none);
- ``profile.<field>``: the candidate profile (desired function, availability, …).

Everything is validated and written in one transaction: when any value is refused, nothing is
written and the result carries every refusal by field path. A new field path goes into
``_apply`` and ``_category``, side by side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from candor.audit.services import audit_record
from candor.core.actor import Actor
from candor.core.normalise import normalise_email, normalise_phone, normalise_url
from candor.disclosure.selectors import RecipientSummary, recipients
from candor.people.models import Address, ContactKind, ContactPoint, Person
from candor.people.services import PERSON_EDITABLE, ProvenanceSpec, person_update
from candor.privacy.registry import Category, declaration_for
from candor.recruitment.models import CandidateProfile

ADDRESS_FIELDS = ("street", "number", "box", "postcode", "city", "country")
PROFILE_FIELDS = (
    "desired_function",
    "current_function",
    "current_employer",
    "available_from",
    "summary",
)
_NORMALISERS = {
    ContactKind.EMAIL: normalise_email,
    ContactKind.PHONE: normalise_phone,
    ContactKind.MOBILE: normalise_phone,
    ContactKind.URL: normalise_url,
}


@dataclass(slots=True)
class RectificationResult:
    """What a rectification did. ``ok`` False: nothing was written, ``errors`` says why per
    field path. Otherwise ``changed`` lists the paths whose value changed, ``categories`` the
    data categories they belong to, and ``recipients`` who received any of those categories
    (from the disclosure ledger) and must be told of the correction (Art. 19)."""

    ok: bool
    changed: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)
    recipients: list[RecipientSummary] = field(default_factory=list)


class _Refused(Exception):
    """Rolls the transaction back after every error has been collected."""


def _shown(value: Any) -> Any:
    """An old value as the audit trail stores it (JSON)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _model_of(group: str) -> type[models.Model]:
    """The model a change path's group names: ``address``, ``profile`` or the person."""
    return {"address": Address, "profile": CandidateProfile}.get(group, Person)


def _category(path: str) -> str:
    group, _sep, name = path.rpartition(".")
    if group.startswith("contact_points") or group == "address":
        return Category.CONTACT.value
    declaration = declaration_for(_model_of(group))
    assert declaration is not None  # noqa: S101 - both models are declared
    return declaration.fields[name].category.value


def field_label(path: str) -> str:
    """A change path in words (the field's verbose name, in the active language), never its
    value: what the answer to the person says was corrected."""
    group, _sep, name = path.rpartition(".")
    if group.startswith("contact_points"):
        return str(ContactPoint._meta.verbose_name)
    try:
        found = _model_of(group)._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(found, "verbose_name", name))


def _check(path: str, ok: bool, message: str, errors: dict[str, list[str]]) -> bool:
    if not ok:
        errors.setdefault(path, []).append(message)
    return ok


def _errors_of(exc: ValidationError, prefix: str) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {f"{prefix}{name}": messages for name, messages in exc.message_dict.items()}
    return {prefix.rstrip(".") or "__all__": list(exc.messages)}


class _Rectification:
    def __init__(self, actor: Actor, person: Person, changes: dict[str, Any]) -> None:
        self.actor, self.person = actor, person
        self.person_changes: dict[str, Any] = {}
        self.contacts: dict[str, Any] = {}
        self.address: dict[str, Any] = {}
        self.profile: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}
        self.old: dict[str, Any] = {}
        self.changed: list[str] = []
        for path, value in changes.items():
            self._sort(path, value)

    def _sort(self, path: str, value: Any) -> None:
        group, _sep, name = path.rpartition(".")
        if group in {"", "person"} and name in PERSON_EDITABLE:
            try:  # typed values, as a form would clean them ("1985-04-12" → a date)
                self.person_changes[name] = Person._meta.get_field(name).to_python(value)  # type: ignore[union-attr]
            except ValidationError as exc:
                self.errors[name] = list(exc.messages)
        elif path.startswith("contact_points."):
            self.contacts[path] = value
        elif group == "address" and name in ADDRESS_FIELDS:
            self.address[name] = value
        elif group == "profile" and name in PROFILE_FIELDS:
            self.profile[name] = value
        else:
            _check(path, False, _("This field cannot be rectified here."), self.errors)

    def apply(self) -> None:
        if self.person_changes:
            before = {n: getattr(self.person, n) for n in self.person_changes}
            try:
                fields = person_update(
                    actor=self.actor, person=self.person, changes=self.person_changes
                )
            except ValidationError as exc:
                self.errors.update(_errors_of(exc, ""))
            else:
                for name in fields:
                    self.old[name] = _shown(before[name])
                    self.changed.append(name)
        self._contacts()
        self._section("address", Address, self.address)
        self._section("profile", CandidateProfile, self.profile)

    def _contacts(self) -> None:
        held = {c.pk: c for c in ContactPoint.objects.filter(person=self.person)}
        for path, value in self.contacts.items():
            key = path.removeprefix("contact_points.")
            if key.startswith("new."):
                kind = key.removeprefix("new.")
                if not _check(
                    path, kind in _NORMALISERS, _("Unknown kind of contact."), self.errors
                ):
                    continue
                point: ContactPoint | None = ContactPoint(
                    person=self.person, kind=kind, provenance=self._provenance()
                )
            else:
                point = held.get(int(key)) if key.isdigit() else None
                if not _check(path, point is not None, _("No such contact point."), self.errors):
                    continue
            assert point is not None  # noqa: S101 - checked just above
            try:
                normalised = _NORMALISERS[ContactKind(point.kind)](str(value))
            except ValidationError as exc:
                self.errors[path] = list(exc.messages)
                continue
            if point.pk and point.normalised == normalised and point.value == str(value).strip():
                continue
            clash = ContactPoint.objects.filter(
                person=self.person, kind=point.kind, normalised=normalised
            ).exclude(pk=point.pk)
            if not _check(
                path, not clash.exists(), _("The person already has this one."), self.errors
            ):
                continue
            if point.pk:
                self.old[path] = point.value
            point.value, point.normalised = str(value).strip(), normalised
            point.save()
            self.changed.append(path)

    def _provenance(self) -> Any:
        """A completion recorded by staff on the person's word comes from the person."""
        if not hasattr(self, "_prov"):
            self._prov = ProvenanceSpec(
                kind="subject", channel="form", recorded_by_id=self.actor.user_id
            ).row()
        return self._prov

    def _section(self, group: str, model: type[models.Model], changes: dict[str, Any]) -> None:
        if not changes:
            return
        row = model._default_manager.filter(person=self.person).order_by("pk").first()
        if row is None:
            row = model(person=self.person, provenance=self._provenance())
        before = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        try:
            row.full_clean(exclude=["person", "provenance"])
        except ValidationError as exc:
            self.errors.update(_errors_of(exc, f"{group}."))
            return
        changed = [n for n in changes if before[n] != getattr(row, n) or row.pk is None]
        if not changed:
            return
        row.save()
        for name in changed:
            self.old[f"{group}.{name}"] = _shown(before[name])
            self.changed.append(f"{group}.{name}")


def rectify(
    *, actor: Actor, person_id: int, changes: dict[str, Any], request_ref: str = ""
) -> RectificationResult:
    """Correct or complete a person's data on their request (R6.5).

    All changes are validated and written in one transaction, or none is (``ok`` False with
    the errors per field path). One ``rectify`` audit event names the request, the paths
    changed and their old values — the only place the old values are kept (the field services
    used, such as ``person_update``, add their own events naming the fields). The result lists
    the recipients who received any of the corrected categories, to be told (Art. 19)."""
    if not changes:
        return RectificationResult(ok=False, errors={"__all__": [_("Nothing to correct.")]})
    result = RectificationResult(ok=True)
    try:
        with transaction.atomic():
            person = Person.objects.select_for_update().get(pk=person_id)
            if person.erased_at is not None:
                result.errors["__all__"] = [_("This person was erased; nothing to correct.")]
                raise _Refused
            work = _Rectification(actor, person, changes)
            work.apply()  # even after a refusal: every field's error is reported at once
            if work.errors:
                result.errors = work.errors
                raise _Refused
            if work.changed:
                audit_record(
                    actor=actor,
                    action="rectify",
                    object_type="people.person",
                    object_id=person.pk,
                    subject=str(person.pseudonym),
                    detail={
                        "request": request_ref[:60],
                        "fields": sorted(work.changed),
                        "old": work.old,
                    },
                )
            result.changed = work.changed
    except _Refused:
        result.ok = False
        return result
    result.categories = {_category(path) for path in result.changed}
    result.recipients = [r for r in recipients(person_id) if r.categories & result.categories]
    return result
