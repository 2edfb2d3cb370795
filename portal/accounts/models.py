"""People who sign in, and the roles an administrator grants them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from portal.db import Base, UTCDateTime, str_enum, utcnow


class Role(enum.StrEnum):
    """A role granted on top of being a citizen (every verified account is a citizen)."""

    MODERATOR = "moderator"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.MODERATOR: _l("Moderator"),
    Role.OFFICER: _l("Officer"),
    Role.SUPERVISOR: _l("Department supervisor"),
    Role.ADMIN: _l("Administrator"),
}


def _new_auth_token() -> str:
    return secrets.token_urlsafe(16)


class User(Base):
    """An account: a citizen, and perhaps also a moderator, officer, supervisor or administrator."""

    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(50))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    # Part of the session identity: changing it (new password) signs out every other session.
    auth_token: so.Mapped[str] = so.mapped_column(sa.String(32), default=_new_auth_token)
    email_verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    is_active: so.Mapped[bool] = so.mapped_column(default=True)
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    role_grants: so.Mapped[list[UserRole]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.auth_token}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.role_grants)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.auth_token = _new_auth_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Base):
    """One role granted to one user."""

    __tablename__ = "user_roles"
    __table_args__ = (sa.UniqueConstraint("user_id", "role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[Role] = so.mapped_column(str_enum(Role, 20))
    granted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship(back_populates="role_grants")
