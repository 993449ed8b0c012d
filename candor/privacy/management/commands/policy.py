"""``candor policy``: check a policy file before using it, or show the policy in force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.privacy.policy import PolicyError, load_policy, policy, policy_path


class Command(BaseCommand):
    help = "Check a policy file (candor policy check PATH) or show the one in force."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="validate a policy file; exit 1 naming each problem")
        check.add_argument("path", type=Path)
        sub.add_parser("show", help="the policy in force: purposes, bases, retention")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            try:
                checked = load_policy(options["path"])
            except PolicyError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                f"{options['path']}: valid (version {checked.version}, "
                f"{len(checked.purposes)} purposes)"
            )
            return
        rules = policy()
        self.stdout.write(f"Policy {rules.version} from {policy_path()}")
        self.stdout.write(f"Controller: {rules.controller.name}, {rules.controller.email}")
        self.stdout.write(f"DPO: {rules.dpo.email}")
        for purpose in rules.purposes.values():
            flags = [
                name
                for name, on in (
                    ("objectable", purpose.objectable),
                    ("direct marketing", purpose.direct_marketing),
                    ("also legal obligation", purpose.also_legal_obligation),
                )
                if on
            ]
            extra = f" ({', '.join(flags)})" if flags else ""
            self.stdout.write(
                f"  {purpose.key}: {purpose.legal_basis.value}{extra}; "
                f"roles {', '.join(purpose.roles)}; "
                f"data {', '.join(c.value for c in purpose.categories)}"
            )
        candidate = rules.retention.candidate
        self.stdout.write(
            f"Retention: candidates until career end or pension, at most {candidate.max_years} "
            f"years; contract parties {rules.retention.contract_party.bookkeeping_years} years "
            f"after the last contract; site accounts {rules.retention.site_user.inactive_years} "
            "years after the last sign-in"
        )
