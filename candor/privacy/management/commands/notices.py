"""``candor notices send [--dry-run]``: send the notices due today (R2.2) by hand, as
``candor worker`` does once a day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Exists, OuterRef

from candor.accounts.selectors import actor_for_username
from candor.core import clock
from candor.core.progress import progress
from candor.people.models import ContactKind, ContactPoint
from candor.privacy.notices import notices_due, notices_send_due


class Command(BaseCommand):
    help = "Informing people whose data came from elsewhere (GDPR Art. 14)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send every notice due today or earlier")
        send.add_argument(
            "--dry-run", action="store_true", help="count what would be sent; send nothing"
        )
        send.add_argument("--limit", type=int, default=None, help="send at most this many")
        send.add_argument("--actor", default="", help="username of the staff member sending")

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        due = notices_due(today)
        if options["limit"] is not None:
            due = due.filter(pk__in=list(due.values_list("pk", flat=True)[: options["limit"]]))
        total = due.count()
        with_email = due.filter(
            Exists(ContactPoint.objects.filter(person=OuterRef("person"), kind=ContactKind.EMAIL))
        ).count()
        self.stdout.write(
            f"{total} notice{'' if total == 1 else 's'} due; would send {with_email}, "
            f"impossible (no e-mail address) {total - with_email}"
        )
        if options["dry_run"] or not total:
            return
        actor = actor_for_username(options["actor"], task="notices")
        with progress(total, unit="notice", desc="notices") as bar:
            counts = notices_send_due(
                actor=actor, today=today, limit=options["limit"], on_progress=bar.update
            )
        self.stdout.write(", ".join(f"{name} {count}" for name, count in counts.items()))
        if counts.get("stopped"):
            self.stderr.write("stopped: the mail server refused several notices in a row")
