"""Requests from people exercising their rights (R6.1–R6.3, R6.12): the request, its
communication log and its timeline.

Rows are written only by ``candor.rights.requests`` (and ``candor.rights.fulfil``), each change
with its audit event and a ``RequestEvent`` in the same transaction.

The request is itself evidence the agency must keep (accountability, GDPR Art. 5(2)): erasing the
person keeps the row with what proves the request was answered in time and how (kind, dates,
decision and its reasons), and empties every identifier of the requester and every message's
content (a checksum of each message stays).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from candor.people.models import Person
from candor.privacy.registry import PD, Category, keep, personal_data

ACCOUNTABILITY = (
    "GDPR Art. 5(2) and 12: proof that the request was answered, in time and how "
    "(limitation period of a complaint or claim)"
)


class Kind(models.TextChoices):
    ACCESS = "access", _("Access (Art. 15)")
    RECTIFICATION = "rectification", _("Rectification (Art. 16)")
    ERASURE = "erasure", _("Erasure (Art. 17)")
    RESTRICTION = "restriction", _("Restriction (Art. 18)")
    OBJECTION = "objection", _("Objection (Art. 21)")
    PORTABILITY = "portability", _("Portability (Art. 20)")
    CONSENT_WITHDRAWAL = "consent_withdrawal", _("Consent withdrawal (Art. 7(3))")


class RequestChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    AWAITING_IDENTITY = "awaiting_identity", _("Awaiting proof of identity")
    IN_PROGRESS = "in_progress", _("In progress")
    EXTENDED = "extended", _("In progress, extended")
    DECIDED = "decided", _("Decided")
    PROOF_FAILED = "proof_failed", _("Erased, but the proof scan found residue")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


OPEN_STATUSES = (Status.RECEIVED, Status.AWAITING_IDENTITY, Status.IN_PROGRESS, Status.EXTENDED)


class Requester(models.TextChoices):
    SELF = "self", _("The person themselves")
    REPRESENTATIVE = "representative", _("A representative (lawyer, parent, guardian)")


class MatchState(models.TextChoices):
    NONE = "none", _("No person matches")
    ONE = "one", _("One person matches")
    MANY = "many", _("Several people match: the DPO chooses")
    CHOSEN = "chosen", _("Chosen by the DPO")


class IdentityMethod(models.TextChoices):
    KNOWN_CHANNEL = "known_channel", _("Came from an address or number we hold for the person")
    PORTAL = "portal", _("Signed in on the portal")
    CALLBACK = "callback", _("Called back on the number we hold")
    ID_DOCUMENT = "id_document", _("Identity document checked (no copy kept)")
    IN_PERSON = "in_person", _("In person")
    REPRESENTATIVE = "representative", _("Mandate of the representative checked")


class Outcome(models.TextChoices):
    FULFILLED = "fulfilled", _("Fulfilled")
    PARTLY = "partly", _("Partly fulfilled")
    REFUSED = "refused", _("Refused, with reasons")
    NO_DATA = "no_data", _("We hold no data on the person")


class Fee(models.TextChoices):
    NONE = "", _("No fee")
    UNFOUNDED = "unfounded", _("Manifestly unfounded (Art. 12(5))")
    EXCESSIVE = "excessive", _("Excessive, e.g. repetitive (Art. 12(5))")
    EXTRA_COPIES = "extra_copies", _("Further copies (Art. 15(3))")


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class MessageKind(models.TextChoices):
    RECEIPT = "receipt", _("Acknowledgement of receipt")
    IDENTITY = "identity", _("Asking for proof of identity")
    EXTENSION = "extension", _("Extension and its reason")
    DECISION = "decision", _("Decision")
    RESTRICTION_LIFTED = "restriction_lifted", _("Restriction lifted")
    NOTE = "note", _("Message")


@personal_data(
    subject="person",
    fields={
        "kind": PD(Category.PRIVACY, provided=True, erasure=keep(ACCOUNTABILITY)),
        "channel": PD(Category.PRIVACY, provided=True, erasure=keep(ACCOUNTABILITY)),
        "received_at": PD(Category.PRIVACY, provided=True, erasure=keep(ACCOUNTABILITY)),
        "purpose": PD(
            Category.PRIVACY,
            provided=True,
            erasure=keep(ACCOUNTABILITY),
            description="the purpose objected to or whose consent is withdrawn",
        ),
        "restriction_ground": PD(Category.PRIVACY, provided=True, erasure=keep(ACCOUNTABILITY)),
        "details": PD(Category.PRIVACY, provided=True, description="the request in their words"),
        "language": PD(Category.CONTACT, provided=True),
        "requester": PD(Category.IDENTITY, provided=True),
        "requester_name": PD(Category.IDENTITY, provided=True),
        "requester_email": PD(Category.CONTACT, provided=True),
        "requester_phone": PD(Category.CONTACT, provided=True),
        "requester_address": PD(Category.CONTACT, provided=True),
        "subject_first_name": PD(Category.IDENTITY, provided=True),
        "subject_last_name": PD(Category.IDENTITY, provided=True),
        "subject_birth_date": PD(Category.DEMOGRAPHIC, provided=True),
        "subject_email": PD(Category.CONTACT, provided=True, description="normalised"),
        "subject_phone": PD(Category.CONTACT, provided=True, description="E.164"),
        "match_ids": PD(Category.PRIVACY, description="people who matched, for the DPO"),
        "identity_method": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "identity_verified_at": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "identity_note": PD(Category.IDENTITY, description="what was checked, in words"),
        "due_on": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "extended_to": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "extension_reason": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "extension_notified_at": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "outcome": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "decision_reasons": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "obligations_kept": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "decided_at": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "fee": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "fee_reason": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
        "closed_at": PD(Category.PRIVACY, erasure=keep(ACCOUNTABILITY)),
    },
    not_personal={
        "id": "surrogate key",
        "reference": "request number (REQ-year-serial)",
        "person": "the person the request concerns, once identified",
        "status": "state of the request's handling",
        "match_state": "whether anyone matched (none, one, several, chosen)",
        "paused_since": "deadline bookkeeping: when proof of identity was asked",
        "paused_days": "deadline bookkeeping: days the period was suspended",
        "identity_verified_by": "staff member who verified (accountability)",
        "decided_by": "staff member who decided (accountability)",
        "opened_by": "staff member who recorded the request (accountability)",
        "result": "what fulfilment produced: counts, checksums and record ids, never a value",
        "created_at": "bookkeeping",
        "updated_at": "bookkeeping",
    },
    on_erasure="keep_row",
    description="Requests from people exercising their rights, with the deadline and decision "
    "(R6.1, R6.2, R6.12)",
)
class SubjectRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=RequestChannel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"))
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subject_requests",
    )
    purpose = models.CharField(_("purpose"), max_length=40, blank=True)
    restriction_ground = models.CharField(_("ground for restriction"), max_length=12, blank=True)
    details = models.TextField(_("the request"), blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    # who asked, as given
    requester = models.CharField(
        _("requester"), max_length=16, choices=Requester.choices, default=Requester.SELF
    )
    requester_name = models.CharField(_("requester's name"), max_length=200, blank=True)
    requester_email = models.CharField(_("requester's e-mail"), max_length=254, blank=True)
    requester_phone = models.CharField(_("requester's phone"), max_length=40, blank=True)
    requester_address = models.TextField(_("requester's postal address"), blank=True)
    # the person it concerns, as given: what matching reads
    subject_first_name = models.CharField(_("first name"), max_length=100, blank=True)
    subject_last_name = models.CharField(_("surname"), max_length=100, blank=True)
    subject_birth_date = models.DateField(_("birth date"), null=True, blank=True)
    subject_email = models.CharField(_("e-mail"), max_length=254, blank=True)
    subject_phone = models.CharField(_("phone"), max_length=40, blank=True)
    match_state = models.CharField(
        _("match"), max_length=8, choices=MatchState.choices, default=MatchState.NONE
    )
    match_ids = models.JSONField(_("matching people"), null=True, blank=True)
    # identity verification (R6.2)
    identity_method = models.CharField(
        _("identity verified by"), max_length=16, choices=IdentityMethod.choices, blank=True
    )
    identity_note = models.CharField(_("what was checked"), max_length=300, blank=True)
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the clock (R6.1)
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    due_on = models.DateField(_("due on"))
    extended_to = models.DateField(_("extended to"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extension_notified_at = models.DateTimeField(_("extension told at"), null=True, blank=True)
    # the decision (R6.12) and fee (R6.4)
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True)
    decision_reasons = models.TextField(_("reasons"), blank=True)
    obligations_kept = models.TextField(_("kept under a legal obligation"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fee = models.CharField(_("fee"), max_length=12, choices=Fee.choices, blank=True)
    fee_reason = models.TextField(_("reason for the fee"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subject request")
        verbose_name_plural = _("subject requests")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(
                fields=["due_on"],
                name="request_open",
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
            ),
            models.Index(fields=["person", "kind"], name="request_person_kind"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def deadline(self) -> dt.date:
        """The date the answer is due: the extended date when extended, else the first one."""
        return self.extended_to or self.due_on

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@personal_data(
    subject="request__person",
    fields={
        "address": PD(Category.CONTACT, description="the address it came from or went to"),
        "subject": PD(Category.PRIVACY),
        "body": PD(Category.PRIVACY, description="the message as sent or received"),
    },
    not_personal={
        "id": "surrogate key",
        "request": "the request",
        "direction": "in or out (accountability: proof of the answer)",
        "kind": "what the message was (receipt, extension, decision, …)",
        "channel": "how it was sent or received (accountability)",
        "at": "when it was sent or received (accountability: proof of the answer in time)",
        "language": "language it was written in",
        "body_sha256": "checksum of subject and body: proof of what was sent without a copy",
        "by": "staff member or process that sent or logged it",
    },
    on_erasure="keep_row",
    description="Every message in and out about a request (R6.3)",
)
class RequestMessage(models.Model):
    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    kind = models.CharField(
        _("kind"), max_length=20, choices=MessageKind.choices, default=MessageKind.NOTE
    )
    channel = models.CharField(_("channel"), max_length=10, choices=RequestChannel.choices)
    at = models.DateTimeField(_("at"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    body_sha256 = models.CharField(max_length=64)
    by = models.CharField(_("by"), max_length=64)

    class Meta:
        verbose_name = _("request message")
        verbose_name_plural = _("request messages")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.request_id} {self.direction} {self.at:%Y-%m-%d}"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "request": "the request",
        "at": "when (the request's timeline)",
        "actor": "pseudonymous reference of who acted (staff:<id>, system:<task>)",
        "action": "what happened (open, verify, extend, decide, …)",
        "from_status": "state before",
        "to_status": "state after",
        "detail": "codes and field names, never a person's words or values",
    },
    description="The timeline of a request: every step with who and when (R6.1)",
)
class RequestEvent(models.Model):
    request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.CharField(max_length=64)
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"])]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"

    @property
    def label(self) -> str:
        """The step in words, in the reader's language (the code stays in ``action``)."""
        return str(EVENT_LABELS.get(self.action, self.action))

    @property
    def from_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.to_status)


EVENT_LABELS = {
    "open": _("Received and recorded"),
    "ask_identity": _("Proof of identity asked"),
    "verify": _("Identity verified"),
    "choose_person": _("Linked to a person"),
    "extend": _("Extended"),
    "decide": _("Decided"),
    "withdraw": _("Withdrawn by the requester"),
    "fee": _("Fee flag"),
    "message": _("Message logged"),
    "proof": _("Proof of erasure: clean"),
    "proof_failed": _("Proof of erasure: residue found"),
    "clear_residue": _("Residue removed"),
    "restriction_lifted": _("Restriction lifted, person told"),
}


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status
