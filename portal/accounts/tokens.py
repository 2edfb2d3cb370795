"""Signed, expiring tokens for the links we mail: verify an address, reset a password."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.accounts.models import User
from portal.extensions import db

VERIFY_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 2 * 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"kaimen.{purpose}")


def _password_fingerprint(user: User) -> str:
    # A reset link dies once the password changes, so it works only once.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_verify_token(user: User) -> str:
    return _serializer("verify-email").dumps({"uid": user.id, "email": user.email})


def make_reset_token(user: User) -> str:
    return _serializer("reset-password").dumps({"uid": user.id, "pw": _password_fingerprint(user)})


class TokenError(Exception):
    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenError(expired=True) from error
    except BadSignature as error:
        raise TokenError(expired=False) from error
    if not isinstance(data, dict):
        raise TokenError(expired=False)
    return data


def user_from_verify_token(token: str) -> User:
    data = _load("verify-email", token, VERIFY_MAX_AGE)
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise TokenError(expired=False)
    return user


def user_from_reset_token(token: str) -> User:
    data = _load("reset-password", token, RESET_MAX_AGE)
    user = db.session.get(User, data.get("uid"))
    if user is None or _password_fingerprint(user) != data.get("pw"):
        raise TokenError(expired=False)
    return user
