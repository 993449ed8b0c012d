"""``candor import PATH --format csv|jsonresume --source SOURCE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.accounts.selectors import actor_for_username
from candor.core.progress import progress
from candor.importer.formats import FORMATS, FileRejected
from candor.importer.services import import_path
from candor.people.models import Channel
from candor.people.services import ProvenanceSpec


class Command(BaseCommand):
    help = (
        "Import candidates from a CSV file or JSON Resume files. Every rejected record is "
        "reported with its line or file and the reason; the rest is imported. Safe to re-run."
    )
    requires_system_checks: list[str] = []  # a data load; `candor check` is the place for those

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a CSV file, a JSON Resume file or a folder")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument(
            "--source",
            required=True,
            help="where the data came from: self, third-party, medium:NAME or partner:NAME",
        )
        parser.add_argument("--actor", default="", help="username of the staff member importing")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="records per transaction (default 5000); a smaller batch holds the write lock "
            "for less time while others use the database",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        actor = actor_for_username(options["actor"], task="import")
        try:
            source = ProvenanceSpec.parse(
                options["source"],
                channel=Channel.IMPORT,
                reference=path.name,
                recorded_by_id=actor.user_id,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        fmt = FORMATS[options["format"]]
        total = fmt.count(path) if path.exists() else None
        try:
            with progress(total, unit="rec", desc="import") as bar:
                summary = import_path(
                    path,
                    format_name=options["format"],
                    source=source,
                    actor=actor,
                    batch_size=max(1, options["batch_size"]),
                    on_progress=bar.update,
                    expected=total,
                )
        except FileRejected as exc:
            raise CommandError(str(exc)) from None
        for r in summary.rejected:
            self.stderr.write(f"rejected {r.where}: {r.reason}")
        for r in summary.conflicts:
            self.stderr.write(f"conflict {r.where}: {r.reason}")
        for r in summary.warnings:
            self.stderr.write(f"warning  {r.where}: {r.reason}")
        self.stdout.write(summary.line())
