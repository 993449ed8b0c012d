"""``candor request open|verify|person|extend|decide|list|show|export``: subject requests from the
command line (R6.1–R6.3), with the same services and checks as the DPO's pages and the API."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date, parse_datetime

from candor.accounts.selectors import actor_for_username
from candor.core import clock
from candor.people.models import Person
from candor.rights.models import (
    Fee,
    IdentityMethod,
    Kind,
    Outcome,
    RequestChannel,
    Requester,
    SubjectRequest,
)
from candor.rights.requests import (
    Concerns,
    request_choose_person,
    request_decide,
    request_extend,
    request_fee,
    request_open,
    request_verify,
)
from candor.rights.selectors import QUEUES, request_by_reference, request_export, requests_queue


def _date(value: str) -> dt.date:
    parsed = parse_date(value)
    if parsed is None:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}")
    return parsed


def _moment(value: str) -> dt.datetime:
    parsed = parse_datetime(value) if "T" in value or " " in value else None
    if parsed is None:
        day = _date(value)
        parsed = dt.datetime.combine(day, dt.time(12, 0))
    if parsed.tzinfo is None:
        from django.utils import timezone

        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Requests from people exercising their rights (GDPR Art. 12-22)."

    def add_arguments(self, parser: CommandParser) -> None:  # noqa: PLR0915 - one parser per action, read top to bottom
        sub = parser.add_subparsers(dest="action", required=True)

        opening = sub.add_parser("open", help="record a request as received")
        opening.add_argument("--kind", required=True, choices=Kind.values)
        opening.add_argument("--channel", required=True, choices=RequestChannel.values)
        opening.add_argument("--received", default="", help="when (YYYY-MM-DD[THH:MM]); now")
        opening.add_argument("--requester", default="self", choices=Requester.values)
        opening.add_argument("--name", default="", help="the requester's name")
        opening.add_argument("--email", default="", help="the requester's e-mail address")
        opening.add_argument("--phone", default="", help="the requester's phone number")
        opening.add_argument("--address", default="", help="the requester's postal address")
        opening.add_argument("--first-name", default="", help="of the person it concerns")
        opening.add_argument("--last-name", default="", help="of the person it concerns")
        opening.add_argument("--birth-date", default="", help="of the person it concerns")
        opening.add_argument("--subject-email", default="", help="of the person it concerns")
        opening.add_argument("--subject-phone", default="", help="of the person it concerns")
        opening.add_argument("--purpose", default="", help="objection or withdrawal: which")
        opening.add_argument("--ground", default="", help="restriction: the ground")
        opening.add_argument("--details", default="", help="the request in their words")
        opening.add_argument("--language", default="", choices=["", "nl", "fr", "en"])
        opening.add_argument(
            "--no-acknowledge", action="store_true", help="do not send the receipt"
        )

        verify = sub.add_parser("verify", help="record how the identity was verified")
        verify.add_argument("reference")
        verify.add_argument("--method", required=True, choices=IdentityMethod.values)
        verify.add_argument("--note", default="")

        person = sub.add_parser("person", help="say whom the request concerns")
        person.add_argument("reference")
        person.add_argument("--person", type=int, required=True, help="the person's id")

        extend = sub.add_parser("extend", help="extend by 1 or 2 months, telling the person")
        extend.add_argument("reference")
        extend.add_argument("--months", type=int, required=True)
        extend.add_argument("--reason", required=True)

        decide = sub.add_parser("decide", help="decide, carry it out and tell the person")
        decide.add_argument("reference")
        decide.add_argument("--outcome", required=True, choices=Outcome.values)
        decide.add_argument("--reasons", default="")
        decide.add_argument("--purpose", default="")
        decide.add_argument("--ground", default="", help="restriction: the ground")
        decide.add_argument("--grounds", default="", help="objection: compelling grounds")
        decide.add_argument("--obligations", default="", help="what is kept, and why")
        decide.add_argument("--fee", default=None, choices=Fee.values, help="flag a fee first")
        decide.add_argument("--fee-reason", default="")
        decide.add_argument(
            "--change",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="rectification: a correction (repeat for several), e.g. last_name=Peeters",
        )

        listing = sub.add_parser("list", help="a queue of requests")
        listing.add_argument("--queue", default="open", choices=QUEUES)
        listing.add_argument("--limit", type=int, default=50)

        show = sub.add_parser("show", help="one request and its timeline")
        show.add_argument("reference")

        export = sub.add_parser("export", help="the request and its timeline as JSON")
        export.add_argument("reference")
        export.add_argument("--output", default="", help="write to this file (default: print)")

        for each in (opening, verify, person, extend, decide, listing, show, export):
            each.add_argument("--actor", default="", help="username of the staff member acting")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        actor = actor_for_username(options["actor"], task="requests")
        try:
            getattr(self, f"_{action}")(actor, options)
        except ValidationError as exc:
            raise CommandError(_problem(exc)) from None

    def _request(self, options: dict[str, Any]) -> SubjectRequest:
        try:
            return request_by_reference(options["reference"])
        except SubjectRequest.DoesNotExist:
            raise CommandError(f"there is no request {options['reference']}") from None

    def _open(self, actor: Any, options: dict[str, Any]) -> None:
        request = request_open(
            actor=actor,
            kind=options["kind"],
            channel=options["channel"],
            received_at=_moment(options["received"]) if options["received"] else None,
            requester=options["requester"],
            requester_name=options["name"],
            requester_email=options["email"],
            requester_phone=options["phone"],
            requester_address=options["address"],
            concerns=Concerns(
                first_name=options["first_name"],
                last_name=options["last_name"],
                birth_date=_date(options["birth_date"]) if options["birth_date"] else None,
                email=options["subject_email"],
                phone=options["subject_phone"],
            ),
            purpose=options["purpose"],
            restriction_ground=options["ground"],
            details=options["details"],
            language=options["language"],
            acknowledge=not options["no_acknowledge"],
        )
        self.stdout.write(
            f"{request.reference} received {clock.localdate(request.received_at)}, "
            f"due {request.due_on}; {request.get_match_state_display()}"
        )
        if request.match_ids and request.person_id is None:
            self.stdout.write(f"matching people: {', '.join(map(str, request.match_ids))}")

    def _verify(self, actor: Any, options: dict[str, Any]) -> None:
        request = request_verify(
            actor=actor,
            request=self._request(options),
            method=options["method"],
            note=options["note"],
        )
        self.stdout.write(f"{request.reference} verified; due {request.due_on}")

    def _person(self, actor: Any, options: dict[str, Any]) -> None:
        person = Person.objects.filter(pk=options["person"]).first()
        if person is None:
            raise CommandError(f"there is no person {options['person']}")
        request = request_choose_person(actor=actor, request=self._request(options), person=person)
        self.stdout.write(f"{request.reference} concerns person {person.pk}")

    def _extend(self, actor: Any, options: dict[str, Any]) -> None:
        request = request_extend(
            actor=actor,
            request=self._request(options),
            months=options["months"],
            reason=options["reason"],
        )
        self.stdout.write(f"{request.reference} extended to {request.extended_to}; person told")

    def _decide(self, actor: Any, options: dict[str, Any]) -> None:
        request = self._request(options)
        if options["fee"] is not None:
            request = request_fee(
                actor=actor, request=request, fee=options["fee"], reason=options["fee_reason"]
            )
        request = request_decide(
            actor=actor,
            request=request,
            outcome=options["outcome"],
            reasons=options["reasons"],
            purpose=options["purpose"],
            restriction_ground=options["ground"],
            grounds=options["grounds"],
            obligations=options["obligations"],
            changes=_changes(options["change"]),
        )
        self.stdout.write(f"{request.reference} decided: {request.outcome}; person told")
        proof = request.result.get("proof") if request.result else None
        if proof and proof.get("status") != "pending":
            verdict = "clean" if proof["clean"] else f"{len(proof['residues'])} residue(s)"
            self.stdout.write(f"proof of erasure: {verdict}")

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        rows = requests_queue(options["queue"])[: max(1, options["limit"])]
        for request in rows:
            self.stdout.write(
                f"{request.reference}  {request.kind:<18} {request.status:<17} "
                f"due {request.deadline}  person {request.person_id or '-'}"
            )

    def _show(self, actor: Any, options: dict[str, Any]) -> None:
        request = self._request(options)
        data = request_export(request)
        self.stdout.write(
            f"{data['reference']}  {data['kind']}  {data['status']}  "
            f"received {data['received_at']}  due {data['deadline']}"
        )
        for step in data["timeline"]:
            self.stdout.write(
                f"  {step['at']}  {step['action']:<14} {step['from'] or '-'} → "
                f"{step['to'] or '-'}  {step['actor']}"
            )
        for message in data["messages"]:
            self.stdout.write(
                f"  {message['at']}  {message['direction']:<3} {message['channel']:<6} "
                f"{message['subject']}"
            )

    def _export(self, actor: Any, options: dict[str, Any]) -> None:
        text = json.dumps(request_export(self._request(options)), indent=2, ensure_ascii=False)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"written to {options['output']}")
        else:
            self.stdout.write(text)


def _problem(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _changes(given: list[str]) -> dict[str, str]:
    """``FIELD=VALUE`` arguments into a mapping; anything else is refused before any change."""
    changes: dict[str, str] = {}
    for item in given:
        path, sep, value = item.partition("=")
        if not sep or not path.strip():
            raise CommandError(f"--change {item!r}: write it as FIELD=VALUE")
        changes[path.strip()] = value.strip()
    return changes
