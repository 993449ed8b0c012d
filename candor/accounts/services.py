from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from candor.accounts.models import ApiToken, User
from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor


def api_token_create(*, actor: Actor, user: User, label: str) -> tuple[str, ApiToken]:
    """Issue a token for ``user``; the token is shown once and only its hash is stored."""
    raw = "cnd_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            label=label[:120],
            key_prefix=raw[:8],
            key_hash=hashlib.sha256(raw.encode()).hexdigest(),
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="accounts.apitoken",
            object_id=token.pk,
            detail={"for": f"staff:{user.pk}"},
        )
    return raw, token


def staff_user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    office_id: int | None = None,
) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
            email=email,
            office_id=office_id,
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"role": role},
        )
    return user


def user_language_set(*, actor: Actor, user: User, language: str) -> bool:
    """Remember the interface language a user chose (one of ``settings.LANGUAGES``); it is
    switched on at their next log-in, on any browser. Returns whether it changed."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": f"“{language}” is not an interface language."})
    if user.language == language:
        return False
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(language=language)
        audit_record(
            actor=actor,
            action="update",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"fields": ["language"]},
        )
    user.language = language
    return True
