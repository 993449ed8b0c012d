"""``candor profile CANDIDATE_ID [--format text|html] [--language nl|fr|en] [--to CLIENT_ID]``:
print a candidate's anonymous profile (R4.1).

Consultants paste it into a message; checks read it. With ``--to`` the profile is recorded in
the disclosure ledger as given to that client (R4.5) before it is printed; without it nothing is
recorded and a reminder goes to stderr. A candidate the gate refuses for client sharing (a
restriction, an objection) is refused either way, with the reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.accounts.selectors import actor_for_username
from candor.disclosure.mailings import profile_disclose, profile_refusal
from candor.disclosure.profiles import profile_text
from candor.disclosure.services import DisclosureRefused
from candor.privacy.policy import LANGUAGES
from candor.relations.models import Organisation


class Command(BaseCommand):
    help = "Print a candidate's anonymous profile; --to CLIENT_ID records it as given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("candidate_id", type=int)
        parser.add_argument("--format", choices=("text", "html"), default="text")
        parser.add_argument("--language", choices=list(LANGUAGES), default="")
        parser.add_argument("--to", type=int, default=None, help="id of the client it goes to")
        parser.add_argument("--actor", default="", help="username of the consultant")

    def handle(self, *args: Any, **options: Any) -> None:
        person_id = options["candidate_id"]
        refusal = profile_refusal(person_id)
        if refusal:
            raise CommandError(f"candidate {person_id}: {refusal}")
        fmt, language = options["format"], options["language"]
        if options["to"] is None:
            self.stdout.write(profile_text(person_id, fmt=fmt, language=language), ending="")
            self.stderr.write(
                "not recorded as a disclosure: give --to CLIENT_ID when it goes to a client"
            )
            return
        organisation = Organisation.objects.filter(pk=options["to"]).first()
        if organisation is None:
            raise CommandError(f"there is no organisation {options['to']}")
        actor = actor_for_username(options["actor"], task="profile")
        try:
            content = profile_disclose(
                actor=actor,
                person_id=person_id,
                organisation=organisation,
                fmt=fmt,
                channel="email",
                language=language,
            )
        except (DisclosureRefused, ValidationError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        self.stdout.write(content, ending="")
