"""Confirming an identity beyond the phone: by an officer who saw the papers at a counter
(level *counter*), or by an external identity provider (level *external*, see
``approvals.identity_providers``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from approvals import identity_crypto as crypto
from approvals import identity_numbers as numbers
from approvals import identity_services as services
from approvals.identity_models import ApplicantIdentity, IdentityEventKind
from portal import audit
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db


def find_account(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def papers_match(
    identity: ApplicantIdentity, id_number_value: str | None, credit_code_value: str | None = None
) -> bool:
    """Whether the numbers typed from the papers are the declared ones (compared by keyed hash,
    in constant time; nothing decrypted)."""
    typed_id = numbers.normalise(id_number_value)
    if not crypto.same_hash(identity.id_number_hash, crypto.keyed_hash("id_number", typed_id)):
        return False
    if identity.is_company:
        typed_code = numbers.normalise(credit_code_value)
        return crypto.same_hash(
            identity.credit_code_hash, crypto.keyed_hash("credit_code", typed_code)
        )
    return True


def record_papers_checked(identity: ApplicantIdentity, officer: User) -> None:
    """The officer's typed numbers matched and the full numbers are shown: an audited access."""
    audit.record("identity.papers_checked", services.SUBJECT, identity.id, actor=officer)


def confirm_at_counter(
    identity: ApplicantIdentity,
    officer: User,
    id_number_value: str | None,
    credit_code_value: str | None = None,
    *,
    note: str = "",
    now=None,
) -> None:
    """The officer saw the papers and typed their numbers: level *counter* (at least)."""
    now = now or utcnow()
    if identity.is_revoked:
        raise services.IdentityError(_("This identity is revoked."))
    if not papers_match(identity, id_number_value, credit_code_value):
        raise services.IdentityError(
            _("The numbers on the papers are not the declared ones."), "id_number"
        )
    before = identity.level
    identity.counter_confirmed_at = now
    identity.counter_confirmed_by_id = officer.id
    identity.updated_at = now
    services.recompute_level(identity, officer, now)
    db.session.flush()
    services.record_event(
        identity, IdentityEventKind.COUNTER_CONFIRMED, officer, before, identity.level,
        note=note, now=now,
    )  # fmt: skip


def confirm_externally(
    identity: ApplicantIdentity, provider_name: str, reference: str, *, now=None
) -> None:
    """An identity provider confirmed the identity (see ``approvals.identity_providers``)."""
    now = now or utcnow()
    before = identity.level
    identity.external_confirmed_at = now
    identity.external_provider = provider_name[:40]
    identity.updated_at = now
    services.recompute_level(identity, None, now)
    db.session.flush()
    services.record_event(
        identity, IdentityEventKind.EXTERNAL_CONFIRMED, None, before, identity.level,
        note=f"{provider_name}: {reference}"[:500], now=now, provider=provider_name,
    )  # fmt: skip
