"""Carrying out a request once it is decided (R6.6–R6.8, R6.10): one function per kind.

``request_decide`` calls ``fulfiller(kind)`` inside its transaction when the decision fulfils the
request (fully or partly); whatever the function raises (a ``ValidationError`` with a specific
reason) rolls the whole decision back, so nothing is changed half-way.

The functions act through the privacy services, so the gate refuses what they stop at once:

- restriction → ``restriction_start``: the person's data is only stored (no search, matching,
  mailing, sharing, exports to third parties) until the DPO lifts it; lifting tells the person
  first (``restriction_lift_and_tell``, Art. 18(3)).
- objection → ``objection_record``: direct marketing stops for good (Art. 21(3)); other
  processing on legitimate interest stops unless the DPO documents compelling grounds or legal
  claims (``objection_override``, the decision is then a refusal with those grounds).
- consent withdrawal → ``consent_withdraw``: the purpose stops at once; the person is told which
  other purpose goes on with the same kind of data, and on which basis (the gate's ``overview``).
- erasure → ``erase_for_request`` (suppression + ``person_erase``): refused with the reason
  when a contract with the person is still running (an open trajectory, a running contract of
  an organisation they are the contact of); what the registry keeps under a legal obligation is
  named in the decision; the proof scan runs once the decision commits and a residue fails the
  request (``request_proof_record``); the recipients to tell are listed (Art. 19).
- access → ``access_fulfil``: the report (PDF) and the JSON file, attached to the decision
  message and recorded in the disclosure ledger (Art. 15).
- portability → ``portability_fulfil``: what the person provided, as JSON (with a JSON Resume
  block) and CSV, attached likewise (Art. 20).
- rectification → ``rectify`` with the corrections the staff member entered: all or none; the
  old values go to the audit trail only; the recipients of the corrected categories are listed
  to be told (Art. 16, 19).

A function receives a ``Fulfilment`` and returns a ``Fulfilled``: ``result`` (stored on the
request: counts, checksums, record ids — never a value), ``effects`` (what the decision message
tells the person: ``{"code": "text", "text": "…"}`` for a sentence of its own, written in
``job.language`` with ``translation.override``; the function's own errors stay in the staff
member's language), ``obligations`` (what is kept, and why) and ``attachments`` (files sent
with the decision message).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import Channel
from candor.people.models import Person
from candor.privacy import gate
from candor.privacy.models import (
    Consent,
    Restriction,
    RestrictionGround,
    Via,
)
from candor.privacy.policy import policy
from candor.privacy.proof import erase_for_request, erasure_prove
from candor.privacy.services import (
    consent_withdraw,
    objection_override,
    objection_record,
    restriction_lift,
    restriction_start,
)
from candor.rights import letters
from candor.rights.access import access_deliver
from candor.rights.delivery import Delivery, fulfil_result
from candor.rights.models import Kind, MessageKind, Outcome, RequestChannel, SubjectRequest
from candor.rights.portability import portability_deliver
from candor.rights.rectification import field_label, rectify

VIA = {
    RequestChannel.EMAIL: Via.EMAIL,
    RequestChannel.PORTAL: Via.PORTAL,
    RequestChannel.LETTER: Via.LETTER,
    RequestChannel.PHONE: Via.PHONE,
}


@dataclass(frozen=True, slots=True)
class Fulfilment:
    """What a fulfilment function is given."""

    actor: Actor
    request: SubjectRequest
    person: Person
    outcome: str  # fulfilled | partly | refused (objection with compelling grounds)
    reasons: str = ""
    grounds: str = ""  # compelling legitimate grounds or legal claims (objection)
    language: str = "en"  # the person's: write ``{"code": "text"}`` effects in it
    changes: dict[str, Any] = field(default_factory=dict)  # rectification: path → new value

    @property
    def via(self) -> str:
        return VIA.get(RequestChannel(self.request.channel), Via.EMAIL)


@dataclass(slots=True)
class Fulfilled:
    """What a fulfilment function did."""

    result: dict[str, Any] = field(default_factory=dict)
    effects: list[dict[str, Any]] = field(default_factory=list)
    obligations: str = ""
    outcome: str = ""  # set when the function decides the outcome (e.g. refused with grounds)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)  # name, bytes, type


Fulfiller = Callable[[Fulfilment], Fulfilled]
_FULFILLERS: dict[str, Fulfiller] = {}


def register(kind: str, function: Fulfiller) -> None:
    """Connect the function that carries out requests of ``kind``."""
    if kind not in Kind.values:
        raise ValueError(f"unknown request kind {kind!r}")
    _FULFILLERS[kind] = function


def fulfiller(kind: str) -> Fulfiller:
    """The function for ``kind``; a clear refusal when none is connected."""
    try:
        return _FULFILLERS[kind]
    except KeyError:
        label = Kind(kind).label if kind in Kind.values else kind
        raise ValidationError(
            _(
                "Requests of the kind “%(kind)s” cannot be carried out from here yet: carry it "
                "out by hand and record the decision as partly fulfilled with what was done."
            )
            % {"kind": label},
            code="no_fulfiller",
        ) from None


def registered() -> dict[str, Fulfiller]:
    return dict(_FULFILLERS)


# -- restriction (R6.7) ------------------------------------------------------------------------


def restriction_fulfil(job: Fulfilment) -> Fulfilled:
    ground = job.request.restriction_ground
    if ground not in RestrictionGround.values:
        raise ValidationError(
            {"restriction_ground": _("Choose the ground for the restriction (Art. 18(1)).")},
            code="ground_missing",
        )
    active = Restriction.objects.filter(person=job.person, lifted_at=None).first()
    if active is not None:
        restriction = active  # already restricted: the request is answered by the one in force
    else:
        restriction = restriction_start(
            actor=job.actor,
            person=job.person,
            ground=ground,
            via=job.via,
            note=_("Request %(reference)s") % {"reference": job.request.reference},
        )
    return Fulfilled(
        result={"restriction_id": restriction.pk, "already": active is not None},
        effects=[{"code": "restricted", "ground": ground}],
    )


@transaction.atomic
def restriction_lift_and_tell(
    *, actor: Actor, restriction: Restriction, reason: str
) -> Restriction:
    """Lift a restriction and tell the person before it ends (Art. 18(3)), in one transaction:
    if the message cannot be sent, the restriction stays. The message is logged on the request
    that started it, when there is one."""
    from candor.rights.requests import record_event

    restriction = Restriction.objects.select_related("person").get(pk=restriction.pk)
    if restriction.lifted_at is not None:
        raise ValidationError(_("This restriction was already lifted."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the restriction ends.")})
    origin = (
        SubjectRequest.objects.filter(
            person=restriction.person, kind=Kind.RESTRICTION, result__restriction_id=restriction.pk
        )
        .order_by("-received_at")
        .first()
    )
    if origin is not None:
        letters.tell(
            actor=actor,
            request=origin,
            kind=MessageKind.RESTRICTION_LIFTED,
            context={"reason": reason.strip(), "ground": restriction.ground},
        )
        record_event(actor, origin, "restriction_lifted", detail={"notified": True})
    else:
        _tell_without_request(actor, restriction, reason.strip())
    return restriction_lift(actor=actor, restriction=restriction, reason=reason)


def _tell_without_request(actor: Actor, restriction: Restriction, reason: str) -> None:
    """A restriction recorded on the privacy page, not from a request: the person is told by
    e-mail when we hold an address (the audit event of the lift follows)."""
    from django.core.mail import EmailMessage

    from candor.privacy.notices import notice_email
    from candor.privacy.policy import mail_sender

    person = restriction.person
    address = notice_email(person)
    if not address:
        return  # the DPO tells the person another way; the privacy page says so
    language = letters.language_of(SubjectRequest(language=""), person)
    subject, body = letters.render(
        MessageKind.RESTRICTION_LIFTED,
        language,
        {
            "name": f"{person.first_name} {person.last_name}".strip(),
            "reference": "",
            "reason": reason,
            "ground": restriction.ground,
        },
    )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=mail_sender(),
        to=[address],
        reply_to=[policy().dpo.email],
    )
    if not message.send():
        raise RuntimeError("the mail backend accepted no message")


# -- objection (R6.8) --------------------------------------------------------------------------


def objection_fulfil(job: Fulfilment) -> Fulfilled:
    key = job.request.purpose
    chosen = policy().purpose(key)
    if not chosen.objectable:
        raise ValidationError(
            {"purpose": _("This purpose does not rest on legitimate interest: not objectable.")},
            code="not_objectable",
        )
    objection = objection_record(
        actor=job.actor,
        person=job.person,
        purpose=key,
        via=job.via,
        reason=_("Request %(reference)s") % {"reference": job.request.reference},
    )
    result: dict[str, Any] = {"objection_id": objection.pk, "purpose": key}
    if job.grounds.strip():
        if chosen.direct_marketing:
            raise ValidationError(
                _("An objection to direct marketing cannot be overridden (GDPR Art. 21(3))."),
                code="direct_marketing",
            )
        objection_override(actor=job.actor, objection=objection, grounds=job.grounds)
        result["overridden"] = True
        return Fulfilled(
            result=result,
            effects=[
                {"code": "objection_overridden", "purpose": key, "grounds": job.grounds.strip()}
            ],
            outcome=Outcome.REFUSED,
        )
    if job.outcome == Outcome.REFUSED:
        raise ValidationError(
            {"grounds": _("Refusing an objection needs the compelling grounds or legal claims.")},
            code="grounds_missing",
        )
    return Fulfilled(
        result=result,
        effects=[
            {
                "code": "objection_upheld",
                "purpose": key,
                "direct_marketing": chosen.direct_marketing,
            }
        ],
    )


# -- consent withdrawal (R6.10) -----------------------------------------------------------------


def withdrawal_fulfil(job: Fulfilment) -> Fulfilled:
    key = job.request.purpose
    chosen = policy().purpose(key)
    if chosen.consent is None:
        raise ValidationError(
            {"purpose": _("This purpose does not rest on consent: there is none to withdraw.")},
            code="not_consent",
        )
    ended = consent_withdraw(actor=job.actor, person=job.person, purpose=key, via=job.via)
    if not ended:
        last = Consent.objects.filter(person=job.person, purpose=key).order_by("-given_at").first()
        if last is None:
            raise ValidationError(
                _(
                    "%(person)s never gave consent for “%(purpose)s”: there is nothing to "
                    "withdraw. Answer that we do not process their data on that basis."
                )
                % {"person": job.person, "purpose": chosen.label.get()},
                code="never_given",
            )
        ended_on = clock.localdate(last.withdrawn_at) if last.withdrawn_at else last.expires_on
        raise ValidationError(
            _(
                "The consent for “%(purpose)s” already ended on %(day)s: there is nothing left "
                "to withdraw."
            )
            % {
                "purpose": chosen.label.get(),
                "day": date_format(ended_on, "SHORT_DATE_FORMAT") if ended_on else "?",
            },
            code="already_ended",
        )
    effects: list[dict[str, Any]] = [{"code": "consent_withdrawn", "purpose": key}]
    categories = set(chosen.categories)
    continuing = []
    for decision in gate.overview(job.person):
        other = decision.purpose
        if other.key == key or not decision.allowed or not categories & set(other.categories):
            continue
        continuing.append(other.key)
        effects.append({"code": "continues", "purpose": other.key, "basis": other.legal_basis})
    return Fulfilled(
        result={"purpose": key, "consents_ended": ended, "continuing": continuing},
        effects=effects,
    )


# -- erasure (R6.6) ----------------------------------------------------------------------------


def open_obligations(person: Person) -> list[str]:
    """What still binds the agency to the person: a trajectory not ended, a running contract of
    an organisation the person is a contact of. Each named, for the refusal."""

    today = clock.today()
    found: list[str] = []
    trajectories = apps.get_model("guidance", "Trajectory").objects.filter(
        person=person, status__in=["planned", "active"]
    )
    for trajectory in trajectories.order_by("started_on"):
        found.append(
            _("a %(kind)s trajectory started on %(day)s is still running")
            % {
                "kind": trajectory.get_kind_display().lower(),
                "day": date_format(trajectory.started_on, "SHORT_DATE_FORMAT"),
            }
        )
    contracts = apps.get_model("relations", "Contract").objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        organisation__contacts__person=person,
        starts_on__lte=today,
    )
    for contract in contracts.select_related("organisation").distinct().order_by("reference"):
        found.append(
            _("contract %(reference)s with %(organisation)s, of which they are a contact, runs")
            % {"reference": contract.reference, "organisation": contract.organisation.name}
        )
    return found


def erasure_fulfil(job: Fulfilment) -> Fulfilled:
    """Erase on request (R6.6): refused while a contract binds the agency to the person;
    otherwise the person goes on the suppression list and is erased through the registry in the
    decision's transaction, and once that commits the proof scan looks for residue and records
    its outcome on the request (``request_proof_record``: a residue fails the request). The
    recipients of the person's data are listed on the request, to be told (Art. 19)."""
    person = job.person
    if person.erased_at is not None:
        raise ValidationError(
            _("This person's data was already erased: answer that we hold no data."),
            code="already_erased",
        )
    binding = open_obligations(person)
    if binding:
        raise ValidationError(
            _(
                "Erasure refused: %(what)s. The data is needed to perform it (Art. 17(1)(a), "
                "6(1)(b)); refuse with this reason, or erase after it ends."
            )
            % {"what": "; ".join(binding)},
            code="open_contract",
        )
    done = erase_for_request(actor=job.actor, person_id=person.pk, reason="request")
    report = done.report
    obligations = sorted(set(report.kept.values()))
    told: list[dict[str, Any]] = [
        {"kind": r.kind, "name": r.name, "categories": sorted(r.categories)}
        for r in done.recipients
    ]
    result: dict[str, Any] = {
        "erased": report.erased == [person.pk],
        "deleted": dict(report.deleted),
        "anonymised": dict(report.anonymised),
        "files": report.files,
        "kept": report.kept,
        "recipients_to_tell": told,
        "proof": {"status": "pending"},
    }
    request_id, actor, ident = job.request.pk, job.actor, done.identifiers

    def prove() -> None:
        from candor.rights.requests import request_proof_record

        request_proof_record(
            actor=actor, request_id=request_id, proof=erasure_prove(actor=actor, ident=ident)
        )

    transaction.on_commit(prove)
    effects: list[dict[str, Any]] = [{"code": "erased"}]
    if told:
        with translation.override(job.language):
            text = _("We are telling those who received your data that it was erased: %s.")
        effects.append({"code": "text", "text": text % ", ".join(str(r["name"]) for r in told)})
    return Fulfilled(result=result, effects=effects, obligations="\n".join(obligations))


def objection_is_direct_marketing(request: SubjectRequest) -> bool:
    if request.kind != Kind.OBJECTION or request.purpose not in policy().purposes:
        return False
    return policy().purpose(request.purpose).direct_marketing


register(Kind.RESTRICTION, restriction_fulfil)
register(Kind.OBJECTION, objection_fulfil)
register(Kind.CONSENT_WITHDRAWAL, withdrawal_fulfil)
register(Kind.ERASURE, erasure_fulfil)


# -- access, portability (R6.4, R6.9) and rectification (R6.5) ---------------------------------

MIME = {"json": "application/json", "pdf": "application/pdf", "csv": "text/csv"}


def _handed_over(job: Fulfilment, delivery: Delivery, text: str) -> Fulfilled:
    """The delivered files stored for the request (``fulfil_result``) and attached, as built,
    to the decision message."""
    return Fulfilled(
        result=fulfil_result(delivery),
        effects=[{"code": "text", "text": text}],
        attachments=[(f.name, f.content, MIME.get(f.format, "")) for f in delivery.files],
    )


def _channel(job: Fulfilment) -> str:
    """How the files reach the person: with the e-mailed answer, else printed with the letter."""
    return Channel.EMAIL if letters.reply_of(job.request).email else Channel.PAPER


def access_request_fulfil(job: Fulfilment) -> Fulfilled:
    """A copy of everything held (Art. 15): the report in the person's language and the JSON
    file, recorded in the ledger as given to the person and sent with the decision."""
    delivery = access_deliver(
        actor=job.actor,
        person_id=job.person.pk,
        language=job.language,
        channel=_channel(job),
        reference=job.request.reference,
    )
    with translation.override(job.language):
        text = _(
            "A copy of all the personal data we hold about you is attached: a report (PDF) "
            "and the same data as a file (JSON), with where each item came from, why we use "
            "it, who received it and how long we keep it."
        )
    return _handed_over(job, delivery, text)


def portability_request_fulfil(job: Fulfilment) -> Fulfilled:
    """The data the person provided, in machine-readable form (Art. 20), sent with the
    decision and recorded in the ledger."""
    delivery = portability_deliver(
        actor=job.actor,
        person_id=job.person.pk,
        channel=_channel(job),
        reference=job.request.reference,
    )
    with translation.override(job.language):
        text = _(
            "The data you gave us is attached in two machine-readable files: JSON (your CV "
            "in the JSON Resume format) and CSV. You may pass them on to another organisation."
        )
    return _handed_over(job, delivery, text)


def rectification_fulfil(job: Fulfilment) -> Fulfilled:
    """Correct the data as entered by staff (Art. 16), all or nothing; the recipients of the
    corrected categories are listed on the request, to be told (Art. 19)."""
    if not job.changes:
        raise ValidationError(
            {"changes": _("Enter the corrections: one per line, as field = new value.")},
            code="no_changes",
        )
    done = rectify(
        actor=job.actor,
        person_id=job.person.pk,
        changes=job.changes,
        request_ref=job.request.reference,
    )
    if not done.ok:
        raise ValidationError(
            {
                "changes": [
                    f"{path}: {' '.join(messages)}" for path, messages in done.errors.items()
                ]
            },
            code="rectification_refused",
        )
    told = [{"kind": r.kind, "name": r.name} for r in done.recipients]
    with translation.override(job.language):
        effects = [
            {
                "code": "text",
                "text": _("We corrected: %s.")
                % ", ".join(field_label(path) for path in done.changed),
            }
        ]
        if told:
            effects.append(
                {
                    "code": "text",
                    "text": _("We are telling those who received the earlier data: %s.")
                    % ", ".join(r["name"] for r in told),
                }
            )
    result = {
        "changed": done.changed,
        "categories": sorted(done.categories),
        "recipients_to_tell": told,
    }
    return Fulfilled(result=result, effects=effects)


register(Kind.ACCESS, access_request_fulfil)
register(Kind.PORTABILITY, portability_request_fulfil)
register(Kind.RECTIFICATION, rectification_fulfil)
