"""``candor demo [--no-serve]``: migrate, load synthetic demo data once, serve on loopback."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import pyotp
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from candor.demo.data import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    STAFF,
    DemoBuilder,
    DemoSize,
    demo_loaded,
    demo_second_factors,
)


def _is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = "Set up a demo: database under the data folder, synthetic data (once), and a server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="do everything but serve")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="loopback address:port")
        parser.add_argument("--candidates", type=int, default=DemoSize.candidates)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("candor demo refuses to run with CANDOR_ENV=production")
        host = options["addrport"].rpartition(":")[0] or "127.0.0.1"
        if not _is_loopback(host):
            raise CommandError("the demo serves on a loopback address only (127.0.0.1, ::1)")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        db = settings.DATABASES["default"]
        self.stdout.write(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
        call_command("migrate", verbosity=0, interactive=False)
        if demo_loaded():
            self.stdout.write("Demo data already loaded; keeping it.")
        else:
            self.stdout.write("Loading synthetic demo data (nothing here is a real person):")
            started = time.monotonic()
            counts = DemoBuilder(
                seed=options["seed"],
                size=DemoSize(candidates=options["candidates"]),
                say=self.stdout.write,
            ).build()
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
            self.stdout.write(f"Loaded {summary} in {time.monotonic() - started:.0f} s.")
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        with translation.override("en"):  # the command line speaks English
            for username, role, first, last, _office in STAFF:
                self.stdout.write(f"  {username:<12} {role.label} ({first} {last})")
        self._second_factor()
        if options["no_serve"]:
            return
        self.stdout.write("")
        self.stdout.write(f"Serving on http://{options['addrport']}/  (Ctrl+C to stop)")
        call_command("runserver", options["addrport"], use_reloader=False)

    def _second_factor(self) -> None:
        """Demo staff whose role requires two-factor log-in share one printed secret."""
        users = demo_second_factors()
        if not users:
            return
        names = ", ".join(user.username for user in users)
        self.stdout.write("")
        self.stdout.write(f"Two-factor log-in for {names} (required for their role):")
        self.stdout.write(f"  add this key to an authenticator app: {DEMO_TOTP_SECRET}")
        self.stdout.write("  (time-based, 6 digits, 30 s), or type the code of the moment:")
        self.stdout.write(
            f"  uv run candor demo_code    (now: {pyotp.TOTP(DEMO_TOTP_SECRET).now()})"
        )
