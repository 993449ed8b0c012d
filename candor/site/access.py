"""The one decorator every back-office view wears: signed in, and the role grants the permission."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from candor.accounts.permissions import can
from candor.core.actor import Actor


def require(permission: str) -> Any:
    """Allow the view only to users whose role grants ``permission`` (403 otherwise)."""

    def decorate(view: Any) -> Any:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def actor_of(request: HttpRequest) -> Actor:
    """The signed-in staff member, as the services name them in the audit trail."""
    return Actor.for_user(request.user)
