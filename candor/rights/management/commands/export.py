"""``candor export access|portability PERSON_ID --format json|html|pdf|zip|csv [--language nl|fr|en]
[-o FILE] [--preview] [--strict]``: a person's access report (R6.4) or portability file (R6.9).

Handing the file to the person is a disclosure: unless ``--preview`` is given, the command
records it in the ledger (recipient: the person) and the audit trail, in the same transaction as
the build. ``--preview`` builds and prints without recording anything — for checking a report
before it is sent, never for sending it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from candor.core.actor import Actor
from candor.privacy.policy import LANGUAGES
from candor.rights import access, portability

KINDS = {"access": access.FORMATS, "portability": portability.FORMATS}


class Command(BaseCommand):
    help = "Export everything held on a person (access) or the data they provided (portability)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("person_id", type=int)
        parser.add_argument(
            "--format", choices=("json", "html", "pdf", "zip", "csv"), default="json"
        )
        parser.add_argument(
            "--language", choices=LANGUAGES, default=None, help="default: the person's own"
        )
        parser.add_argument("-o", "--output", default="", help="file to write (default: stdout)")
        parser.add_argument("--preview", action="store_true", help="build only; record no delivery")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="portability: only data used on consent or contract (Art. 20(1)(a))",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind, fmt, person_id = options["kind"], options["format"], options["person_id"]
        if fmt not in KINDS[kind]:
            raise CommandError(f"a {kind} export is {' / '.join(KINDS[kind])}, not {fmt}")
        if kind == "access" and options["strict"]:
            raise CommandError("--strict applies to portability exports only")
        if kind == "portability" and options["language"]:
            raise CommandError(
                "--language applies to access reports only: portability files hold codes, not words"
            )
        scope = "consent_or_contract" if options["strict"] else "provided"
        # The file is written inside the transaction: if it cannot be written, no delivery is
        # recorded for a file the person never got.
        with transaction.atomic():
            try:
                content = self._build(kind, person_id, fmt, scope, options)
            except access.NoSuchPerson:
                raise CommandError(f"no person with id {person_id}") from None
            self._write(content, fmt, options["output"])

    def _build(self, kind: str, person_id: int, fmt: str, scope: str, options: Any) -> bytes:
        language = options["language"]
        if options["preview"]:
            if kind == "access":
                return access.render(access.access_export(person_id, language=language), fmt)
            return portability.render(portability.portability_export(person_id, scope=scope), fmt)
        actor = Actor.system("export")
        if kind == "access":
            delivery = access.access_deliver(
                actor=actor, person_id=person_id, language=language, formats=[fmt]
            )
        else:
            delivery = portability.portability_deliver(
                actor=actor, person_id=person_id, formats=[fmt], scope=scope
            )
        self.stderr.write(f"delivery recorded in the ledger (disclosure {delivery.disclosure_id})")
        return delivery.files[0].content

    def _write(self, content: bytes, fmt: str, output: str) -> None:
        if output:
            path = Path(output)
            try:
                path.write_bytes(content)
            except OSError as exc:
                raise CommandError(f"cannot write {path}: {exc.strerror}") from None
            self.stderr.write(f"{path}: {len(content)} bytes")
            return
        if fmt in {"pdf", "zip"}:
            if sys.stdout.isatty():
                raise CommandError(f"a {fmt} file on a terminal is unreadable: give --output FILE")
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        self.stdout.write(content.decode(), ending="")
