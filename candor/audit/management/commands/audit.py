"""``candor audit verify``: recompute the hash chain; exit 1 naming the first bad event."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from candor.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit trail: exits 0 when intact, 1 naming the first altered, missing or "
        "reordered event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the hash chain")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"audit trail intact: {result.checked} events verified")
            return
        self.stderr.write(
            f"audit trail BROKEN at event #{result.bad_seq}: {result.reason} "
            f"({result.checked} events verified before it)"
        )
        sys.exit(1)
