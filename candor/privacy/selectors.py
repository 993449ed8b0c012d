"""Reading people for a feature, through the purpose gate (DESIGN invariant 2).

Every feature that picks people — search, matching, mailings, client sharing, profiling — starts
from ``audience(feature)`` (or ``candor.privacy.gate.scope`` on its own query set), never from a
bare ``Person`` query set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from candor.people.models import ContactKind, ContactPoint, Person
from candor.privacy.gate import scope


def audience(feature: str) -> QuerySet[Person]:
    """Everyone the gate allows for ``feature``, as a query set to narrow further."""
    return scope(Person.objects.all(), feature=feature)


def mailing_recipients(feature: str) -> QuerySet[Person]:
    """People a mailing for ``feature`` may go to, each with ``email``: their primary (else
    first) e-mail address; people without one are left out."""
    email = (
        ContactPoint.objects.filter(person=OuterRef("pk"), kind=ContactKind.EMAIL)
        .order_by("-is_primary", "pk")
        .values("value")[:1]
    )
    return audience(feature).annotate(email=Subquery(email)).exclude(email=None)


def desk_counts(today: dt.date) -> dict[str, Any]:
    """What waits on the DPO's privacy desk, counted (the dashboard's privacy panel)."""
    from candor.privacy.consents import consents_expiring
    from candor.privacy.models import Objection, ObjectionStatus, Restriction
    from candor.privacy.policy import policy

    overridable = [p.key for p in policy().purposes.values() if not p.direct_marketing]
    counts: dict[str, Any] = {
        "consents_expiring": consents_expiring(today).count(),
        "objections": Objection.objects.filter(
            status=ObjectionStatus.ACTIVE, purpose__in=overridable
        ).count(),
        "restrictions": Restriction.objects.filter(lifted_at=None).count(),
    }
    return counts
