"""Candor settings, read from the environment (see README "Configuration").

Defaults are safe for a local demo: SQLite under ``./var`` and loopback only. Production sets
``CANDOR_ENV=production`` with ``DATABASE_URL``, ``CANDOR_SECRET_KEY`` and ``CANDOR_ALLOWED_HOSTS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

from candor.core.env import (
    SMTP_BACKEND,
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CANDOR_DATA_DIR", str(Path.cwd() / "var"))).resolve()

CANDOR_ENV = env_str("CANDOR_ENV", "development")
PRODUCTION = CANDOR_ENV == "production"
DEMO_MODE = env_bool("CANDOR_DEMO", default=False)
# The privacy policy (purposes, legal bases, retention, controller and DPO): the shipped
# defaults unless an agency points this at its own copy (see candor/privacy/policy.toml).
CANDOR_POLICY_FILE = env_str("CANDOR_POLICY_FILE", "")

DEBUG = env_bool("CANDOR_DEBUG", default=not PRODUCTION)
SECRET_KEY = env_secret(
    "CANDOR_SECRET_KEY",
    default=None if PRODUCTION else "insecure-local-development-key-not-for-production",
)
# The secret of the suppression list's keyed hashes (R6.11, candor.privacy.suppression). Empty
# outside production: a fixed development key is used then, with a warning in the log.
SUPPRESSION_KEY = env_secret("CANDOR_SUPPRESSION_KEY", default="")
ALLOWED_HOSTS = env_list("CANDOR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's templates and static files: the API docs page then loads Swagger UI from
    # our own static files instead of a CDN with an inline script (the CSP allows neither).
    "ninja",
    "candor.core",
    "candor.privacy",
    "candor.audit",
    "candor.accounts",
    "candor.people",
    "candor.recruitment",
    "candor.guidance",
    "candor.relations",
    "candor.search",
    "candor.disclosure",
    "candor.portal",
    "candor.inhouse",
    "candor.rights",
    "candor.importer",
    "candor.api",
    "candor.site",
    "candor.web",
    "candor.selfservice",
    "candor.stats",
    "candor.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "candor.accounts.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "candor.accounts.middleware.UserLanguageMiddleware",
    "candor.site.middleware.NulRefusalMiddleware",  # after the language is known
    "django.contrib.messages.middleware.MessageMiddleware",
    "candor.accounts.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "candor.site.middleware.DatabaseTroubleMiddleware",  # innermost: sees the view's error first
]

ROOT_URLCONF = "candor.urls"
WSGI_APPLICATION = "candor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "candor.site.context.navigation",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=env_int("CANDOR_DB_CONN_MAX_AGE", 60))
        )
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = _sqlite_options()
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default needs its folder
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "candor.sqlite3"),
        "OPTIONS": _sqlite_options(),
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")} if env_bool("CANDOR_TEST_DB_FILE") else {},
    }


def _sqlite_options() -> dict[str, Any]:
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN, so the
    # audit chain's read-then-append never meets a busy upgrade.
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
        ),
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # OWASP ASVS 2.1.1
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "site:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["candor.formats"]

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = Path(env_str("CANDOR_MEDIA_DIR", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "candor.privacy.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest document (CV) a visitor may upload; larger requests are refused before reading.
CANDOR_UPLOAD_MAX_BYTES = env_int("CANDOR_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

# One process keeps its cache in memory; several app servers share Redis (CANDOR_REDIS_URL), so
# throttling counters and cached pages agree between them.
if redis_url := env_str("CANDOR_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": env_str("CANDOR_CACHE_PREFIX", "candor"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database, read through the cache (one query less on every page).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600  # absolute lifetime of a log-in
SESSION_COOKIE_SECURE = env_bool("CANDOR_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:  # the __Host- prefix: HTTPS only, this host only, whole site
    SESSION_COOKIE_NAME = "__Host-candor_session"
    CSRF_COOKIE_NAME = "__Host-candor_csrf"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Staff are signed out after this long without a request (candor.accounts.middleware).
STAFF_IDLE_TIMEOUT_SECONDS = env_int("CANDOR_STAFF_IDLE_MINUTES", 30) * 60

# Staff log-in (docs/security.md, "Staff authentication and sessions"): two-factor log-in is
# mandatory for these roles (comma-separated; "none" for no role; consultants may always
# enrol themselves), and a user name or client address is locked out for a while after this
# many failed attempts.
SECOND_FACTOR_REQUIRED_ROLES = [
    role
    for role in env_list("CANDOR_2FA_REQUIRED_ROLES", ["dpo", "administrator"])
    if role.lower() != "none"
]
LOGIN_FAILURE_LIMIT = env_int("CANDOR_LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("CANDOR_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_LOCKOUT_SECONDS = env_int("CANDOR_LOGIN_LOCKOUT_MINUTES", 15) * 60

# HTTPS: production redirects to it, sends HSTS and marks cookies Secure. Behind a proxy that
# ends TLS, set CANDOR_TLS_PROXY_HEADER=1 so X-Forwarded-Proto tells Django the request was
# HTTPS (only when the proxy overwrites that header: clients must not be able to set it).
SECURE_SSL_REDIRECT = env_bool("CANDOR_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env_int("CANDOR_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CANDOR_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("CANDOR_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CANDOR_TLS_PROXY_HEADER") else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response: scripts only from our own static files (htmx and
# a small helper; no inline script, no eval). Inline style attributes remain allowed: a few
# templates and the sandboxed notice previews use them, and styles cannot run code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features the application never uses, switched off (PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def _mailer() -> dict[str, Any]:
    """SMTP from ``CANDOR_EMAIL_URL``, or from ``CANDOR_EMAIL_HOST`` and its companions; the
    console outside production. Production without a mail server is refused: the notices the
    law requires (R2.2) would go nowhere."""
    url = env_str("CANDOR_EMAIL_URL")
    if url:
        mailer = parse_email_url(url)
    elif host := env_str("CANDOR_EMAIL_HOST"):
        use_tls = env_bool("CANDOR_EMAIL_USE_TLS", default=True)
        mailer = {
            "BACKEND": SMTP_BACKEND,
            "OPTIONS": {
                "host": host,
                "port": env_int("CANDOR_EMAIL_PORT", 587 if use_tls else 25),
                "username": env_str("CANDOR_EMAIL_USER"),
                "password": env_secret("CANDOR_EMAIL_PASSWORD", default=""),
                "use_tls": use_tls,
            },
        }
    elif PRODUCTION:
        raise ConfigurationError(
            "CANDOR_EMAIL_URL (or CANDOR_EMAIL_HOST) must be set in production: "
            "notices to people are sent by e-mail."
        )
    else:
        mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if mailer["BACKEND"] == SMTP_BACKEND:
        mailer["OPTIONS"]["timeout"] = env_int("CANDOR_EMAIL_TIMEOUT", 30)
    return mailer


MAILERS = {"default": _mailer()}
# The sender of notices and other mail; empty: the controller named in the policy.
CANDOR_EMAIL_FROM = env_str("CANDOR_EMAIL_FROM", "")
if CANDOR_EMAIL_FROM:
    DEFAULT_FROM_EMAIL = SERVER_EMAIL = CANDOR_EMAIL_FROM

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CANDOR_LOG_LEVEL", "WARNING")},
}
