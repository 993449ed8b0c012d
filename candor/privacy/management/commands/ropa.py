"""``candor ropa [--format md|html|pdf] [--language nl|fr|en] [--output PATH]``: the record of
processing activities (GDPR Art. 30, R9.2), generated from the policy and the registry."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.privacy import ropa
from candor.privacy.policy import LANGUAGES


class Command(BaseCommand):
    help = "Print the record of processing activities (GDPR Art. 30) as Markdown, HTML or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=ropa.FORMATS, default="md")
        parser.add_argument("--language", choices=LANGUAGES, default="en")
        parser.add_argument("--output", default="", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        content = ropa.render(ropa.register_for(options["language"]), options["format"])
        if options["output"]:
            path = Path(options["output"])
            try:
                path.write_bytes(content)
            except OSError as exc:
                raise CommandError(f"cannot write {path}: {exc.strerror}") from None
            self.stderr.write(f"{path}: {len(content)} bytes")
            return
        if options["format"] == "pdf":
            if sys.stdout.isatty():
                raise CommandError("a PDF on a terminal is unreadable: give --output PATH")
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        self.stdout.write(content.decode(), ending="")
