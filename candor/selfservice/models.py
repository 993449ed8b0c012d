"""Corrections a person proposes to data the agency verified or received from someone else
(R6.5).

A person corrects and completes what they provided themselves at once, from their own pages.
A value whose row came from anyone else (the agency, a third party, a medium, a partner: its
provenance is not "the person themselves") is a verified value: changing it becomes a
``Correction`` that a consultant accepts (applied through ``candor.rights.rectification``) or
rejects with a note.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from candor.people.models import Person
from candor.privacy.registry import PD, Category, anonymise, personal_data


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


@personal_data(
    subject="person",
    fields={
        "old_value": PD(Category.PRIVACY, description="the value the person asked to correct"),
        "proposed_value": PD(Category.PRIVACY, provided=True, description="the value proposed"),
        "note": PD(Category.PRIVACY, erasure=anonymise(""), description="the reviewer's note"),
    },
    not_personal={
        "id": "surrogate key",
        "person": "owner",
        "field_path": "which field (a rectification path such as address.city)",
        "status": "state of the review",
        "created_at": "bookkeeping",
        "decided_by": "staff member who decided (accountability)",
        "decided_at": "bookkeeping",
    },
    description="Corrections a person proposed to verified data, and the review (R6.5)",
)
class Correction(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="corrections")
    field_path = models.CharField(_("field"), max_length=80)
    old_value = models.TextField(_("current value"), blank=True)
    proposed_value = models.TextField(_("proposed value"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    created_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [  # one open proposal per field: a new one replaces the value
            models.UniqueConstraint(
                fields=["person", "field_path"],
                condition=Q(status="pending"),
                name="correction_one_pending_per_field",
            )
        ]

    def __str__(self) -> str:
        return f"{self.field_path} ({self.status})"
