"""Reading subject requests: who a request may concern (matching), the DPO's queues (inbox, due
this week, overdue) and a request's timeline (R6.1–R6.3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import Coalesce

from candor.core import clock
from candor.core.normalise import normalise_email, normalise_name, normalise_phone
from candor.people.models import ContactKind, ContactPoint, Person
from candor.privacy.policy import policy
from candor.rights.models import OPEN_STATUSES, RequestEvent, RequestMessage, Status, SubjectRequest

QUEUES = ("inbox", "due_soon", "overdue", "open", "all")


def clean_email(value: str) -> str:
    """The normalised address, or "" when none was given (raises on a malformed one)."""
    return normalise_email(value) if value and value.strip() else ""


def clean_phone(value: str) -> str:
    """The E.164 number, or "" when none was given (raises on a malformed one)."""
    return normalise_phone(value) if value and value.strip() else ""


def match_people(
    *,
    email: str = "",
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    birth_date: dt.date | None = None,
) -> list[Person]:
    """The people (not erased) a request may concern: by normalised e-mail address, by E.164
    phone number, or by name and birth date together (a name alone matches no one). Several
    people may come back: the DPO chooses; nobody is ever merged here."""
    condition = Q(pk__in=[])
    if email:
        condition |= Q(
            pk__in=ContactPoint.objects.filter(
                kind=ContactKind.EMAIL, normalised=clean_email(email)
            ).values("person_id")
        )
    if phone:
        condition |= Q(
            pk__in=ContactPoint.objects.filter(
                kind__in=[ContactKind.PHONE, ContactKind.MOBILE], normalised=clean_phone(phone)
            ).values("person_id")
        )
    if first_name.strip() and last_name.strip() and birth_date is not None:
        # The birth date is encrypted per person (the database cannot compare it): the name
        # key narrows, the birth date is compared here.
        key = normalise_name(f"{first_name} {last_name}")
        named = Person.objects.filter(name_key=key, erased_at=None).values_list("pk", "birth_date")
        condition |= Q(pk__in=[pk for pk, born in named[:500] if born == birth_date])
    return list(Person.objects.filter(condition, erased_at=None).order_by("pk")[:20])


def request_matches(request: SubjectRequest) -> list[Person]:
    """The people that matched when the request was opened, for the DPO to choose from."""
    ids = [int(pk) for pk in (request.match_ids or [])]
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def request_by_reference(reference: str) -> SubjectRequest:
    """The request with this reference (or numeric id); raises ``SubjectRequest.DoesNotExist``."""
    reference = reference.strip()
    query = Q(reference__iexact=reference)
    if reference.isdigit():
        query |= Q(pk=int(reference))
    return SubjectRequest.objects.select_related("person").get(query)


def _with_deadline(qs: QuerySet[SubjectRequest]) -> Any:
    """The query set with ``deadline_on``: the extended date when extended, else the first
    (typed loosely: the stubs do not follow annotations)."""
    return qs.annotate(
        deadline_on=Coalesce("extended_to", "due_on", output_field=DateField())
    ).select_related("person")


def requests_open() -> QuerySet[SubjectRequest]:
    return _with_deadline(SubjectRequest.objects.filter(status__in=OPEN_STATUSES)).order_by(
        "deadline_on", "pk"
    )


def requests_inbox() -> QuerySet[SubjectRequest]:
    """New and unverified requests (received, or waiting for proof of identity), oldest first."""
    return _with_deadline(
        SubjectRequest.objects.filter(status__in=[Status.RECEIVED, Status.AWAITING_IDENTITY])
    ).order_by("received_at", "pk")


def requests_due_soon(today: dt.date) -> QuerySet[SubjectRequest]:
    """Open requests due from today to ``[requests] due_soon_days`` ahead (7: this week)."""
    until = today + dt.timedelta(days=policy().requests.due_soon_days - 1)
    return requests_open().filter(Q(deadline_on__gte=today, deadline_on__lte=until))


def requests_overdue(today: dt.date) -> QuerySet[SubjectRequest]:
    """Open requests whose deadline has passed."""
    return requests_open().filter(Q(deadline_on__lt=today))


def requests_all() -> QuerySet[SubjectRequest]:
    return _with_deadline(SubjectRequest.objects.all()).order_by("-received_at", "-pk")


def requests_queue(name: str, today: dt.date | None = None) -> QuerySet[SubjectRequest]:
    today = today or clock.today()
    if name == "inbox":
        return requests_inbox()
    if name == "due_soon":
        return requests_due_soon(today)
    if name == "overdue":
        return requests_overdue(today)
    if name == "open":
        return requests_open()
    if name == "all":
        return requests_all()
    raise ValidationError({"queue": f"unknown queue {name!r}; one of {', '.join(QUEUES)}"})


def request_counts(today: dt.date | None = None) -> dict[str, int]:
    """How many requests each queue holds, in one query (the privacy desk and the tabs)."""
    today = today or clock.today()
    until = today + dt.timedelta(days=policy().requests.due_soon_days - 1)
    figures = _with_deadline(SubjectRequest.objects.order_by()).aggregate(
        inbox=Count("pk", filter=Q(status__in=[Status.RECEIVED, Status.AWAITING_IDENTITY])),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        due_soon=Count(
            "pk",
            filter=Q(status__in=OPEN_STATUSES, deadline_on__gte=today, deadline_on__lte=until),
        ),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline_on__lt=today)),
        all=Count("pk"),
    )
    return {name: int(figures[name] or 0) for name in QUEUES}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # "event" | "message"
    event: RequestEvent | None = None
    message: RequestMessage | None = None


def request_timeline(request: SubjectRequest) -> list[TimelineEntry]:
    """Every step and every message of the request, in the order they happened."""
    entries = [TimelineEntry(e.at, "event", event=e) for e in request.events.order_by("at", "pk")]
    entries += [
        TimelineEntry(m.at, "message", message=m) for m in request.messages.order_by("at", "pk")
    ]
    return sorted(entries, key=lambda e: (e.at, 0 if e.kind == "event" else 1))


def request_export(request: SubjectRequest) -> dict[str, Any]:
    """The request with its timeline and messages, as plain data (``candor request export``,
    the API)."""
    return {
        "reference": request.reference,
        "kind": request.kind,
        "channel": request.channel,
        "status": request.status,
        "received_at": request.received_at.isoformat(),
        "person_id": request.person_id,
        "match": {"state": request.match_state, "ids": request.match_ids or []},
        "requester": {
            "relation": request.requester,
            "name": request.requester_name,
            "email": request.requester_email,
            "phone": request.requester_phone,
            "address": request.requester_address,
        },
        "concerns": {
            "first_name": request.subject_first_name,
            "last_name": request.subject_last_name,
            "birth_date": _iso(request.subject_birth_date),
            "email": request.subject_email,
            "phone": request.subject_phone,
        },
        "purpose": request.purpose,
        "restriction_ground": request.restriction_ground,
        "details": request.details,
        "language": request.language,
        "identity": {
            "method": request.identity_method,
            "note": request.identity_note,
            "verified_at": _iso(request.identity_verified_at),
            "verified_by": request.identity_verified_by_id,
        },
        "due_on": _iso(request.due_on),
        "paused_days": request.paused_days,
        "extension": {
            "extended_to": _iso(request.extended_to),
            "reason": request.extension_reason,
            "notified_at": _iso(request.extension_notified_at),
        },
        "deadline": _iso(request.deadline),
        "decision": {
            "outcome": request.outcome,
            "reasons": request.decision_reasons,
            "obligations_kept": request.obligations_kept,
            "decided_at": _iso(request.decided_at),
            "decided_by": request.decided_by_id,
        },
        "fee": {"flag": request.fee, "reason": request.fee_reason},
        "result": request.result,
        "closed_at": _iso(request.closed_at),
        "timeline": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "detail": e.detail,
            }
            for e in request.events.order_by("at", "pk")
        ],
        "messages": [
            {
                "at": m.at.isoformat(),
                "direction": m.direction,
                "kind": m.kind,
                "channel": m.channel,
                "address": m.address,
                "subject": m.subject,
                "body": m.body,
                "language": m.language,
                "sha256": m.body_sha256,
                "by": m.by,
            }
            for m in request.messages.order_by("at", "pk")
        ],
    }


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
