"""Informing people whose data we did not get from them (R2.2, GDPR Art. 14).

A duty (``NoticeDuty``) is opened for every person whose data reaches us from a third party, a
medium or a partner, due ``policy().notices.due_days`` after collection (Art. 14(3)(a)); the
first time staff contact the person it is due that day (Art. 14(3)(b)). ``notice_send``
writes the notice in the person's language from the policy (controller, DPO, purposes and
legal bases, the authority) and the registry (the categories we actually hold on them), sends it
by e-mail and keeps proof on the duty: when, to which address, in which language, under which
policy version, and the SHA-256 of what was sent — never a copy.

Who calls what:
- ``notice_duties_open``: every writer that stores people under a provenance that is not the
  person or the agency (``candidates_write``, ``contact_person_create``).
- ``notice_first_contact``: every service recording a contact with the person (a procedure step
  of an application, a guidance session).
- ``notice_duties_cancel``: the erasure service, for the people it erases.
- ``daily_job``: ``candor worker`` (see ``jobs.py``); ``candor notices send`` by hand.

When you add a way of contacting people, call ``notice_first_contact`` in its transaction.
When you change the notice's wording, change the three languages under
``templates/privacy/notices/`` together (the tests check all three).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from candor.audit.services import Event, audit_record, audit_record_many
from candor.core import clock
from candor.core.actor import Actor
from candor.core.bulk import insert_rows
from candor.people.models import ContactKind, ContactPoint, Person, Provenance, SourceKind
from candor.privacy.models import NoticeDuty, NoticeStatus
from candor.privacy.policy import LANGUAGES, LegalBasis, Purpose, mail_sender, policy
from candor.privacy.registry import Category, declarations

logger = logging.getLogger(__name__)

# Sources that oblige us to inform the person: not the person themselves, not our own work.
ELSEWHERE = frozenset({SourceKind.THIRD_PARTY, SourceKind.MEDIUM, SourceKind.PARTNER})
CHUNK = 900  # SQLite's bound-parameter limit
NOTE_LENGTH = 300  # NoticeDuty.note
STOP_AFTER_FAILURES = 5  # a mail server that refuses five in a row is down: try again tomorrow


# -- opening, first contact, cancelling ------------------------------------------------------


def notice_duties_open(
    *, person_ids: Iterable[int], provenance: Provenance, new: bool = False
) -> int:
    """Open the duty to inform each person (R2.2) when ``provenance`` is a third party, a medium
    or a partner; due ``policy().notices.due_days`` after the data was obtained. Returns the
    number of duties opened.

    Runs inside the caller's transaction (the writer that stored the people), in one insert;
    people who already have a duty for this provenance are left as they are. ``new``: the
    people were created in this transaction, so none has a duty yet and none is looked up (an
    import's batch of new people). No audit event of its own: the caller's ``create`` event
    names the source, from which the duty follows.
    """
    if provenance.kind not in ELSEWHERE:
        return 0
    wanted = list(dict.fromkeys(person_ids))
    held: set[int] = set()
    for start in range(0, 0 if new else len(wanted), CHUNK):
        held.update(
            NoticeDuty.objects.filter(
                provenance=provenance, person_id__in=wanted[start : start + CHUNK]
            ).values_list("person_id", flat=True)
        )
    obtained = provenance.obtained_at
    due_on = clock.localdate(obtained) + dt.timedelta(days=policy().notices.due_days)
    opened = (provenance.pk, obtained, due_on, str(NoticeStatus.OPEN.value))
    rows = [(pid, *opened) for pid in wanted if pid not in held]
    if rows:
        insert_rows(
            NoticeDuty,
            rows,
            columns=("person_id", "provenance_id", "opened_at", "due_on", "status"),
        )
    return len(rows)


def notice_first_contact(*, actor: Actor, person: Person) -> int:
    """Staff are in contact with the person: their open notices are due today (Art. 14(3)(b):
    at the latest at the first communication). Returns how many duties this made due.

    Call it inside the transaction that records the contact; one audit event per duty it made
    due, nothing at all when the person has no open duty (the common case: one query).
    The next ``notices_send_due`` (the daily job, ``candor notices send``) or the DPO's
    "send now" sends it.
    """
    now = clock.now()
    today = clock.localdate(now)
    duties = list(
        NoticeDuty.objects.select_for_update().filter(
            person_id=person.pk, status=NoticeStatus.OPEN, first_contact_at=None
        )
    )
    if not duties:
        return 0
    for duty in duties:
        duty.first_contact_at = now
        duty.due_on = min(duty.due_on, today)
    NoticeDuty.objects.bulk_update(duties, ["first_contact_at", "due_on"])
    audit_record_many(
        actor=actor,
        events=[
            Event(
                "notice.first_contact",
                "privacy.noticeduty",
                str(duty.pk),
                str(person.pseudonym),
                {"fields": ["first_contact_at", "due_on"]},
            )
            for duty in duties
        ],
    )
    return len(duties)


def notice_duties_cancel(person_ids: Iterable[int]) -> int:
    """The people are being erased: their open duties end (status ``cancelled``); there is no
    one left to inform. Returns the number cancelled. Runs inside the erasure's transaction,
    whose audit event covers it."""
    wanted = list(dict.fromkeys(person_ids))
    cancelled = 0
    for start in range(0, len(wanted), CHUNK):
        cancelled += NoticeDuty.objects.filter(
            person_id__in=wanted[start : start + CHUNK], status=NoticeStatus.OPEN
        ).update(status=NoticeStatus.CANCELLED)
    return cancelled


# -- what the notice says --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    """A rendered notice: what would be, or was, sent."""

    language: str
    policy_version: str
    subject: str
    text: str
    html: str

    @property
    def sha256(self) -> str:
        """Proof of what was sent without keeping it: the text part, a NUL, the HTML part."""
        return hashlib.sha256(f"{self.text}\0{self.html}".encode()).hexdigest()


def notice_language(person: Person) -> str:
    """The person's preferred language when we write it (nl, fr, en), else the agency's."""
    if person.preferred_language in LANGUAGES:
        return person.preferred_language
    default = settings.LANGUAGE_CODE[:2]
    return default if default in LANGUAGES else "en"


def categories_held(person: Person) -> list[Category]:
    """The data categories we actually hold on the person, read from their rows through the
    registry: a category counts when some declared field of it holds a value. Left out: the
    privacy category (our record of their own choices and of this duty)."""
    found: set[Category] = set()
    for declaration in declarations():
        if declaration.subject is None or declaration.model is NoticeDuty:
            continue
        meta = declaration.model._meta
        wanted = {
            name: pd.category
            for name, pd in declaration.fields.items()
            if pd.category is not Category.PRIVACY
            and pd.category not in found
            and not meta.get_field(name).many_to_many
        }
        if not wanted:
            continue
        lookup = f"{declaration.subject}_id" if declaration.subject else "pk"
        rows = declaration.model._default_manager.filter(**{lookup: person.pk})
        for values in rows.values_list(*wanted)[:500].iterator():
            for (_name, category), value in zip(wanted.items(), values, strict=True):
                if value not in (None, ""):
                    found.add(category)
    return [category for category in Category if category in found]


def _purposes_for(person: Person) -> list[Purpose]:
    """The purposes for which we process this person's data without asking them: those of
    their roles, on a basis other than consent, with the contract they need when they need
    one."""
    chosen = []
    roles = set(person.roles)
    for purpose in policy().purposes.values():
        if not roles & set(purpose.roles) or purpose.legal_basis is LegalBasis.CONSENT:
            continue
        if purpose.requires == "trajectory":
            if not apps.get_model("guidance", "Trajectory").objects.filter(person=person).exists():
                continue
        elif purpose.requires == "organisation":
            contacts = apps.get_model("relations", "ContactPerson").objects
            if not contacts.filter(person=person).exists():
                continue
        chosen.append(purpose)
    return chosen


def _term(language: str, kind: str, key: str) -> str:
    return render_to_string(
        f"privacy/notices/{language}/terms.txt", {"kind": kind, "key": key}
    ).strip()


def notice_render(duty: NoticeDuty, *, language: str = "") -> Notice:
    """The notice for ``duty``, in ``language`` or the person's own (R2.2): who we are (the
    controller and the DPO), what we hold (the categories, from their rows), where it came from
    (the duty's provenance), why and on which basis (the policy's purposes for their roles),
    until when, their rights and the complaint route to the authority."""
    person, provenance = duty.person, duty.provenance
    language = language if language in LANGUAGES else notice_language(person)
    current = policy()
    purposes = [
        {
            "label": purpose.label.get(language),
            "basis": _term(language, "basis", purpose.legal_basis.value),
            "legitimate_interest": purpose.legal_basis is LegalBasis.LEGITIMATE_INTEREST,
            "also_legal_obligation": purpose.also_legal_obligation,
            "objectable": purpose.objectable,
            "direct_marketing": purpose.direct_marketing,
        }
        for purpose in _purposes_for(person)
    ]
    context: dict[str, Any] = {
        "person": person,
        "controller": current.controller,
        "dpo": current.dpo,
        "authority": current.authority,
        "authority_name": current.authority.name.get(language),
        "categories": [_term(language, "category", c.value) for c in categories_held(person)],
        "source_kind": _term(language, "source", provenance.kind),
        "source_name": provenance.name,
        "obtained_on": clock.localdate(provenance.obtained_at),
        "purposes": purposes,
        "kept_until": person.kept_until,
        "policy_version": current.version,
    }
    with translation.override(language):  # dates in the notice's language
        subject = render_to_string(f"privacy/notices/{language}/subject.txt", context)
        text = render_to_string(f"privacy/notices/{language}/body.txt", context)
        html = render_to_string(f"privacy/notices/{language}/body.html", context)
    return Notice(
        language=language,
        policy_version=current.version,
        subject=" ".join(subject.split()),
        # Plain strings (SafeString.__str__ returns itself): a page that shows a notice must
        # escape it like any other text.
        text=str.__str__(text),
        html=str.__str__(html),
    )


def notice_viewed(*, actor: Actor, duty: NoticeDuty) -> None:
    """Record that a staff member previewed a notice: it shows the person's name, address and
    what we hold on them (DESIGN invariant 4)."""
    with transaction.atomic():
        _audit(actor, duty, "view", where="notice")


def notice_email(person: Person | int) -> str:
    """The address the agency's mail to a person goes to (notices, consent renewals, reports):
    their primary e-mail address, else their first."""
    return (
        ContactPoint.objects.filter(person=person, kind=ContactKind.EMAIL)
        .order_by("-is_primary", "pk")
        .values_list("value", flat=True)
        .first()
        or ""
    )


# -- sending ---------------------------------------------------------------------------------


def _audit(actor: Actor, duty: NoticeDuty, action: str, **detail: object) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="privacy.noticeduty",
        object_id=duty.pk,
        subject=str(duty.person.pseudonym),
        detail=detail,
    )


def _locked(duty: NoticeDuty) -> NoticeDuty:
    return (
        NoticeDuty.objects.select_for_update(of=("self",))
        .select_related("person", "provenance")
        .get(pk=duty.pk)
    )


def _send(*, actor: Actor, duty: NoticeDuty, mailer: Any = None) -> tuple[NoticeDuty, bool]:
    """``notice_send``, also saying whether this call changed the duty."""
    with transaction.atomic():
        duty = _locked(duty)
        if duty.status != NoticeStatus.OPEN:
            return duty, False
        person = duty.person
        if person.erased_at is not None:
            duty.status = NoticeStatus.CANCELLED
            duty.save(update_fields=["status"])
            _audit(actor, duty, "notice.cancel", reason="erased")
            return duty, True
        recipient = notice_email(person)
        if not recipient:
            duty.status = NoticeStatus.IMPOSSIBLE
            duty.note = _("No e-mail address: the DPO decides how to inform (a letter, a call).")
            duty.save(update_fields=["status", "note"])
            _audit(actor, duty, "notice.impossible", reason="no_email")
            return duty, True
        notice = notice_render(duty)
        current = policy()
        message = EmailMultiAlternatives(
            subject=notice.subject,
            body=notice.text,
            from_email=mail_sender(),
            to=[recipient],
            reply_to=[current.dpo.email],
        )
        message.attach_alternative(notice.html, "text/html")
        # Sent before the duty is written: a mail server refusing it rolls the whole step back
        # and the duty stays open for the next run.
        if not (mailer or mailers.default).send_messages([message]):
            raise RuntimeError("the mail backend accepted no message")
        duty.status = NoticeStatus.SENT
        duty.sent_at = clock.now()
        duty.recipient = recipient
        duty.language = notice.language
        duty.policy_version = notice.policy_version
        duty.body_sha256 = notice.sha256
        duty.sent_by = actor.ref[:40]
        duty.save(
            update_fields=[
                "status",
                "sent_at",
                "recipient",
                "language",
                "policy_version",
                "body_sha256",
                "sent_by",
            ]
        )
        _audit(
            actor,
            duty,
            "notice.send",
            channel="email",
            language=notice.language,
            policy_version=notice.policy_version,
        )
    return duty, True


def notice_send(*, actor: Actor, duty: NoticeDuty, mailer: Any = None) -> NoticeDuty:
    """Send the notice of an open duty by e-mail (R2.2), text and HTML parts, through Django's
    e-mail backend; record on the duty when, to which address, in which language, under which
    policy version and the SHA-256 of what was sent; one audit event, in the same transaction.

    A person without an e-mail address: the duty becomes ``impossible`` with a note (the DPO
    decides). An erased person: ``cancelled``. A duty no longer open is returned unchanged, so
    sending twice sends once. ``mailer``: an open Django mailer to reuse (a batch); by default
    ``mailers.default``.
    """
    return _send(actor=actor, duty=duty, mailer=mailer)[0]


def notice_mark_impossible(*, actor: Actor, duty: NoticeDuty, note: str) -> NoticeDuty:
    """The DPO decides an open notice cannot be sent by e-mail (R2.2), or records their decision
    on one found impossible, and says what was done instead or why not (a letter, no address
    known); the note is required and replaces the previous one."""
    note = " ".join(note.split())
    if not note:
        raise ValidationError({"note": _("Say why, and how the person will be informed.")})
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    with transaction.atomic():
        duty = _locked(duty)
        if duty.status not in {NoticeStatus.OPEN, NoticeStatus.IMPOSSIBLE}:
            raise ValidationError(_("This notice was already sent or is no longer due."))
        duty.status = NoticeStatus.IMPOSSIBLE
        duty.note = note
        duty.sent_by = actor.ref[:40]
        duty.save(update_fields=["status", "note", "sent_by"])
        _audit(actor, duty, "notice.impossible", reason="decided", fields=["note"])
    return duty


def notices_due(today: dt.date) -> QuerySet[NoticeDuty]:
    """Open duties due ``today`` or earlier, oldest first. First contact moves a duty's due
    date to that day, so this includes every duty made due by a contact."""
    return NoticeDuty.objects.filter(status=NoticeStatus.OPEN, due_on__lte=today).order_by(
        "due_on", "pk"
    )


def notices_send_due(
    *,
    actor: Actor,
    today: dt.date,
    limit: int | None = None,
    on_progress: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """Send every open notice due ``today`` or earlier (R2.2), each in its own transaction, over
    one mail connection. Returns counts: sent, impossible, cancelled, skipped (no longer open
    when reached), failed (the mail server refused; the duty stays open), and ``stopped`` = 1
    when it gave up after ``STOP_AFTER_FAILURES`` failures in a row.

    Safe to interrupt and re-run: what was sent is no longer open.
    """
    ids = list(notices_due(today).values_list("pk", flat=True)[:limit])
    counts = dict.fromkeys(("sent", "impossible", "cancelled", "skipped", "failed"), 0)
    if not ids:
        return counts
    failures_in_a_row = 0
    with mailers.default as mailer:  # one connection to the mail server for the batch
        for pk in ids:
            try:
                duty, acted = _send(actor=actor, duty=NoticeDuty(pk=pk), mailer=mailer)
            except Exception:  # one refused message must not stop the others
                logger.exception("notice duty %s: not sent", pk)  # the id only, no address
                counts["failed"] += 1
                failures_in_a_row += 1
                if failures_in_a_row >= STOP_AFTER_FAILURES:
                    counts["stopped"] = 1
                    break
            else:
                failures_in_a_row = 0
                counts[duty.status if acted else "skipped"] += 1
            if on_progress is not None:
                on_progress(1)
    return counts


def daily_job(*, today: dt.date) -> dict[str, int]:
    """``candor worker``'s daily run: send the notices due (R2.2). Interrupted, it resumes
    where it stopped on the next run: every duty sent is no longer open."""
    return notices_send_due(actor=Actor.system("notices"), today=today)


# -- reading, for the DPO ----------------------------------------------------------------------


def notices_open(today: dt.date) -> QuerySet[NoticeDuty]:
    """Open duties, soonest due first (R2.2). ``today`` is accepted so the dashboard asks
    every queue the same way; ``.count()`` reads only the ``notice_open`` index."""
    del today
    return NoticeDuty.objects.filter(status=NoticeStatus.OPEN).order_by("due_on", "pk")


def notices_overdue(today: dt.date) -> QuerySet[NoticeDuty]:
    """Open duties whose due date has passed (R2.2): the DPO's alarm."""
    return notices_open(today).filter(due_on__lt=today)


def notices_impossible() -> QuerySet[NoticeDuty]:
    """Duties that could not be sent by e-mail, waiting for the DPO's decision."""
    return NoticeDuty.objects.filter(status=NoticeStatus.IMPOSSIBLE).order_by("due_on", "pk")
