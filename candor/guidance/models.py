"""Outplacement and career-guidance trajectories and their sessions (R1.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.people.models import SOURCED_NOT_PERSONAL, Person, Sourced
from candor.privacy.fields import EncryptedManager, EncryptedTextField
from candor.privacy.registry import PD, Category, anonymise, personal_data


class TrajectoryKind(models.TextChoices):
    OUTPLACEMENT = "outplacement", _("Outplacement")
    CAREER_GUIDANCE = "career_guidance", _("Career guidance")


class TrajectoryStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


@personal_data(
    subject="person",
    fields={
        "kind": PD(Category.GUIDANCE),
        "status": PD(Category.GUIDANCE),
        "started_on": PD(Category.GUIDANCE),
        "ended_on": PD(Category.GUIDANCE),
        "goal": PD(Category.GUIDANCE, provided=True, sensitive=True, erasure=anonymise("")),
    },
    not_personal={
        **SOURCED_NOT_PERSONAL,
        "person": "the person guided",
        "sponsor": "organisation paying for the trajectory (e.g. former employer)",
        "consultant": "responsible staff member (accountability)",
    },
)
class Trajectory(Sourced):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="trajectories")
    kind = models.CharField(_("kind"), max_length=16, choices=TrajectoryKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TrajectoryStatus.choices,
        default=TrajectoryStatus.ACTIVE,
    )
    sponsor = models.ForeignKey(
        "relations.Organisation",
        verbose_name=_("sponsor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trajectories",
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    goal = EncryptedTextField(_("goal"), blank=True)

    objects = EncryptedManager()

    class Meta:
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


@personal_data(
    subject="trajectory__person",
    fields={
        "held_at": PD(Category.GUIDANCE),
        "duration_minutes": PD(Category.GUIDANCE),
        "topic": PD(Category.GUIDANCE),
        "notes": PD(Category.GUIDANCE, sensitive=True, erasure=anonymise("")),
    },
    not_personal={
        **SOURCED_NOT_PERSONAL,
        "trajectory": "the trajectory",
        "consultant": "staff member who held it (accountability)",
    },
)
class GuidanceSession(Sourced):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("held at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=160, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)

    objects = EncryptedManager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["held_at"]

    def __str__(self) -> str:
        return f"{self.held_at:%Y-%m-%d} {self.topic}"
