"""Suppression (R6.11): people who asked to be erased, or objected, are not collected again.

We keep no identifier of them. For each normalised e-mail address, phone number (E.164) and
profile URL the person had, the list holds ``HMAC-SHA256(key, "kind:value")`` — a keyed hash
whose key comes from the environment (``CANDOR_SUPPRESSION_KEY``). Without the key a digest
cannot be reversed, nor tested against a guessed address; with it, intake can ask "is this
address suppressed?" and nothing more. Such a digest is still pseudonymous personal data in the
GDPR's sense (whoever holds the key and the address can link them), which is why it is kept only
for this one purpose, the one the person's own request calls for, and never shown.

When to suppress:

- request-driven erasure (``erase_with_proof`` in ``candor.privacy.proof``) suppresses before
  erasing. The retention sweep does not: erasure at the end of a retention period is not the
  person's wish, and a later application or import of them is welcome;
- an objection to the purpose candidate intake serves (the policy's ``matching`` feature:
  mediation) suppresses, because every collection of the person would feed that purpose again.
  An objection to direct marketing does not: the gate stops marketing for good on the person's
  own row (R6.8), and the person stays a candidate we may still receive CVs for. Withdrawing the
  objection, or the DPO documenting compelling grounds, lifts it.

Every intake path goes through ``candidates_write`` (back-office form, API, CSV and JSON Resume
imports), which asks ``suppression_matches`` once per batch (one indexed query) and rejects a
match with ``SUPPRESSED``, writing a ``suppression.blocked`` audit event without the identifier.
A person who comes back by themselves (portal registration with explicit consent) lifts their
own entries with ``suppression_lift_by_self`` before registering.

The key must never change: a new key makes every stored digest unmatchable. Outside production
an empty key falls back to a fixed development key, with a warning in the log.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from candor.audit.services import Event, audit_record_many
from candor.core import clock
from candor.core.actor import Actor
from candor.core.normalise import normalise_email, normalise_phone, normalise_url
from candor.people.models import ContactKind, ContactPoint, Person
from candor.privacy.models import (
    Suppression,
    SuppressionKind,
    SuppressionLift,
    SuppressionReason,
)
from candor.privacy.policy import policy

logger = logging.getLogger(__name__)

DEVELOPMENT_KEY = "candor-development-suppression-key-not-for-production"
# What an intake reports for a suppressed record (import reports, API, the form).
SUPPRESSED = "suppressed (the person asked to be erased or objected)"

# A contact point's kind → the kind of identifier hashed (a mobile is a phone number).
_KIND_OF_CONTACT = {
    ContactKind.EMAIL.value: SuppressionKind.EMAIL.value,
    ContactKind.PHONE.value: SuppressionKind.PHONE.value,
    ContactKind.MOBILE.value: SuppressionKind.PHONE.value,
    ContactKind.URL.value: SuppressionKind.URL.value,
}

Identifier = tuple[str, str]  # (kind, normalised value)
_EMAIL, _PHONE, _URL = (
    str(SuppressionKind.EMAIL.value),
    str(SuppressionKind.PHONE.value),
    str(SuppressionKind.URL.value),
)


def _key() -> bytes:
    """The secret, from the settings (``CANDOR_SUPPRESSION_KEY``); read once (an import asks
    for it for every record), again after a change of the settings (tests)."""
    if not _known_key:
        _known_key.append(_read_key())
    return _known_key[0]


_known_key: list[bytes] = []


def suppression_key_read() -> None:
    """Read the key now, refusing or warning as a first digest would: a process about to fork
    workers that hash identifiers does it once for all of them (one warning, not one each)."""
    _key()


@receiver(setting_changed)
def _forget_key(*, setting: str, **_kwargs: Any) -> None:
    if setting in {"SUPPRESSION_KEY", "PRODUCTION"}:
        _known_key.clear()


def _read_key() -> bytes:
    key = getattr(settings, "SUPPRESSION_KEY", "")
    if not key:
        if getattr(settings, "PRODUCTION", True):
            raise ImproperlyConfigured(
                "CANDOR_SUPPRESSION_KEY (or CANDOR_SUPPRESSION_KEY_FILE) must be set: it keys "
                "the suppression list's hashes and must never change afterwards."
            )
        if not _warned:
            logger.warning(
                "CANDOR_SUPPRESSION_KEY is not set: the suppression list uses a fixed "
                "development key. Never run with real people like this."
            )
            _warned.append(True)
        key = DEVELOPMENT_KEY
    return key.encode()


_warned: list[bool] = []


def digest(kind: str, value: str) -> str:
    """The keyed hash of one normalised identifier; the kind is part of what is hashed."""
    return hmac_sha256(_pads(_key()), f"{kind}:{value}".encode())


@functools.lru_cache(maxsize=4)
def _pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states that have hashed the key's inner and outer blocks (RFC 2104), for
    ``hmac_sha256``: an import hashes every e-mail and phone number it reads, and the one-shot
    ``hmac.digest`` sets up the key again each time (a quarter of the cost with these)."""
    block = (key if len(key) <= BLOCK else hashlib.sha256(key).digest()).ljust(BLOCK, b"\0")
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in block)),
        hashlib.sha256(bytes(b ^ 0x5C for b in block)),
    )


BLOCK = 64  # SHA-256's block size in bytes


def hmac_sha256(pads: tuple[Any, Any], message: bytes) -> str:
    """HMAC-SHA256 of ``message`` in hex, the same as ``hmac.digest(key, message, "sha256")``
    for the key of ``pads``."""
    inner, outer = pads[0].copy(), pads[1].copy()
    inner.update(message)
    outer.update(inner.digest())
    return outer.hexdigest()


def _digests(identifiers: Iterable[Identifier]) -> dict[str, Identifier]:
    """Digest → identifier (``digest`` of each)."""
    pads = _pads(_key())
    return {
        hmac_sha256(pads, f"{kind}:{value}".encode()): (kind, value)
        for kind, value in identifiers
        if value
    }


def _live(digests: Sequence[str]) -> set[str]:
    """Which of these digests are suppressed now: one indexed query whatever their number (the
    list travels as one parameter, so no bound-parameter limit cuts it into several)."""
    if not digests:
        return set()
    table = Suppression._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT digest FROM {table} WHERE lifted_at IS NULL AND digest = ANY(%s)",  # noqa: S608
                [list(digests)],
            )
        else:
            cursor.execute(
                f"SELECT digest FROM {table} WHERE lifted_at IS NULL "  # noqa: S608
                "AND digest IN (SELECT value FROM json_each(%s))",
                [json.dumps(list(digests))],
            )
        return {row[0] for row in cursor.fetchall()}


def suppression_matches(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    urls: Iterable[str] = (),
) -> set[Identifier]:
    """The given identifiers that are suppressed, as ``(kind, value)`` pairs. Values must be
    normalised as ``clean_candidate`` leaves them (lower-case e-mail, E.164 phone, normalised
    URL). One query for any number of them: intake calls this once per batch."""
    return suppressed_among(identifier_digests(emails=emails, phones=phones, urls=urls))


def identifier_digests(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    urls: Iterable[str] = (),
) -> dict[str, Identifier]:
    """Digest → ``(kind, value)`` for normalised identifiers, computed without the database (an
    import's reading process computes them for each record, beside the writer)."""
    wanted = [(_EMAIL, e) for e in emails]
    wanted += [(_PHONE, p) for p in phones]
    wanted += [(_URL, u) for u in urls]
    return _digests(wanted)


def suppressed_among(by_digest: Mapping[str, Identifier]) -> set[Identifier]:
    """Which of these identifiers (from ``identifier_digests``) are suppressed: one query."""
    return {by_digest[d] for d in _live(list(by_digest))}


def _contact_identifiers(person_ids: Sequence[int]) -> dict[int, set[Identifier]]:
    found: dict[int, set[Identifier]] = defaultdict(set)
    rows = ContactPoint.objects.filter(person_id__in=person_ids).order_by()
    for pid, kind, normalised in rows.values_list("person_id", "kind", "normalised"):
        if kind in _KIND_OF_CONTACT and normalised:
            found[pid].add((_KIND_OF_CONTACT[kind], normalised))
    return found


def people_suppress(*, actor: Actor, person_ids: Iterable[int], reason: str) -> int:
    """Put these people's current e-mail addresses, phone numbers and profile URLs on the
    suppression list (R6.11), as keyed hashes; returns how many entries were added (an
    identifier already suppressed is not added twice). One ``suppression.add`` audit event per
    person with the number of entries per kind, in the caller's transaction. Call it before
    the contact points are erased."""
    if reason not in SuppressionReason.values:
        raise ValueError(f"reason must be one of {SuppressionReason.values}, got {reason!r}")
    ids = list(dict.fromkeys(person_ids))
    added = 0
    with transaction.atomic():
        pseudonyms = dict(
            Person.objects.filter(pk__in=ids).order_by().values_list("pk", "pseudonym")
        )
        per_person = _contact_identifiers(ids)
        now = clock.now()
        events = []
        for pid in ids:
            by_digest = _digests(sorted(per_person.get(pid, ())))
            if not by_digest or pid not in pseudonyms:
                continue
            already = _live(list(by_digest))
            new = [
                Suppression(digest=d, kind=kind, reason=reason, created_at=now)
                for d, (kind, _value) in by_digest.items()
                if d not in already
            ]
            Suppression.objects.bulk_create(new)
            added += len(new)
            kinds = Counter(kind for kind, _value in by_digest.values())
            events.append(
                Event(
                    "suppression.add",
                    "people.person",
                    str(pid),
                    str(pseudonyms[pid]),
                    {"reason": reason, "kinds": dict(sorted(kinds.items())), "new": len(new)},
                )
            )
        audit_record_many(actor=actor, events=events)
    return added


def suppress_person(*, actor: Actor, person: Person | int, reason: str) -> int:
    """Suppress one person; see ``people_suppress``."""
    pk = person if isinstance(person, int) else person.pk
    return people_suppress(actor=actor, person_ids=[pk], reason=reason)


def _lift(
    *, actor: Actor, digests: Sequence[str], how: str, reference: str, reasons: Sequence[str]
) -> list[Suppression]:
    live = list(
        Suppression.objects.select_for_update().filter(
            digest__in=digests, lifted_at=None, reason__in=reasons
        )
    )
    if not live:
        return []
    Suppression.objects.filter(pk__in=[s.pk for s in live]).update(
        lifted_at=clock.now(), lifted_how=how, lifted_reference=reference[:200]
    )
    audit_record_many(
        actor=actor,
        events=[
            Event("suppression.lift", "privacy.suppression", str(s.pk), "", {"how": how})
            for s in live
        ],
    )
    return live


def suppression_lift_by_self(
    *,
    actor: Actor,
    email: str,
    phones: Iterable[str] = (),
    urls: Iterable[str] = (),
    consent_evidence: str,
) -> int:
    """The person comes back by themselves (R6.11): a self-registration on the portal with
    explicit consent lifts the suppression of the identifiers they register with, whatever its
    reason. ``consent_evidence`` names the consent given at registration (e.g. the consent
    record's reference); it is required, and stored as the reference of the lift. Each lifted
    entry gets a ``suppression.lift`` audit event (no identifier). Returns how many entries
    were lifted (0: nothing was suppressed).

    Only the registration itself may call this: a staff member or an import cannot speak for
    the person."""
    if not consent_evidence.strip():
        raise ValidationError(
            {"consent_evidence": _("A self-registration lifts a suppression only with consent.")}
        )
    wanted = [(SuppressionKind.EMAIL.value, normalise_email(email))]
    wanted += [(SuppressionKind.PHONE.value, normalise_phone(p)) for p in phones]
    wanted += [(SuppressionKind.URL.value, normalise_url(u)) for u in urls]
    with transaction.atomic():
        lifted = _lift(
            actor=actor,
            digests=list(_digests(wanted)),
            how=SuppressionLift.SELF_REGISTRATION,
            reference=consent_evidence.strip(),
            reasons=SuppressionReason.values,
        )
    return len(lifted)


def suppression_lift_for_objection(
    *, actor: Actor, person: Person, how: str, reference: str
) -> int:
    """An objection that suppressed the person ended (withdrawn, or overridden by documented
    compelling grounds): its entries for the person's current identifiers are lifted. Entries
    from an erasure stay. Runs in the caller's transaction."""
    if how not in {SuppressionLift.OBJECTION_WITHDRAWN, SuppressionLift.OBJECTION_OVERRIDDEN}:
        raise ValueError(f"not a way an objection ends: {how!r}")
    identifiers = _contact_identifiers([person.pk]).get(person.pk, set())
    return len(
        _lift(
            actor=actor,
            digests=list(_digests(sorted(identifiers))),
            how=how,
            reference=reference,
            reasons=[SuppressionReason.OBJECTION],
        )
    )


def objection_suppresses(purpose: str) -> bool:
    """Whether an objection to ``purpose`` puts the person on the suppression list: only an
    objection to the purpose candidate intake serves (the ``matching`` feature's, mediation).
    See the module's docstring for why direct marketing does not."""
    return policy().purpose_for("matching").key == purpose
