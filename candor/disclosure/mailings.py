"""Anonymous candidate mailings to clients (R4.1, R4.5).

The flow: ``mailing_prepare`` (a consultant picks candidates and clients; the gate leaves out
candidates who may not be shared and contacts who may not be written to, and says how many) →
``mailing_clear_pitch`` (optional free text per candidate, refused when it holds one of the
candidate's identifiers) → ``mailing_queue`` → ``candor worker`` runs ``queued_job``, which
sends one e-mail per client contact — every candidate's anonymous profile, text and HTML, in the
contact's language — and records it with ``disclose`` (one ledger row per candidate, holding the
profile as sent) in the same transaction. A mail server refusing a message rolls its ledger rows
back; the e-mail is counted as failed and the rest go on.

Interrupted, the job resumes where it stopped: only e-mails still ``queued`` are sent. Two
workers never send the same e-mail: each is claimed by a conditional UPDATE in the transaction
that sends and records it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.core.bulk import insert_rows
from candor.disclosure.models import (
    DeliveryStatus,
    Mailing,
    MailingCandidate,
    MailingRecipient,
    MailingStatus,
)
from candor.disclosure.profiles import (
    Rendered,
    build_profiles,
    identifiers_in,
    profile_code,
    render_profile,
    shown_categories,
)
from candor.disclosure.services import Recipient, disclose
from candor.people.models import ContactKind, ContactPoint, Person
from candor.privacy.gate import allowed_ids
from candor.privacy.notices import notice_language
from candor.privacy.policy import mail_sender, policy
from candor.recruitment.models import Vacancy
from candor.relations.models import ContactPerson, Organisation, OrganisationKind

logger = logging.getLogger(__name__)

SHARING = "client_sharing"  # the gate's feature for candidates in a mailing
MAX_CANDIDATES = 50
MAX_PITCH = 1500
STOP_AFTER_FAILURES = 5
CHUNK = 900


@dataclass(frozen=True, slots=True)
class Prepared:
    mailing: Mailing
    candidates: int
    left_out: int  # candidates the gate refused
    recipients: int
    contacts_left_out: int  # contacts without an e-mail address or whom the gate refuses


def contact_purpose(vacancy: Vacancy | None) -> str:
    """Writing to a client about its own vacancy performs the contract with it; writing to
    clients unasked is direct marketing to them (the policy's ``client_mailing`` feature)."""
    return "contract" if vacancy is not None else policy().purpose_for("client_mailing").key


def _emails(person_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(person_ids), CHUNK):
        rows = (
            ContactPoint.objects.filter(
                person_id__in=person_ids[start : start + CHUNK], kind=ContactKind.EMAIL
            )
            .order_by("person_id", "-is_primary", "pk")
            .values_list("person_id", "value")
        )
        for pid, value in rows:
            found.setdefault(pid, value)
    return found


def _selection_errors(subject: str, wanted: list[int], orgs: list[int]) -> dict[str, list[str]]:
    """What is wrong with a mailing's subject, candidates and clients, before the gate."""
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = [_("Give the mailing a subject.")]
    if not wanted:
        errors["candidates"] = [_("Choose at least one candidate.")]
    elif len(wanted) > MAX_CANDIDATES:
        errors["candidates"] = [
            _("A mailing holds at most %(n)d candidates.") % {"n": MAX_CANDIDATES}
        ]
    else:
        known = set(
            Person.objects.filter(pk__in=wanted, is_candidate=True).values_list("pk", flat=True)
        )
        if missing := [pk for pk in wanted if pk not in known]:
            errors["candidates"] = [
                _("No candidate with id %(ids)s.") % {"ids": ", ".join(map(str, missing))}
            ]
    clients = set(
        Organisation.objects.filter(
            pk__in=orgs, kind__in=[OrganisationKind.CLIENT, OrganisationKind.BOTH]
        ).values_list("pk", flat=True)
    )
    if not orgs:
        errors["clients"] = [_("Choose at least one client.")]
    elif missing := [pk for pk in orgs if pk not in clients]:
        errors["clients"] = [
            _("Not a client organisation: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
        ]
    return errors


def mailing_prepare(
    *,
    actor: Actor,
    subject: str,
    person_ids: Sequence[int],
    organisation_ids: Sequence[int],
    vacancy: Vacancy | None = None,
) -> Prepared:
    """A draft mailing of the candidates the gate allows to be shared (R4.1) to the contacts of
    the client organisations whom the agency may write to and who have an e-mail address.

    With a ``vacancy`` the mailing goes to the vacancy's client (the default) and to no other.
    ``ValidationError`` (nothing written) when the subject is empty, when a candidate or an
    organisation does not exist, an organisation is not a client (or not the vacancy's), or
    nobody would be left on either side. Candidates and recipients are written in bulk; one
    audit event with counts."""
    subject = " ".join(subject.split())
    wanted = list(dict.fromkeys(int(pk) for pk in person_ids))
    orgs = list(dict.fromkeys(int(pk) for pk in organisation_ids))
    if vacancy is not None and not orgs:
        orgs = [vacancy.client_id]
    errors = _selection_errors(subject, wanted, orgs)
    if vacancy is not None and set(orgs) - {vacancy.client_id}:
        # Writing about a vacancy performs the contract with its client, no one else's.
        errors.setdefault("clients", []).append(
            _("A mailing about a vacancy goes to that vacancy's client only.")
        )
    if errors:
        raise ValidationError(errors)
    allowed = allowed_ids(wanted, feature=SHARING)
    contacts = list(
        ContactPerson.objects.filter(organisation_id__in=orgs)
        .order_by("organisation_id", "-is_primary", "pk")
        .values_list("organisation_id", "person_id")
    )
    contact_ids = list(dict.fromkeys(pid for _org, pid in contacts))
    reachable = set(allowed_ids(contact_ids, purpose=contact_purpose(vacancy)))
    emails = _emails([pid for pid in contact_ids if pid in reachable])
    seen: set[int] = set()
    recipients = []
    for org, pid in contacts:
        if pid in emails and pid not in seen:
            seen.add(pid)
            recipients.append((org, pid))
    if not allowed:
        errors["candidates"] = [
            _(
                "None of the chosen candidates may be shared with clients (a restriction or an "
                "objection)."
            )
        ]
    if not recipients:
        errors["clients"] = [
            _("None of these clients has a contact person with an e-mail address we may write to.")
        ]
    if errors:
        raise ValidationError(errors)
    pseudonyms = dict(Person.objects.filter(pk__in=allowed).values_list("pk", "pseudonym"))
    with transaction.atomic():
        mailing = Mailing.objects.create(
            created_by_id=actor.user_id,
            vacancy=vacancy,
            subject=subject[:200],
            created_at=clock.now(),
            left_out=len(wanted) - len(allowed),
            total=len(recipients),
        )
        MailingCandidate.objects.bulk_create(
            MailingCandidate(
                mailing=mailing, person_id=pk, position=i, code=profile_code(pseudonyms[pk])
            )
            for i, pk in enumerate(allowed)
        )
        insert_rows(
            MailingRecipient,
            [
                (mailing.pk, org, pid, DeliveryStatus.QUEUED, "", "", 0, "", "")
                for org, pid in recipients
            ],
            columns=[
                "mailing_id",
                "organisation_id",
                "person_id",
                "status",
                "address",
                "language",
                "profiles",
                "sha256",
                "error",
            ],
        )
        audit_record(
            actor=actor,
            action="mailing.prepare",
            object_type="disclosure.mailing",
            object_id=mailing.pk,
            detail={
                "candidates": len(allowed),
                "left_out": len(wanted) - len(allowed),
                "recipients": len(recipients),
                "clients": len({org for org, _pid in recipients}),
            },
        )
    return Prepared(
        mailing=mailing,
        candidates=len(allowed),
        left_out=len(wanted) - len(allowed),
        recipients=len(recipients),
        contacts_left_out=len(contact_ids) - len(recipients),
    )


def _draft(mailing: Mailing) -> Mailing:
    locked = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if locked.status != MailingStatus.DRAFT:
        raise ValidationError(_("This mailing was already queued; it can no longer be changed."))
    return locked


def mailing_clear_pitch(*, actor: Actor, mailing: Mailing, person_id: int, text: str) -> None:
    """Clear free text for one candidate's profile in this mailing (R4.1): stored with who
    cleared it and when. Refused when the text holds one of the candidate's identifiers (name,
    contact points, street, employer, birth date…) — the consultant rewrites it."""
    text = text.strip()
    if len(text) > MAX_PITCH:
        raise ValidationError(
            {"pitch": [_("Keep the text under %(n)d characters.") % {"n": MAX_PITCH}]}
        )
    if text and (hits := identifiers_in(person_id, text)):
        raise ValidationError(
            {
                "pitch": [
                    _("The text names the candidate (%(found)s): an anonymous profile may not.")
                    % {"found": ", ".join(hits)}
                ]
            }
        )
    with transaction.atomic():
        _draft(mailing)
        row = MailingCandidate.objects.select_related("person").get(
            mailing=mailing, person_id=person_id
        )
        row.pitch = text
        row.cleared_by_id = actor.user_id if text else None
        row.cleared_at = clock.now() if text else None
        row.save(update_fields=["pitch", "cleared_by", "cleared_at"])
        audit_record(
            actor=actor,
            action="mailing.pitch_clear" if text else "mailing.pitch_remove",
            object_type="disclosure.mailingcandidate",
            object_id=row.pk,
            subject=str(row.person.pseudonym),
            detail={"fields": ["pitch"]},
        )


def mailing_queue(*, actor: Actor, mailing: Mailing) -> Mailing:
    """Hand a draft to ``candor worker``; from now on it cannot change."""
    with transaction.atomic():
        locked = _draft(mailing)
        locked.status = MailingStatus.QUEUED
        locked.queued_at = clock.now()
        locked.save(update_fields=["status", "queued_at"])
        audit_record(
            actor=actor,
            action="mailing.queue",
            object_type="disclosure.mailing",
            object_id=locked.pk,
            detail={"recipients": locked.total},
        )
    return locked


# -- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    text: str
    html: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(f"{self.text}\0{self.html}".encode()).hexdigest()


class _Renderer:
    """Profiles of one mailing per language, rendered once per run, not once per e-mail."""

    def __init__(self, mailing: Mailing) -> None:
        self.mailing = mailing
        self.rows = list(mailing.candidates.order_by("position", "pk"))
        self._by_language: dict[str, dict[int, Rendered]] = {}

    def profiles(self, language: str, person_ids: list[int]) -> dict[int, Rendered]:
        if language not in self._by_language:
            built = build_profiles(
                [r.person_id for r in self.rows], pitches={r.person_id: r.pitch for r in self.rows}
            )
            self._by_language[language] = {
                pk: render_profile(profile, language=language) for pk, profile in built.items()
            }
        rendered = self._by_language[language]
        return {pk: rendered[pk] for pk in person_ids if pk in rendered}

    def email(self, language: str, profiles: list[Rendered], organisation: str) -> Email:
        context = {
            "mailing": self.mailing,
            "vacancy": self.mailing.vacancy,
            "organisation": organisation,
            "profiles": profiles,
            "controller": policy().controller,
        }
        with translation.override(language):
            text = render_to_string("disclosure/mailing_email.txt", context)
            html = render_to_string("disclosure/mailing_email.html", context)
        return Email(self.mailing.subject, str.__str__(text), str.__str__(html))


def _count(mailing_id: int, status: str) -> None:
    Mailing.objects.filter(pk=mailing_id).update(**{status: F(status) + 1})


def _skip(row: MailingRecipient, error: str) -> str:
    row.status, row.error, row.sent_at = DeliveryStatus.SKIPPED, error, None
    row.save(update_fields=["status", "error", "sent_at"])
    _count(row.mailing_id, "skipped")
    return DeliveryStatus.SKIPPED


def _claimed(pk: int) -> MailingRecipient | None:
    """The queued e-mail ``pk``, claimed for this transaction, or None when another worker has
    it or it is no longer queued. The claim is a conditional UPDATE: on PostgreSQL it locks the
    row, on SQLite it takes the write lock; a second worker waits, then finds it claimed. A
    rollback (a refused message) releases it."""
    claimed = MailingRecipient.objects.filter(
        pk=pk, status=DeliveryStatus.QUEUED, sent_at=None
    ).update(sent_at=clock.now())
    if not claimed:
        return None
    return MailingRecipient.objects.select_related("person", "organisation").get(pk=pk)


def _send_one(*, actor: Actor, renderer: _Renderer, pk: int, mailer: Any) -> str:
    """Send one e-mail of the mailing and record it; returns the delivery status."""
    with transaction.atomic():
        row = _claimed(pk)
        if row is None:  # sent by another worker, or no longer queued
            return "gone"
        contact = row.person
        if contact.erased_at is not None:
            return _skip(row, "erased")
        address = _emails([contact.pk]).get(contact.pk, "")
        if not address:
            return _skip(row, "no_email")
        if not allowed_ids([contact.pk], purpose=contact_purpose(renderer.mailing.vacancy)):
            return _skip(row, "contact_refused")
        candidates = allowed_ids([r.person_id for r in renderer.rows], feature=SHARING)
        if not candidates:
            return _skip(row, "no_candidates")
        language = notice_language(contact)
        profiles = renderer.profiles(language, candidates)
        email = renderer.email(language, list(profiles.values()), row.organisation.name)
        disclose(
            actor=actor,
            recipient=Recipient.for_client(row.organisation),
            contents={pk: rendered.text for pk, rendered in profiles.items()},
            categories=shown_categories(),
            purpose=policy().purpose_for(SHARING).key,
            channel="email",
            reference=f"mailing:{renderer.mailing.pk}",
        )
        consultant = renderer.mailing.created_by
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.text,
            from_email=mail_sender(),
            to=[address],
            reply_to=[consultant.email] if consultant and consultant.email else None,
        )
        message.attach_alternative(email.html, "text/html")
        # Recorded first, sent last: a refused message rolls its ledger rows back.
        if not mailer.send_messages([message]):
            raise RuntimeError("the mail backend accepted no message")
        row.status = DeliveryStatus.SENT
        row.address, row.language = address, language
        row.sent_at = clock.now()
        row.profiles = len(profiles)
        row.sha256 = email.sha256
        row.save(update_fields=["status", "address", "language", "sent_at", "profiles", "sha256"])
        _count(row.mailing_id, "sent")
        audit_record(
            actor=actor,
            action="mailing.send",
            object_type="disclosure.mailingrecipient",
            object_id=row.pk,
            subject=str(contact.pseudonym),
            detail={"mailing": row.mailing_id, "profiles": len(profiles), "channel": "email"},
        )
    return DeliveryStatus.SENT


def _fail(pk: int, error: str) -> None:
    with transaction.atomic():
        row = MailingRecipient.objects.filter(pk=pk, status=DeliveryStatus.QUEUED).first()
        if row is not None:
            row.status, row.error = DeliveryStatus.FAILED, error[:40]
            row.save(update_fields=["status", "error"])
            _count(row.mailing_id, "failed")


def mailing_send(
    *,
    actor: Actor,
    mailing: Mailing,
    limit: int | None = None,
    on_progress: Callable[[int], Any] | None = None,
) -> dict[str, int]:
    """Send the mailing's queued e-mails over one mail connection (the worker; or by hand).
    Returns counts: sent, skipped, failed, and ``stopped`` = 1 when the mail server refused
    ``STOP_AFTER_FAILURES`` in a row (the rest stay queued for the next run)."""
    if Mailing.objects.filter(pk=mailing.pk, status=MailingStatus.DRAFT).exists():
        raise ValueError("a draft mailing is queued first (mailing_queue), then sent")
    updated = Mailing.objects.filter(pk=mailing.pk, status=MailingStatus.QUEUED).update(
        status=MailingStatus.SENDING
    )
    if updated:
        mailing.status = MailingStatus.SENDING
    counts = dict.fromkeys(("sent", "skipped", "failed"), 0)
    ids = list(
        MailingRecipient.objects.filter(mailing=mailing, status=DeliveryStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    renderer = _Renderer(Mailing.objects.select_related("vacancy", "created_by").get(pk=mailing.pk))
    in_a_row = 0
    with mailers.default as mailer:
        for pk in ids:
            try:
                status = _send_one(actor=actor, renderer=renderer, pk=pk, mailer=mailer)
            except Exception as exc:  # one refused message must not stop the others
                logger.exception("mailing recipient %s: not sent", pk)  # ids only, no address
                _fail(pk, type(exc).__name__)
                counts["failed"] += 1
                in_a_row += 1
                if in_a_row >= STOP_AFTER_FAILURES:
                    counts["stopped"] = 1
                    break
            else:
                in_a_row = 0
                if status in counts:
                    counts[status] += 1
            if on_progress is not None:
                on_progress(1)
    if not MailingRecipient.objects.filter(mailing=mailing, status=DeliveryStatus.QUEUED).exists():
        Mailing.objects.filter(pk=mailing.pk).exclude(status=MailingStatus.DONE).update(
            status=MailingStatus.DONE, finished_at=clock.now()
        )
    return counts


def queued_job(*, limit: int | None = None) -> dict[str, int]:
    """``candor worker``'s queue step (every check, not once a day): send the queued mailings,
    oldest first. Safe to interrupt and re-run: only e-mails still queued are sent."""
    totals = dict.fromkeys(("mailings", "sent", "skipped", "failed"), 0)
    waiting = Mailing.objects.filter(
        status__in=[MailingStatus.QUEUED, MailingStatus.SENDING]
    ).order_by("queued_at", "pk")
    for mailing in waiting:
        counts = mailing_send(actor=Actor.system("mailings"), mailing=mailing, limit=limit)
        totals["mailings"] += 1
        for key in ("sent", "skipped", "failed"):
            totals[key] += counts[key]
        if counts.get("stopped"):
            totals["stopped"] = 1
            break
    return totals


# -- one profile, handed over by a consultant ----------------------------------------------------


def profile_refusal(person_id: int) -> str:
    """Why this candidate's profile may not go to clients ("" when it may), from the gate."""
    from candor.privacy.gate import may_feature

    if not Person.objects.filter(pk=person_id, is_candidate=True).exists():
        return _("There is no candidate %(id)s.") % {"id": person_id}
    decision = may_feature(person_id, SHARING)
    return "" if decision else " ".join(decision.reasons)


def profile_disclose(
    *,
    actor: Actor,
    person_id: int,
    organisation: Organisation,
    fmt: str = "text",
    channel: str = "download",
    language: str = "",
) -> str:
    """One candidate's anonymous profile for one client (a download, or text a consultant
    pastes into a message), recorded in the ledger before it is returned (R4.1, R4.5).
    ``DisclosureRefused`` when the gate refuses the candidate; ``ValidationError`` when the
    organisation is not a client."""
    if organisation.kind not in {OrganisationKind.CLIENT, OrganisationKind.BOTH}:
        raise ValidationError(_("%(name)s is not a client.") % {"name": organisation.name})
    profile = build_profiles([person_id])[person_id]
    rendered = render_profile(profile, language=language)
    content = rendered.html if fmt == "html" else rendered.text
    disclose(
        actor=actor,
        recipient=Recipient.for_client(organisation),
        contents={person_id: content},
        categories=shown_categories(),
        purpose=policy().purpose_for(SHARING).key,
        channel=channel,
        reference=f"profile:{profile.code}",
    )
    return content
