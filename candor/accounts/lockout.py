"""Staff log-in throttling (R7.1): a user name, or a client address, that fails too often is
locked out for a while.

Counters live in the cache (``candor.core.throttle``; shared through Redis when configured):
``LOGIN_FAILURE_LIMIT`` failures per user name and ``LOGIN_ADDRESS_FAILURE_LIMIT`` per client
address within ``LOGIN_LOCKOUT_SECONDS``; the lock-out ends with that window. The message is the
same whether or not the user name exists, and a lock-out is written to the audit trail (naming
the account when there is one, never the address).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from candor.accounts.models import User
from candor.audit.services import audit_record
from candor.core.actor import Actor
from candor.core.throttle import Throttle

GUARD = Actor.system("login-guard")


def _by_username() -> Throttle:
    # Locked once the count reaches the limit: Throttle blocks when it is *over* its limit.
    return Throttle(
        "login-username",
        limit=settings.LOGIN_FAILURE_LIMIT - 1,
        window=settings.LOGIN_LOCKOUT_SECONDS,
    )


def _by_address() -> Throttle:
    return Throttle(
        "login-address",
        limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1,
        window=settings.LOGIN_LOCKOUT_SECONDS,
    )


def _name_key(username: str) -> str:
    return username.strip().casefold()


def login_locked(*, username: str, address: str) -> bool:
    """Whether a log-in for this user name or from this address is refused for now."""
    return _by_username().blocked(_name_key(username)) or _by_address().blocked(address)


def login_failed(*, username: str, address: str) -> bool:
    """Count a failed password. Returns True when this failure starts a lock-out (which is
    then written to the audit trail). Called only while not locked, so the failure that goes
    over a limit is the one that starts the lock-out: one lock-out, one audit event."""
    locks = []
    if username and not _by_username().hit(_name_key(username)):
        locks.append("username")
    if address and not _by_address().hit(address):
        locks.append("address")
    if locks:
        user = User.objects.filter(username__iexact=username.strip()).first()
        lockout_record(user=user, scopes=locks, step="password")
    return bool(locks)


def login_succeeded(*, username: str) -> None:
    """A correct password clears that user name's failures (not the address's)."""
    _by_username().reset(_name_key(username))


def lockout_record(*, user: User | None, scopes: list[str], step: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=GUARD,
            action="auth.lockout",
            object_type="accounts.user",
            object_id=user.pk if user is not None else "",
            detail={"by": scopes, "step": step},
        )
