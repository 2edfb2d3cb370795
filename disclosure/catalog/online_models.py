"""What an approval item offers online (网上申报): the application's form fields, its list of
required materials, who may apply and the identity level they need.

It is part of the item as disclosed (and of the submission format, 报送规范), so it lives in the
catalog; the ``approvals`` service reads it, and keeps a copy of it with each application filed,
so that later edits of the item never change a running application.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from portal.db import Base, str_enum


class FieldType(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    ID_CARD = "id_card"  # 18-digit resident ID number (GB 11643 check digit)
    CREDIT_CODE = "credit_code"  # 18-character unified social credit code (GB 32100)
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"

    @property
    def label(self) -> str:
        return str(FIELD_TYPE_LABELS[self])


FIELD_TYPE_LABELS = {
    FieldType.TEXT: _l("Text"),
    FieldType.LONG_TEXT: _l("Long text"),
    FieldType.NUMBER: _l("Number"),
    FieldType.DATE: _l("Date"),
    FieldType.CHOICE: _l("Choice"),
    FieldType.ID_CARD: _l("ID card number"),
    FieldType.CREDIT_CODE: _l("Unified social credit code"),
    FieldType.PHONE: _l("Phone"),
    FieldType.EMAIL: _l("Email"),
    FieldType.ADDRESS: _l("Address"),
}


class ApplicantKind(enum.StrEnum):
    """Who may apply: a natural person (自然人), a legal person (法人), or both."""

    PERSON = "person"
    COMPANY = "company"
    BOTH = "both"

    @property
    def label(self) -> str:
        return str(APPLICANT_KIND_LABELS[self])

    def admits(self, kind: str) -> bool:
        return self == ApplicantKind.BOTH or self.value == kind


APPLICANT_KIND_LABELS = {
    ApplicantKind.PERSON: _l("Natural persons"),
    ApplicantKind.COMPANY: _l("Legal persons"),
    ApplicantKind.BOTH: _l("Natural and legal persons"),
}


class IdentityLevel(enum.StrEnum):
    """How far an applicant's identity has been confirmed, lowest first (网上身份认证)."""

    EMAIL = "email"  # the account's email address is verified
    PHONE = "phone"  # a phone number confirmed by an SMS code
    COUNTER = "counter"  # an officer saw the papers at a counter
    EXTERNAL = "external"  # an external identity provider (through an adapter)

    @property
    def rank(self) -> int:
        return list(IdentityLevel).index(self)

    @property
    def label(self) -> str:
        return str(IDENTITY_LEVEL_LABELS[self])


IDENTITY_LEVEL_LABELS = {
    IdentityLevel.EMAIL: _l("Email verified"),
    IdentityLevel.PHONE: _l("Phone verified"),
    IdentityLevel.COUNTER: _l("Confirmed at a counter"),
    IdentityLevel.EXTERNAL: _l("Confirmed by an identity provider"),
}

# The Administrative Licensing Law's default decision limit (行政许可法 第四十二条), working days.
STATUTORY_DEFAULT_DAYS = 20


class OnlineSpec(Base):
    """An item's offer to be applied for online; one row per item that has one."""

    __tablename__ = "item_online_specs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("approval_items.id", ondelete="CASCADE"), unique=True
    )
    enabled: so.Mapped[bool] = so.mapped_column(default=False)  # 可网上申报
    applicant_kind: so.Mapped[ApplicantKind] = so.mapped_column(
        str_enum(ApplicantKind, 16), default=ApplicantKind.BOTH
    )
    identity_level: so.Mapped[IdentityLevel] = so.mapped_column(
        str_enum(IdentityLevel, 16), default=IdentityLevel.EMAIL
    )
    # 法定时限 in working days (the law's default 20); 承诺时限 defaults to the steps' sum.
    statutory_limit_days: so.Mapped[int] = so.mapped_column(default=STATUTORY_DEFAULT_DAYS)
    promised_limit_days: so.Mapped[int | None]
    # Bumped on every change, so an application can name the version it was filed under.
    version: so.Mapped[int] = so.mapped_column(default=1)

    fields: so.Mapped[list[FormField]] = so.relationship(
        back_populates="spec", cascade="all, delete-orphan", order_by="FormField.sort_order"
    )
    materials: so.Mapped[list[MaterialSpec]] = so.relationship(
        back_populates="spec", cascade="all, delete-orphan", order_by="MaterialSpec.sort_order"
    )


class FormField(Base):
    """One field of the online application form."""

    __tablename__ = "item_form_fields"
    __table_args__ = (sa.UniqueConstraint("spec_id", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    spec_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("item_online_specs.id", ondelete="CASCADE"), index=True
    )
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    key: so.Mapped[str] = so.mapped_column(sa.String(40))  # [a-z][a-z0-9_]*
    label_zh: so.Mapped[str] = so.mapped_column(sa.String(100))
    label_en: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    type: so.Mapped[FieldType] = so.mapped_column(str_enum(FieldType, 16))
    required: so.Mapped[bool] = so.mapped_column(default=False)
    # Limits: characters for text types, values for numbers; None = no limit.
    min_length: so.Mapped[int | None]
    max_length: so.Mapped[int | None]
    min_value: so.Mapped[float | None]
    max_value: so.Mapped[float | None]
    choices: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)  # CHOICE only
    help_zh: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    help_en: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    spec: so.Mapped[OnlineSpec] = so.relationship(back_populates="fields")


class MaterialSpec(Base):
    """One required (or optional) material of the online application (申请材料)."""

    __tablename__ = "item_material_specs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    spec_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("item_online_specs.id", ondelete="CASCADE"), index=True
    )
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    required: so.Mapped[bool] = so.mapped_column(default=True)
    # Accepted kinds of file by content: any of "pdf", "doc", "docx", "jpg", "png".
    accepted_types: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    max_bytes: so.Mapped[int] = so.mapped_column(default=5 * 1024 * 1024)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # e.g. 原件扫描
    # The downloadable form that is this material's template, if any.
    template_form_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("application_forms.id", ondelete="SET NULL")
    )

    spec: so.Mapped[OnlineSpec] = so.relationship(back_populates="materials")
    # Read-only: the import and the editor set ``template_form_id``. (Named, not imported:
    # disclosure.catalog.models imports this module.)
    template_form: so.Mapped[ApplicationForm | None] = so.relationship(  # noqa: F821
        "ApplicationForm", viewonly=True
    )
