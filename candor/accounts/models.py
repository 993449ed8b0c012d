"""Staff users, site accounts (R1.4), offices and API tokens.

One user model serves both staff and site accounts; ``role`` decides what it may do, and the
decision is made server-side by ``candor.accounts.permissions`` for views and API alike.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.privacy.registry import DELETE, PD, Category, anonymise, personal_data


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Consultant")
    DPO = "dpo", _("Data protection officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    INHOUSE_CLIENT = "inhouse_client", _("In-house client user")
    CLIENT = "client", _("Client contact")
    SITE = "site", _("Site account")


STAFF_ROLES = frozenset({Role.CONSULTANT, Role.DPO, Role.ADMINISTRATOR})


@personal_data(
    subject=None,
    not_personal={"id": "surrogate key", "name": "office name", "city": "office location"},
)
class Office(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    city = models.CharField(_("city"), max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return self.name


@personal_data(
    subject="person",
    fields={
        "username": PD(Category.ACCOUNT, provided=True, erasure=anonymise("erased-{pk}")),
        "first_name": PD(Category.IDENTITY, provided=True, erasure=anonymise("")),
        "last_name": PD(Category.IDENTITY, provided=True, erasure=anonymise("")),
        "email": PD(Category.CONTACT, provided=True, erasure=anonymise("")),
        "password": PD(Category.ACCOUNT, provided=True, erasure=anonymise("!")),
        "last_login": PD(Category.TECHNICAL, erasure=DELETE),
        "date_joined": PD(Category.ACCOUNT, description="registration date (R1.4)"),
        "language": PD(Category.CONTACT, provided=True),
    },
    not_personal={
        "id": "surrogate key",
        "is_superuser": "authorisation flag",
        "is_staff": "authorisation flag",
        "is_active": "authorisation flag",
        "groups": "authorisation groups",
        "user_permissions": "authorisation grants",
        "role": "authorisation role",
        "office": "organisational unit",
        "client": "the client organisation an in-house user belongs to",
        "person": "link to the data subject record of a site account",
        "contact": "the client contact person a client-portal log-in belongs to",
    },
    on_erasure="anonymise_fields",
    description="Staff users and site accounts",
)
class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SITE)
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.SET_NULL
    )
    client = models.ForeignKey(
        "relations.Organisation",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inhouse_users",
    )
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
    )
    # A client-portal log-in (role CLIENT) belongs to one contact person of one client
    # organisation; the portal shows only that organisation's data.
    contact = models.ForeignKey(
        "relations.ContactPerson",
        verbose_name=_("client contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_users",
    )
    language = models.CharField(_("language"), max_length=5, default="nl")

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def is_agency_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "user": "the staff account the token belongs to",
        "label": "what the token is for",
        "key_prefix": "first characters of the token, for recognising it",
        "key_hash": "SHA-256 of the token; the token itself is never stored",
        "created_at": "bookkeeping",
        "last_used_at": "bookkeeping",
        "revoked_at": "bookkeeping",
    },
)
class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField(max_length=120)
    key_prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.label})"


@personal_data(
    subject="user__person",
    fields={
        "secret": PD(
            Category.ACCOUNT,
            erasure=DELETE,
            description="TOTP secret of staff two-factor log-in, encrypted at rest (R7.1)",
        ),
        "confirmed_at": PD(Category.ACCOUNT, erasure=DELETE, description="2FA enrolment date"),
        "last_used_step": PD(
            Category.TECHNICAL,
            erasure=DELETE,
            description="time step of the last accepted code (replay refusal)",
        ),
    },
    not_personal={
        "id": "surrogate key",
        "user": "the staff account the second factor belongs to",
        "created_at": "bookkeeping: when enrolment began",
    },
    description="Staff two-factor log-in (TOTP, RFC 6238)",
)
class SecondFactor(models.Model):
    """A staff member's authenticator app (TOTP). Unconfirmed until the first code is typed.

    ``secret`` holds the base32 secret encrypted with a key derived from ``SECRET_KEY``
    (``candor.accounts.second_factor``); it is never shown again after enrolment.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="second_factor")
    secret = models.TextField()
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP of user {self.user_id}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@personal_data(
    subject="user__person",
    fields={
        "code_hash": PD(
            Category.ACCOUNT,
            erasure=DELETE,
            description="hash of a one-time recovery code of two-factor log-in",
        ),
        "used_at": PD(Category.TECHNICAL, erasure=DELETE, description="when it was used"),
    },
    not_personal={
        "id": "surrogate key",
        "user": "the staff account the code belongs to",
    },
    description="One-time recovery codes of staff two-factor log-in (hashed)",
)
class RecoveryCode(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of user {self.user_id}"
