"""``candor token create USERNAME --label TEXT``: issue an API token (printed once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from candor.accounts.models import STAFF_ROLES, User
from candor.accounts.services import api_token_create
from candor.core.actor import Actor


class Command(BaseCommand):
    help = "Issue an API token for a staff account. The token is printed once; store it safely."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--label", default="api")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None or user.role not in STAFF_ROLES:
            raise CommandError(f"no active staff account named {options['username']!r}")
        raw, _token = api_token_create(
            actor=Actor.system("token"), user=user, label=options["label"]
        )
        self.stdout.write(raw)
