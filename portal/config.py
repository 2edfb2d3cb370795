"""Configuration: one class, read from ``KAIMEN_*`` environment variables (plus ``SECRET_KEY``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta


def _env(
    name: str, default: str | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    return default if value is None or value == "" else value


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings with defaults that serve one machine with no setup at all.

    Build it with :meth:`from_env`; nothing is read at import time.
    """

    # Flask
    SECRET_KEY: str | None = None
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "kaimen_session"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"

    # Werkzeug's scrypt (N=2**15, r=8, p=1): no length limit, nothing truncated.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password

    # Database
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Forms
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Languages and time
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}

    # Rate limits
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute;50 per hour"
    RATELIMIT_REGISTER = "5 per minute;20 per hour"
    RATELIMIT_RESET = "5 per minute;20 per hour"

    # Outbound mail (SMTP). With no server configured, mail waits in the outbox.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Kaimen <noreply@kaimen.localhost>"
    MAIL_TIMEOUT = 10.0
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_BASE_SECONDS = 60
    MAIL_BATCH_SIZE = 50
    MAIL_SUPPRESS_SEND = False
    KAIMEN_MAIL_DOMAIN = "kaimen.localhost"
    KAIMEN_INBOUND_DOMAIN = "reply.kaimen.localhost"
    # Inbound mail (officers' replies): a message larger than this is refused — its headers and
    # size recorded with the outcome "too_large" — and not processed. 25 MB, the usual limit.
    KAIMEN_INBOUND_MAX_BYTES = 25 * 1024 * 1024
    # The authserv-id(s) of the receiving mail server whose Authentication-Results headers are
    # believed (RFC 8601 §5), comma-separated; empty: none is believed.
    KAIMEN_INBOUND_AUTHSERV_ID = ""
    # ``kaimen mail poll``: the mailbox replies are fetched from over IMAP (none = not polled).
    KAIMEN_MAIL_IMAP_HOST: str | None = None
    KAIMEN_MAIL_IMAP_PORT = 993
    KAIMEN_MAIL_IMAP_SSL = True
    KAIMEN_MAIL_IMAP_USER: str | None = None
    KAIMEN_MAIL_IMAP_PASSWORD: str | None = None
    KAIMEN_MAIL_IMAP_FOLDER = "INBOX"
    # Where a polled message goes once stored ("" = it stays in the folder, flagged \Seen).
    KAIMEN_MAIL_IMAP_DONE_FOLDER = ""

    # Where links in mail point to.
    KAIMEN_BASE_URL = "http://127.0.0.1:5000"
    KAIMEN_HTTPS = False

    # Uploads: the largest application form (WORD/PDF) and leader photo accepted, in bytes.
    KAIMEN_FORM_MAX_BYTES = 10 * 1024 * 1024
    KAIMEN_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    # A complaint's attachment (PDF, Word, JPEG, PNG), each; at most five per complaint or follow-up.
    KAIMEN_COMPLAINT_MAX_BYTES = 3 * 1024 * 1024  # five of them fit in MAX_CONTENT_LENGTH
    RATELIMIT_COMPLAINT = "5 per hour"
    # Follow-ups to one's complaints (each may carry five attachments and mails the officers).
    RATELIMIT_COMPLAINT_FOLLOW_UP = "10 per hour"

    # SMS (complaint notifications, identity phone codes): "log" writes them to the log (one
    # machine, no gateway); "http" POSTs JSON to KAIMEN_SMS_URL with the bearer token KAIMEN_SMS_TOKEN.
    KAIMEN_SMS_BACKEND = "log"
    KAIMEN_SMS_URL: str | None = None
    KAIMEN_SMS_TOKEN: str | None = None
    KAIMEN_SMS_TIMEOUT = 5.0

    # Applicants' ID numbers and credit codes are stored encrypted (AES-GCM) with a key derived
    # from this secret, and found by an HMAC under another derived key; unset = derived from
    # SECRET_KEY (HKDF, fixed context labels). Changing it makes stored numbers unreadable.
    KAIMEN_IDENTITY_KEY: str | None = None

    # Feature packages to load (entry points of the group ``kaimen.features``); None = all installed.
    KAIMEN_FEATURES: list[str] | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> dict:
        """Return the settings as a dict, with environment variables applied over the defaults."""
        conf = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}

        def env(name: str, default: str | None = None) -> str | None:
            return _env(name, default, environ)

        conf["SECRET_KEY"] = env("SECRET_KEY") or env("KAIMEN_SECRET_KEY")
        conf["SQLALCHEMY_DATABASE_URI"] = env("KAIMEN_DATABASE_URL")
        redis = env("KAIMEN_REDIS_URL")
        if redis:
            conf["RATELIMIT_STORAGE_URI"] = redis
        conf["RATELIMIT_ENABLED"] = _bool(env("KAIMEN_RATELIMIT_ENABLED"), True)
        conf["MAIL_SERVER"] = env("KAIMEN_MAIL_SERVER")
        conf["MAIL_PORT"] = int(env("KAIMEN_MAIL_PORT", "25"))
        conf["MAIL_USE_TLS"] = _bool(env("KAIMEN_MAIL_USE_TLS"))
        conf["MAIL_USE_SSL"] = _bool(env("KAIMEN_MAIL_USE_SSL"))
        conf["MAIL_USERNAME"] = env("KAIMEN_MAIL_USERNAME")
        conf["MAIL_PASSWORD"] = env("KAIMEN_MAIL_PASSWORD")
        conf["MAIL_TIMEOUT"] = float(env("KAIMEN_MAIL_TIMEOUT", "10"))
        conf["KAIMEN_MAIL_DOMAIN"] = env("KAIMEN_MAIL_DOMAIN", cls.KAIMEN_MAIL_DOMAIN)
        conf["MAIL_DEFAULT_SENDER"] = env(
            "KAIMEN_MAIL_FROM", f"Kaimen <noreply@{conf['KAIMEN_MAIL_DOMAIN']}>"
        )
        conf["KAIMEN_INBOUND_DOMAIN"] = env(
            "KAIMEN_INBOUND_DOMAIN", f"reply.{conf['KAIMEN_MAIL_DOMAIN']}"
        )
        conf["KAIMEN_INBOUND_MAX_BYTES"] = int(
            env("KAIMEN_INBOUND_MAX_BYTES", str(cls.KAIMEN_INBOUND_MAX_BYTES))
        )
        conf["KAIMEN_INBOUND_AUTHSERV_ID"] = env("KAIMEN_INBOUND_AUTHSERV_ID", "")
        conf["KAIMEN_MAIL_IMAP_HOST"] = env("KAIMEN_MAIL_IMAP_HOST")
        conf["KAIMEN_MAIL_IMAP_SSL"] = _bool(env("KAIMEN_MAIL_IMAP_SSL"), True)
        conf["KAIMEN_MAIL_IMAP_PORT"] = int(
            env("KAIMEN_MAIL_IMAP_PORT", "993" if conf["KAIMEN_MAIL_IMAP_SSL"] else "143")
        )
        conf["KAIMEN_MAIL_IMAP_USER"] = env("KAIMEN_MAIL_IMAP_USER")
        conf["KAIMEN_MAIL_IMAP_PASSWORD"] = env("KAIMEN_MAIL_IMAP_PASSWORD")
        conf["KAIMEN_MAIL_IMAP_FOLDER"] = env("KAIMEN_MAIL_IMAP_FOLDER", "INBOX")
        conf["KAIMEN_MAIL_IMAP_DONE_FOLDER"] = env("KAIMEN_MAIL_IMAP_DONE_FOLDER", "")
        conf["KAIMEN_BASE_URL"] = (env("KAIMEN_BASE_URL", cls.KAIMEN_BASE_URL) or "").rstrip("/")
        https = _bool(env("KAIMEN_HTTPS"), conf["KAIMEN_BASE_URL"].startswith("https://"))
        conf["KAIMEN_HTTPS"] = https
        conf["SESSION_COOKIE_SECURE"] = https
        conf["REMEMBER_COOKIE_SECURE"] = https
        conf["PREFERRED_URL_SCHEME"] = "https" if https else "http"
        conf["KAIMEN_SMS_URL"] = env("KAIMEN_SMS_URL")
        conf["KAIMEN_SMS_TOKEN"] = env("KAIMEN_SMS_TOKEN")
        conf["KAIMEN_SMS_BACKEND"] = env(
            "KAIMEN_SMS_BACKEND", "http" if conf["KAIMEN_SMS_URL"] else "log"
        )
        conf["KAIMEN_SMS_TIMEOUT"] = float(env("KAIMEN_SMS_TIMEOUT", "5"))
        conf["KAIMEN_IDENTITY_KEY"] = env("KAIMEN_IDENTITY_KEY")
        features = env("KAIMEN_FEATURES")
        if features is not None:
            conf["KAIMEN_FEATURES"] = [f.strip() for f in features.split(",") if f.strip()]
        return conf
