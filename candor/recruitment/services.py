"""Writes for vacancies, applications and procedure steps (R1.2). New candidates are written by
``candor.recruitment.intake.candidates_write``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.recruitment.models import PIPELINE, Application, ProcedureStep, Stage, Vacancy


def vacancy_create(*, actor: Actor, data: dict[str, Any]) -> Vacancy:
    vacancy = Vacancy(**data)
    if vacancy.opened_on is None:
        vacancy.opened_on = clock.today()
    vacancy.full_clean()
    with transaction.atomic():
        vacancy.save()
        audit_record(
            actor=actor, action="create", object_type="recruitment.vacancy", object_id=vacancy.pk
        )
    return vacancy


def application_create(
    *, actor: Actor, person: Person, vacancy: Vacancy, source: ProvenanceSpec, motivation: str = ""
) -> Application:
    """A candidate enters a vacancy's procedure at stage NEW."""
    if not person.is_candidate:
        raise ValidationError({"person": "Only candidates can apply."})
    if Application.objects.filter(person=person, vacancy=vacancy).exists():
        raise ValidationError({"vacancy": "This candidate already applied for this vacancy."})
    with transaction.atomic():
        application = Application.objects.create(
            person=person,
            vacancy=vacancy,
            applied_on=clock.today(),
            motivation=motivation,
            consultant_id=actor.user_id,
            provenance=source.row(),
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="recruitment.application",
            object_id=application.pk,
            subject=str(person.pseudonym),
            detail={"vacancy": vacancy.pk},
        )
    return application


def application_move(*, actor: Actor, application: Application, stage: str) -> Application:
    """Move an application along the pipeline: one stage forward, or out (rejected/withdrawn).

    Ended procedures (hired, rejected, withdrawn) do not move again.
    """
    current = Stage(application.stage)
    target = Stage(stage) if stage in Stage.values else None
    if target is None:
        raise ValidationError({"stage": f"“{stage}” is not a stage."})
    if current in {Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN}:
        raise ValidationError({"stage": f"The procedure has ended ({current.label})."})
    allowed = {Stage.REJECTED, Stage.WITHDRAWN}
    position = PIPELINE.index(current)
    if position + 1 < len(PIPELINE):
        allowed.add(PIPELINE[position + 1])
    if target not in allowed:
        raise ValidationError(
            {
                "stage": f"From “{current.label}” the next stage is "
                f"“{PIPELINE[position + 1].label}” (or rejected / withdrawn)."
            }
        )
    with transaction.atomic():
        application.stage = target
        application.save(update_fields=["stage", "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            object_type="recruitment.application",
            object_id=application.pk,
            subject=str(application.person.pseudonym),
            detail={"fields": ["stage"], "from": current.value, "to": target.value},
        )
    return application


def procedure_step_record(
    *,
    actor: Actor,
    application: Application,
    kind: str,
    scheduled_at: dt.datetime,
    outcome: str = "pending",
    score: Decimal | None = None,
    report: str = "",
    test_name: str = "",
    external_assessor: str = "",
) -> ProcedureStep:
    """Record an interview or test of a procedure (R1.2); the agency is its source."""
    step = ProcedureStep(
        application=application,
        kind=kind,
        scheduled_at=scheduled_at,
        outcome=outcome,
        score=score,
        report=report,
        test_name=test_name,
        external_assessor=external_assessor,
        conducted_by_id=actor.user_id,
    )
    step.full_clean(exclude=["provenance"])
    with transaction.atomic():
        step.provenance = ProvenanceSpec(
            kind="agency", channel="form", recorded_by_id=actor.user_id
        ).row()
        step.save()
        audit_record(
            actor=actor,
            action="create",
            object_type="recruitment.procedurestep",
            object_id=step.pk,
            subject=str(application.person.pseudonym),
            detail={"kind": kind},
        )
    return step
