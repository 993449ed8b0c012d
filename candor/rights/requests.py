"""The life of a subject request (R6.1–R6.3, R6.12): open, verify, extend, decide, withdraw.

A request moves through explicit states; ``TRANSITIONS`` is the one table of what may happen in
which state, and every change goes through a service below that takes ``actor=``, checks the
table, writes the change, a ``RequestEvent`` for the timeline and an audit event, all in one
transaction. An action the table does not allow raises ``IllegalTransition`` naming the state
and what can be done in it.

::

    received ──ask_identity──▶ awaiting_identity
    received / awaiting_identity ──verify──▶ in_progress ──extend──▶ extended
    in_progress / extended ──decide──▶ decided        (fulfilled, partly, refused)
    decided ──proof with residue──▶ proof_failed ──clear_residue──▶ decided   (erasure only)
    received / awaiting_identity ──decide──▶ decided  (refused, or no data held; an objection to
                                                       direct marketing or a consent withdrawal
                                                       may also be fulfilled: stopping needs no
                                                       proof of identity)
    any open state ──withdraw──▶ withdrawn

The clock is in ``candor.rights.clock``; matching in ``candor.rights.selectors``; carrying out
the decision in ``candor.rights.fulfil``; telling the person in ``candor.rights.letters``.
Bad input gets a ``ValidationError`` with a specific message and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.models import RestrictionGround
from candor.privacy.policy import policy
from candor.privacy.proof import ProofResult
from candor.rights import clock as request_clock
from candor.rights import fulfil, letters
from candor.rights.models import (
    OPEN_STATUSES,
    Direction,
    Fee,
    IdentityMethod,
    Kind,
    MatchState,
    MessageKind,
    Outcome,
    RequestChannel,
    Requester,
    RequestEvent,
    RequestMessage,
    Status,
    SubjectRequest,
)
from candor.rights.selectors import clean_email, clean_phone, match_people

REASON_MIN = 20  # a reason is at least a short sentence

# action → (the states it is allowed in, the state it leads to; None: the state stays)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "ask_identity": (frozenset({Status.RECEIVED}), Status.AWAITING_IDENTITY),
    "verify": (frozenset({Status.RECEIVED, Status.AWAITING_IDENTITY}), Status.IN_PROGRESS),
    "choose_person": (frozenset({Status.RECEIVED, Status.AWAITING_IDENTITY}), None),
    "extend": (frozenset({Status.IN_PROGRESS}), Status.EXTENDED),
    "decide": (frozenset(OPEN_STATUSES), Status.DECIDED),
    "withdraw": (frozenset(OPEN_STATUSES), Status.WITHDRAWN),
    "fee": (frozenset(OPEN_STATUSES), None),
    "proof_failed": (frozenset({Status.DECIDED}), Status.PROOF_FAILED),
    "clear_residue": (frozenset({Status.PROOF_FAILED}), Status.DECIDED),
}
ACTION_LABELS = {  # "it cannot be … now"
    "ask_identity": gettext_lazy("asked for proof of identity"),
    "verify": gettext_lazy("verified"),
    "choose_person": gettext_lazy("linked to a person"),
    "extend": gettext_lazy("extended"),
    "decide": gettext_lazy("decided"),
    "withdraw": gettext_lazy("withdrawn"),
    "fee": gettext_lazy("flagged for a fee"),
    "proof_failed": gettext_lazy("marked as failing its proof"),
    "clear_residue": gettext_lazy("cleared of residue"),
}
ACTION_NAMES = {  # "allowed in this state: …"
    "ask_identity": gettext_lazy("ask for proof of identity"),
    "verify": gettext_lazy("verify"),
    "choose_person": gettext_lazy("choose the person"),
    "extend": gettext_lazy("extend"),
    "decide": gettext_lazy("decide"),
    "withdraw": gettext_lazy("close as withdrawn"),
    "fee": gettext_lazy("flag a fee"),
    "proof_failed": gettext_lazy("record a failed proof"),
    "clear_residue": gettext_lazy("record the residue removed"),
}
# Kinds that only stop processing: fulfilled without proof of identity (stopping harms no one,
# and an objection to direct marketing must work at once, Art. 21(3)).
STOP_KINDS = frozenset({Kind.CONSENT_WITHDRAWAL})


class IllegalTransition(ValidationError):
    """The action is not allowed in the request's state; the message names both."""


class DuplicateRequest(ValidationError):
    """The same person already has an open request of the same kind."""

    def __init__(self, message: str, reference: str) -> None:
        super().__init__(message, code="duplicate")
        self.reference = reference


SYSTEM_ACTIONS = frozenset({"proof_failed"})  # taken by Candor itself, never offered to staff


def allowed_actions(status: str) -> list[str]:
    """The state-changing actions the table allows staff in ``status``."""
    return [
        name
        for name, (sources, _to) in TRANSITIONS.items()
        if status in sources and name not in SYSTEM_ACTIONS
    ]


def _check(request: SubjectRequest, action: str) -> str | None:
    sources, target = TRANSITIONS[action]
    if request.status not in sources:
        possible = allowed_actions(request.status)
        raise IllegalTransition(
            _("%(reference)s is “%(status)s”: it cannot be %(action)s now. %(possible)s")
            % {
                "reference": request.reference,
                "status": Status(request.status).label,
                "action": ACTION_LABELS[action],
                "possible": (
                    _("Allowed in this state: %(actions)s.")
                    % {"actions": ", ".join(str(ACTION_NAMES[a]) for a in possible)}
                    if possible
                    else _("It is closed: only messages can still be logged.")
                ),
            },
            code="illegal_transition",
        )
    return target


def record_event(
    actor: Actor,
    request: SubjectRequest,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    detail: dict[str, Any] | None = None,
) -> RequestEvent:
    """One step of the request's timeline and its audit event (caller's transaction)."""
    detail = detail or {}
    event = RequestEvent.objects.create(
        request=request,
        at=clock.now(),
        actor=actor.ref[:64],
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail,
    )
    pseudonym = (
        Person.objects.filter(pk=request.person_id).values_list("pseudonym", flat=True).first()
        if request.person_id
        else None
    )
    audit_record(
        actor=actor,
        action=f"request.{action}"[:32],
        object_type="rights.subjectrequest",
        object_id=request.pk,
        subject=str(pseudonym) if pseudonym else "",
        detail={"reference": request.reference, "kind": request.kind, **detail},
    )
    return event


def _locked(request: SubjectRequest) -> SubjectRequest:
    return SubjectRequest.objects.select_for_update().get(pk=request.pk)


def _move(
    actor: Actor,
    request: SubjectRequest,
    action: str,
    fields: list[str],
    detail: dict[str, Any] | None = None,
) -> None:
    """Save ``fields`` and the new state; record the step."""
    before = request.status
    target = _check(request, action)
    if target is not None:
        request.status = target
    request.save(update_fields=[*fields, "status", "updated_at"])
    record_event(
        actor, request, action, from_status=before, to_status=request.status, detail=detail
    )


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# -- opening ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Concerns:
    """Who the request is about, as given (what matching reads)."""

    first_name: str = ""
    last_name: str = ""
    birth_date: dt.date | None = None
    email: str = ""
    phone: str = ""


def _clean_purpose(kind: str, purpose: str) -> str:
    purpose = purpose.strip()
    if not purpose:
        return ""
    if purpose not in policy().purposes:
        raise ValidationError(
            {
                "purpose": _("The policy has no purpose “%(key)s”; known: %(known)s.")
                % {"key": purpose, "known": ", ".join(policy().purposes)}
            }
        )
    chosen = policy().purpose(purpose)
    if kind == Kind.OBJECTION and not chosen.objectable:
        raise ValidationError(
            {
                "purpose": _(
                    "“%(label)s” rests on %(basis)s, not on legitimate interest: there is no "
                    "right to object to it (Art. 21); consider erasure or restriction."
                )
                % {"label": chosen.label.get(), "basis": chosen.legal_basis.value}
            }
        )
    if kind == Kind.CONSENT_WITHDRAWAL and chosen.consent is None:
        raise ValidationError(
            {
                "purpose": _(
                    "“%(label)s” does not rest on consent: there is no consent to withdraw; "
                    "the person may object or ask for erasure instead."
                )
                % {"label": chosen.label.get()}
            }
        )
    return purpose


def _duplicate_of(
    kind: str, person: Person | None, concerns: Concerns, exclude: int | None = None
) -> SubjectRequest | None:
    """An open request of the same kind about the same person (or, before anyone is matched,
    from the same e-mail address or phone number)."""
    open_same = SubjectRequest.objects.filter(kind=kind, status__in=OPEN_STATUSES)
    if exclude is not None:
        open_same = open_same.exclude(pk=exclude)
    if person is not None:
        return open_same.filter(person=person).order_by("received_at").first()
    for field, value in (("subject_email", concerns.email), ("subject_phone", concerns.phone)):
        if value:
            found = open_same.filter(person=None, **{field: value}).order_by("received_at")
            if first := found.first():
                return first
    return None


def _refuse_duplicate(found: SubjectRequest) -> None:
    raise DuplicateRequest(
        _(
            "%(reference)s, a request of the same kind about the same person, is still open "
            "(received %(day)s, due %(due)s): add this message to it instead of opening another."
        )
        % {
            "reference": found.reference,
            "day": _day(clock.localdate(found.received_at)),
            "due": _day(found.deadline),
        },
        found.reference,
    )


def _next_reference(year: int) -> str:
    prefix = f"REQ-{year}-"
    last = (
        SubjectRequest.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _choice_errors(
    kind: str, channel: str, requester: str, restriction_ground: str, language: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choose the kind of request: %(kinds)s.") % {
            "kinds": ", ".join(Kind.values)
        }
    if channel not in RequestChannel.values:
        errors["channel"] = _("Choose the channel: e-mail, portal, letter or phone.")
    if requester not in Requester.values:
        errors["requester"] = _("Say whether the person asked themselves or a representative.")
    if restriction_ground and restriction_ground not in RestrictionGround.values:
        errors["restriction_ground"] = _("Choose the ground for the restriction.")
    if language and language not in ("nl", "fr", "en"):
        errors["language"] = _("Write to the person in nl, fr or en.")
    return errors


def _clean_contacts(**given: str) -> tuple[str, str, str, str]:
    """The requester's and the person's e-mail and phone, normalised; every malformed one named."""
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for field, value in given.items():
        clean = clean_email if field.endswith("email") else clean_phone
        try:
            cleaned[field] = clean(value)
        except ValidationError as exc:
            errors[field] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    return (
        cleaned["requester_email"],
        cleaned["requester_phone"],
        cleaned["email"],
        cleaned["phone"],
    )


def request_open(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    received_at: dt.datetime | None = None,
    requester: str = Requester.SELF,
    requester_name: str = "",
    requester_email: str = "",
    requester_phone: str = "",
    requester_address: str = "",
    concerns: Concerns | None = None,
    purpose: str = "",
    restriction_ground: str = "",
    details: str = "",
    language: str = "",
    acknowledge: bool = True,
) -> SubjectRequest:
    """Record a request as received (R6.1): who asked, whom it concerns, by which channel and
    when; find the person (none, one, several: the DPO chooses, nobody is merged); set the due
    date; send the acknowledgement of receipt. Refused, with nothing recorded, when the same
    person already has an open request of the same kind (``DuplicateRequest``)."""
    errors = _choice_errors(kind, channel, requester, restriction_ground, language)
    moment = received_at or clock.now()
    if moment > clock.now() + dt.timedelta(minutes=5):
        errors["received_at"] = _("A request cannot be received in the future.")
    given = concerns or Concerns()
    try:
        r_email, r_phone, s_email, s_phone = _clean_contacts(
            requester_email=requester_email,
            requester_phone=requester_phone,
            email=given.email,
            phone=given.phone,
        )
    except ValidationError as exc:
        errors.update({field: " ".join(msgs) for field, msgs in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    purpose = _clean_purpose(kind, purpose)
    if requester == Requester.SELF:  # the requester's own details say who they are
        s_email, s_phone = s_email or r_email, s_phone or r_phone
    first, last = given.first_name.strip(), given.last_name.strip()
    name = " ".join(requester_name.split()) or (
        f"{first} {last}".strip() if requester == Requester.SELF else ""
    )
    if not (s_email or s_phone or (first and last and given.birth_date)):
        raise ValidationError(
            _(
                "Nothing to find the person by: give their e-mail address, their phone number, "
                "or their first name, surname and birth date together."
            ),
            code="unidentifiable",
        )
    if not (r_email or r_phone or requester_address.strip()):
        raise ValidationError(
            {
                "requester_email": _(
                    "Give an e-mail address, a postal address or a phone number "
                    "to answer the requester at."
                )
            }
        )
    found = match_people(
        email=s_email, phone=s_phone, first_name=first, last_name=last, birth_date=given.birth_date
    )
    person = found[0] if len(found) == 1 else None
    cleaned = Concerns(first, last, given.birth_date, s_email, s_phone)
    for attempt in range(3):
        try:
            with transaction.atomic():
                if person is not None:  # two openings for one person: one waits for the other
                    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
                duplicate = _duplicate_of(kind, person, cleaned)
                if duplicate is not None:
                    _refuse_duplicate(duplicate)
                request = SubjectRequest(
                    reference=_next_reference(clock.localdate(moment).year),
                    kind=kind,
                    channel=channel,
                    received_at=moment,
                    person=person,
                    purpose=purpose,
                    restriction_ground=restriction_ground,
                    details=details.strip(),
                    requester=requester,
                    requester_name=name[:200],
                    requester_email=r_email,
                    requester_phone=r_phone,
                    requester_address=requester_address.strip(),
                    subject_first_name=first[:100],
                    subject_last_name=last[:100],
                    subject_birth_date=given.birth_date,
                    subject_email=s_email,
                    subject_phone=s_phone,
                    match_state=(
                        MatchState.NONE
                        if not found
                        else MatchState.ONE
                        if person
                        else MatchState.MANY
                    ),
                    match_ids=[p.pk for p in found] or None,
                    due_on=request_clock.first_due(request_clock.received_on(moment)),
                    opened_by_id=actor.user_id,
                )
                request.language = letters.language_of(SubjectRequest(language=language), person)
                request.save()
                record_event(
                    actor,
                    request,
                    "open",
                    to_status=request.status,
                    detail={"channel": channel, "match": request.match_state},
                )
                if acknowledge:
                    letters.tell(
                        actor=actor,
                        request=request,
                        kind=MessageKind.RECEIPT,
                        context={
                            "received_on": request_clock.received_on(moment),
                            "due_on": request.due_on,
                            "kind_label": _kind_label(kind, request.language),
                        },
                    )
            return request
        except IntegrityError:  # two openings took the same number: take the next one
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


KIND_WORDS = {
    "nl": {
        "access": "inzage",
        "rectification": "verbetering",
        "erasure": "wissing",
        "restriction": "beperking van de verwerking",
        "objection": "bezwaar",
        "portability": "overdraagbaarheid",
        "consent_withdrawal": "intrekking van uw toestemming",
    },
    "fr": {
        "access": "accès",
        "rectification": "rectification",
        "erasure": "effacement",
        "restriction": "limitation du traitement",
        "objection": "opposition",
        "portability": "portabilité",
        "consent_withdrawal": "retrait de votre consentement",
    },
    "en": {
        "access": "access",
        "rectification": "rectification",
        "erasure": "erasure",
        "restriction": "restriction of processing",
        "objection": "objection",
        "portability": "portability",
        "consent_withdrawal": "withdrawal of your consent",
    },
}


def _kind_label(kind: str, language: str) -> str:
    return KIND_WORDS.get(language, KIND_WORDS["en"]).get(kind, kind)


# -- identity and the person -----------------------------------------------------------------


def request_ask_identity(
    *, actor: Actor, request: SubjectRequest, note: str = ""
) -> SubjectRequest:
    """Ask the person to prove who they are (only with reasonable doubts, Art. 12(6)); the
    clock is suspended until the identity is verified (``candor.rights.clock``)."""
    with transaction.atomic():
        request = _locked(request)
        _check(request, "ask_identity")
        request.paused_since = clock.now()
        letters.tell(
            actor=actor,
            request=request,
            kind=MessageKind.IDENTITY,
            context={
                "note": note.strip(),
                "kind_label": _kind_label(request.kind, request.language),
            },
        )
        _move(actor, request, "ask_identity", ["paused_since"])
    return request


def request_choose_person(
    *, actor: Actor, request: SubjectRequest, person: Person
) -> SubjectRequest:
    """The DPO says whom the request concerns (one of several matches, or someone found
    otherwise). Nobody is merged; the choice is recorded."""
    with transaction.atomic():
        request = _locked(request)
        _check(request, "choose_person")
        if person.erased_at is not None:
            raise ValidationError(
                {
                    "person": _(
                        "This person's data was erased on %(day)s: we hold no data on them; "
                        "answer so."
                    )
                    % {"day": _day(clock.localdate(person.erased_at))}
                }
            )
        duplicate = _duplicate_of(request.kind, person, Concerns(), exclude=request.pk)
        if duplicate is not None:
            _refuse_duplicate(duplicate)
        request.person = person
        request.match_state = MatchState.CHOSEN
        if not request.language and person.preferred_language in ("nl", "fr", "en"):
            request.language = person.preferred_language
        _move(
            actor,
            request,
            "choose_person",
            ["person", "match_state", "language"],
            detail={"among_matches": person.pk in (request.match_ids or [])},
        )
    return request


def _who_matches(request: SubjectRequest) -> str:
    if request.match_state == MatchState.MANY:
        return _(
            "%(count)s people match this request (ids %(ids)s): choose which one it concerns; "
            "they are never merged."
        ) % {
            "count": len(request.match_ids or []),
            "ids": ", ".join(str(i) for i in request.match_ids or []),
        }
    return _(
        "No person we hold matches this request: check the details, choose the person if you "
        "find them, or answer that we hold no data on them."
    )


def request_verify(
    *, actor: Actor, request: SubjectRequest, method: str, note: str = ""
) -> SubjectRequest:
    """Record how the requester's identity was verified, by whom and when (R6.2); the clock
    resumes (the days it was suspended move the due date) and work starts."""
    if method not in IdentityMethod.values:
        raise ValidationError({"method": _("Choose how the identity was verified.")})
    with transaction.atomic():
        request = _locked(request)
        _check(request, "verify")
        if request.person_id is None:
            raise ValidationError(_who_matches(request), code="no_person")
        if request.requester == Requester.REPRESENTATIVE and method not in {
            IdentityMethod.REPRESENTATIVE,
            IdentityMethod.ID_DOCUMENT,
            IdentityMethod.IN_PERSON,
        }:
            raise ValidationError(
                {"method": _("A representative shows their mandate: check it (or an ID).")}
            )
        today = clock.today()
        suspended = request_clock.suspended_days(request.paused_since, today)
        request.paused_days += suspended
        request.paused_since = None
        request.due_on = request_clock.first_due(
            request_clock.received_on(request.received_at), request.paused_days
        )
        request.identity_method = method
        request.identity_note = note.strip()[:300]
        request.identity_verified_at = clock.now()
        request.identity_verified_by_id = actor.user_id
        _move(
            actor,
            request,
            "verify",
            [
                "paused_days",
                "paused_since",
                "due_on",
                "identity_method",
                "identity_note",
                "identity_verified_at",
                "identity_verified_by",
            ],
            detail={"method": method, "suspended_days": suspended},
        )
    return request


# -- extension -------------------------------------------------------------------------------


def request_extend(
    *, actor: Actor, request: SubjectRequest, months: int, reason: str
) -> SubjectRequest:
    """Extend the period by ``months`` (1 or 2) further months (Art. 12(3)), with a reason the
    person is told at once — which must happen inside the first period, or the extension is
    refused. Once per request."""
    allowed = policy().requests.extension_months
    reason = reason.strip()
    if not 1 <= months <= allowed:
        raise ValidationError(
            {
                "months": _("An extension adds 1 to %(n)s further months.") % {"n": allowed}
                if allowed
                else _("The policy allows no extension.")
            }
        )
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {"reason": _("Give the reason the person will read (complexity, number of requests).")}
        )
    with transaction.atomic():
        request = _locked(request)
        _check(request, "extend")
        today = clock.today()
        if today > request.due_on:
            raise ValidationError(
                _(
                    "The first period ended on %(day)s: an extension must be told to the person "
                    "inside it (Art. 12(3)). It is too late to extend; answer now."
                )
                % {"day": _day(request.due_on)},
                code="too_late",
            )
        request.extended_to = request_clock.extended_due(
            request_clock.received_on(request.received_at), months, request.paused_days
        )
        request.extension_reason = reason
        request.extension_notified_at = clock.now()
        letters.tell(
            actor=actor,
            request=request,
            kind=MessageKind.EXTENSION,
            context={
                "reason": reason,
                "extended_to": request.extended_to,
                "due_on": request.due_on,
                "months": months,
            },
        )
        _move(
            actor,
            request,
            "extend",
            ["extended_to", "extension_reason", "extension_notified_at"],
            detail={"months": months},
        )
    return request


# -- fee -------------------------------------------------------------------------------------


def request_fee(
    *, actor: Actor, request: SubjectRequest, fee: str, reason: str = ""
) -> SubjectRequest:
    """Flag (or clear) a fee: a manifestly unfounded or excessive request (Art. 12(5)), or
    further copies (Art. 15(3)); the reason is required and shown in the decision."""
    if fee not in Fee.values:
        raise ValidationError({"fee": _("Choose why a fee applies, or none.")})
    reason = reason.strip()
    if fee and len(reason) < REASON_MIN:
        raise ValidationError(
            {"fee_reason": _("Say why (the burden of proof is the agency's, Art. 12(5)).")}
        )
    if fee == Fee.EXTRA_COPIES and request.kind != Kind.ACCESS:
        raise ValidationError({"fee": _("Further copies are charged for access requests only.")})
    with transaction.atomic():
        request = _locked(request)
        request.fee, request.fee_reason = fee, reason if fee else ""
        _move(actor, request, "fee", ["fee", "fee_reason"], detail={"fee": fee or "none"})
    return request


# -- decision --------------------------------------------------------------------------------


def _effects_for_message(effects: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """The effects with their purpose and legal basis in words, in the message's language."""
    shown = []
    for effect in effects:
        entry = dict(effect)
        if effect.get("purpose") in policy().purposes:
            entry["purpose_label"] = policy().purpose(effect["purpose"]).label.get(language)
        if effect.get("basis"):
            entry["basis_label"] = letters.basis_label(str(effect["basis"]), language)
        shown.append(entry)
    return shown


def request_decide(
    *,
    actor: Actor,
    request: SubjectRequest,
    outcome: str,
    reasons: str = "",
    purpose: str = "",
    restriction_ground: str = "",
    grounds: str = "",
    obligations: str = "",
    changes: dict[str, Any] | None = None,
) -> SubjectRequest:
    """Decide the request (R6.12): fulfilled, partly, refused with reasons, or "we hold no data".
    Fulfilling carries it out (``candor.rights.fulfil``) in the same transaction; the person is
    told the outcome, the reasons, what is kept and why, and always their right to complain to
    the supervisory authority. Anything refused along the way changes nothing."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the decision.")})
    reasons = reasons.strip()
    if (
        outcome in {Outcome.REFUSED, Outcome.PARTLY}
        and len(reasons) < REASON_MIN
        and not (grounds.strip())
    ):
        raise ValidationError(
            {"reasons": _("A refusal, even partial, gives the person its reasons (Art. 12(4)).")}
        )
    with transaction.atomic():
        request = _locked(request)
        before = request.status
        _check(request, "decide")
        if purpose:
            request.purpose = _clean_purpose(request.kind, purpose)
        if restriction_ground:
            if restriction_ground not in RestrictionGround.values:
                raise ValidationError(
                    {"restriction_ground": _("Choose the ground for the restriction.")}
                )
            request.restriction_ground = restriction_ground
        person = Person.objects.filter(pk=request.person_id).first() if request.person_id else None
        request.person = person
        _check_decision(request, person, outcome, grounds, before)
        reply = letters.reply_of(request)  # before an erasure empties the request's copy
        done = fulfil.Fulfilled()
        if person is not None and (
            outcome in {Outcome.FULFILLED, Outcome.PARTLY}
            or (request.kind == Kind.OBJECTION and grounds.strip())
        ):
            done = fulfil.fulfiller(request.kind)(
                fulfil.Fulfilment(
                    actor=actor,
                    request=request,
                    person=person,
                    outcome=outcome,
                    reasons=reasons,
                    grounds=grounds,
                    language=reply.language,
                    changes=dict(changes or {}),
                )
            )
        final = done.outcome or outcome
        if final == Outcome.REFUSED and not reasons:
            reasons = grounds.strip()
        kept = "\n".join(x for x in (done.obligations, obligations.strip()) if x)
        now = clock.now()
        # person_erase may have emptied this row's identifiers: write only the decision's fields
        SubjectRequest.objects.filter(pk=request.pk).update(
            outcome=final,
            decision_reasons=reasons,
            obligations_kept=kept,
            decided_at=now,
            decided_by_id=actor.user_id,
            result=done.result,
            closed_at=now,
            purpose=request.purpose,
            restriction_ground=request.restriction_ground,
            status=Status.DECIDED,
            updated_at=now,
        )
        request.refresh_from_db()
        record_event(
            actor,
            request,
            "decide",
            from_status=before,
            to_status=request.status,
            detail={"outcome": final, "fee": request.fee or "none"},
        )
        letters.tell(
            actor=actor,
            request=request,
            kind=MessageKind.DECISION,
            reply=reply,
            attachments=done.attachments,
            context={
                "outcome": final,
                "reasons": reasons,
                "obligations": [
                    letters.obligation_label(line, reply.language)
                    for line in kept.splitlines()
                    if line
                ],
                "effects": _effects_for_message(done.effects, reply.language),
                "fee": request.fee,
                "fee_reason": request.fee_reason,
                "kind_label": _kind_label(request.kind, reply.language),
                "received_on": request_clock.received_on(request.received_at),
            },
        )
    return request


def _check_decision(
    request: SubjectRequest, person: Person | None, outcome: str, grounds: str, before: str
) -> None:
    """What a decision needs before anything is carried out: a person for a fulfilment, a
    verified identity unless it only stops processing, the purpose for an objection or a
    withdrawal; never "no data" for someone we hold, never a refused objection to direct
    marketing."""
    if outcome == Outcome.NO_DATA:
        if person is not None and person.erased_at is None:
            raise ValidationError(
                _("We hold data on %(person)s: decide on the request itself.") % {"person": person},
                code="data_held",
            )
        return
    if outcome in {Outcome.FULFILLED, Outcome.PARTLY} or grounds.strip():
        if person is None:
            raise ValidationError(_who_matches(request), code="no_person")
        unverified = before in {Status.RECEIVED, Status.AWAITING_IDENTITY}
        if unverified and not _stops_only(request):
            raise ValidationError(
                _("The identity is not verified yet: verify it first, or refuse with the reasons."),
                code="unverified",
            )
        if request.kind in {Kind.OBJECTION, Kind.CONSENT_WITHDRAWAL} and not request.purpose:
            raise ValidationError(
                {"purpose": _("Say which purpose the person objects to or withdrew from.")}
            )
        return
    if (
        person is not None
        and fulfil.objection_is_direct_marketing(request)
        and before in {Status.IN_PROGRESS, Status.EXTENDED}
    ):
        raise ValidationError(
            _(
                "An objection to direct marketing cannot be refused: it is absolute "
                "(Art. 21(3)). Decide it as fulfilled."
            ),
            code="direct_marketing",
        )


def _stops_only(request: SubjectRequest) -> bool:
    """May this request be fulfilled before the identity is verified? Only when it does nothing
    but stop processing: a consent withdrawal, an objection to direct marketing."""
    return request.kind in STOP_KINDS or fulfil.objection_is_direct_marketing(request)


# -- withdrawal and messages -----------------------------------------------------------------


def request_withdraw(*, actor: Actor, request: SubjectRequest, note: str = "") -> SubjectRequest:
    """The requester takes the request back; it closes without a decision. ``note``: what they
    said, logged as a message in."""
    with transaction.atomic():
        request = _locked(request)
        _check(request, "withdraw")
        request.closed_at = clock.now()
        if note.strip():
            letters.message_log(
                actor=actor,
                request=request,
                direction=Direction.IN,
                channel=request.channel,
                body=note.strip(),
            )
        _move(actor, request, "withdraw", ["closed_at"])
    return request


def request_proof_record(*, actor: Actor, request_id: int, proof: ProofResult) -> SubjectRequest:
    """Store the proof scan of an erasure on its request (R6.6), once the erasure committed:
    places and counts, never a value. A residue fails the request: it leaves "decided" for
    "proof failed", on the DPO's queue, until the residue is removed and recorded."""
    with transaction.atomic():
        request = SubjectRequest.objects.select_for_update().get(pk=request_id)
        result = dict(request.result or {})
        result["proof"] = proof.as_dict()
        request.result = result
        detail = {"clean": proof.clean, "residues": len(proof.residues)}
        if proof.clean:
            request.save(update_fields=["result", "updated_at"])
            record_event(actor, request, "proof", detail=detail)
        else:
            _move(actor, request, "proof_failed", ["result"], detail=detail)
    return request


def request_residue_cleared(*, actor: Actor, request: SubjectRequest, note: str) -> SubjectRequest:
    """The DPO removed the residue the proof scan found (or showed it is not the person's) and
    says what was done; the request returns to "decided". ``note`` names places, not values."""
    if len(note.strip()) < REASON_MIN:
        raise ValidationError({"note": _("Say what was removed, and where.")})
    with transaction.atomic():
        request = _locked(request)
        result = dict(request.result or {})
        result["residue_cleared"] = {
            "at": clock.now().isoformat(),
            "by": actor.ref,
            "note": note.strip(),  # on the request only: the audit trail holds no free text
        }
        request.result = result
        _move(actor, request, "clear_residue", ["result"])
    return request


def request_message(
    *,
    actor: Actor,
    request: SubjectRequest,
    direction: str,
    channel: str,
    subject: str = "",
    body: str = "",
    address: str = "",
    at: dt.datetime | None = None,
) -> RequestMessage:
    """Log a message in or out that did not go through Candor (R6.3): an e-mail from the
    mailbox, a phone call, a letter. Allowed in every state, closed requests included."""
    with transaction.atomic():
        request = _locked(request)
        message = letters.message_log(
            actor=actor,
            request=request,
            direction=direction,
            channel=channel,
            subject=subject,
            body=body,
            address=address,
            at=at,
        )
        record_event(actor, request, "message", detail={"direction": direction, "channel": channel})
    return message


def request_viewed(*, actor: Actor, request: SubjectRequest, where: str) -> None:
    """Opening a request shows the requester's details: recorded like opening a dossier."""
    with transaction.atomic():
        pseudonym = request.person.pseudonym if request.person else ""
        audit_record(
            actor=actor,
            action="view",
            object_type="rights.subjectrequest",
            object_id=request.pk,
            subject=str(pseudonym),
            detail={"where": where},
        )
