"""Introductions on consent (R4.1): a client asks to meet a candidate it received anonymously.

The candidate's identity reaches the client only after the candidate said yes — through a signed,
expiring link or to a consultant who records the phone or paper answer with its evidence — and
only through ``candor.disclosure.services.disclose`` (the ledger row is linked here). A no,
silence until the link expires, or a revocation before the reveal discloses nothing; a revocation
after it hides the candidate from the client's portal from then on (the ledger keeps the fact).

When you add a field: declare it below (the registry test fails otherwise) and fill it in
``candor/privacy/tests/test_erasure.py::full_dossier`` when it is personal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.disclosure.models import Disclosure
from candor.people.models import Person
from candor.privacy.registry import PD, Category, anonymise, personal_data
from candor.recruitment.models import Vacancy
from candor.relations.models import Organisation


class IntroductionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested by the client")
    ASKED = "asked", _("Candidate asked")
    ACCEPTED = "accepted", _("Candidate agreed")
    DECLINED = "declined", _("Candidate declined")
    EXPIRED = "expired", _("No answer in time")
    REVOKED = "revoked", _("Withdrawn")
    REVEALED = "revealed", _("Introduced")


# A request still in progress (or done): a second request for the same candidate returns it.
OPEN_STATUSES = (
    IntroductionStatus.REQUESTED,
    IntroductionStatus.ASKED,
    IntroductionStatus.ACCEPTED,
    IntroductionStatus.REVEALED,
)


class AskedVia(models.TextChoices):
    EMAIL = "email", _("E-mail with a link")
    PHONE = "phone", _("Phone")
    PAPER = "paper", _("On paper")


@personal_data(
    subject="person",
    fields={
        "evidence": PD(
            Category.CAREER,
            erasure=anonymise(""),
            description="how the candidate's answer to an introduction was given (evidence)",
        ),
    },
    not_personal={
        "id": "surrogate key",
        "organisation": "the client that asked",
        "vacancy": "the vacancy the client asked for, if any",
        "person": "the candidate (the subject)",
        "code": "the reference code the client saw (a keyed hash, not the name)",
        "requested_by": "the client's portal user who asked",
        "requested_at": "bookkeeping",
        "status": "state",
        "asked_via": "how the candidate was asked",
        "asked_at": "bookkeeping",
        "asked_by": "consultant who asked (accountability)",
        "expires_at": "when the consent link stops working",
        "answered_at": "bookkeeping",
        "recorded_by": "consultant who recorded a phone or paper answer (accountability)",
        "revealed_at": "bookkeeping",
        "revoked_at": "bookkeeping",
        "disclosure": "the ledger row of the reveal",
    },
    on_erasure="delete_row",
    description="A client's request to meet a candidate, and the candidate's answer (R4.1)",
)
class Introduction(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="introductions",
    )
    vacancy = models.ForeignKey(
        Vacancy,
        verbose_name=_("vacancy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="introductions")
    code = models.CharField(_("reference code"), max_length=12)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.REQUESTED,
    )
    asked_via = models.CharField(_("asked via"), max_length=5, choices=AskedVia.choices, blank=True)
    asked_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    evidence = models.TextField(_("evidence of the answer"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("introduced at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    disclosure = models.ForeignKey(
        Disclosure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-requested_at"]),
            models.Index(fields=["status", "-requested_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.organisation_id} ({self.status})"

    @property
    def visible_to_client(self) -> bool:
        """The client sees the identity only while revealed and not withdrawn."""
        return self.status == IntroductionStatus.REVEALED and self.revoked_at is None
