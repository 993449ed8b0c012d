"""Writing what the gate decides from: consent (R3.3, R6.10), objection (R6.8), restriction
(R6.7) and the end of a career (R5.1).

Each service takes a required ``actor``, writes its audit event in the same transaction, and
takes effect in the gate at once: the next ``may()`` or ``scope()`` reads the new state. The
audit event names the purpose and the kind of change, never the person's own words.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.models import (
    Consent,
    Objection,
    ObjectionStatus,
    Restriction,
    RestrictionGround,
    SuppressionLift,
    SuppressionReason,
    Via,
)
from candor.privacy.policy import policy
from candor.privacy.suppression import (
    objection_suppresses,
    suppress_person,
    suppression_lift_for_objection,
)


def _audit(actor: Actor, person: Person, action: str, object_type: str, pk: int, **detail: object):
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=pk,
        subject=str(person.pseudonym),
        detail=detail,
    )


def _check_via(via: str) -> None:
    if via not in Via.values:
        raise ValidationError({"via": _("Choose how the person told us.")})


def consent_give(
    *,
    actor: Actor,
    person: Person,
    purpose: str,
    via: str,
    language: str = "",
    evidence: str = "",
    given_at: dt.datetime | None = None,
) -> Consent:
    """Record that the person consented to ``purpose`` (R3.3): when, how, and the exact text
    of the version shown (from the policy). A consent the policy limits in time gets its
    expiry date; giving it again while one is live is a renewal (the old record stays as
    history, the new one runs from today)."""
    chosen = policy().purpose(purpose)
    if chosen.consent is None:
        raise ValidationError(
            {"purpose": _("This purpose does not rest on consent; nothing to record.")}
        )
    _check_via(via)
    if via in {Via.PHONE, Via.PAPER, Via.IN_PERSON} and not evidence.strip():
        raise ValidationError(
            {"evidence": _("Say how the consent was obtained (who, when, which document).")}
        )
    language = (language or person.preferred_language or "nl")[:2]
    if language not in {"nl", "fr", "en"}:
        language = "en"
    moment = given_at or clock.now()
    with transaction.atomic():
        previous = list(
            Consent.objects.select_for_update().filter(
                person=person, purpose=purpose, withdrawn_at=None
            )
        )
        # the older records end where the new one starts (first: one live consent per
        # purpose is a constraint)
        Consent.objects.filter(pk__in=[c.pk for c in previous]).update(
            withdrawn_at=moment, withdrawn_via=via, withdrawn_recorded_by_id=actor.user_id
        )
        consent = Consent.objects.create(
            person=person,
            purpose=purpose,
            given_at=moment,
            given_via=via,
            text_version=chosen.consent.version,
            text_shown=chosen.consent.text.get(language),
            language=language,
            evidence=evidence.strip(),
            expires_on=policy().consent_expiry(chosen, moment.date()),
            recorded_by_id=actor.user_id,
        )
        _audit(
            actor,
            person,
            "consent.renew" if previous else "consent.give",
            "privacy.consent",
            consent.pk,
            purpose=purpose,
            via=via,
            version=chosen.consent.version,
        )
    return consent


def consent_withdraw(*, actor: Actor, person: Person, purpose: str, via: str) -> int:
    """Withdraw the person's consent to ``purpose`` in one step (R3.3, R6.10); the gate refuses
    the purpose from this moment. Returns how many live consents ended (0: none was live)."""
    _check_via(via)
    policy().purpose(purpose)
    with transaction.atomic():
        live = list(
            Consent.objects.select_for_update().filter(
                person=person, purpose=purpose, withdrawn_at=None
            )
        )
        if not live:
            return 0
        Consent.objects.filter(pk__in=[c.pk for c in live]).update(
            withdrawn_at=clock.now(), withdrawn_via=via, withdrawn_recorded_by_id=actor.user_id
        )
        _audit(actor, person, "consent.withdraw", "privacy.consent", live[-1].pk, purpose=purpose)
    return len(live)


def objection_record(
    *, actor: Actor, person: Person, purpose: str, via: str, reason: str = ""
) -> Objection:
    """Record an objection (R6.8). It stops the purpose at once; for direct marketing for good,
    for other legitimate-interest processing until compelling grounds are documented."""
    chosen = policy().purpose(purpose)
    if not chosen.objectable:
        raise ValidationError(
            {"purpose": _("This purpose does not rest on legitimate interest: not objectable.")}
        )
    _check_via(via)
    with transaction.atomic():
        active = Objection.objects.filter(
            person=person, purpose=purpose, status=ObjectionStatus.ACTIVE
        ).first()
        if active is not None:
            return active
        objection = Objection.objects.create(
            person=person,
            purpose=purpose,
            via=via,
            reason=reason.strip(),
            received_at=clock.now(),
            recorded_by_id=actor.user_id,
        )
        _audit(
            actor, person, "objection.record", "privacy.objection", objection.pk, purpose=purpose
        )
        if objection_suppresses(purpose):  # not collected again while it stands (R6.11)
            suppress_person(actor=actor, person=person, reason=SuppressionReason.OBJECTION)
    return objection


def objection_override(*, actor: Actor, objection: Objection, grounds: str) -> Objection:
    """Document compelling legitimate grounds that outweigh an objection (R6.8): processing for
    that purpose resumes. Refused for direct marketing, where an objection always wins."""
    chosen = policy().purpose(objection.purpose)
    if chosen.direct_marketing:
        raise ValidationError(
            _("An objection to direct marketing cannot be overridden (GDPR Art. 21(3)).")
        )
    if len(grounds.strip()) < 20:
        raise ValidationError(
            {"grounds": _("Describe the compelling grounds (at least a full sentence).")}
        )
    if objection.status != ObjectionStatus.ACTIVE:
        raise ValidationError(_("Only an upheld objection can be overridden."))
    with transaction.atomic():
        objection.status = ObjectionStatus.OVERRIDDEN
        objection.override_grounds = grounds.strip()
        objection.decided_at = clock.now()
        objection.decided_by_id = actor.user_id
        objection.save(update_fields=["status", "override_grounds", "decided_at", "decided_by"])
        _audit(
            actor,
            objection.person,
            "objection.override",
            "privacy.objection",
            objection.pk,
            purpose=objection.purpose,
        )
        if objection_suppresses(objection.purpose):
            suppression_lift_for_objection(
                actor=actor,
                person=objection.person,
                how=SuppressionLift.OBJECTION_OVERRIDDEN,
                reference=f"objection:{objection.pk}",
            )
    return objection


def objection_withdraw(*, actor: Actor, objection: Objection) -> Objection:
    """The person takes their objection back; the purpose's normal basis applies again."""
    if objection.status == ObjectionStatus.WITHDRAWN:
        return objection
    with transaction.atomic():
        objection.status = ObjectionStatus.WITHDRAWN
        objection.decided_at = clock.now()
        objection.decided_by_id = actor.user_id
        objection.save(update_fields=["status", "decided_at", "decided_by"])
        _audit(
            actor,
            objection.person,
            "objection.withdraw",
            "privacy.objection",
            objection.pk,
            purpose=objection.purpose,
        )
        if objection_suppresses(objection.purpose):
            suppression_lift_for_objection(
                actor=actor,
                person=objection.person,
                how=SuppressionLift.OBJECTION_WITHDRAWN,
                reference=f"objection:{objection.pk}",
            )
    return objection


def restriction_start(
    *, actor: Actor, person: Person, ground: str, via: str, note: str = ""
) -> Restriction:
    """Restrict processing (R6.7): from now on the person's data is only stored — no search,
    matching, mailing, sharing or profiling — until the restriction is lifted."""
    if ground not in RestrictionGround.values:
        raise ValidationError({"ground": _("Choose the ground for the restriction.")})
    _check_via(via)
    with transaction.atomic():
        restriction = Restriction.objects.create(
            person=person,
            ground=ground,
            via=via,
            note=note.strip(),
            started_at=clock.now(),
            recorded_by_id=actor.user_id,
        )
        _audit(
            actor, person, "restriction.start", "privacy.restriction", restriction.pk, ground=ground
        )
    return restriction


def restriction_lift(*, actor: Actor, restriction: Restriction, reason: str) -> Restriction:
    """Lift a restriction; the person must be told beforehand (Art. 18(3)), hence the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the restriction ends.")})
    if restriction.lifted_at is not None:
        raise ValidationError(_("This restriction was already lifted."))
    with transaction.atomic():
        restriction.lifted_at = clock.now()
        restriction.lift_reason = reason.strip()
        restriction.lifted_by_id = actor.user_id
        restriction.save(update_fields=["lifted_at", "lift_reason", "lifted_by"])
        _audit(
            actor,
            restriction.person,
            "restriction.lift",
            "privacy.restriction",
            restriction.pk,
            ground=restriction.ground,
        )
    return restriction


def career_end_record(*, actor: Actor, person: Person, ended_on: dt.date | None) -> Person:
    """Record (or clear) the end of a candidate's active career (R5.1); the retention date is
    recomputed in the same transaction."""
    from candor.privacy.retention import retention_refresh

    if ended_on is not None and ended_on > clock.today() + dt.timedelta(days=366):
        raise ValidationError({"ended_on": _("A career end more than a year ahead is a guess.")})
    with transaction.atomic():
        person.career_ended_on = ended_on
        person.save(update_fields=["career_ended_on", "updated_at"])
        _audit(actor, person, "update", "people.person", person.pk, fields=["career_ended_on"])
        retention_refresh([person.pk])
        person.refresh_from_db(fields=["kept_until"])
    return person
