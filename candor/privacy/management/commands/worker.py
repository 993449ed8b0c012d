"""``candor worker [--once] [--interval SECONDS]``: run the daily jobs (retention sweep, notices,
consent renewals) once a day, and the queued work (mailings) at every check; see
``candor.privacy.worker`` for locking and retries."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from candor.privacy.worker import run_due, run_queued

DEFAULT_INTERVAL = 60.0


class Command(BaseCommand):
    help = "Run the periodic jobs once a day; --once runs what is due and exits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due, then exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=DEFAULT_INTERVAL,
            help=f"seconds between checks ({DEFAULT_INTERVAL:g})",
        )

    def _check(self) -> None:
        for ran in [*run_due(), *run_queued()]:
            if ran.status != "skipped":
                self.stdout.write(f"{ran.job}: {ran.status} {ran.outcome}")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self._check()
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: Any) -> None:
            self.stderr.write(f"worker: {signal.Signals(signum).name}, stopping after this check")
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, request_stop)
        self.stdout.write(f"worker: checking every {options['interval']:g} s")
        while not stop.is_set():
            close_old_connections()  # a long-lived process must not hold a dead connection
            self._check()
            stop.wait(options["interval"])
        self.stdout.write("worker: stopped")
