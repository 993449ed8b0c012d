"""``candor restore PATH [--yes]`` and ``candor restore --reapply-journal``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.core.actor import Actor
from candor.privacy.backup import BackupError, backup_restore, journal_reapply


class Command(BaseCommand):
    help = (
        "Restore a backup into the configured database and media folder, then erase again "
        "everyone in the erasure journal before anything is served."
    )
    requires_system_checks: list[str] = []  # the restore-pending check must not stop its own cure

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="backup archive (candor backup)")
        parser.add_argument(
            "--yes",
            "--force",
            action="store_true",
            dest="yes",
            help="replace a database that is not empty",
        )
        parser.add_argument(
            "--reapply-journal",
            action="store_true",
            help="only re-apply the erasure journal (after an interrupted restore)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("restore")
        try:
            if options["reapply_journal"]:
                report = journal_reapply(actor=actor)
            elif options["path"] is None:
                raise CommandError("give the backup archive to restore")
            else:
                report = backup_restore(actor=actor, path=options["path"], force=options["yes"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored backup of {report.manifest.get('created_at', '?')}; erasure journal: "
            f"{report.journaled} people, {len(report.erased_again)} erased again"
        )
