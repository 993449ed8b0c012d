"""Telling the person about their request (R6.3): every message in and out is logged.

Outgoing messages (receipt, request for proof of identity, extension, decision, restriction
lifted) are written in the person's language (nl, fr, en) from the templates under
``templates/rights/messages/<language>/<kind>.txt`` (first line: the subject), sent through
Django's mailer when an e-mail address is known, and logged as a ``RequestMessage`` with the
SHA-256 of what was sent. Without an e-mail address the message is logged on the channel the
agency will use instead (a letter to the postal address, or a call) for staff to carry out.

A message logged for a person who has been erased keeps only its checksum, channel and moment:
the same as erasure leaves of the messages before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.notices import notice_email
from candor.privacy.policy import LANGUAGES, mail_sender, policy
from candor.rights.models import (
    Direction,
    MessageKind,
    RequestChannel,
    Requester,
    RequestMessage,
    SubjectRequest,
)

SUBJECT_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Reply:
    """Where and how to answer: read before anything changes (an erasure empties the request's
    own copy of the address)."""

    name: str
    email: str
    postal: str
    phone: str
    language: str

    @property
    def channel(self) -> str:
        if self.email:
            return RequestChannel.EMAIL
        if self.postal:
            return RequestChannel.LETTER
        return RequestChannel.PHONE

    @property
    def address(self) -> str:
        return self.email or self.postal or self.phone


def language_of(request: SubjectRequest, person: Person | None = None) -> str:
    """The language we write to the person in: the request's, else the person's, else the
    agency's."""
    for code in (request.language, getattr(person, "preferred_language", "")):
        if code in LANGUAGES:
            return code
    default = settings.LANGUAGE_CODE[:2]
    return default if default in LANGUAGES else "en"


def reply_of(request: SubjectRequest) -> Reply:
    """The requester's own e-mail address first; for a person asking for themselves, else the
    address we hold for them."""
    person = request.person
    email = request.requester_email
    if not email and person is not None and request.requester == Requester.SELF:
        email = notice_email(person)
    name = request.requester_name
    if not name and person is not None and person.erased_at is None:
        name = f"{person.first_name} {person.last_name}".strip()
    return Reply(
        name=name,
        email=email,
        postal=request.requester_address,
        phone=request.requester_phone,
        language=language_of(request, person),
    )


def render(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of an outgoing message in ``language``."""
    rules = policy()
    full = {
        "controller": rules.controller,
        "dpo": rules.dpo,
        "authority": rules.authority,
        "authority_name": rules.authority.name.get(language),
        **context,
    }
    with translation.override(language):  # dates in the message's language
        text = render_to_string(f"rights/messages/{language}/{kind}.txt", full)
    subject, _sep, body = str.__str__(text).lstrip().partition("\n")
    return " ".join(subject.split())[:SUBJECT_LENGTH], body.strip() + "\n"


def _digest(subject: str, body: str) -> str:
    return hashlib.sha256(f"{subject}\0{body}".encode()).hexdigest()


def message_log(
    *,
    actor: Actor,
    request: SubjectRequest,
    direction: str,
    channel: str,
    subject: str = "",
    body: str = "",
    address: str = "",
    kind: str = MessageKind.NOTE,
    language: str = "",
    at: dt.datetime | None = None,
) -> RequestMessage:
    """Log one message in or out (R6.3); runs in the caller's transaction."""
    if direction not in Direction.values:
        raise ValidationError({"direction": _("Say whether the message came in or went out.")})
    if channel not in RequestChannel.values:
        raise ValidationError({"channel": _("Choose the channel: e-mail, portal, letter, phone.")})
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_LENGTH:
        raise ValidationError({"subject": _("Keep the subject under 200 characters.")})
    if not (subject or body.strip()):
        raise ValidationError({"body": _("Write what was said or sent.")})
    moment = at or clock.now()
    if moment > clock.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": _("A message cannot be logged in the future.")})
    digest = _digest(subject, body)
    erased = (
        request.person_id is not None
        and Person.objects.filter(pk=request.person_id, erased_at__isnull=False).exists()
    )
    if erased:  # what erasure would have left of it: the proof, not the content
        subject = body = address = ""
    return RequestMessage.objects.create(
        request=request,
        direction=direction,
        kind=kind,
        channel=channel,
        at=moment,
        address=address[:300],
        subject=subject,
        body=body,
        language=language,
        body_sha256=digest,
        by=actor.ref[:64],
    )


def _html(body: str, language: str) -> str:
    """The same letter as HTML (escaped, paragraphs kept), for mail readers that prefer it."""
    return (
        f'<!doctype html><html lang="{language}"><body style="font-family: sans-serif; '
        f'line-height: 1.5; max-width: 40em">{linebreaks(body, autoescape=True)}</body></html>'
    )


def tell(
    *,
    actor: Actor,
    request: SubjectRequest,
    kind: str,
    context: dict[str, Any],
    reply: Reply | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> RequestMessage:
    """Write to the person (``kind``: a ``MessageKind``), send it when we have an e-mail address,
    and log it. Runs in the caller's transaction: a mail server that refuses the message rolls
    the whole step back, so nothing is recorded as told that was not."""
    reply = reply or reply_of(request)
    subject, body = render(
        kind,
        reply.language,
        {"request": request, "name": reply.name, "reference": request.reference, **context},
    )
    if reply.channel == RequestChannel.EMAIL:
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            from_email=mail_sender(),
            to=[reply.email],
            reply_to=[policy().dpo.email],
        )
        message.attach_alternative(_html(body, reply.language), "text/html")
        for name, content, mimetype in attachments or ():
            message.attach(name, content, mimetype or None)
        if not message.send():
            raise RuntimeError("the mail backend accepted no message")
    if attachments:  # the log names each file and its checksum; the files are in the ledger
        body += "\n\n" + "\n".join(
            f"[{name}: {len(content)} bytes, sha256 {hashlib.sha256(content).hexdigest()}]"
            for name, content, _type in attachments
        )
    return message_log(
        actor=actor,
        request=request,
        direction=Direction.OUT,
        channel=reply.channel,
        subject=subject,
        body=body,
        address=reply.address,
        kind=kind,
        language=reply.language,
    )


def _obligation_words() -> dict[str, dict[str, str]]:
    from candor.relations.models import BOOKKEEPING
    from candor.rights.models import ACCOUNTABILITY

    return {
        ACCOUNTABILITY: {
            "nl": "het bewijs dat wij uw verzoek tijdig hebben beantwoord, en hoe (artikelen 5, "
            "lid 2 en 12 AVG): wat u vroeg, wanneer, en ons antwoord",
            "fr": "la preuve que nous avons répondu à votre demande dans les délais, et comment "
            "(articles 5, paragraphe 2, et 12 du RGPD) : ce que vous avez demandé, quand, et notre "
            "réponse",
            "en": "the proof that we answered your request in time, and how (GDPR Art. 5(2) and "
            "12): what you asked, when, and our answer",
        },
        BOOKKEEPING: {
            "nl": "boekhoudkundige gegevens, die de Belgische boekhoudwet ons 7 jaar laat bewaren",
            "fr": "des données comptables, que le droit comptable belge nous impose de conserver "
            "7 ans",
            "en": "accounting records, which Belgian bookkeeping law has us keep for 7 years",
        },
    }


def obligation_label(obligation: str, language: str) -> str:
    """A legal obligation named in the registry, in ``language`` when we have its words."""
    return _obligation_words().get(obligation, {}).get(language, obligation)


def basis_label(key: str, language: str) -> str:
    """A legal basis in words, in ``language`` (the notices' own terms)."""
    return " ".join(
        render_to_string(
            f"privacy/notices/{language}/terms.txt", {"kind": "basis", "key": key}
        ).split()
    )
