"""``candor retention sweep [--dry-run] [--batch N]``: erase everyone past their retention date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from candor.core.actor import Actor
from candor.core.progress import progress
from candor.privacy.sweep import BATCH, retention_sweep


class Command(BaseCommand):
    help = "Retention (R5.1): erase the people whose retention date has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser(
            "sweep", help="erase everyone past their date (progress bar on a terminal)"
        )
        sweep.add_argument(
            "--dry-run", action="store_true", help="list who would be erased, change nothing"
        )
        sweep.add_argument(
            "--batch", type=int, default=BATCH, help=f"people per transaction ({BATCH})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        with progress(None, unit="person", desc="retention sweep", stream=self.stderr) as bar:

            def start(total: int) -> None:
                bar.reset(total=total)

            report = retention_sweep(
                actor=Actor.system("retention"),
                batch=options["batch"],
                dry_run=dry_run,
                on_start=start,
                on_progress=bar.update,
            )
        if dry_run:
            for pk, day, rule in report.listed:
                self.stdout.write(f"#{pk}\t{day.isoformat()}\t{rule}")
        verb = "would be erased" if dry_run else "erased"
        self.stdout.write(
            f"retention sweep {report.today.isoformat()}"
            f"{' (dry run: nothing changed)' if dry_run else ''}: "
            f"{report.due} due, {report.erased} {verb}, "
            f"{report.moved} skipped (their date moved), {report.held} held (restricted)"
        )
        for rule, count in sorted(report.by_rule.items()):
            self.stdout.write(f"  {rule}: {count}")
        if report.refreshed:
            done = "would get one" if dry_run else "got one"
            self.stdout.write(f"  {report.refreshed} people without a retention date {done}")
