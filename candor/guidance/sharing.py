"""Trajectory reports shared with the trajectory's contract party (R4.3).

An outplacement or career-guidance trajectory is paid by an organisation (``Trajectory.sponsor``,
e.g. the former employer who owes an outplacement by law). The agency reports to it on the
trajectory under the policy's ``[sharing.trajectory_report]``: its purpose (``guidance``), the
legal basis recorded (``legal_obligation``) and exactly the data categories a report may hold.

A report is built only from ``REPORT_FIELDS`` whose registry category the policy allows (by
default the person's name — identity — and the trajectory and the chosen sessions — guidance),
plus the consultant's own text, which is guidance content and is refused when it holds one of
the person's e-mail addresses or phone numbers. Sensitive fields (the goal, session notes),
contact data and assessments never appear. The report goes by e-mail (text and HTML, in the
contact's language) to the sponsor's contact person whom the agency may write to under the
``contract`` purpose, and is recorded with ``disclose`` first: a refused mail rolls the ledger row
back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from candor.core.actor import Actor
from candor.core.normalise import normalise_phone
from candor.disclosure.services import Recipient, disclose
from candor.guidance.models import GuidanceSession, Trajectory
from candor.people.models import ContactKind, ContactPoint, Person
from candor.privacy.gate import allowed_ids
from candor.privacy.notices import notice_email, notice_language
from candor.privacy.policy import mail_sender, policy
from candor.privacy.registry import Category, declaration_for
from candor.relations.models import ContactPerson

log = logging.getLogger(__name__)

# The fields a report may draw on; each is used only when the policy allows its category.
REPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "people.person": ("first_name", "last_name"),
    "guidance.trajectory": ("kind", "status", "started_on", "ended_on"),
    "guidance.guidancesession": ("held_at", "duration_minutes", "topic"),
}
TEXT_CATEGORY = Category.GUIDANCE  # the consultant's report text is about the guidance
CONTACT_PURPOSE = "contract"  # writing to the paying organisation's contact performs the contract
TEXT_LIMIT = 8000


class ReportRefused(Exception):
    """The report cannot be shared; ``str()`` says why. Nothing was sent or recorded."""


def field_category(label: str, name: str) -> Category:
    declaration = declaration_for(apps.get_model(label))
    if declaration is None or name not in declaration.fields:
        raise LookupError(f"{label}.{name} is in a report but not declared personal")
    return declaration.fields[name].category


def allowed_fields() -> dict[str, tuple[str, ...]]:
    """``REPORT_FIELDS`` narrowed to the categories the policy allows for a report."""
    allowed = set(policy().sharing.trajectory_report.categories)
    return {
        label: tuple(n for n in names if field_category(label, n) in allowed)
        for label, names in REPORT_FIELDS.items()
    }


@dataclass(frozen=True, slots=True)
class Report:
    trajectory_id: int
    person_id: int
    subject: str
    text: str
    html: str
    categories: list[str]
    recipient_name: str
    address: str
    language: str


def _contact(trajectory: Trajectory) -> tuple[int, str] | None:
    """(contact person id, e-mail) of the sponsor's contact the agency may write to: the primary
    one first."""
    if trajectory.sponsor_id is None:
        return None
    contacts = list(
        ContactPerson.objects.filter(organisation_id=trajectory.sponsor_id)
        .order_by("-is_primary", "pk")
        .values_list("person_id", flat=True)
    )
    reachable = allowed_ids(contacts, purpose=CONTACT_PURPOSE)
    for person_id in reachable:
        if address := notice_email(person_id):
            return person_id, address
    return None


def _contact_values(person_id: int) -> list[tuple[str, str]]:
    return list(
        ContactPoint.objects.filter(person_id=person_id)
        .exclude(kind=ContactKind.URL)
        .values_list("kind", "value")
    )


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except ValidationError:
        return value


def _check_text(person_id: int, text: str) -> None:
    if len(text) > TEXT_LIMIT:
        raise ReportRefused(_("The report text is too long."))
    folded = text.casefold()
    digits = "".join(ch for ch in text if ch.isdigit())
    for kind, value in _contact_values(person_id):
        if kind == ContactKind.EMAIL:
            found = value.casefold() in folded
        else:
            number = "".join(ch for ch in _phone(value) if ch.isdigit())
            found = len(number) >= 8 and number[-8:] in digits
        if found:
            raise ReportRefused(
                _(
                    "The report text holds the person's contact details; a report never "
                    "includes them."
                )
            )


def trajectory_report(
    trajectory: Trajectory, *, text: str, session_ids: Iterable[int] = ()
) -> Report:
    """The report as it would be sent (a preview; nothing recorded). ``ReportRefused`` when
    the trajectory has no sponsor, no contact to write to, or the text holds contact data."""
    rules = policy().sharing.trajectory_report
    if trajectory.sponsor_id is None:
        raise ReportRefused(_("This trajectory has no paying organisation to report to."))
    contact = _contact(trajectory)
    if contact is None:
        raise ReportRefused(
            _("The paying organisation has no contact person with an e-mail address.")
        )
    text = text.strip()
    if not text and not session_ids:
        raise ReportRefused(_("Write the report or choose sessions to report on."))
    _check_text(trajectory.person_id, text)
    if text and TEXT_CATEGORY not in rules.categories:
        raise ReportRefused(_("The privacy policy does not allow report texts."))
    fields = allowed_fields()
    wanted = list(dict.fromkeys(int(pk) for pk in session_ids))
    sessions = list(
        GuidanceSession.objects.filter(trajectory=trajectory, pk__in=wanted).order_by("held_at")
    )
    if len(sessions) != len(wanted):
        raise ReportRefused(_("Choose sessions of this trajectory only."))
    person = Person.objects.get(pk=trajectory.person_id)
    contact_person = Person.objects.get(pk=contact[0])
    language = notice_language(contact_person)
    used: set[str] = set()

    def take(label: str, obj: object, name: str) -> object:
        if name not in fields[label]:
            return None
        used.add(str(field_category(label, name)))
        value = getattr(obj, name)
        display = getattr(obj, f"get_{name}_display", None)
        return display() if callable(display) else value

    with translation.override(language):
        name = " ".join(
            str(v)
            for v in (take("people.person", person, n) for n in ("first_name", "last_name"))
            if v
        )
        facts = [
            (label, take("guidance.trajectory", trajectory, field))
            for field, label in (
                ("kind", _("Kind")),
                ("status", _("Status")),
                ("started_on", _("Started on")),
                ("ended_on", _("Ended on")),
            )
        ]
        rows = [
            {
                "held_at": take("guidance.guidancesession", s, "held_at"),
                "duration": take("guidance.guidancesession", s, "duration_minutes"),
                "topic": take("guidance.guidancesession", s, "topic"),
            }
            for s in sessions
        ]
        if text:
            used.add(str(TEXT_CATEGORY))
        context = {
            "name": name,
            "facts": [(label, value) for label, value in facts if value not in (None, "")],
            "sessions": rows,
            "text": text,
            "organisation": trajectory.sponsor.name if trajectory.sponsor else "",
            "controller": policy().controller,
        }
        subject = _("Trajectory report") + (f": {name}" if name else "")
        body = str.__str__(render_to_string("guidance/report_email.txt", context)).strip() + "\n"
        html = str.__str__(render_to_string("guidance/report_email.html", context)).strip()
    return Report(
        trajectory_id=trajectory.pk,
        person_id=trajectory.person_id,
        subject=subject,
        text=body,
        html=html,
        categories=sorted(used),
        recipient_name=trajectory.sponsor.name if trajectory.sponsor else "",
        address=contact[1],
        language=language,
    )


def trajectory_report_share(
    *, actor: Actor, trajectory: Trajectory, text: str = "", session_ids: Sequence[int] = ()
) -> Report:
    """Send the report to the trajectory's contract party and record it in the ledger under the
    policy's purpose and legal basis, with the categories it actually holds. ``ReportRefused``
    or ``DisclosureRefused`` (the gate refuses the person: restricted, erased) send and record
    nothing."""
    rules = policy().sharing.trajectory_report
    report = trajectory_report(trajectory, text=text, session_ids=session_ids)
    if trajectory.sponsor is None:  # pragma: no cover - trajectory_report refused it already
        raise ReportRefused(_("This trajectory has no paying organisation to report to."))
    with transaction.atomic():
        disclose(
            actor=actor,
            recipient=Recipient.for_client(trajectory.sponsor),
            contents={trajectory.person_id: report.text},
            categories=report.categories,
            purpose=rules.purpose,
            legal_basis=str(rules.legal_basis),
            channel="email",
            reference=f"trajectory:{trajectory.pk}",
        )
        message = EmailMultiAlternatives(
            subject=report.subject,
            body=report.text,
            from_email=mail_sender(),
            to=[report.address],
            reply_to=[actor_email] if (actor_email := _email_of(actor)) else None,
        )
        message.attach_alternative(report.html, "text/html")
        # Recorded first, sent last: a mail server refusing the message rolls the row back.
        if not message.send():
            raise RuntimeError("the mail backend accepted no message")
    log.info("trajectory report %s sent to organisation %s", trajectory.pk, trajectory.sponsor_id)
    return report


def _email_of(actor: Actor) -> str:
    if actor.user_id is None:
        return ""
    user = apps.get_model("accounts", "User").objects.filter(pk=actor.user_id).first()
    return str(user.email) if user is not None and user.email else ""
