"""An applicant's identity (网上身份认证): who the account is, how far that is confirmed, its events,
and the SMS codes that confirm a phone.

No column holds an identity number in clear: each number is stored encrypted (``*_cipher``, see
``approvals.identity_crypto``), as a keyed hash (``*_hash``, for finding and uniqueness) and as its
last four characters (``*_last4``, for a mask that needs no decryption).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from disclosure.catalog.online_models import IdentityLevel
from portal.accounts.models import User
from portal.db import Base, UTCDateTime, str_enum, utcnow


class IdentityKind(enum.StrEnum):
    PERSON = "person"  # 自然人: real name + resident ID number
    COMPANY = "company"  # 法人: name + unified social credit code, and the acting person (经办人)

    @property
    def label(self) -> str:
        return str(IDENTITY_KIND_LABELS[self])


IDENTITY_KIND_LABELS = {
    IdentityKind.PERSON: _l("A person"),
    IdentityKind.COMPANY: _l("A company or organisation"),
}


class ApplicantIdentity(Base):
    """The identity one account applies with; at most one per account."""

    __tablename__ = "applicant_identities"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    kind: so.Mapped[IdentityKind] = so.mapped_column(str_enum(IdentityKind, 16))
    # The person's real name; for a company, the acting person's (经办人).
    real_name: so.Mapped[str] = so.mapped_column(sa.String(50))
    # The person's resident ID number; for a company, the acting person's.
    id_number_cipher: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    id_number_hash: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    id_number_last4: so.Mapped[str] = so.mapped_column(sa.String(4))
    # A company's name and unified social credit code (NULL for a person).
    company_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    credit_code_cipher: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    credit_code_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    credit_code_last4: so.Mapped[str | None] = so.mapped_column(sa.String(4))
    # One account per person: the ID number's hash for a person's identity that is not revoked;
    # NULL for a company (several accounts may act for one company) and once revoked.
    person_key: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)

    phone: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    phone_verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    counter_confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    counter_confirmed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    external_confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    external_provider: so.Mapped[str | None] = so.mapped_column(sa.String(40))

    # The highest level that is true now, and when and by whom it was last set.
    level: so.Mapped[IdentityLevel] = so.mapped_column(
        str_enum(IdentityLevel, 16), default=IdentityLevel.EMAIL
    )
    level_confirmed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    level_confirmed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    declared_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    counter_confirmed_by: so.Mapped[User | None] = so.relationship(
        foreign_keys=[counter_confirmed_by_id]
    )
    events: so.Mapped[list[IdentityEvent]] = so.relationship(
        back_populates="identity",
        cascade="all, delete-orphan",
        order_by="IdentityEvent.id",
        passive_deletes=True,
    )

    @property
    def is_company(self) -> bool:
        return self.kind == IdentityKind.COMPANY

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def display_name(self) -> str:
        return self.company_name or self.real_name if self.is_company else self.real_name


class IdentityEventKind(enum.StrEnum):
    DECLARED = "declared"
    CHANGED = "changed"
    PHONE_CODE_SENT = "phone_code_sent"
    PHONE_VERIFIED = "phone_verified"
    COUNTER_CONFIRMED = "counter_confirmed"
    EXTERNAL_CONFIRMED = "external_confirmed"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return str(IDENTITY_EVENT_LABELS[self])


IDENTITY_EVENT_LABELS = {
    IdentityEventKind.DECLARED: _l("Identity declared"),
    IdentityEventKind.CHANGED: _l("Identity changed"),
    IdentityEventKind.PHONE_CODE_SENT: _l("Phone code sent"),
    IdentityEventKind.PHONE_VERIFIED: _l("Phone verified"),
    IdentityEventKind.COUNTER_CONFIRMED: _l("Confirmed at a counter"),
    IdentityEventKind.EXTERNAL_CONFIRMED: _l("Confirmed by an identity provider"),
    IdentityEventKind.REVOKED: _l("Identity revoked"),
}


class IdentityEvent(Base):
    """Something that happened to an identity: who, when, and the level before and after.
    Never holds an identity number."""

    __tablename__ = "identity_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    identity_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("applicant_identities.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[IdentityEventKind] = so.mapped_column(str_enum(IdentityEventKind, 24))
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    level_before: so.Mapped[IdentityLevel | None] = so.mapped_column(str_enum(IdentityLevel, 16))
    level_after: so.Mapped[IdentityLevel | None] = so.mapped_column(str_enum(IdentityLevel, 16))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    identity: so.Mapped[ApplicantIdentity] = so.relationship(back_populates="events")
    actor: so.Mapped[User | None] = so.relationship()


class PhoneCode(Base):
    """A code sent by SMS to confirm a phone: kept as a keyed hash, valid ten minutes, five tries."""

    __tablename__ = "identity_phone_codes"
    __table_args__ = (sa.Index("ix_identity_phone_codes_user_created", "user_id", "created_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    phone: so.Mapped[str] = so.mapped_column(sa.String(20))
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
