"""The disclosure ledger (DESIGN invariant 3, R4.5): one row per person per disclosure.

Nothing about a person leaves the agency (to a client, a processor, a partner, the party paying a
trajectory, an authority, or the person themselves) without a row here, written by
``candor.disclosure.services.disclose`` in the same transaction as whatever sends it. Access
reports list a person's recipients from these rows; rectification and erasure notify them.

On erasure the rows stay (the agency must be able to show whom it gave data to) but the stored
copy of what was sent is deleted; the hash of it remains as proof of what was sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.disclosure.models.processors import Processor
from candor.people.models import Person
from candor.privacy.registry import PD, Category, personal_data
from candor.relations.models import Organisation


class RecipientKind(models.TextChoices):
    CLIENT = "client", _("Client")
    PROCESSOR = "processor", _("Processor")
    PARTNER = "partner", _("Partner")
    CONTRACT_PARTY = "contract_party", _("Party to a trajectory contract")
    AUTHORITY = "authority", _("Public authority")
    PERSON = "person", _("The person themselves")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
    DOWNLOAD = "download", _("Download")
    API = "api", _("API")
    PAPER = "paper", _("Paper")
    IN_PERSON = "in_person", _("In person")


@personal_data(
    subject="person",
    fields={
        "content": PD(Category.TECHNICAL, description="stored copy of what was sent"),
    },
    not_personal={
        "id": "surrogate key",
        "person": "whose data was disclosed",
        "recipient_kind": "kind of recipient",
        "organisation": "receiving organisation",
        "processor": "receiving processor (R4.4)",
        "recipient": "name of the receiving organisation or service, or 'the person'",
        "categories": "data categories sent (names of categories, not data)",
        "purpose": "purpose code (policy)",
        "legal_basis": "legal basis code (policy)",
        "channel": "how it was sent",
        "at": "when",
        "by": "staff member who sent it (accountability)",
        "actor": "pseudonymous reference of who or what sent it",
        "reference": "what it belongs to (mailing, request, introduction code)",
        "content_sha256": "hash of what was sent: proof without the data",
    },
    on_erasure="keep_row",
    description="Disclosure ledger: who received which categories of a person's data (R4.5)",
)
class Disclosure(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="disclosures")
    recipient_kind = models.CharField(
        _("kind of recipient"), max_length=16, choices=RecipientKind.choices
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processor = models.ForeignKey(
        Processor, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    recipient = models.CharField(_("recipient"), max_length=200)
    categories = models.JSONField(_("data categories"), default=list)
    purpose = models.CharField(_("purpose"), max_length=40)
    legal_basis = models.CharField(_("legal basis"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    at = models.DateTimeField(_("when"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(max_length=60)
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    content_sha256 = models.CharField(max_length=64)
    content = models.TextField(_("copy of what was sent"), blank=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person", "-at"]),
            models.Index(fields=["organisation", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ({self.at:%Y-%m-%d})"
