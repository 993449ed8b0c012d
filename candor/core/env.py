"""Reading configuration from the environment.

Settings are read only here and only from ``candor/settings.py``; application code reads
``django.conf.settings`` at call time, never at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


class ConfigurationError(RuntimeError):
    """A configuration value is missing or malformed; the message says which and how to fix it."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(
        f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (container secrets).

    Fails loudly when neither is set and no default was given, so a production deployment
    never runs on a made-up secret.
    """
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    if value:
        return value
    if default is None:
        raise ConfigurationError(f"{name} (or {name}_FILE) must be set.")
    return default


_EMAIL_SCHEMES = {
    "smtp": ("smtp", False, False),
    "smtp+tls": ("smtp", True, False),
    "smtps": ("smtp", False, True),
    "smtp+ssl": ("smtp", False, True),
    "console": ("console", False, False),
    "dummy": ("dummy", False, False),
}
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def parse_email_url(url: str, *, name: str = "CANDOR_EMAIL_URL") -> dict[str, Any]:
    """A Django mailer (an entry of ``MAILERS``) from one URL: ``smtp+tls://user:password@host``
    (STARTTLS, port 587), ``smtps://…`` (TLS from the start, 465), ``smtp://host`` (plain, a
    local relay, 25), ``console://`` (print messages) or ``dummy://`` (drop them). User and
    password are percent-decoded, so ``@`` in a password is written ``%40``."""
    parts = urlsplit(url)
    if parts.scheme not in _EMAIL_SCHEMES:
        raise ConfigurationError(
            f"{name}: unknown scheme {parts.scheme!r}; use one of {', '.join(_EMAIL_SCHEMES)}."
        )
    kind, use_tls, use_ssl = _EMAIL_SCHEMES[parts.scheme]
    if kind != "smtp":
        return {"BACKEND": f"django.core.mail.backends.{kind}.EmailBackend"}
    if not parts.hostname:
        raise ConfigurationError(f"{name}: no host name (smtp+tls://user:password@host).")
    try:
        port = parts.port or (465 if use_ssl else 587 if use_tls else 25)
    except ValueError:
        raise ConfigurationError(f"{name}: the port is not a number.") from None
    return {
        "BACKEND": SMTP_BACKEND,
        "OPTIONS": {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": use_tls,
            "use_ssl": use_ssl,
        },
    }
