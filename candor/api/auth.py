from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer

from candor.accounts.permissions import can
from candor.accounts.selectors import user_for_token
from candor.core.actor import Actor


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cnd_…`` with a token from ``candor token create``.

    Given a ``permission``, the role is checked here too: authentication runs before the request
    body and query are parsed, so a role without the permission gets 403 whatever it sends,
    never a validation answer (R7.1).
    """

    def __init__(self, permission: str | None = None) -> None:
        self.permission = permission
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        if self.permission is not None:
            _check(user, self.permission)
        return user


def _check(user: Any, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(f"the role “{user.role}” may not {permission.replace('.', ' ')}")


def actor_of(request: HttpRequest) -> Actor:
    """The acting staff member; ``TokenAuth(permission)`` on the route has checked their role."""
    return Actor.for_user(request.auth)  # type: ignore[attr-defined]
