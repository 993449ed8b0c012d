from __future__ import annotations

import hashlib

from django.core.management.base import CommandError

from candor.accounts.models import STAFF_ROLES, ApiToken, User
from candor.core import clock
from candor.core.actor import Actor


def actor_for_username(username: str, *, task: str) -> Actor:
    """The actor for a command: the named active staff member, or the system for ``task``."""
    if not username:
        return Actor.system(task)
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or user.role not in STAFF_ROLES:
        raise CommandError(f"no active staff account named {username!r}")
    return Actor.for_user(user)


def user_for_token(raw: str) -> User | None:
    """The active user holding an unrevoked API token, or None."""
    digest = hashlib.sha256(raw.encode()).hexdigest()
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=digest,
            revoked_at__isnull=True,
            user__is_active=True,
            user__role__in=STAFF_ROLES,  # tokens are for staff integrations only
        )
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
