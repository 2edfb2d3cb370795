"""Account use cases. Each validates, changes state, queues mail and audits; none commits."""

from __future__ import annotations

import enum
import functools

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit
from portal.accounts.models import Role, User, UserRole
from portal.accounts.tokens import make_reset_token, make_verify_token
from portal.db import utcnow
from portal.extensions import db
from portal.mail.outbox import queue_templated
from portal.urls import external_url

PASSWORD_MIN = 8
PASSWORD_MAX = 128
DISPLAY_NAME_MAX = 50


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so a login takes as long either way."""
    return generate_password_hash("kaimen-not-a-password", method=method)


class AccountError(ValueError):
    """A use case refused its input; the message is for the user."""


def normalise_email(email: str) -> str:
    """Validate an address and return the form we store (lower case, IDN domain normalised)."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(_("Enter a valid email address, such as name@example.com.")) from error
    return result.normalized.lower()


def find_by_email(email: str) -> User | None:
    try:
        email = normalise_email(email)
    except AccountError:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def _reader_locale(user: User) -> str | None:
    return user.locale


def send_verification(user: User) -> None:
    link = external_url("accounts.verify", token=make_verify_token(user))
    queue_templated(
        "verify_email", to=[user.email], locale=_reader_locale(user), user=user, link=link
    )


def register(email: str, display_name: str, password: str, *, locale: str | None) -> User | None:
    """Sign up a new account and mail the verification link.

    If the address already has an account, nothing is created; its owner gets a note instead,
    so the page shown is the same either way and nobody learns who has an account.
    """
    email = normalise_email(email)
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None:
        queue_templated(
            "account_exists",
            to=[existing.email],
            locale=_reader_locale(existing),
            user=existing,
            login_link=external_url("accounts.login"),
            reset_link=external_url("accounts.reset_request"),
        )
        return None
    user = User(email=email, display_name=display_name.strip(), locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("account.register", "user", user.id, actor=user)
    send_verification(user)
    return user


def verify(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("account.verify", "user", user.id, actor=user)


class LoginResult(enum.Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    UNVERIFIED = "unverified"
    DISABLED = "disabled"


def authenticate(email: str, password: str) -> tuple[LoginResult, User | None]:
    user = find_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return LoginResult.BAD_CREDENTIALS, None
    if not user.check_password(password):
        return LoginResult.BAD_CREDENTIALS, None
    if not user.is_active:
        return LoginResult.DISABLED, user
    if not user.is_verified:
        return LoginResult.UNVERIFIED, user
    user.last_login_at = utcnow()
    return LoginResult.OK, user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address has an account; say nothing either way."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    link = external_url("accounts.reset_password", token=make_reset_token(user))
    queue_templated(
        "reset_password", to=[user.email], locale=_reader_locale(user), user=user, link=link
    )


def reset_password(user: User, password: str) -> None:
    """Set a new password; every other session of the account ends with it."""
    user.set_password(password)
    # Whoever can read the mailbox owns the address: the reset proves it, as verification would.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    audit.record("account.password_reset", "user", user.id, actor=user)


def create_user(
    email: str,
    display_name: str,
    password: str,
    *,
    roles: set[Role] = frozenset(),
    verified: bool = True,
    actor: User | None = None,
) -> User:
    """An administrator (or the CLI) makes an account, already verified unless told otherwise."""
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(_("An account with this email address already exists."))
    user = User(email=email, display_name=display_name.strip())
    user.set_password(password)
    if verified:
        user.email_verified_at = utcnow()
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id, actor=actor, email=email)
    for role in sorted(roles):
        grant_role(user, role, actor=actor)
    return user


def grant_role(user: User, role: Role, *, actor: User | None, reason: str | None = None) -> bool:
    """Give ``user`` a role. Returns False (and records nothing) if they had it already."""
    if user.has_role(role):
        return False
    user.role_grants.append(UserRole(role=role))
    db.session.flush()
    audit.record("role.grant", "user", user.id, actor=actor, reason=reason, role=role.value)
    return True


def revoke_role(user: User, role: Role, *, actor: User | None, reason: str | None = None) -> bool:
    """Take a role away. An administrator cannot remove their own administrator role."""
    grant = next((g for g in user.role_grants if g.role == role), None)
    if grant is None:
        return False
    if role == Role.ADMIN and actor is not None and actor.id == user.id:
        raise AccountError(_("You cannot remove your own administrator role."))
    user.role_grants.remove(grant)
    db.session.flush()
    audit.record("role.revoke", "user", user.id, actor=actor, reason=reason, role=role.value)
    return True
