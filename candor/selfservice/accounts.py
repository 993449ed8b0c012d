"""Site accounts for data subjects (R1.4): registration, e-mail confirmation, the actor.

Registration creates an inactive ``User`` (role ``site``) with the name, e-mail address,
language and registration date (``date_joined``) the person gave, and e-mails a signed link
that expires after ``CONFIRM_DAYS``. Nothing about anyone else is looked at before that link
is used: only confirmation proves the person controls the address, so only then is the
account linked to a person —

- the one existing person holding exactly that e-mail address (someone we already knew);
- or a new person, provenance "the person themselves" through the portal, written by the one
  intake writer (``candidates_write``);
- when several people hold the address, none is chosen: the account stays unlinked and the
  agency links it by hand.

The consent to the candidate database (``REGISTRATION_PURPOSE``) is recorded at confirmation
with the exact text and version that were shown at registration and the moment it was given;
the privacy statement version shown is recorded as accepted. A person on the suppression list
(R6.11) who registers comes back by themselves: their entries are lifted with the consent as
evidence before the person is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candor.accounts.models import Role, User
from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.core.normalise import normalise_email
from candor.people.models import Channel, ContactKind, ContactPoint, Person, SourceKind
from candor.people.services import ProvenanceSpec
from candor.privacy.models import ReceiptKind, StatementVersion, Via
from candor.privacy.policy import Purpose, policy
from candor.privacy.retention import retention_refresh
from candor.privacy.services import consent_give
from candor.privacy.statement import statement_receipt_record
from candor.privacy.suppression import suppression_lift_by_self, suppression_matches
from candor.recruitment.intake import CREATED, candidates_write
from candor.recruitment.records import CandidateRecord, RecordInvalid, clean_candidate
from candor.selfservice import mail

# The purpose a person agrees to when they register: being kept in the candidate database.
REGISTRATION_PURPOSE = "talent_pool"
CONFIRM_DAYS = 3
_SALT = "candor.selfservice.confirm"


class ConfirmationRefused(Exception):
    """The link is tampered with, expired, or no longer matches the account; ``str()`` says
    which, for the person."""


@dataclass(frozen=True, slots=True)
class Confirmed:
    user: User
    linked: bool  # to a person we already knew
    already: bool = False  # the account was confirmed before


def site_actor(user: User) -> Actor:
    """A site account acting on its own data: named by its account, never by name."""
    return Actor(ref=f"site:{user.pk}", role=Role.SITE)


def registration_purpose() -> Purpose:
    return policy().purpose(REGISTRATION_PURPOSE)


def _token(user: User, consent_version: str, statement_version: str) -> str:
    payload = {
        "u": user.pk,
        "e": user.email,
        "c": consent_version,
        "s": statement_version,
        "t": clock.now().isoformat(),
    }
    return signing.dumps(payload, salt=_SALT)


def account_register(
    *,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    language: str,
    consent_version: str,
    statement_version: str,
    link: Callable[[str], str],
) -> User | None:
    """Register a site account (R1.4) and e-mail the confirmation link (``link(token)`` makes
    the absolute URL). The account stays inactive until confirmed. For an address that already
    has an active account nothing is created and that address is told so (the page says the
    same either way: nobody learns whether an address is registered). Registering again before
    confirming changes nothing (not the name, not the password: whoever else typed the address
    must not set the password of the account its owner confirms) and sends the link again.
    Returns the new or pending account, or None."""
    email = normalise_email(email)
    language = mail.language_or_default(language)
    if consent_version != registration_purpose().consent.version:  # type: ignore[union-attr]
        raise ValidationError(
            {"consent": _("The consent text changed while you were reading: read it again.")}
        )
    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is None:
        existing = User.objects.filter(username__iexact=email).order_by("pk").first()
    if existing is not None and (existing.is_active or existing.role != Role.SITE):
        mail.send(
            name="already_registered",
            language=existing.language or language,
            to=email,
            context={"first_name": existing.first_name},
        )
        return None
    if existing is not None:  # registered before, not confirmed yet: send the link again
        _send_confirmation(existing, consent_version, statement_version, link)
        return existing
    with transaction.atomic():
        user = User(
            username=email,
            role=Role.SITE,
            is_active=False,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            language=language,
        )
        validate_password(password, user)
        user.set_password(password)
        user.save()
        audit_record(
            actor=site_actor(user),
            action="account.register",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"role": Role.SITE},
        )
        _send_confirmation(user, consent_version, statement_version, link)
    return user


def _send_confirmation(
    user: User, consent_version: str, statement_version: str, link: Callable[[str], str]
) -> None:
    mail.send(
        name="confirm",
        language=user.language,
        to=user.email,
        context={
            "first_name": user.first_name,
            "url": link(_token(user, consent_version, statement_version)),
            "days": CONFIRM_DAYS,
        },
    )


def _load(token: str) -> dict[str, object]:
    try:
        loaded = signing.loads(token, salt=_SALT, max_age=dt.timedelta(days=CONFIRM_DAYS))
    except signing.SignatureExpired:
        raise ConfirmationRefused(
            _("This link has expired. Register again to receive a new one.")
        ) from None
    except signing.BadSignature:
        raise ConfirmationRefused(
            _("This link is not valid. Copy the whole link from the e-mail.")
        ) from None
    return dict(loaded)


def _people_with(email: str) -> list[int]:
    return sorted(
        set(
            ContactPoint.objects.filter(
                kind=ContactKind.EMAIL, normalised=email, person__erased_at=None
            ).values_list("person_id", flat=True)
        )
    )


def _new_person(actor: Actor, user: User) -> int:
    source = ProvenanceSpec(
        kind=SourceKind.SUBJECT, channel=Channel.PORTAL, reference=f"site-account:{user.pk}"
    )
    record = CandidateRecord(
        first_name=user.first_name,
        last_name=user.last_name,
        emails=[user.email],
        preferred_language=user.language if user.language in {"nl", "fr", "en"} else "",
    )
    try:
        record = clean_candidate(record, today=clock.today())
    except RecordInvalid as exc:
        raise ConfirmationRefused(exc.summary()) from None
    outcome = candidates_write(actor=actor, source=source, records=[record], on_duplicate="report")
    if outcome[0].status != CREATED or outcome[0].person_id is None:
        raise ConfirmationRefused(_("Your data could not be stored: %s") % outcome[0].message)
    return outcome[0].person_id


def account_confirm(*, token: str) -> Confirmed:
    """Confirm the address behind ``token`` (R1.4): activate the account, link it to its
    person (see the module's docstring), record the consent given at registration with its
    text and the statement version accepted, lift a suppression of the address (R6.11). One
    transaction. Raises ``ConfirmationRefused``."""
    data = _load(token)
    with transaction.atomic():
        user = (
            User.objects.select_for_update().filter(pk=int(str(data["u"])), role=Role.SITE).first()
        )
        if user is None or user.email != data["e"]:
            raise ConfirmationRefused(_("This link is not valid any more."))
        if user.is_active:
            return Confirmed(user, linked=False, already=True)
        purpose = registration_purpose()
        assert purpose.consent is not None  # noqa: S101 - the purpose rests on consent
        if data["c"] != purpose.consent.version:
            raise ConfirmationRefused(
                _("The consent text changed since you registered. Register again to read it.")
            )
        given_at = dt.datetime.fromisoformat(str(data["t"]))
        actor = site_actor(user)
        evidence = (
            f"self-registration of site account {user.pk}: consent to {purpose.key} "
            f"version {purpose.consent.version} given {given_at.isoformat()}"
        )
        if suppression_matches(emails=[user.email]):  # coming back by themselves (R6.11)
            suppression_lift_by_self(actor=actor, email=user.email, consent_evidence=evidence)
        found = _people_with(user.email)
        linked = len(found) == 1
        person_id = found[0] if linked else None
        if not found:
            person_id = _new_person(actor, user)
        user.is_active = True
        user.person_id = person_id
        user.save(update_fields=["is_active", "person"])
        person = Person.objects.get(pk=person_id) if person_id else None
        audit_record(
            actor=actor,
            action="account.confirm",
            object_type="accounts.user",
            object_id=user.pk,
            subject=str(person.pseudonym) if person else "",
            detail={"linked": linked, "several": len(found) > 1},
        )
        if person is not None:
            _mark_site_user(actor, person)
            consent_give(
                actor=actor,
                person=person,
                purpose=purpose.key,
                via=Via.PORTAL,
                language=user.language,
                evidence=evidence,
                given_at=given_at,
            )
            version = StatementVersion.objects.filter(version=data["s"]).first()
            if version is not None:
                statement_receipt_record(
                    person=person,
                    version=version,
                    kind=ReceiptKind.ACCEPTED,
                    channel=Via.PORTAL,
                    actor=actor,
                )
    return Confirmed(user, linked=linked)


def _mark_site_user(actor: Actor, person: Person) -> None:
    """The person now also has a site account (a role the policy's retention knows)."""
    if person.is_site_user:
        return
    Person.objects.filter(pk=person.pk).update(is_site_user=True)
    person.is_site_user = True
    audit_record(
        actor=actor,
        action="update",
        object_type="people.person",
        object_id=person.pk,
        subject=str(person.pseudonym),
        detail={"fields": ["is_site_user"]},
    )
    retention_refresh([person.pk])
