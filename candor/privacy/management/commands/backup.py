"""``candor backup [--output PATH]``: a consistent online backup of the database and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.core.actor import Actor
from candor.privacy.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite backup API or pg_dump) and the stored files into one "
        "archive with a manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="archive file or folder (default: <data dir>/backups/candor-<time>.tar)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path, manifest = backup_create(actor=Actor.system("backup"), output=options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        head = manifest["audit_head"]["seq"]
        self.stdout.write(
            f"{path}: {manifest['vendor']} database, audit chain at #{head}, "
            f"{manifest['person_keys']} person keys"
        )
