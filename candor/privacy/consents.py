"""Consents that run out (R3.3): who is due for renewal, and asking them ahead of time.

A consent the policy limits in time (``[purposes.X.consent] valid_months``) expires on its own;
``renew_days_before`` days earlier the person is asked by e-mail whether they want to renew. The
gate refuses the purpose from the day after expiry whatever happens to the question.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.privacy.mailer import send_templated
from candor.privacy.models import Consent
from candor.privacy.notices import notice_email
from candor.privacy.policy import policy


def consents_expiring(today: dt.date) -> QuerySet[Consent]:
    """Live consents inside their purpose's renewal window (expiring in the next
    ``renew_days_before`` days), soonest first."""
    window = Q(pk__in=[])
    for purpose in policy().purposes.values():
        if purpose.consent is None or purpose.consent.valid_months is None:
            continue
        until = today + dt.timedelta(days=purpose.consent.renew_days_before)
        window |= Q(purpose=purpose.key, expires_on__lte=until)
    return (
        Consent.objects.filter(window, withdrawn_at=None, expires_on__gte=today)
        .select_related("person")
        .order_by("expires_on", "pk")
    )


def consent_renewal_ask(*, actor: Actor, consent: Consent) -> bool:
    """E-mail the person that their consent runs out and how to renew it; record when it was
    asked. Returns False when there is no e-mail address (the DPO desk lists those)."""
    address = notice_email(consent.person)
    if not address:
        return False
    purpose = policy().purpose(consent.purpose)
    language = consent.language or "nl"
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(renewal_asked_at=clock.now())
        audit_record(
            actor=actor,
            action="consent.renewal_ask",
            object_type="privacy.consent",
            object_id=consent.pk,
            subject=str(consent.person.pseudonym),
            detail={"purpose": consent.purpose},
        )
        # inside: if sending fails, the question is not marked as asked
        send_templated(
            template="privacy/email/consent_renewal",
            language=language,
            to=address,
            context={
                "person": consent.person,
                "purpose": purpose.label.get(language),
                "expires_on": consent.expires_on,
                "text": consent.text_shown,
            },
        )
    return True


def daily_job(*, today: dt.date) -> dict[str, Any]:
    """Ask every person whose consent enters its renewal window and was not asked yet. Safe to
    re-run: a consent is asked once (``renewal_asked_at``)."""
    actor = Actor.system("consent-renewals")
    asked = no_address = 0
    for consent in consents_expiring(today).filter(renewal_asked_at=None).iterator():
        if consent_renewal_ask(actor=actor, consent=consent):
            asked += 1
        else:
            no_address += 1
    return {"asked": asked, "no_address": no_address}
