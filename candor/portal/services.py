"""Introductions on consent (R4.1): the only writers of ``Introduction``.

The rule every function here enforces: a client learns who a candidate is only after that
candidate said yes, for that client (and vacancy), through ``disclose`` (ledger row + audit
event), and never after a no, silence or a withdrawal. Bad input — a candidate the client was
never sent, a vacancy of another client, a tampered or expired link, an answer without evidence —
is refused with ``IntroductionRefused`` (a clear message), logged, and changes nothing.

Each function takes ``actor`` and writes its audit event in the same transaction; people are
named by their pseudonym.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.disclosure.models import Channel, Mailing
from candor.disclosure.selectors import NotSentToClient, received_profile
from candor.disclosure.services import Recipient, disclose
from candor.people.models import ContactKind, ContactPoint, Person
from candor.portal.models import OPEN_STATUSES, AskedVia, Introduction, IntroductionStatus
from candor.privacy.notices import notice_email, notice_language
from candor.privacy.policy import mail_sender, policy
from candor.recruitment.models import Vacancy

log = logging.getLogger(__name__)

TOKEN_SALT = "candor.portal.introduction-consent"  # noqa: S105 - a salt, not a secret
SHARING = "client_sharing"  # the policy feature whose purpose covers sharing with clients
REVEALED_CATEGORIES = ("identity", "contact")
ANSWERABLE = (IntroductionStatus.REQUESTED, IntroductionStatus.ASKED)


class IntroductionRefused(Exception):
    """Refused with a message for the person who asked; nothing was changed or disclosed."""


# -- the consent link -------------------------------------------------------------------------


def consent_token(introduction: Introduction) -> str:
    """A signed token bound to the introduction (and to when it was asked: asking again makes
    the earlier link invalid). Signed with the site's secret key under its own salt."""
    return signing.dumps(
        {
            "i": introduction.pk,
            "a": introduction.asked_at.isoformat() if introduction.asked_at else "",
        },
        salt=TOKEN_SALT,
    )


def introduction_from_token(introduction_id: int, token: str) -> Introduction:
    """The introduction a consent link is for; ``IntroductionRefused`` (logged) when the token
    is tampered with, belongs to another introduction, or to an earlier request. Expiry is
    checked by the caller against ``expires_at`` (the injected clock)."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        log.warning("consent link for introduction %s: bad signature", introduction_id)
        raise IntroductionRefused(
            _("This link is not valid: it may have been copied incompletely or changed.")
        ) from None
    introduction = (
        Introduction.objects.select_related("organisation", "vacancy", "person")
        .filter(pk=introduction_id)
        .first()
    )
    asked = introduction.asked_at.isoformat() if introduction and introduction.asked_at else ""
    if (
        introduction is None
        or not isinstance(payload, dict)
        or payload.get("i") != introduction_id
        or payload.get("a") != asked
    ):
        log.warning("consent link for introduction %s: token of another request", introduction_id)
        raise IntroductionRefused(
            _("This link is not valid: it may have been copied incompletely or changed.")
        )
    return introduction


def consent_url(introduction: Introduction, base_url: str) -> str:
    from django.urls import reverse

    path = reverse(
        "portal:consent",
        kwargs={"introduction_id": introduction.pk, "token": consent_token(introduction)},
    )
    return base_url.rstrip("/") + path


# -- requests by the client ---------------------------------------------------------------------


def _audit(actor: Actor, introduction: Introduction, action: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="portal.introduction",
        object_id=introduction.pk,
        subject=str(introduction.person.pseudonym),
        detail={"organisation": introduction.organisation_id, "status": introduction.status}
        | detail,
    )


def _vacancy_of_mailing(reference: str, organisation_id: int) -> int | None:
    if not reference.startswith("mailing:"):
        return None
    mailing_id = reference.removeprefix("mailing:")
    if not mailing_id.isdigit():
        return None
    vacancy_id = (
        Mailing.objects.filter(pk=int(mailing_id)).values_list("vacancy", flat=True).first()
    )
    if vacancy_id and Vacancy.objects.filter(pk=vacancy_id, client_id=organisation_id).exists():
        return int(vacancy_id)
    return None


def introduction_request(
    *,
    actor: Actor,
    organisation_id: int,
    code: str,
    user_id: int | None,
    vacancy_id: int | None = None,
) -> Introduction:
    """A client asks to meet the candidate behind a profile it received (R4.1).

    Only for a profile the ledger shows was sent to this client; otherwise refused and logged.
    The vacancy, when given, must be the client's own; when not given, the vacancy of the mailing
    that carried the profile. A second request while one is open returns the open one.
    """
    try:
        received = received_profile(organisation_id, code)
    except NotSentToClient:
        log.warning("client %s asked to meet %s, which it was not sent", organisation_id, code)
        raise IntroductionRefused(
            _("Candidate %(code)s was not sent to your organisation.")
            % {"code": code.strip().upper()}
        ) from None
    if vacancy_id is not None:
        if not Vacancy.objects.filter(pk=vacancy_id, client_id=organisation_id).exists():
            log.warning("client %s named vacancy %s, not its own", organisation_id, vacancy_id)
            raise IntroductionRefused(_("This vacancy is not one of your organisation's."))
    else:
        vacancy_id = _vacancy_of_mailing(received.reference, organisation_id)
    with transaction.atomic():
        existing = (
            Introduction.objects.select_for_update()
            .filter(
                Q(vacancy__isnull=True) if vacancy_id is None else Q(vacancy_id=vacancy_id),
                organisation_id=organisation_id,
                person_id=received.person_id,
                status__in=OPEN_STATUSES,
                revoked_at__isnull=True,
            )
            .first()
        )
        if existing is not None:
            return existing
        introduction = Introduction.objects.create(
            organisation_id=organisation_id,
            vacancy_id=vacancy_id,
            person_id=received.person_id,
            code=received.code,
            requested_by_id=user_id,
            requested_at=clock.now(),
        )
        introduction.person = Person.objects.only("pseudonym").get(pk=received.person_id)
        _audit(actor, introduction, "introduction.request", vacancy=vacancy_id)
    return introduction


# -- asking the candidate -----------------------------------------------------------------------


def _locked(introduction: Introduction) -> Introduction:
    return (
        Introduction.objects.select_for_update(of=("self",))
        .select_related("organisation", "vacancy", "person")
        .get(pk=introduction.pk)
    )


def introduction_ask(
    *, actor: Actor, introduction: Introduction, base_url: str, mailer: Any = None
) -> Introduction:
    """Ask the candidate by e-mail, in their language, with a signed link that works for the
    policy's ``introductions.link_days`` (R4.1). Asking again sends a new link and voids the old
    one. Refused when the candidate has no e-mail address (record a phone or paper answer) or
    when the request is no longer waiting for an answer. The mail is sent inside the
    transaction: a mail server refusing it leaves the introduction as it was."""
    with transaction.atomic():
        introduction = _locked(introduction)
        if introduction.status not in ANSWERABLE:
            raise IntroductionRefused(
                _("This introduction is no longer waiting for the candidate's answer.")
            )
        address = notice_email(introduction.person)
        if not address:
            raise IntroductionRefused(
                _("The candidate has no e-mail address: record their answer by phone or on paper.")
            )
        now = clock.now()
        introduction.status = IntroductionStatus.ASKED
        introduction.asked_via = AskedVia.EMAIL
        introduction.asked_at = now
        introduction.asked_by_id = actor.user_id
        introduction.expires_at = now + dt.timedelta(days=policy().introductions.link_days)
        introduction.save(
            update_fields=["status", "asked_via", "asked_at", "asked_by", "expires_at"]
        )
        language = notice_language(introduction.person)
        context = {
            "person": introduction.person,
            "client": introduction.organisation.name,
            "vacancy": introduction.vacancy.title if introduction.vacancy else "",
            "link": consent_url(introduction, base_url),
            "expires_at": introduction.expires_at,
            "controller": policy().controller,
        }
        with translation.override(language):
            subject = _("%(client)s would like to meet you") % {"client": context["client"]}
            text = render_to_string("portal/email/consent_request.txt", context)
            html = render_to_string("portal/email/consent_request.html", context)
        message = EmailMultiAlternatives(
            subject=subject, body=text, from_email=mail_sender(), to=[address]
        )
        message.attach_alternative(html, "text/html")
        if not (mailer or mailers.default).send_messages([message]):
            raise RuntimeError("the mail backend accepted no message")
        _audit(actor, introduction, "introduction.ask", via=AskedVia.EMAIL, language=language)
    return introduction


# -- the answer ---------------------------------------------------------------------------------


def _expire_if_due(introduction: Introduction, actor: Actor) -> bool:
    if (
        introduction.status == IntroductionStatus.ASKED
        and introduction.expires_at is not None
        and clock.now() >= introduction.expires_at
    ):
        introduction.status = IntroductionStatus.EXPIRED
        introduction.save(update_fields=["status"])
        _audit(actor, introduction, "introduction.expire")
        return True
    return False


def identity_card(person: Person) -> str:
    """What a client receives about a candidate who agreed: name, e-mail address, phone."""
    points = ContactPoint.objects.filter(person=person).order_by("-is_primary", "pk")
    email = next((p.value for p in points if p.kind == ContactKind.EMAIL), "")
    phone = next((p.value for p in points if p.kind in {ContactKind.PHONE, ContactKind.MOBILE}), "")
    lines = [f"{_('Name')}: {person.first_name} {person.last_name}".strip()]
    if email:
        lines.append(f"{_('E-mail')}: {email}")
    if phone:
        lines.append(f"{_('Phone')}: {phone}")
    return "\n".join(lines)


def _reveal(actor: Actor, introduction: Introduction) -> None:
    """Disclose the identity to the client through the ledger (only on a yes, never when
    withdrawn). When the gate refuses (the candidate restricted their data meanwhile), the
    introduction stays accepted and nothing is disclosed; the consultant sees why."""
    if introduction.status != IntroductionStatus.ACCEPTED or introduction.revoked_at is not None:
        return
    organisation = introduction.organisation
    with translation.override(notice_language(introduction.person)):
        card = identity_card(introduction.person)
    from candor.disclosure.services import DisclosureRefused

    try:
        with transaction.atomic():
            (row,) = disclose(
                actor=actor,
                recipient=Recipient.for_client(organisation),
                contents={introduction.person_id: card},
                categories=list(REVEALED_CATEGORIES),
                purpose=policy().purpose_for(SHARING).key,
                channel=Channel.PORTAL,
                reference=f"introduction:{introduction.pk}",
            )
    except DisclosureRefused as refused:
        log.warning("introduction %s: reveal refused by the gate", introduction.pk)
        _audit(
            actor,
            introduction,
            "introduction.reveal_refused",
            reasons=list(map(str, refused.refused.get(introduction.person_id, ()))),
        )
        return
    introduction.status = IntroductionStatus.REVEALED
    introduction.revealed_at = clock.now()
    introduction.disclosure = row
    introduction.save(update_fields=["status", "revealed_at", "disclosure"])
    _audit(actor, introduction, "introduction.reveal", disclosure=row.pk)


def _answer(actor: Actor, introduction: Introduction, *, accepted: bool) -> None:
    introduction.status = IntroductionStatus.ACCEPTED if accepted else IntroductionStatus.DECLINED
    introduction.answered_at = clock.now()
    introduction.save(
        update_fields=[
            "status",
            "answered_at",
            "asked_via",
            "evidence",
            "recorded_by",
            "asked_by",
            "asked_at",
        ]
    )
    _audit(
        actor, introduction, "introduction.answer", accepted=accepted, via=introduction.asked_via
    )
    if accepted:
        _reveal(actor, introduction)


def link_actor(introduction: Introduction) -> Actor:
    """The candidate acting through their link: named by the introduction, never by name."""
    return Actor(ref=f"link:introduction:{introduction.pk}", role="candidate")


def introduction_answer_by_link(
    *, introduction_id: int, token: str, accepted: bool
) -> Introduction:
    """The candidate's yes or no through the link (R4.1). A yes reveals the identity at once;
    a no discloses nothing. A tampered link, a link of another request, an expired link (the
    introduction is marked expired) or a request no longer waiting is refused."""
    introduction = introduction_from_token(introduction_id, token)
    actor = link_actor(introduction)
    with transaction.atomic():
        introduction = _locked(introduction)
        if _expire_if_due(introduction, actor):
            expired = True
        else:
            expired = introduction.status == IntroductionStatus.EXPIRED
            if not expired:
                if introduction.status != IntroductionStatus.ASKED:
                    raise IntroductionRefused(_("You have already answered this request."))
                _answer(actor, introduction, accepted=accepted)
    if expired:
        log.warning("consent link for introduction %s used after expiry", introduction.pk)
        raise IntroductionRefused(
            _("This link has expired. Nothing about you was passed on to the client.")
        )
    return introduction


def introduction_expire_by_link(*, introduction_id: int, token: str) -> Introduction:
    """Opening a valid link after its expiry marks the request expired (silence is a no)."""
    introduction = introduction_from_token(introduction_id, token)
    with transaction.atomic():
        introduction = _locked(introduction)
        _expire_if_due(introduction, link_actor(introduction))
    return introduction


def introduction_record_answer(
    *, actor: Actor, introduction: Introduction, accepted: bool, via: str, evidence: str
) -> Introduction:
    """A consultant records the candidate's answer given by phone or on paper, with its
    evidence (who said what, when; the paper's reference). A yes reveals the identity."""
    evidence = evidence.strip()
    if via not in {AskedVia.PHONE, AskedVia.PAPER}:
        raise IntroductionRefused(_("Record an answer given by phone or on paper."))
    if not evidence:
        raise IntroductionRefused(
            _("Say how the candidate answered (when, to whom, the paper's reference).")
        )
    with transaction.atomic():
        introduction = _locked(introduction)
        if introduction.status not in (*ANSWERABLE, IntroductionStatus.EXPIRED):
            raise IntroductionRefused(_("This introduction has already been answered."))
        introduction.asked_via = via
        introduction.evidence = evidence
        introduction.recorded_by_id = actor.user_id
        introduction.asked_by_id = introduction.asked_by_id or actor.user_id
        introduction.asked_at = introduction.asked_at or clock.now()
        _answer(actor, introduction, accepted=accepted)
    return introduction


def introduction_revoke(
    *, actor: Actor, introduction: Introduction, token: str = ""
) -> Introduction:
    """Withdraw an introduction (the candidate through their link — pass ``token`` — or a
    consultant). Before the reveal nothing is disclosed; after it the client no longer sees the
    candidate in the portal (the ledger keeps that it was disclosed)."""
    if token:
        introduction = introduction_from_token(introduction.pk, token)
    with transaction.atomic():
        introduction = _locked(introduction)
        if introduction.revoked_at is not None or introduction.status in {
            IntroductionStatus.DECLINED,
            IntroductionStatus.EXPIRED,
        }:
            return introduction
        was = introduction.status
        introduction.status = IntroductionStatus.REVOKED
        introduction.revoked_at = clock.now()
        introduction.save(update_fields=["status", "revoked_at"])
        _audit(actor, introduction, "introduction.revoke", was=was, by_link=bool(token))
    return introduction


def introduction_viewed(*, actor: Actor, introduction: Introduction) -> None:
    """A consultant opened an introduction: it names the candidate (DESIGN invariant 4)."""
    with transaction.atomic():
        _audit(actor, introduction, "view", where="introduction")


def introductions_expire(*, now: dt.datetime | None = None) -> int:
    """Mark asked introductions whose link has expired (silence counts as no). Safe to re-run."""
    now = now or clock.now()
    actor = Actor.system("introductions")
    count = 0
    for introduction in Introduction.objects.filter(
        status=IntroductionStatus.ASKED, expires_at__lte=now
    ).select_related("person"):
        with transaction.atomic():
            if _expire_if_due(_locked(introduction), actor):
                count += 1
    return count


def daily_job(*, today: dt.date) -> dict[str, int]:
    """``candor worker``: expire unanswered introductions. Interrupted, the next run goes on."""
    return {"expired": introductions_expire()}
