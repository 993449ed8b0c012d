"""``candor statement publish --version V [--date D]`` and ``candor statement show
[--language L] [--version V]``: the privacy statement's versions (R8.2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.accounts.selectors import actor_for_username
from candor.core import clock
from candor.privacy.models import StatementVersion
from candor.privacy.policy import LANGUAGES
from candor.privacy.statement import statement_current, statement_publish, statement_text


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date: {value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Publish a new version of the privacy statement, or print one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        publish = sub.add_parser("publish", help="publish the statement rendered from the policy")
        publish.add_argument("--version", required=True, help="version label, e.g. 2026.2")
        publish.add_argument("--date", default="", help="publication date (default: today)")
        for language in LANGUAGES:
            publish.add_argument(
                f"--changes-{language}",
                default="",
                help=f"what changed since the previous version ({language}; required after "
                "the first version)",
            )
        publish.add_argument("--actor", default="", help="username of the staff member")
        show = sub.add_parser("show", help="print a version (default: the one in force)")
        show.add_argument("--language", choices=LANGUAGES, default="nl")
        show.add_argument("--version", default="", help="version label")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "publish":
            self._publish(options)
        else:
            self._show(options)

    def _publish(self, options: dict[str, Any]) -> None:
        try:
            published = statement_publish(
                actor=actor_for_username(options["actor"], task="statement"),
                version=options["version"],
                published_on=_date(options["date"]) if options["date"] else clock.today(),
                changes={lang: options[f"changes_{lang}"] for lang in LANGUAGES},
            )
        except ValidationError as exc:
            problems = [f"{key}: {' '.join(msgs)}" for key, msgs in exc.message_dict.items()]
            raise CommandError("not published\n  " + "\n  ".join(problems)) from None
        self.stdout.write(
            f"published version {published.version}, in force from {published.published_on}"
        )

    def _show(self, options: dict[str, Any]) -> None:
        if options["version"]:
            version = StatementVersion.objects.filter(version=options["version"]).first()
            if version is None:
                raise CommandError(f"no published version {options['version']!r}")
        else:
            version = statement_current()
            if version is None:
                raise CommandError("no version is in force yet: candor statement publish")
        self.stdout.write(statement_text(version, options["language"]), ending="")
