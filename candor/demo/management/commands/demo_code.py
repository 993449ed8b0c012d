"""``candor demo_code``: the current two-factor code of the demo's DPO and administrator."""

from __future__ import annotations

from typing import Any

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from candor.demo.data import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the demo's current two-factor code (demo only; refused in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("candor demo_code refuses to run with CANDOR_ENV=production")
        totp = pyotp.TOTP(DEMO_TOTP_SECRET)
        self.stdout.write(f"{totp.now()}  (valid about 30 seconds; each code works once)")
