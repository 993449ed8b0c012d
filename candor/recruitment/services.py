"""Writes for vacancies, applications and procedure steps (R1.2). New candidates are written by
``candor.recruitment.intake.candidates_write``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.core.editing import locked_unless_stale
from candor.people.models import Person
from candor.people.services import ProvenanceSpec
from candor.privacy.notices import notice_first_contact
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
    """Record an interview or test of a procedure (R1.2); the agency is its source. Arranging
    one means contacting the person, so any notice still owed to them is due now (R2.2)."""
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
        step.provenance = ProvenanceSpec.by_staff(actor).row()
        step.save()
        audit_record(
            actor=actor,
            action="create",
            object_type="recruitment.procedurestep",
            object_id=step.pk,
            subject=str(application.person.pseudonym),
            detail={"kind": kind},
        )
        # an interview or a test means we are in touch: the person is informed now (R2.2)
        notice_first_contact(actor=actor, person=application.person)
    return step


# Back-office writes (R1.2): a vacancy edited in a form, and a card moved on the pipeline board.
# Both refuse to act on a row that changed after the consultant loaded it, so two people working
# on the same vacancy never silently undo each other.

VACANCY_EDITABLE = (
    "client",
    "reference",
    "title",
    "description",
    "postcode",
    "city",
    "status",
    "consultant",
    "opened_on",
)


def vacancy_update(
    *, actor: Actor, vacancy_id: int, changes: dict[str, Any], seen_updated_at: dt.datetime
) -> tuple[Vacancy, list[str]]:
    """Change a vacancy's fields; returns it with the names of the fields that changed.

    Refuses (``StaleEdit``, as every editing service does) when the vacancy was saved by someone
    else after ``seen_updated_at``, the moment the editor loaded it: a concurrent edit is never
    overwritten without the editor seeing it. Values are checked with the model's rules. One
    audit event names the changed fields, never their values; nothing changed, nothing written.
    """
    unknown = set(changes) - set(VACANCY_EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, gettext("This field cannot be changed here.")))
    with transaction.atomic():
        vacancy = locked_unless_stale(Vacancy.objects, vacancy_id, seen_updated_at)
        changed = [name for name, value in changes.items() if getattr(vacancy, name) != value]
        if not changed:
            return vacancy, []
        for name in changed:
            setattr(vacancy, name, changes[name])
        vacancy.full_clean()
        vacancy.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            object_type="recruitment.vacancy",
            object_id=vacancy.pk,
            detail={"fields": sorted(changed)},
        )
    return vacancy, changed


ENDED = frozenset({Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN})


def application_moves(stage: str) -> list[Stage]:
    """Where an application at ``stage`` may go: the next pipeline stage, rejected or withdrawn;
    nowhere once the procedure has ended. The same rule as ``application_move`` (a test holds
    the two together); the board uses it to offer only legal moves."""
    current = Stage(stage)
    if current in ENDED:
        return []
    position = PIPELINE.index(current)
    ahead = [PIPELINE[position + 1]] if position + 1 < len(PIPELINE) else []
    return [*ahead, Stage.REJECTED, Stage.WITHDRAWN]


def application_move_from(
    *, actor: Actor, application_id: int, seen_stage: str, stage: str
) -> Application:
    """Move an application to ``stage`` only if it still stands at ``seen_stage``, where the
    consultant saw it (R1.2).

    Two consultants clicking the same card, or one clicking twice, move it once. Refusals are
    ``ValidationError`` on ``stage`` with a translated message (codes ``moved``, ``ended``,
    ``illegal``); the move itself, with its audit event, is ``application_move``.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("person")
            .get(pk=application_id)
        )
        current = Stage(application.stage)
        if seen_stage != current:
            raise ValidationError(
                {
                    "stage": ValidationError(
                        gettext(
                            "%(name)s was moved to “%(stage)s” by someone else meanwhile; "
                            "nothing was changed."
                        ),
                        code="moved",
                        params={"name": str(application.person), "stage": current.label},
                    )
                }
            )
        if current in ENDED:
            raise ValidationError(
                {
                    "stage": ValidationError(
                        gettext("The procedure of %(name)s has ended (%(stage)s)."),
                        code="ended",
                        params={"name": str(application.person), "stage": current.label},
                    )
                }
            )
        allowed = application_moves(current)
        if stage not in allowed:
            raise ValidationError(
                {
                    "stage": ValidationError(
                        gettext(
                            "%(name)s cannot move on from “%(stage)s” to that stage: the next "
                            "stage is “%(next)s” (or rejected or withdrawn)."
                        ),
                        code="illegal",
                        params={
                            "name": str(application.person),
                            "stage": current.label,
                            "next": allowed[0].label,
                        },
                    )
                }
            )
        return application_move(actor=actor, application=application, stage=stage)
