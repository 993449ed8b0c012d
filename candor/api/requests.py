"""REST endpoints for subject requests under /api/v1/requests (R6.1–R6.3): for a mailbox or
ticket system to open requests and log messages, and for the DPO's tools to verify, extend and
decide. Thin: parse, call ``candor.rights.requests``, shape the answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from candor.api.auth import TokenAuth, actor_of
from candor.api.schemas import Problem
from candor.people.models import Person
from candor.rights.models import SubjectRequest
from candor.rights.requests import (
    Concerns,
    DuplicateRequest,
    IllegalTransition,
    request_choose_person,
    request_decide,
    request_extend,
    request_message,
    request_open,
    request_verify,
    request_viewed,
)
from candor.rights.selectors import (
    QUEUES,
    request_by_reference,
    request_export,
    requests_queue,
)

router = Router(tags=["requests"])
MANAGE = TokenAuth("requests.manage")
ERRORS = {404: Problem, 409: Problem, 422: Problem}


class RequestIn(Schema):
    kind: str
    channel: str
    received_at: dt.datetime | None = None
    requester: str = "self"
    requester_name: str = ""
    requester_email: str = ""
    requester_phone: str = ""
    requester_address: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: dt.date | None = None
    email: str = ""
    phone: str = ""
    purpose: str = ""
    restriction_ground: str = ""
    details: str = ""
    language: str = ""
    acknowledge: bool = True


class VerifyIn(Schema):
    method: str
    note: str = ""


class ExtendIn(Schema):
    months: int
    reason: str


class DecideIn(Schema):
    outcome: str
    reasons: str = ""
    purpose: str = ""
    restriction_ground: str = ""
    grounds: str = ""
    obligations: str = ""
    changes: dict[str, str] = {}  # rectification: field path → new value


class PersonIn(Schema):
    person_id: int


class MessageIn(Schema):
    direction: str
    channel: str
    subject: str = ""
    body: str = ""
    address: str = ""
    at: dt.datetime | None = None


class RequestSummary(Schema):
    reference: str
    kind: str
    channel: str
    status: str
    received_at: dt.datetime
    due_on: dt.date
    deadline: dt.date
    person_id: int | None
    match_state: str
    outcome: str


class ListQuery(Schema):
    queue: str = "open"
    limit: int = 50
    offset: int = 0


def _summary(request: SubjectRequest) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "kind": request.kind,
        "channel": request.channel,
        "status": request.status,
        "received_at": request.received_at,
        "due_on": request.due_on,
        "deadline": request.deadline,
        "person_id": request.person_id,
        "match_state": request.match_state,
        "outcome": request.outcome,
    }


def _get(reference: str) -> SubjectRequest | None:
    try:
        return request_by_reference(reference)
    except SubjectRequest.DoesNotExist:
        return None


def _not_found(reference: str) -> Status:
    return Status(404, {"detail": f"there is no request {reference}"})


def _conflict(exc: ValidationError) -> Status:
    """An action the request's state does not allow, or a duplicate: 409 with the reason."""
    body: dict[str, Any] = {"detail": " ".join(exc.messages)}
    if isinstance(exc, DuplicateRequest):
        body["errors"] = {"open_request": [exc.reference]}
    return Status(409, body)


@router.get("/requests", auth=MANAGE, response={200: list[RequestSummary], 422: Problem})
def list_requests(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """A queue of requests: ``inbox`` (new and unverified), ``due_soon`` (this week),
    ``overdue``, ``open`` (soonest deadline first) or ``all`` (newest first)."""
    if query.queue not in QUEUES:
        raise ValidationError(
            {"queue": f"unknown queue {query.queue!r}; one of {', '.join(QUEUES)}"}
        )
    limit = max(1, min(query.limit, 200))
    offset = max(0, query.offset)
    return [_summary(r) for r in requests_queue(query.queue)[offset : offset + limit]]


@router.post(
    "/requests",
    auth=TokenAuth("requests.open"),
    response={201: dict[str, Any], **ERRORS},
)
def open_request(request: HttpRequest, payload: RequestIn) -> Any:
    """Record a request as received. The person is looked up by e-mail, phone, or name and
    birth date: ``match.state`` says whether no one, one or several people match (the DPO
    chooses; nobody is merged). An open request of the same kind about the same person: 409
    naming it."""
    data = payload.dict()
    concerns = Concerns(
        first_name=data.pop("first_name"),
        last_name=data.pop("last_name"),
        birth_date=data.pop("birth_date"),
        email=data.pop("email"),
        phone=data.pop("phone"),
    )
    try:
        opened = request_open(actor=actor_of(request), concerns=concerns, **data)
    except DuplicateRequest as exc:
        return _conflict(exc)
    return Status(201, _detail(opened))


def _detail(subject_request: SubjectRequest) -> dict[str, Any]:
    data = request_export(subject_request)
    notes = {
        "none": "no person we hold matches: the DPO checks, or answers that we hold no data",
        "many": "several people match: the DPO chooses which one; nobody is merged",
    }
    data["match"]["detail"] = notes.get(subject_request.match_state, "")
    return data


@router.get("/requests/{reference}", auth=MANAGE, response={200: dict[str, Any], 404: Problem})
def get_request(request: HttpRequest, reference: str) -> Any:
    """The request with its timeline and messages. The read is audited."""
    found = _get(reference)
    if found is None:
        return _not_found(reference)
    request_viewed(actor=actor_of(request), request=found, where="api")
    return _detail(found)


def _act(reference: str, action: Any) -> Any:
    found = _get(reference)
    if found is None:
        return _not_found(reference)
    try:
        done = action(found)
    except (IllegalTransition, DuplicateRequest) as exc:
        return _conflict(exc)
    return _detail(request_by_reference(done.reference))


@router.post("/requests/{reference}/verify", auth=MANAGE, response={200: dict[str, Any], **ERRORS})
def verify_request(request: HttpRequest, reference: str, payload: VerifyIn) -> Any:
    """Record how the identity was verified; the clock resumes."""
    actor = actor_of(request)
    return _act(
        reference,
        lambda r: request_verify(actor=actor, request=r, method=payload.method, note=payload.note),
    )


@router.post("/requests/{reference}/person", auth=MANAGE, response={200: dict[str, Any], **ERRORS})
def choose_person(request: HttpRequest, reference: str, payload: PersonIn) -> Any:
    """Say whom the request concerns (one of several matches, or someone found otherwise)."""
    actor = actor_of(request)
    person = Person.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": f"there is no person {payload.person_id}"})
    return _act(reference, lambda r: request_choose_person(actor=actor, request=r, person=person))


@router.post("/requests/{reference}/extend", auth=MANAGE, response={200: dict[str, Any], **ERRORS})
def extend_request(request: HttpRequest, reference: str, payload: ExtendIn) -> Any:
    """Extend by 1 or 2 months with a reason, told to the person now; refused after the first
    month."""
    actor = actor_of(request)
    return _act(
        reference,
        lambda r: request_extend(
            actor=actor, request=r, months=payload.months, reason=payload.reason
        ),
    )


@router.post("/requests/{reference}/decide", auth=MANAGE, response={200: dict[str, Any], **ERRORS})
def decide_request(request: HttpRequest, reference: str, payload: DecideIn) -> Any:
    """Decide: ``fulfilled`` (carried out now), ``partly``, ``refused`` (with reasons) or
    ``no_data``. The person is told, with the complaint route to the authority."""
    actor = actor_of(request)
    return _act(reference, lambda r: request_decide(actor=actor, request=r, **payload.dict()))


@router.post(
    "/requests/{reference}/messages", auth=MANAGE, response={201: dict[str, Any], **ERRORS}
)
def log_message(request: HttpRequest, reference: str, payload: MessageIn) -> Any:
    """Log a message in or out that did not go through Candor (the mailbox, a call)."""
    actor = actor_of(request)
    found = _get(reference)
    if found is None:
        return _not_found(reference)
    message = request_message(actor=actor, request=found, **payload.dict())
    return Status(
        201,
        {"at": message.at, "direction": message.direction, "sha256": message.body_sha256},
    )
