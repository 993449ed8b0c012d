from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
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
        _refuse_nul(request)
        return user


def _refuse_nul(request: HttpRequest) -> None:
    """Text holding a NUL character is refused as a whole (422), as Django's forms do: no
    field needs one, and PostgreSQL cannot store or even compare one (it would end as a 500).
    Checked here, before the query and body are parsed, so every operation is covered (the
    API takes JSON only, never a file)."""
    in_query = any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists())
    body = request.body
    if in_query or "\x00" in request.path or b"\\u0000" in body or b"\x00" in body:
        raise ValidationError("text may not contain NUL characters (\\u0000)", code="null")


def _check(user: Any, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDenied(f"the role “{user.role}” may not {permission.replace('.', ' ')}")


def actor_of(request: HttpRequest) -> Actor:
    """The acting staff member; ``TokenAuth(permission)`` on the route has checked their role."""
    return Actor.for_user(request.auth)  # type: ignore[attr-defined]
