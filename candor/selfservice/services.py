"""What a person does on their own pages (R6.5, R3.3, R6.10, R6.9, R6.1), through the
services that already do it for staff; this module only decides which one applies.

- Profile changes (R6.5): a value the person provided themselves (its row's provenance is
  "the person themselves"), or an empty one they complete, is changed at once through
  ``rectify``; a value that came from anyone else is *verified* and becomes a ``Correction``
  a consultant reviews (``correction_decide``, which applies it through ``rectify`` too).
- Consent (R3.3, R6.10): ``consent_give`` / ``consent_withdraw`` of ``candor.privacy``, then a
  confirmation e-mail.
- Requests (R6.1): ``request_open`` with the portal channel, linked to the signed-in person
  and verified (signed in with a confirmed address: ``IdentityMethod.PORTAL``).
- Downloads (R6.9): ``portability_deliver``, which records the disclosure in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candor.accounts.models import User
from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Address, ContactPoint, Person, SourceKind
from candor.people.services import person_update
from candor.privacy.models import Consent, Via
from candor.privacy.policy import policy
from candor.privacy.services import consent_give, consent_withdraw
from candor.recruitment.models import CandidateProfile
from candor.rights.delivery import Delivery
from candor.rights.models import IdentityMethod, RequestChannel, SubjectRequest
from candor.rights.portability import portability_deliver
from candor.rights.rectification import rectify
from candor.rights.requests import Concerns, request_choose_person, request_open, request_verify
from candor.selfservice import mail
from candor.selfservice.models import Correction, CorrectionStatus

PREFERENCE_FIELDS = ("preferred_language", "contact_channel", "contact_times")


@dataclass(slots=True)
class ProfileChange:
    """What a profile save did: ``applied`` paths changed at once, ``proposed`` paths sent for
    review, ``errors`` per path (nothing was written when there are any)."""

    applied: list[str] = field(default_factory=list)
    proposed: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def verified_paths(person: Person, paths: list[str]) -> set[str]:
    """The paths among ``paths`` whose current value came from someone other than the person
    (the agency, a third party, a medium, a partner) and is not empty: changing them needs a
    consultant's review. Completing an empty value, or anything on a row the person provided,
    is theirs to change."""
    rows: dict[str, Any] = {"": person}
    if any(p.startswith("address.") for p in paths):
        rows["address"] = (
            Address.objects.filter(person=person)
            .select_related("provenance")
            .order_by("pk")
            .first()
        )
    if any(p.startswith("profile.") for p in paths):
        rows["profile"] = (
            CandidateProfile.objects.filter(person=person).select_related("provenance").first()
        )
    points = {
        str(c.pk): c
        for c in ContactPoint.objects.filter(person=person).select_related("provenance")
    }
    verified = set()
    for path in paths:
        group, _sep, name = path.rpartition(".")
        if group == "contact_points":
            row, name = points.get(name), "value"
        else:
            row = rows.get(group)
        if row is None or row.provenance.kind == SourceKind.SUBJECT:
            continue
        if getattr(row, name, None) not in (None, ""):
            verified.add(path)
    return verified


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def profile_change(
    *, actor: Actor, person: Person, changes: dict[str, Any], old: dict[str, Any]
) -> ProfileChange:
    """Apply or propose the person's own changes (R6.5), all or nothing. ``changes`` maps
    rectification paths to new values, ``old`` the same paths to the values shown."""
    outcome = ProfileChange()
    if not changes:
        return outcome
    verified = verified_paths(person, list(changes))
    direct = {p: v for p, v in changes.items() if p not in verified}
    with transaction.atomic():
        if direct:
            result = rectify(
                actor=actor, person_id=person.pk, changes=direct, request_ref="self-service"
            )
            if not result.ok:
                outcome.errors = result.errors
                return outcome
            outcome.applied = result.changed
        for path in sorted(verified):
            correction_propose(
                actor=actor,
                person=person,
                path=path,
                old=_text(old.get(path)),
                proposed=_text(changes[path]),
            )
            outcome.proposed.append(path)
    person.refresh_from_db()
    return outcome


def correction_propose(
    *, actor: Actor, person: Person, path: str, old: str, proposed: str
) -> Correction:
    """Record the person's proposal for a verified value (R6.5); a newer proposal for the same
    field replaces the value of the one still waiting."""
    with transaction.atomic():
        correction, created = Correction.objects.select_for_update().get_or_create(
            person=person,
            field_path=path,
            status=CorrectionStatus.PENDING,
            defaults={"old_value": old, "proposed_value": proposed, "created_at": clock.now()},
        )
        if not created:
            correction.proposed_value, correction.created_at = proposed, clock.now()
            correction.save(update_fields=["proposed_value", "created_at"])
        audit_record(
            actor=actor,
            action="correction.propose",
            object_type="selfservice.correction",
            object_id=correction.pk,
            subject=str(person.pseudonym),
            detail={"field": path},
        )
    return correction


def correction_decide(
    *, actor: Actor, correction_id: int, accept: bool, note: str = ""
) -> Correction:
    """A consultant accepts a proposed correction (applied through ``rectify``: the person
    service, its validation and the audit event with the old value) or rejects it with a
    note the person reads. Refused when it was decided already or the value is invalid:
    nothing changes then."""
    note = note.strip()
    if not accept and not note:
        raise ValidationError({"note": _("Say why the correction is rejected.")})
    with transaction.atomic():
        correction = (
            Correction.objects.select_for_update().select_related("person").get(pk=correction_id)
        )
        if correction.status != CorrectionStatus.PENDING:
            raise ValidationError(_("This correction was decided already."))
        if accept:
            result = rectify(
                actor=actor,
                person_id=correction.person_id,
                changes={correction.field_path: correction.proposed_value},
                request_ref=f"correction:{correction.pk}",
            )
            if not result.ok:
                raise ValidationError(
                    "; ".join(" ".join(messages) for messages in result.errors.values())
                )
        correction.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED
        correction.decided_by_id = actor.user_id
        correction.decided_at = clock.now()
        correction.note = note
        correction.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit_record(
            actor=actor,
            action=f"correction.{correction.status}",
            object_type="selfservice.correction",
            object_id=correction.pk,
            subject=str(correction.person.pseudonym),
            detail={"field": correction.field_path},
        )
    return correction


def preferences_change(*, actor: Actor, person: Person, changes: dict[str, Any]) -> list[str]:
    """The person's contact preferences (language, channel, times): always theirs to set."""
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("This field cannot be changed here.")))
    return person_update(actor=actor, person=person, changes=changes)


def _consent_mail(user: User, name: str, context: dict[str, Any]) -> None:
    if user.email:
        mail.send(
            name=name,
            language=user.language,
            to=user.email,
            context={"first_name": user.first_name, **context},
        )


def self_consent_give(
    *, actor: Actor, user: User, person: Person, purpose: str, version: str
) -> Consent:
    """The person gives consent on their page (R3.3) to the text of ``version`` they were
    shown; refused when the policy's text changed meanwhile. Confirmed by e-mail."""
    chosen = policy().purpose(purpose)
    if chosen.consent is None:
        raise ValidationError({"purpose": _("This purpose does not rest on consent.")})
    if version != chosen.consent.version:
        raise ValidationError(
            {"version": _("The text changed while you were reading: read it again.")}
        )
    with transaction.atomic():
        consent = consent_give(
            actor=actor,
            person=person,
            purpose=purpose,
            via=Via.PORTAL,
            language=user.language,
            evidence=f"given on the self-service pages by site account {user.pk}",
        )
        _consent_mail(
            user,
            "consent_given",
            {
                "purpose": chosen.label.get(user.language),
                "text": consent.text_shown,
                "expires_on": consent.expires_on,
            },
        )
    return consent


def self_consent_withdraw(*, actor: Actor, user: User, person: Person, purpose: str) -> int:
    """Withdraw in one step (R3.3, R6.10); the gate refuses the purpose at once. Confirmed by
    e-mail when a consent was live. Returns how many consents ended."""
    chosen = policy().purpose(purpose)
    with transaction.atomic():
        ended = consent_withdraw(actor=actor, person=person, purpose=purpose, via=Via.PORTAL)
        if ended:
            _consent_mail(user, "consent_withdrawn", {"purpose": chosen.label.get(user.language)})
    return ended


def self_request_file(
    *,
    actor: Actor,
    user: User,
    person: Person,
    kind: str,
    purpose: str = "",
    restriction_ground: str = "",
    details: str = "",
) -> SubjectRequest:
    """File a request from the person's pages (R6.1): received through the portal, about the
    signed-in person, identity verified (they signed in with a confirmed address), so the
    DPO's clock runs from now. The acknowledgement goes to the account's address in its
    language. ``DuplicateRequest`` when one of the same kind is still open."""
    with transaction.atomic():
        request = request_open(
            actor=actor,
            kind=kind,
            channel=RequestChannel.PORTAL,
            requester_name=f"{user.first_name} {user.last_name}".strip(),
            requester_email=user.email,
            concerns=Concerns(
                first_name=user.first_name, last_name=user.last_name, email=user.email
            ),
            purpose=purpose,
            restriction_ground=restriction_ground,
            details=details,
            language=mail.language_or_default(user.language),
        )
        if request.person_id != person.pk:
            request = request_choose_person(actor=actor, request=request, person=person)
        request = request_verify(
            actor=actor,
            request=request,
            method=IdentityMethod.PORTAL,
            note="signed in on the site with a confirmed e-mail address",
        )
    return request


def self_download(*, actor: Actor, person: Person, fmt: str) -> Delivery:
    """The person's provided data (R6.9) as a file, recorded in the ledger as handed to them."""
    return portability_deliver(
        actor=actor, person_id=person.pk, formats=[fmt], reference="self-service"
    )
