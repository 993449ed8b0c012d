"""Two-factor log-in for staff (R7.1): TOTP (RFC 6238) and one-time recovery codes.

Who must have it is a policy switch: ``settings.SECOND_FACTOR_REQUIRED_ROLES`` (environment
``CANDOR_2FA_REQUIRED_ROLES``, default ``dpo,administrator``); any other staff member may enrol
voluntarily, and once enrolled is always asked. The session holds the proof of the second step
(``VERIFIED_SESSION_KEY``); ``candor.accounts.middleware.SecondFactorMiddleware`` keeps every
other page closed until it is there. API tokens are separate credentials and not affected.

Codes: 30-second steps, 6 digits, one step either side accepted for clock drift. A code is
accepted once: the step of the last accepted code is stored and no code of that step or an
earlier one passes again (replay refusal). Recovery codes are random, stored as SHA-256 (like
API tokens: high-entropy secrets need no slow hash) and each works once.

The TOTP secret is a credential: it is stored encrypted (Fernet) with a key derived from
``SECRET_KEY``; ``SECRET_KEY_FALLBACKS`` still decrypt, so rotating the key does not lock staff
out. Every change and every failed second step is written to the audit trail.

When you add to this module: keep writes here (services with ``actor``), reads side-effect free,
and declare any new field in the registry (``candor/accounts/models.py``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candor.accounts.models import STAFF_ROLES, RecoveryCode, SecondFactor, User
from candor.audit.services import audit_record
from candor.core import clock
from candor.core.actor import Actor
from candor.core.throttle import Throttle

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODES = 10
ISSUER = "Candor"

# Session keys: the state of the second step; where to go after it; codes to show once.
VERIFIED_SESSION_KEY = "candor_2fa"
PASSED = "passed"  # the second step was taken in this session
NOT_NEEDED = "not-needed"  # the user has no second factor and the policy does not ask one
NEXT_SESSION_KEY = "candor_2fa_next"
PENDING_CODES_SESSION_KEY = "candor_2fa_recovery_codes"


def second_factor_throttle() -> Throttle:
    """Failed second steps per user before a temporary lock-out (same numbers as the password)."""
    return Throttle(
        "login-second-factor",
        limit=settings.LOGIN_FAILURE_LIMIT - 1,
        window=settings.LOGIN_LOCKOUT_SECONDS,
    )


# --- reads -----------------------------------------------------------------------------------


def required_for(user: Any) -> bool:
    """Whether the policy makes two-factor log-in mandatory for this user's role."""
    role = getattr(user, "role", "")
    return role in STAFF_ROLES and role in settings.SECOND_FACTOR_REQUIRED_ROLES


def enrolled(user: Any) -> bool:
    return SecondFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def applies_to(user: Any) -> bool:
    """Whether this signed-in user must pass a second step: staff whose role requires it, and
    staff who enrolled of their own accord."""
    if getattr(user, "role", "") not in STAFF_ROLES:
        return False
    return required_for(user) or enrolled(user)


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.username, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (no image request, nothing leaves the server)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, border=2, omitsize=False))


def pending_secret(user: User) -> str | None:
    """The secret of an enrolment begun and not yet confirmed, for showing it again."""
    factor = SecondFactor.objects.filter(user=user, confirmed_at__isnull=True).first()
    return None if factor is None else _decrypt(factor.secret)


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def current_step() -> int:
    return int(clock.now().timestamp()) // STEP_SECONDS


# --- writes ----------------------------------------------------------------------------------


def second_factor_begin(*, actor: Actor, user: User) -> str:
    """Start (or resume) enrolment: a new random secret, unconfirmed. Returns the secret.
    Refused when the user already has a confirmed second factor. ``actor`` is taken for the
    services' shape; nothing is audited until ``second_factor_confirm``."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is not None and factor.confirmed:
            raise ValidationError(_("Two-factor log-in is already set up."))
        if factor is not None:
            return _decrypt(factor.secret)
        secret = pyotp.random_base32()
        # A draft, not yet a credential: the trail records the enrolment when it is confirmed.
        SecondFactor.objects.create(user=user, secret=_encrypt(secret), created_at=clock.now())
    return secret


def second_factor_confirm(*, actor: Actor, user: User, code: str) -> list[str]:
    """Finish enrolment with a first code from the app; returns the recovery codes, shown once.
    A wrong code raises ``ValidationError`` and changes nothing."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(user=user).first()
        if factor is None or factor.confirmed:
            raise ValidationError(_("There is no enrolment waiting to be confirmed."))
        step = _matching_step(_decrypt(factor.secret), code, after=factor.last_used_step)
        if step is None:
            raise ValidationError(_("That code is not valid. Check the time on your phone."))
        factor.confirmed_at = clock.now()
        factor.last_used_step = step
        factor.save(update_fields=["confirmed_at", "last_used_step"])
        codes = _new_recovery_codes(user)
        audit_record(
            actor=actor,
            action="auth.2fa_enrol",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"recovery_codes": len(codes)},
        )
    return codes


def second_factor_enrol_with_secret(*, actor: Actor, user: User, secret: str) -> list[str]:
    """Enrol with a given secret, confirmed at once: for the demo (a fixed secret printed on
    start, never in production) and test set-up. Returns fresh recovery codes."""
    if getattr(settings, "PRODUCTION", False):
        raise ValidationError("a fixed two-factor secret is for the demo and tests only")
    pyotp.TOTP(secret).now()  # refuses a secret that is not base32
    with transaction.atomic():
        SecondFactor.objects.filter(user=user).delete()
        SecondFactor.objects.create(
            user=user, secret=_encrypt(secret), created_at=clock.now(), confirmed_at=clock.now()
        )
        codes = _new_recovery_codes(user)
        audit_record(
            actor=actor,
            action="auth.2fa_enrol",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"recovery_codes": len(codes), "fixed_secret": True},
        )
    return codes


def second_factor_verify(*, actor: Actor, user: User, code: str) -> bool:
    """Check a code at log-in. Accepted once per time step (replay refusal); a refusal is
    written to the audit trail."""
    with transaction.atomic():
        factor = (
            SecondFactor.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=False)
            .first()
        )
        if factor is not None:
            step = _matching_step(_decrypt(factor.secret), code, after=factor.last_used_step)
            if step is not None:
                factor.last_used_step = step
                factor.save(update_fields=["last_used_step"])
                return True
        audit_record(
            actor=actor,
            action="auth.2fa_failed",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"with": "totp"},
        )
    return False


def recovery_code_use(*, actor: Actor, user: User, code: str) -> bool:
    """Spend one recovery code in place of a TOTP code. Each code works once."""
    digest = _hash_code(code)
    with transaction.atomic():
        row = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=digest, used_at__isnull=True)
            .first()
        )
        if row is None:
            audit_record(
                actor=actor,
                action="auth.2fa_failed",
                object_type="accounts.user",
                object_id=user.pk,
                detail={"with": "recovery_code"},
            )
            return False
        row.used_at = clock.now()
        row.save(update_fields=["used_at"])
        audit_record(
            actor=actor,
            action="auth.2fa_recovery_used",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"left": unused_recovery_codes(user)},
        )
    return True


def recovery_codes_renew(*, actor: Actor, user: User) -> list[str]:
    """Replace all recovery codes of an enrolled user with new ones (shown once)."""
    with transaction.atomic():
        if not enrolled(user):
            raise ValidationError(_("Two-factor log-in is not set up."))
        codes = _new_recovery_codes(user)
        audit_record(
            actor=actor,
            action="auth.2fa_codes_renewed",
            object_type="accounts.user",
            object_id=user.pk,
            detail={"recovery_codes": len(codes)},
        )
    return codes


def second_factor_disable(*, actor: Actor, user: User) -> None:
    """A staff member turns off the second factor they chose; refused when policy requires it."""
    if required_for(user):
        raise ValidationError(_("Two-factor log-in is required for your role."))
    _remove(actor=actor, user=user, action="auth.2fa_disable")


def second_factor_reset(*, actor: Actor, user: User) -> None:
    """An administrator removes another staff member's second factor (a lost phone); they enrol
    again at their next log-in when their role requires it. Administrators cannot reset their
    own: another administrator must (four eyes)."""
    if actor.user_id == user.pk:
        raise ValidationError(_("Ask another administrator to reset your own two-factor log-in."))
    _remove(actor=actor, user=user, action="auth.2fa_reset")


def _remove(*, actor: Actor, user: User, action: str) -> None:
    with transaction.atomic():
        had = SecondFactor.objects.filter(user=user).delete()[0]
        RecoveryCode.objects.filter(user=user).delete()
        audit_record(
            actor=actor,
            action=action,
            object_type="accounts.user",
            object_id=user.pk,
            detail={"had_second_factor": bool(had)},
        )


# --- mechanics -------------------------------------------------------------------------------


def _matching_step(secret: str, code: str, *, after: int) -> int | None:
    """The time step whose code equals ``code`` (now, or one step either side), if that step is
    later than ``after``, the step of the last accepted code."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != DIGITS:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now_step = current_step()
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        expected = totp.generate_otp(step)
        if secrets.compare_digest(expected, code) and step > after:
            return step
    return None


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_format_code(secrets.token_hex(5)) for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_code(code)) for code in codes
    )
    return codes


def _format_code(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _hash_code(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch in "0123456789abcdef")
    return hashlib.sha256(f"candor-recovery:{normalised}".encode()).hexdigest()


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_derive(key)) for key in keys])


def _derive(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"candor.accounts.totp")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # SECRET_KEY changed without a fallback: reset is the way out
        raise ValidationError(
            _("The two-factor secret cannot be read; ask an administrator to reset it.")
        ) from exc


def stored_secret(user: User) -> str:
    """The decrypted secret of a user's second factor: for test helpers and the demo only
    (the pages never show it again after enrolment)."""
    return _decrypt(SecondFactor.objects.get(user=user).secret)
