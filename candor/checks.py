"""``candor check --deploy``: refusals of unsafe production settings (R7.1).

Django's own deploy checks (``security.W0xx``) are warnings; these are errors, so
``candor check --deploy`` exits non-zero and a deployment script stops. Each has an id
(``candor.E0xx``) and a hint saying which environment variable fixes it. The list is in
docs/security.md ("Staff authentication and sessions").

When you add a check: give it the next free id, an Error with a hint naming the setting or
environment variable, a test with ``override_settings`` in
candor/accounts/tests/test_deploy_checks.py, and a row in docs/security.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from candor.core.env import ConfigurationError
from candor.privacy.crypto import configured_master_keys, encryption_enabled

# Roles whose second factor cannot be switched off in production: they read every dossier's
# trail (DPO) or configure the system (administrator).
ROLES_THAT_MUST_HAVE_2FA = frozenset({"dpo", "administrator"})
STAFF_ROLE_NAMES = frozenset({"consultant", "dpo", "administrator"})
_UNSAFE_MAIL = ("console", "locmem", "filebased", "dummy")


@register(Tags.security)
def second_factor_roles_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Always (not only with --deploy): a misspelt role would silently require nothing."""
    unknown = set(settings.SECOND_FACTOR_REQUIRED_ROLES) - STAFF_ROLE_NAMES
    if not unknown:
        return []
    return [
        Error(
            f"CANDOR_2FA_REQUIRED_ROLES names unknown roles: {', '.join(sorted(unknown))}.",
            hint="Use staff roles only: consultant, dpo, administrator (or 'none').",
            id="candor.E012",
        )
    ]


@register(Tags.security, deploy=True)
def deploy_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    errors += _debug()
    errors += _secret_key()
    errors += _master_key()
    errors += _https()
    errors += _hosts()
    errors += _mail()
    errors += _second_factor()
    errors += _csp()
    return errors


def _debug() -> list[CheckMessage]:
    if not settings.DEBUG:
        return []
    return [
        Error(
            "DEBUG is on: error pages would show settings and personal data.",
            hint="Set CANDOR_ENV=production and leave CANDOR_DEBUG unset.",
            id="candor.E001",
        )
    ]


def _secret_key() -> list[CheckMessage]:
    key = str(getattr(settings, "SECRET_KEY", "") or "")
    weak = (
        len(key) < 50
        or len(set(key)) < 8
        or "insecure" in key.lower()
        or key.lower().startswith(("django-", "changeme", "secret"))
    )
    if not weak:
        return []
    return [
        Error(
            "SECRET_KEY is short, a default or otherwise guessable: sessions, password reset "
            "links and the stored two-factor secrets depend on it.",
            hint="Set CANDOR_SECRET_KEY (or CANDOR_SECRET_KEY_FILE) to at least 50 random "
            'characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(64))".',
            id="candor.E002",
        )
    ]


def _master_key() -> list[CheckMessage]:
    """The same reading of the master keys as encryption itself (candor.privacy.crypto)."""
    hint = (
        "Set CANDOR_MASTER_KEY (or CANDOR_MASTER_KEY_FILE) to the base64 of 32 random bytes, "
        'e.g. python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())", '
        "or CANDOR_MASTER_KEYS=id:key,... while rotating; keep a copy outside the backups."
    )
    try:
        found = configured_master_keys()
    except ConfigurationError as exc:
        return [Error(f"The master key is malformed: {exc}.", hint=hint, id="candor.E004")]
    if found is None:
        return [
            Error(
                "CANDOR_MASTER_KEY is not set: personal data could not be encrypted at rest.",
                hint=hint,
                id="candor.E003",
            )
        ]
    if not encryption_enabled():
        return [
            Error(
                "CANDOR_ENCRYPTION=off stores sensitive personal data in clear.",
                hint="Remove CANDOR_ENCRYPTION: switching it off is for benchmarks only.",
                id="candor.E014",
            )
        ]
    return []


def _https() -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if not settings.SECURE_SSL_REDIRECT:
        errors.append(
            Error(
                "SECURE_SSL_REDIRECT is off: pages and log-ins could travel over plain HTTP.",
                hint="Set CANDOR_ENV=production (or CANDOR_SSL_REDIRECT=1); behind a TLS proxy "
                "also CANDOR_TLS_PROXY_HEADER=1.",
                id="candor.E005",
            )
        )
    if settings.SECURE_HSTS_SECONDS < 180 * 24 * 3600:
        errors.append(
            Error(
                "HTTP Strict Transport Security is off or shorter than 180 days.",
                hint="Set CANDOR_HSTS_SECONDS to 31536000 (one year; the production default).",
                id="candor.E006",
            )
        )
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        errors.append(
            Error(
                "Session or CSRF cookies are not marked Secure: they could be sent over HTTP.",
                hint="Set CANDOR_ENV=production (or CANDOR_SECURE_COOKIES=1).",
                id="candor.E007",
            )
        )
    if not settings.SESSION_COOKIE_HTTPONLY:
        errors.append(
            Error(
                "The session cookie is readable by scripts (SESSION_COOKIE_HTTPONLY is off).",
                hint="Leave SESSION_COOKIE_HTTPONLY = True in candor/settings.py.",
                id="candor.E011",
            )
        )
    return errors


def _hosts() -> list[CheckMessage]:
    if "*" not in settings.ALLOWED_HOSTS:
        return []
    return [
        Error(
            "ALLOWED_HOSTS contains '*': any Host header is accepted (password-reset and "
            "notice links could point elsewhere).",
            hint="Set CANDOR_ALLOWED_HOSTS to the site's own host names, comma-separated.",
            id="candor.E008",
        )
    ]


def _mail() -> list[CheckMessage]:
    backends = [str(getattr(settings, "EMAIL_BACKEND", ""))]
    backends += [str(m.get("BACKEND", "")) for m in getattr(settings, "MAILERS", {}).values()]
    unsafe = sorted({b for b in backends if any(f".{name}." in b for name in _UNSAFE_MAIL)})
    if not unsafe:
        return []
    return [
        Error(
            "The e-mail backend does not deliver mail ("
            + ", ".join(unsafe)
            + "): notices the law requires would never reach people.",
            hint="Set CANDOR_EMAIL_URL to an SMTP server (smtp+tls://user:password@host).",
            id="candor.E009",
        )
    ]


def _second_factor() -> list[CheckMessage]:
    missing = ROLES_THAT_MUST_HAVE_2FA - set(settings.SECOND_FACTOR_REQUIRED_ROLES)
    if not missing:
        return []
    return [
        Error(
            "Two-factor log-in is not required for: " + ", ".join(sorted(missing)) + ".",
            hint="Leave CANDOR_2FA_REQUIRED_ROLES unset (dpo,administrator) or include them.",
            id="candor.E010",
        )
    ]


def _csp() -> list[CheckMessage]:
    policy = getattr(settings, "SECURE_CSP", {}) or {}
    scripts = [str(s) for s in policy.get("script-src", policy.get("default-src", []))]
    if policy and scripts and not any("unsafe" in s for s in scripts):
        return []
    return [
        Error(
            "The Content-Security-Policy is missing or allows inline or eval'd script.",
            hint="Keep SECURE_CSP of candor/settings.py: script-src 'self' only.",
            id="candor.E013",
        )
    ]
