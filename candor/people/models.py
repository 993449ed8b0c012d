"""The data subject (``Person``), how we reached them, and where we got their data (R2.1).

Every personal record inherits ``Sourced``: it points to the ``Provenance`` under which it was
obtained (the person, a third party, a named medium, a named partner, or the agency itself),
with when and by whom. One ``Provenance`` row serves a whole form save or import run.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from candor.privacy.fields import EncryptedDateField, EncryptedManager, EncryptedTextField
from candor.privacy.registry import PD, Category, anonymise, personal_data

SOURCED_NOT_PERSONAL = {
    "id": "surrogate key",
    "provenance": "how the record was obtained (R2.1); reported with the record",
    "created_at": "bookkeeping",
    "updated_at": "bookkeeping",
}


class SourceKind(models.TextChoices):
    SUBJECT = "subject", _("The person themselves")
    THIRD_PARTY = "third_party", _("A third party")
    MEDIUM = "medium", _("An online or offline medium")
    PARTNER = "partner", _("A partner")
    AGENCY = "agency", _("Produced by the agency")


class Channel(models.TextChoices):
    FORM = "form", _("Back-office form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    DEMO = "demo", _("Demo data")


def source_code(kind: str, name: str) -> str:
    """The ``--source`` spelling of a source: ``self``, ``third-party``, ``agency``,
    ``medium:NAME`` or ``partner:NAME``."""
    return {
        SourceKind.SUBJECT: "self",
        SourceKind.THIRD_PARTY: "third-party",
        SourceKind.AGENCY: "agency",
    }.get(SourceKind(kind), f"{kind}:{name}")


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "kind": "kind of source",
        "name": "a medium or partner organisation's name; individuals are never named here",
        "channel": "how it reached the system",
        "obtained_at": "when it was obtained",
        "recorded_by": "the staff member who recorded it (accountability)",
        "reference": "import file name or batch reference",
    },
)
class Provenance(models.Model):
    kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    name = models.CharField(_("source name"), max_length=120, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    obtained_at = models.DateTimeField(_("obtained at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("provenance")
        verbose_name_plural = _("provenances")
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        # The label straight from the choices (lists show one per row; get_kind_display()
        # rebuilds the field's whole choice table on every call).
        label = SourceKind(self.kind).label if self.kind in SourceKind.values else self.kind
        return f"{label}: {self.name}" if self.name else str(label)

    @property
    def source_code(self) -> str:
        """The ``--source`` spelling: ``self``, ``third-party``, ``medium:NAME`` or
        ``partner:NAME``."""
        return source_code(self.kind, self.name)


class Sourced(models.Model):
    provenance = models.ForeignKey(
        Provenance, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Gender(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")
    X = "x", _("X / other")
    UNSTATED = "", _("Not stated")


class CivilStatus(models.TextChoices):
    UNSTATED = "", _("Not stated")
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    COHABITING = "cohabiting", _("Legally cohabiting")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


class ContactChannel(models.TextChoices):
    ANY = "", _("No preference")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("Text message")
    POST = "post", _("Post")


class Language(models.TextChoices):
    NL = "nl", _("Dutch")
    FR = "fr", _("French")
    EN = "en", _("English")
    DE = "de", _("German")


@personal_data(
    subject="",
    fields={
        "first_name": PD(Category.IDENTITY, provided=True, erasure=anonymise("")),
        "last_name": PD(Category.IDENTITY, provided=True, erasure=anonymise("Erased")),
        "name_key": PD(Category.IDENTITY, erasure=anonymise(""), description="matching key"),
        "birth_date": PD(Category.DEMOGRAPHIC, provided=True, sensitive=True),
        "gender": PD(Category.DEMOGRAPHIC, provided=True, erasure=anonymise("")),
        "civil_status": PD(Category.DEMOGRAPHIC, provided=True, erasure=anonymise("")),
        "nationality": PD(Category.DEMOGRAPHIC, provided=True, erasure=anonymise("")),
        "preferred_language": PD(Category.CONTACT, provided=True, erasure=anonymise("")),
        "contact_channel": PD(Category.CONTACT, provided=True, erasure=anonymise("")),
        "contact_times": PD(Category.CONTACT, provided=True, erasure=anonymise("")),
        "notes": PD(Category.IDENTITY, provided=True, erasure=anonymise(""), sensitive=True),
        "career_ended_on": PD(Category.CAREER, description="end of active career (R5.1)"),
        "kept_until": PD(Category.PRIVACY, description="retention date computed from policy"),
    },
    not_personal={
        **SOURCED_NOT_PERSONAL,
        "pseudonym": "random reference used by the audit trail; meaningless without this row",
        "is_candidate": "role flag",
        "is_client_contact": "role flag",
        "is_supplier_contact": "role flag",
        "is_site_user": "role flag",
        "erased_at": "erasure state: when the person's data was erased (R6.6)",
    },
    on_erasure="anonymise_fields",
    description="The data subject: one row per person, whatever their roles",
)
class Person(Sourced):
    pseudonym = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("surname"), max_length=100)
    name_key = models.CharField(max_length=220, db_index=True, editable=False)
    birth_date = EncryptedDateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    civil_status = models.CharField(
        _("civil status"), max_length=12, choices=CivilStatus.choices, blank=True
    )
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, blank=True
    )
    contact_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=ContactChannel.choices, blank=True
    )
    contact_times = models.CharField(_("preferred contact times"), max_length=120, blank=True)
    notes = EncryptedTextField(_("additional information"), blank=True)
    is_candidate = models.BooleanField(_("candidate"), default=False)
    is_client_contact = models.BooleanField(_("client contact"), default=False)
    is_supplier_contact = models.BooleanField(_("supplier contact"), default=False)
    is_site_user = models.BooleanField(_("site user"), default=False)
    # Retention (R5.1): the end of the active career when someone recorded it, and the date
    # after which nothing justifies keeping the person (computed by candor.privacy.retention).
    career_ended_on = models.DateField(_("career ended on"), null=True, blank=True)
    kept_until = models.DateField(_("kept until"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    objects = EncryptedManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            # the retention sweep and review queue read only the people due: work proportional
            # to them, not to the database
            models.Index(
                fields=["kept_until"], name="person_kept_until", condition=Q(erased_at=None)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def roles(self) -> list[str]:
        flags = {
            "candidate": self.is_candidate,
            "client_contact": self.is_client_contact,
            "supplier_contact": self.is_supplier_contact,
            "site_user": self.is_site_user,
        }
        return [name for name, on in flags.items() if on]


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    MOBILE = "mobile", _("Mobile")
    URL = "url", _("Profile URL")


@personal_data(
    subject="person",
    fields={
        "value": PD(Category.CONTACT, provided=True),
        "normalised": PD(Category.CONTACT, description="E.164 / lower-case form for matching"),
        "label": PD(Category.CONTACT, provided=True),
    },
    not_personal={
        **SOURCED_NOT_PERSONAL,
        "person": "owner",
        "kind": "kind of contact point",
        "is_primary": "flag",
    },
)
class ContactPoint(Sourced):
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="contact_points",
        db_index=False,  # the unique constraint below starts with the person: it serves
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=254)
    normalised = models.CharField(max_length=254, editable=False)
    label = models.CharField(_("label"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        indexes = [models.Index(fields=["normalised"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "normalised"], name="contact_point_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


@personal_data(
    subject="person",
    fields={
        "street": PD(Category.CONTACT, provided=True),
        "number": PD(Category.CONTACT, provided=True),
        "box": PD(Category.CONTACT, provided=True),
        "postcode": PD(Category.CONTACT, provided=True),
        "city": PD(Category.CONTACT, provided=True),
        "country": PD(Category.CONTACT, provided=True),
    },
    not_personal={**SOURCED_NOT_PERSONAL, "person": "owner"},
)
class Address(Sourced):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    street = models.CharField(_("street"), max_length=120, blank=True)
    number = models.CharField(_("number"), max_length=12, blank=True)
    box = models.CharField(_("box"), max_length=12, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE")

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        line = f"{self.street} {self.number}".strip()
        if self.box:
            line += f" bus {self.box}"
        return f"{line}, {self.postcode} {self.city}".strip(", ")


class DocumentKind(models.TextChoices):
    CV = "cv", _("CV")
    REPORT = "report", _("Report")
    CERTIFICATE = "certificate", _("Diploma or certificate")
    OTHER = "other", _("Other")


def document_path(instance: Document, filename: str) -> str:
    # The stored name never contains the person's name: a random id keyed by the pseudonym.
    return f"documents/{instance.person.pseudonym}/{uuid.uuid4().hex}"


@personal_data(
    subject="person",
    fields={
        "file": PD(Category.CAREER, provided=True, sensitive=True, description="stored file"),
        "original_name": PD(Category.IDENTITY, provided=True),
    },
    not_personal={
        **SOURCED_NOT_PERSONAL,
        "person": "owner",
        "kind": "kind of document",
        "content_type": "file type",
        "size": "file size",
        "sha256": "file checksum",
    },
)
class Document(Sourced):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name
