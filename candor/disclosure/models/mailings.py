"""Anonymous candidate mailings to clients (R4.1).

A consultant prepares a mailing (a vacancy or a free selection), picks candidates — the gate
leaves out whoever may not be shared — clears an optional pitch per candidate, picks the client
contacts to write to, and queues it. ``candor worker`` sends one e-mail per contact with every
candidate's anonymous profile and records each e-mail in the disclosure ledger; what each client
received is the ledger rows (``reference`` = ``mailing:<id>``), which the client portal reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.people.models import Person
from candor.privacy.registry import PD, Category, personal_data
from candor.recruitment.models import Vacancy
from candor.relations.models import Organisation


class MailingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    DONE = "done", _("Sent")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "created_by": "consultant who prepared it (accountability)",
        "vacancy": "the vacancy it is about, if any",
        "subject": "subject line (about the vacancy, never a person)",
        "status": "state",
        "created_at": "bookkeeping",
        "queued_at": "bookkeeping",
        "finished_at": "bookkeeping",
        "left_out": "how many selected candidates the gate left out (a count)",
        "total": "progress: e-mails to send (a count)",
        "sent": "progress: e-mails sent (a count)",
        "failed": "progress: e-mails refused by the mail server (a count)",
        "skipped": "progress: e-mails not sent (a count)",
    },
    on_erasure="keep_row",
    description="An anonymous candidate mailing to clients (R4.1)",
)
class Mailing(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    vacancy = models.ForeignKey(
        Vacancy,
        verbose_name=_("vacancy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(
        _("status"), max_length=8, choices=MailingStatus.choices, default=MailingStatus.DRAFT
    )
    created_at = models.DateTimeField(_("prepared at"))
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    left_out = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


@personal_data(
    subject="person",
    fields={
        "code": PD(Category.TECHNICAL, description="reference code clients know the person by"),
        "pitch": PD(
            Category.CAREER,
            sensitive=True,
            description="free text a consultant cleared for the anonymous profile",
        ),
    },
    not_personal={
        "id": "surrogate key",
        "mailing": "the mailing",
        "person": "the candidate",
        "position": "order in the mailing",
        "cleared_by": "consultant who cleared the pitch (accountability)",
        "cleared_at": "when the pitch was cleared",
    },
    description="A candidate in an anonymous mailing, with the text cleared for it (R4.1)",
)
class MailingCandidate(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField(_("reference"), max_length=20)
    pitch = models.TextField(_("cleared text"), blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate in a mailing")
        verbose_name_plural = _("candidates in mailings")
        ordering = ["mailing", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "person"], name="mailing_candidate_once")
        ]

    def __str__(self) -> str:
        return self.code


@personal_data(
    subject="person",
    fields={
        "address": PD(Category.CONTACT, description="the address the e-mail went to"),
        "language": PD(Category.CONTACT, description="language the e-mail was written in"),
    },
    not_personal={
        "id": "surrogate key",
        "mailing": "the mailing",
        "organisation": "the client organisation",
        "person": "the client's contact person",
        "status": "delivery state",
        "sent_at": "when it was sent",
        "profiles": "how many profiles the e-mail held (a count)",
        "sha256": "hash of what was sent: proof without the data",
        "error": "why it was not sent (a code, never a value)",
    },
    description="One e-mail of a mailing: a client contact and its delivery (R4.1)",
)
class MailingRecipient(models.Model):
    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="recipients")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    profiles = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("mailing recipient")
        verbose_name_plural = _("mailing recipients")
        ordering = ["mailing", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "person"], name="mailing_recipient_once")
        ]
        indexes = [models.Index(fields=["mailing", "status"])]

    def __str__(self) -> str:
        return f"{self.mailing_id}/{self.organisation_id}"
