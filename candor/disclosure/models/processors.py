"""The register of processors and sub-processors (R4.4, GDPR Art. 28 and 30(1)(d)).

A processor handles personal data on the agency's behalf: an external consultant or assessor, a
partner, an adviser, an IT or document-storage provider. Each has a service, the data categories
it may receive, where it processes them (and, outside the EEA, the safeguard of the transfer),
a review date, and its processing agreements. ``disclose`` refuses to record — and so nothing
may send — data to a processor without an agreement valid on the day that covers the categories.

None of this is about a person: the rows describe organisations and contracts between them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.privacy.registry import personal_data
from candor.relations.models import Organisation

# The European Economic Area: no transfer safeguard is needed inside it (GDPR Art. 44).
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IS",
        "IT",
        "LI",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


class ProcessorKind(models.TextChoices):
    PROCESSOR = "processor", _("Processor")
    SUB_PROCESSOR = "sub_processor", _("Sub-processor")


class ProcessorService(models.TextChoices):
    CONSULTANT = "consultant", _("External consultant or assessor")
    PARTNER = "partner", _("Partner")
    ADVISER = "adviser", _("Adviser")
    IT = "it", _("IT and hosting")
    STORAGE = "storage", _("Document storage")
    OTHER = "other", _("Other service")


class Safeguard(models.TextChoices):
    NONE = "", _("None (inside the EEA)")
    ADEQUACY = "adequacy", _("Adequacy decision of the European Commission")
    SCC = "standard_contractual_clauses", _("Standard contractual clauses")
    BCR = "binding_corporate_rules", _("Binding corporate rules")
    DEROGATION = "derogation", _("A derogation of GDPR Art. 49")


class AgreementStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    NOT_YET = "not_yet", _("Not yet in force")
    MISSING = "missing", _("No agreement")


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "name": "name of the processing organisation",
        "kind": "processor or sub-processor",
        "parent": "the processor a sub-processor works for",
        "organisation": "the supplier organisation, when it is one",
        "service": "kind of service",
        "description": "what the processor does for the agency (no personal data)",
        "categories": "data categories it may receive (names of categories, not data)",
        "country": "where it processes the data",
        "location": "where it processes the data, in words",
        "safeguard": "legal safeguard of a transfer outside the EEA",
        "review_on": "when the DPO reviews the entry next",
        "active": "whether the agency still uses it",
        "created_at": "bookkeeping",
        "updated_at": "bookkeeping",
    },
    on_erasure="keep_row",
    description="Register of processors and sub-processors (R4.4)",
)
class Processor(models.Model):
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ProcessorKind.choices, default=ProcessorKind.PROCESSOR
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("works for processor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_processors",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("supplier organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    service = models.CharField(_("service"), max_length=12, choices=ProcessorService.choices)
    description = models.CharField(_("what it does"), max_length=300, blank=True)
    categories = models.JSONField(_("data categories"), default=list)
    country = models.CharField(_("country"), max_length=2, default="BE")
    location = models.CharField(_("location"), max_length=120, blank=True)
    safeguard = models.CharField(
        _("transfer safeguard"), max_length=32, choices=Safeguard.choices, blank=True
    )
    review_on = models.DateField(_("review on"))
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("processor")
        verbose_name_plural = _("processors")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def outside_eea(self) -> bool:
        return self.country.upper() not in EEA


def agreement_path(instance: ProcessingAgreement, filename: str) -> str:
    # Never the uploaded name: a random name under the processor's id.
    return f"agreements/{instance.processor_id}/{uuid.uuid4().hex}"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "processor": "the processor",
        "reference": "the agreement's reference",
        "signed_on": "term",
        "valid_until": "term",
        "file": "the signed agreement between organisations",
        "original_name": "file name of the agreement",
        "sha256": "file checksum",
        "uploaded_by": "staff member who recorded it (accountability)",
        "uploaded_at": "bookkeeping",
    },
    on_erasure="keep_row",
    description="Processing agreements (GDPR Art. 28(3)) with their terms and signed copy",
)
class ProcessingAgreement(models.Model):
    processor = models.ForeignKey(Processor, on_delete=models.CASCADE, related_name="agreements")
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    file = models.FileField(_("signed agreement"), upload_to=agreement_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("processing agreement")
        verbose_name_plural = _("processing agreements")
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return self.reference or f"{self.processor_id}/{self.signed_on}"

    def status_on(self, day: dt.date) -> AgreementStatus:
        if self.signed_on > day:
            return AgreementStatus.NOT_YET
        if self.valid_until is not None and self.valid_until < day:
            return AgreementStatus.EXPIRED
        return AgreementStatus.VALID
