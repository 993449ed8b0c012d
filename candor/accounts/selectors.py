from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import cache
from django.core.management.base import CommandError
from django.db.models import Count

from candor.accounts.models import STAFF_ROLES, ApiToken, Role, User
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


STAFF_NAME_TTL = 300  # seconds a renamed colleague may still show under the old name


def staff_names(refs: Iterable[str]) -> dict[str, str]:
    """Display names for ``staff:<id>`` actor references, in one query; other references
    (``system:…``) and unknown ids are left out, so callers fall back to the reference."""
    wanted = {ref for ref in refs if ref.startswith("staff:") and ref[6:].isdigit()}
    names: dict[str, str] = cache.get_many([f"staff-name:{ref}" for ref in wanted])
    found = {key.removeprefix("staff-name:"): name for key, name in names.items()}
    ids = {int(ref[6:]) for ref in wanted - set(found)}
    if ids:  # a few minutes' cache: history pages name the same colleagues again and again
        users = User.objects.filter(pk__in=ids).only("username", "first_name", "last_name")
        fresh = {f"staff:{u.pk}": u.get_full_name() or u.username for u in users}
        cache.set_many({f"staff-name:{ref}": name for ref, name in fresh.items()}, STAFF_NAME_TTL)
        found.update(fresh)
    return found


def staff_overview() -> dict[str, object]:
    """For the administrator's dashboard: active staff accounts per role and live API tokens
    (counts only, nobody named)."""
    counts = dict(
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .order_by()
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return {
        "by_role": [
            (Role(role).label, counts.get(role, 0)) for role in Role if role in STAFF_ROLES
        ],
        "tokens": ApiToken.objects.filter(revoked_at__isnull=True).count(),
    }


def second_factor_overview() -> list[dict[str, object]]:
    """Active staff with their two-factor state, for the administrators' page (one query)."""
    from django.conf import settings
    from django.db.models import Q

    users = (
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .annotate(
            second_factor_on=Count(
                "second_factor", filter=Q(second_factor__confirmed_at__isnull=False)
            ),
            recovery_left=Count("recovery_codes", filter=Q(recovery_codes__used_at__isnull=True)),
        )
        .order_by("last_name", "first_name", "username")
    )
    required = set(settings.SECOND_FACTOR_REQUIRED_ROLES)
    return [
        {
            "user": user,
            "enrolled": bool(user.second_factor_on),
            "required": user.role in required,
            "recovery_left": user.recovery_left,
        }
        for user in users
    ]
