"""Client and supplier organisations, their contact persons, contracts and invoices (R1.3).

An organisation is not a person, but a sole trader's VAT number and bank account identify one,
so financial fields are declared personal and kept under the bookkeeping obligation.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.people.models import SOURCED_NOT_PERSONAL, Person, Sourced
from candor.privacy.registry import PD, Category, keep, personal_data

BOOKKEEPING = "Belgian bookkeeping law: accounting records are kept for 7 years"


class OrganisationKind(models.TextChoices):
    CLIENT = "client", _("Client")
    SUPPLIER = "supplier", _("Supplier")
    BOTH = "both", _("Client and supplier")


@personal_data(
    subject=None,
    fields={
        "vat_number": PD(Category.FINANCIAL, erasure=keep(BOOKKEEPING)),
        "iban": PD(Category.FINANCIAL, erasure=keep(BOOKKEEPING)),
        "bic": PD(Category.FINANCIAL, erasure=keep(BOOKKEEPING)),
        "billing_street": PD(Category.FINANCIAL, erasure=keep(BOOKKEEPING)),
        "billing_postcode": PD(Category.FINANCIAL, erasure=keep(BOOKKEEPING)),
        "billing_city": PD(Category.FINANCIAL, erasure=keep(BOOKKEEPING)),
        "billing_country": PD(Category.FINANCIAL, erasure=keep(BOOKKEEPING)),
    },
    not_personal={
        "id": "surrogate key",
        "kind": "client/supplier",
        "name": "legal name of an organisation",
        "sector": "industry",
        "website": "organisation web site",
        "created_at": "bookkeeping",
        "updated_at": "bookkeeping",
    },
    on_erasure="keep_row",
)
class Organisation(models.Model):
    kind = models.CharField(_("kind"), max_length=8, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=160)
    sector = models.CharField(_("sector"), max_length=80, blank=True)
    website = models.CharField(_("web site"), max_length=200, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=16, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    billing_street = models.CharField(_("billing street"), max_length=160, blank=True)
    billing_postcode = models.CharField(_("billing postcode"), max_length=12, blank=True)
    billing_city = models.CharField(_("billing city"), max_length=120, blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2, default="BE")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name


@personal_data(
    subject="person",
    fields={
        "job_title": PD(Category.CAREER),
        "department": PD(Category.CAREER),
    },
    not_personal={
        **SOURCED_NOT_PERSONAL,
        "person": "the contact person",
        "organisation": "their organisation",
        "is_primary": "flag",
    },
)
class ContactPerson(Sourced):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="organisation_roles")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation"], name="contact_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.organisation})"


class ContractKind(models.TextChoices):
    RECRUITMENT = "recruitment", _("Recruitment and selection")
    OUTPLACEMENT = "outplacement", _("Outplacement")
    CAREER_GUIDANCE = "career_guidance", _("Career guidance")
    INHOUSE = "inhouse", _("In-house partnership")
    SUPPLY = "supply", _("Supply of services")


@personal_data(
    subject=None,
    fields={},
    not_personal={
        "id": "surrogate key",
        "organisation": "contract party",
        "kind": "kind of contract",
        "reference": "contract number",
        "starts_on": "term",
        "ends_on": "term",
        "fee_terms": "commercial terms between organisations",
        "signed_by": "the contact person who signed (their data lives on Person)",
        "created_at": "bookkeeping",
        "updated_at": "bookkeeping",
    },
    on_erasure="keep_row",
)
class Contract(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contracts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContractKind.choices)
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    fee_terms = models.TextField(_("fee terms"), blank=True)
    signed_by = models.ForeignKey(
        ContactPerson,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.reference


@personal_data(
    subject=None,
    fields={
        "amount": PD(Category.FINANCIAL, erasure=keep(BOOKKEEPING)),
    },
    not_personal={
        "id": "surrogate key",
        "contract": "the contract",
        "number": "invoice number",
        "issued_on": "date",
        "vat_rate": "tax rate",
        "paid_on": "date",
    },
    on_erasure="keep_row",
)
class Invoice(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("number"), max_length=30, unique=True)
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount excl. VAT"), max_digits=12, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=2, default=21)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return self.number
