"""``candor keys status`` and ``candor keys rotate [--batch N]``: the per-person encryption keys."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.core.actor import Actor
from candor.core.progress import progress
from candor.privacy.crypto import master_key_problems
from candor.privacy.keys import keys_rotate, keys_status


class Command(BaseCommand):
    help = "Per-person encryption keys (crypto-shredding): status, and rotation of the master key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="master keys in use and person keys per master key")
        rotate = sub.add_parser(
            "rotate",
            help="re-wrap every person key under the current master key (resumable; no data "
            "is decrypted)",
        )
        rotate.add_argument("--batch", type=int, default=500, help="keys per transaction (500)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            status = keys_status()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if options["action"] == "status":
            self.stdout.write(f"encryption: {'on' if status.encryption else 'OFF'}")
            self.stdout.write(f"current master key: {status.current}")
            self.stdout.write(f"configured master keys: {', '.join(status.configured)}")
            self.stdout.write(f"person keys: {status.total}")
            for key_id, n in sorted(status.by_master.items()):
                self.stdout.write(f"  wrapped by {key_id}: {n}")
            self.stdout.write(f"to rotate: {status.to_rotate}")
            for missing in status.missing_masters:
                self.stderr.write(f"master key {missing} wraps keys but is not configured")
            for problem in master_key_problems():
                self.stderr.write(problem)
            return
        if status.missing_masters:
            raise CommandError(
                "these master keys wrap person keys but are not configured: "
                + ", ".join(status.missing_masters)
            )
        with progress(status.to_rotate, unit="key", desc="rotating", stream=self.stderr) as bar:
            done = keys_rotate(
                actor=Actor.system("keys-rotate"), batch_size=options["batch"], on_batch=bar.update
            )
        self.stdout.write(f"{done} person keys re-wrapped under {status.current}")
