"""``candor serve``: the production web server (gunicorn) for this installation.

Runs Django's system checks first (the deploy checks too when ``CANDOR_ENV=production``, so an
unsafe production configuration never serves), then replaces itself with gunicorn serving
``candor.wsgi``. No access log is written: it would hold visitors' addresses, which the site
promises not to keep (docs/statistics.md). Several ``candor serve`` processes, on one
machine or many, may share one database and one Redis (``CANDOR_REDIS_URL``): the app servers
keep no state of their own (docs/operations.md).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Candor with gunicorn (production web server)."
    requires_system_checks: list[str] = []  # checked below, with the deploy checks in production

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("CANDOR_BIND", "127.0.0.1:8000"),
            help="address and port to listen on (default 127.0.0.1:8000, or CANDOR_BIND)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("CANDOR_WORKERS", "2")),
            help="worker processes (default 2, or CANDOR_WORKERS)",
        )
        parser.add_argument(
            "--timeout", type=int, default=120, help="seconds before a stuck worker is restarted"
        )
        parser.add_argument(
            "--no-checks",
            action="store_true",
            help="do not run the system checks first (load tests on loopback only)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="run the checks and print the gunicorn command without starting it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_checks"]:
            call_command("check", deploy=bool(getattr(settings, "PRODUCTION", False)))
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "candor.wsgi",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--timeout",
            str(options["timeout"]),
            "--log-level",
            "warning",
        ]
        if options["dry_run"]:
            self.stdout.write(" ".join(argv[1:]))
            return
        sys.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter, fixed arguments
