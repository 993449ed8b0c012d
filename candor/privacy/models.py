"""What the gate decides from: consents (R3.3), objections (R6.8), restrictions (R6.7); the duty
to inform people whose data came from elsewhere (R2.2); privacy statement versions and who saw
which (R8.2); and the worker's record of periodic jobs.

Rows here are written only by ``candor.privacy.services`` (and the notice and statement
services), each with its audit event in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from candor.people.models import Person
from candor.privacy.registry import PD, Category, anonymise, personal_data


class Via(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    PAPER = "paper", _("Paper")
    LETTER = "letter", _("Letter")
    FORM = "form", _("Web form")
    IN_PERSON = "in_person", _("In person")


STAFF_RECORDED = "staff member who recorded it (accountability)"


@personal_data(
    subject="person",
    fields={
        "purpose": PD(Category.PRIVACY, provided=True),
        "given_at": PD(Category.PRIVACY, provided=True),
        "given_via": PD(Category.PRIVACY, provided=True),
        "expires_on": PD(Category.PRIVACY),
        "withdrawn_at": PD(Category.PRIVACY, provided=True),
        "withdrawn_via": PD(Category.PRIVACY, provided=True),
        "evidence": PD(Category.PRIVACY, description="how the consent was obtained, in words"),
    },
    not_personal={
        "id": "surrogate key",
        "person": "owner",
        "text_version": "version of the consent text shown (policy)",
        "text_shown": "the exact consent text shown, the same for everyone who saw that version",
        "language": "language of the text shown",
        "recorded_by": STAFF_RECORDED,
        "withdrawn_recorded_by": STAFF_RECORDED,
        "renewal_asked_at": "when renewal was asked (bookkeeping of the reminder)",
    },
    description="Consent per person and purpose: given, withdrawn, expiring (R3.3, R6.10)",
)
class Consent(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=40)
    given_at = models.DateTimeField(_("given at"))
    given_via = models.CharField(_("given via"), max_length=10, choices=Via.choices)
    text_version = models.CharField(_("text version"), max_length=40)
    text_shown = models.TextField(_("text shown"))
    language = models.CharField(_("language"), max_length=2)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    renewal_asked_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_via = models.CharField(
        _("withdrawn via"), max_length=10, choices=Via.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(fields=["person", "purpose"]),
            models.Index(
                fields=["expires_on"],
                name="consent_expiring",
                condition=Q(withdrawn_at__isnull=True, expires_on__isnull=False),
            ),
        ]
        constraints = [  # at most one live consent per person and purpose
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.given_at:%Y-%m-%d})"


class ObjectionStatus(models.TextChoices):
    ACTIVE = "active", _("Upheld: processing stopped")
    OVERRIDDEN = "overridden", _("Compelling legitimate grounds documented")
    WITHDRAWN = "withdrawn", _("Withdrawn by the person")


@personal_data(
    subject="person",
    fields={
        "purpose": PD(Category.PRIVACY, provided=True),
        "received_at": PD(Category.PRIVACY, provided=True),
        "via": PD(Category.PRIVACY, provided=True),
        "reason": PD(Category.PRIVACY, provided=True, description="the person's own grounds"),
        "status": PD(Category.PRIVACY),
        "override_grounds": PD(Category.PRIVACY, description="compelling grounds (R6.8)"),
        "decided_at": PD(Category.PRIVACY),
    },
    not_personal={
        "id": "surrogate key",
        "person": "owner",
        "recorded_by": STAFF_RECORDED,
        "decided_by": "staff member who documented the grounds (accountability)",
    },
    description="Objections to processing on legitimate interest (R6.8)",
)
class Objection(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="objections")
    purpose = models.CharField(_("purpose"), max_length=40)
    received_at = models.DateTimeField(_("received at"))
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    reason = models.TextField(_("reason given"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.ACTIVE
    )
    override_grounds = models.TextField(_("compelling grounds"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        indexes = [
            models.Index(
                fields=["purpose", "person"],
                name="objection_active",
                condition=Q(status="active"),
            ),
            models.Index(fields=["person", "purpose"]),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.get_status_display()}"


class RestrictionGround(models.TextChoices):
    ACCURACY = "accuracy", _("Accuracy contested, being verified")
    UNLAWFUL = "unlawful", _("Unlawful processing; the person prefers restriction to erasure")
    LEGAL_CLAIMS = "legal_claims", _("Needed by the person for legal claims")
    OBJECTION_PENDING = "objection", _("Objection pending")


@personal_data(
    subject="person",
    fields={
        "ground": PD(Category.PRIVACY, provided=True),
        "note": PD(Category.PRIVACY),
        "started_at": PD(Category.PRIVACY),
        "via": PD(Category.PRIVACY, provided=True),
        "lifted_at": PD(Category.PRIVACY),
        "lift_reason": PD(Category.PRIVACY),
    },
    not_personal={
        "id": "surrogate key",
        "person": "owner",
        "recorded_by": STAFF_RECORDED,
        "lifted_by": STAFF_RECORDED,
    },
    description="Restrictions of processing: while active, data is only stored (R6.7)",
)
class Restriction(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="restrictions")
    ground = models.CharField(_("ground"), max_length=12, choices=RestrictionGround.choices)
    note = models.TextField(_("note"), blank=True)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    started_at = models.DateTimeField(_("started at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")
        indexes = [
            models.Index(fields=["person"], name="restriction_active", condition=Q(lifted_at=None))
        ]

    def __str__(self) -> str:
        return self.get_ground_display()


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("To send")
    SENT = "sent", _("Sent")
    IMPOSSIBLE = "impossible", _("Cannot be sent (no contact details)")
    CANCELLED = "cancelled", _("No longer due (person erased)")


@personal_data(
    subject="person",
    fields={
        "recipient": PD(Category.CONTACT, erasure=anonymise("")),
        "first_contact_at": PD(Category.PRIVACY),
        "sent_at": PD(Category.PRIVACY),
        "note": PD(Category.PRIVACY, erasure=anonymise("")),
    },
    not_personal={
        "id": "surrogate key",
        "person": "owner",
        "provenance": "the source the data came from (the reason the duty exists)",
        "opened_at": "when the duty started (collection)",
        "due_on": "deadline (policy: notices.due_days)",
        "status": "state of the duty",
        "language": "language the notice was written in",
        "policy_version": "policy version the notice was rendered from",
        "body_sha256": "checksum of the notice as sent (proof without keeping a copy)",
        "sent_by": "staff member or process that sent it",
    },
    on_erasure="keep_row",
    description="The duty to inform a person whose data came from elsewhere (R2.2, Art. 14)",
)
class NoticeDuty(models.Model):
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="notice_duties",
        db_index=False,  # the unique constraint below starts with the person: it serves
    )
    provenance = models.ForeignKey("people.Provenance", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    due_on = models.DateField(_("due on"))
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipient = models.CharField(_("sent to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    policy_version = models.CharField(max_length=40, blank=True)
    body_sha256 = models.CharField(max_length=64, blank=True)
    sent_by = models.CharField(max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notice duty")
        verbose_name_plural = _("notice duties")
        indexes = [
            models.Index(fields=["due_on"], name="notice_open", condition=Q(status="open")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "provenance"], name="notice_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.get_status_display()} ({self.due_on})"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "version": "version label",
        "published_on": "publication date",
        "changes_nl": "summary of changes (agency text)",
        "changes_fr": "summary of changes (agency text)",
        "changes_en": "summary of changes (agency text)",
        "body_nl": "the statement (agency text)",
        "body_fr": "the statement (agency text)",
        "body_en": "the statement (agency text)",
        "created_at": "bookkeeping",
    },
)
class StatementVersion(models.Model):
    """One published version of the agency's privacy statement (R8.2)."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    published_on = models.DateField(_("published on"))
    changes_nl = models.TextField(blank=True)
    changes_fr = models.TextField(blank=True)
    changes_en = models.TextField(blank=True)
    body_nl = models.TextField()
    body_fr = models.TextField()
    body_en = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("privacy statement version")
        verbose_name_plural = _("privacy statement versions")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.version


class ReceiptKind(models.TextChoices):
    SHOWN = "shown", _("Shown")
    ACCEPTED = "accepted", _("Accepted")
    SENT = "sent", _("Sent (with a notice or e-mail)")


@personal_data(
    subject="person",
    fields={
        "at": PD(Category.PRIVACY),
        "kind": PD(Category.PRIVACY),
        "channel": PD(Category.PRIVACY),
    },
    not_personal={"id": "surrogate key", "person": "owner", "version": "statement version"},
    description="Which statement version a person was shown or accepted (R8.2)",
)
class StatementReceipt(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="statement_receipts")
    version = models.ForeignKey(StatementVersion, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ReceiptKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Via.choices)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("statement receipt")
        verbose_name_plural = _("statement receipts")
        indexes = [models.Index(fields=["version", "person"])]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.version_id} {self.kind}"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "job": "periodic job name",
        "day": "the day it ran for",
        "started_at": "bookkeeping",
        "finished_at": "bookkeeping",
        "outcome": "counts and errors, no personal values",
    },
)
class JobRun(models.Model):
    """One run of a periodic job by ``candor worker``: a job runs once per day whatever the
    number of workers or restarts (the unique constraint is the lock)."""

    job = models.CharField(max_length=40)
    day = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="job_once_a_day")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"


class SuppressionKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    URL = "url", _("Profile URL")


class SuppressionReason(models.TextChoices):
    ERASURE = "erasure", _("The person asked to be erased")
    OBJECTION = "objection", _("The person objected")


class SuppressionLift(models.TextChoices):
    SELF_REGISTRATION = "self_registration", _("The person registered again, with consent")
    OBJECTION_WITHDRAWN = "objection_withdrawn", _("The person withdrew the objection")
    OBJECTION_OVERRIDDEN = "objection_overridden", _("Compelling grounds were documented")


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "digest": (
            "keyed hash (HMAC-SHA256, secret key from the environment) of one normalised "
            "identifier; pseudonymous, kept after erasure so the person is not collected again "
            "(R6.11); without the key it cannot be reversed or tested"
        ),
        "kind": "kind of identifier hashed",
        "reason": "why the person is suppressed (erasure or objection)",
        "created_at": "bookkeeping",
        "lifted_at": "when the suppression ended",
        "lifted_how": "how it ended (the person came back, objection withdrawn or overridden)",
        "lifted_reference": "reference to the consent or decision that lifted it, never words",
    },
    description="Suppression list: keyed hashes of identifiers not to be collected again (R6.11)",
)
class Suppression(models.Model):
    """One identifier of a person who asked to be erased or objected, as a keyed hash only
    (``candor.privacy.suppression``). No foreign key: the entry outlives the person's rows."""

    digest = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=SuppressionKind.choices)
    reason = models.CharField(_("reason"), max_length=10, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(_("created"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_how = models.CharField(
        _("lifted how"), max_length=24, choices=SuppressionLift.choices, blank=True
    )
    lifted_reference = models.CharField(_("lifted by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("suppression")
        verbose_name_plural = _("suppressions")
        constraints = [  # one live entry per identifier: intake looks it up by digest
            models.UniqueConstraint(
                fields=["digest"], condition=Q(lifted_at=None), name="suppression_live_once"
            )
        ]
        indexes = [models.Index(fields=["digest"], name="suppression_digest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}… ({self.reason})"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "pseudonym": "the person's random reference (as in the audit trail); no link to the row",
        "master_key_id": "which master key wraps the key (rotation)",
        "wrapped": "the person's data key, encrypted by a master key: random bytes",
        "created_at": "bookkeeping",
        "rewrapped_at": "bookkeeping of key rotation",
    },
    description="Per-person data keys for encryption at rest; erasure deletes the row",
)
class PersonKey(models.Model):
    """The key that encrypts one person's sensitive fields and documents (``privacy.crypto``).

    Keyed by the pseudonym, not a foreign key: the key outlives nothing and cascades from
    nothing; ``people_erase`` deletes it explicitly, in the erasure's transaction."""

    pseudonym = models.UUIDField(unique=True)
    master_key_id = models.CharField(max_length=40)
    wrapped = models.BinaryField(max_length=80)
    created_at = models.DateTimeField()
    rewrapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("person key")
        verbose_name_plural = _("person keys")
        indexes = [models.Index(fields=["master_key_id"], name="personkey_master")]

    def __str__(self) -> str:
        return f"key {self.pseudonym} ({self.master_key_id})"
