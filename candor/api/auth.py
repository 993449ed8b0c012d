from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer

from candor.accounts.permissions import can
from candor.accounts.selectors import user_for_token
from candor.core.actor import Actor


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cnd_…`` with a token from ``candor token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


def require(request: HttpRequest, permission: str) -> Actor:
    """The acting staff member, once their role is known to grant ``permission`` (else 403)."""
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, permission):
        raise PermissionDenied(f"the role “{user.role}” may not {permission.replace('.', ' ')}")
    return Actor.for_user(user)
