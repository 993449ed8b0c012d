"""Demo privacy state: consents (some close to their end), objections, restrictions, career
ends, and everyone's retention date — written through the real services, so the gate, the
dossier's privacy page and the DPO's desk have something to show."""

from __future__ import annotations

import datetime as dt
import random

from candor.core import clock
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.retention import retention_refresh
from candor.privacy.services import (
    career_end_record,
    consent_give,
    objection_override,
    objection_record,
    restriction_lift,
    restriction_start,
)


def demo_privacy(
    *, rng: random.Random, consultant: Actor, dpo: Actor, person_ids: list[int]
) -> dict[str, int]:
    people = Person.objects.in_bulk(person_ids)
    chosen = rng.sample(person_ids, min(len(person_ids), 220))
    now = clock.now()
    counts = {"consents": 0, "objections": 0, "restrictions": 0, "career_ends": 0}
    for n, pid in enumerate(chosen[:150]):
        person = people[pid]
        # a few consents given almost two years ago: their renewal is due on the DPO's desk
        given = now - dt.timedelta(
            days=rng.randint(700, 715) if n % 15 == 0 else rng.randint(1, 500)
        )
        consent_give(
            actor=consultant,
            person=person,
            purpose="job_alerts",
            via=rng.choice(["portal", "email"]),
            given_at=given,
        )
        counts["consents"] += 1
        if n % 3 == 0:
            consent_give(
                actor=consultant,
                person=person,
                purpose="talent_pool",
                via="phone",
                evidence="Telefonisch bevestigd na het eindgesprek.",
                given_at=given,
            )
            counts["consents"] += 1
    for pid in chosen[150:162]:
        objection_record(
            actor=consultant, person=people[pid], purpose="marketing", via="email", reason=""
        )
        counts["objections"] += 1
    for n, pid in enumerate(chosen[162:166]):
        objection = objection_record(
            actor=consultant,
            person=people[pid],
            purpose="mediation",
            via="letter",
            reason="Ik wil niet meer voor vacatures benaderd worden.",
        )
        counts["objections"] += 1
        if n == 0:
            objection_override(
                actor=dpo,
                objection=objection,
                grounds="Het dossier is nodig als bewijs in het lopende geschil over het "
                "plaatsingshonorarium met de klant.",
            )
    for n, pid in enumerate(chosen[166:170]):
        restriction = restriction_start(
            actor=dpo,
            person=people[pid],
            ground=["accuracy", "objection", "unlawful", "accuracy"][n],
            via="email",
            note="",
        )
        counts["restrictions"] += 1
        if n == 3:
            restriction_lift(
                actor=dpo, restriction=restriction, reason="Geboortedatum nagekeken en juist."
            )
    today = clock.today()
    for n, pid in enumerate(chosen[170:180]):
        # careers that ended: half of them reach their retention date within the month
        ended = today + dt.timedelta(days=rng.randint(3, 28)) if n % 2 else today.replace(day=1)
        career_end_record(actor=consultant, person=people[pid], ended_on=ended)
        counts["career_ends"] += 1
    retention_refresh(Person.objects.values_list("pk", flat=True))
    # A first privacy statement, and a few notices whose month ran out (collected earlier):
    # the DPO's desk shows what overdue looks like.
    from candor.privacy.models import NoticeDuty, NoticeStatus
    from candor.privacy.statement import demo_statement

    demo_statement()
    late = list(
        NoticeDuty.objects.filter(status=NoticeStatus.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)[:6]
    )
    NoticeDuty.objects.filter(pk__in=late).update(
        opened_at=now - dt.timedelta(days=40), due_on=today - dt.timedelta(days=10)
    )
    return counts
