"""Confirming an applicant's phone by SMS code (level *phone*), through the kernel's gateway
(``portal.sms``). The code is kept as a keyed hash, is valid ten minutes and allows five tries;
codes are sent at most once a minute and five times an hour; only the latest code counts."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from approvals import identity_crypto as crypto
from approvals import identity_numbers as numbers
from approvals import identity_services as services
from approvals.identity_models import ApplicantIdentity, IdentityEventKind, PhoneCode
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.sms import SmsError, gateway

CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_INTERVAL = timedelta(seconds=60)
CODE_MAX_PER_HOUR = 5


def _code_hash(user_id: int, phone: str, code: str) -> str:
    return crypto.keyed_hash("phone_code", f"{user_id}:{phone}:{code}")


def latest_code(user: User) -> PhoneCode | None:
    return db.session.scalar(
        sa.select(PhoneCode)
        .where(PhoneCode.user_id == user.id)
        .order_by(PhoneCode.created_at.desc(), PhoneCode.id.desc())
        .limit(1)
    )


def pending_code(user: User, *, now=None) -> PhoneCode | None:
    """The code the user can still type: the latest one, unused, unexpired, tries left."""
    now = now or utcnow()
    code = latest_code(user)
    if code is None or code.used_at or code.expires_at <= now:
        return None
    if code.attempts >= CODE_MAX_ATTEMPTS:
        return None
    return code


def send_phone_code(identity: ApplicantIdentity, phone_value: str, *, now=None) -> PhoneCode:
    """Send a 6-digit code to the phone by SMS (at most one a minute and five an hour)."""
    now = now or utcnow()
    if identity.is_revoked:
        raise services.IdentityError(_("Declare your identity first."))
    phone = numbers.normalise_phone(phone_value)
    if not numbers.is_mobile_phone(phone):
        raise services.IdentityError(
            _("Enter an 11-digit mobile number, such as 13800000000."), "phone"
        )
    user = identity.user
    recent = list(
        db.session.scalars(
            sa.select(PhoneCode.created_at).where(
                PhoneCode.user_id == user.id, PhoneCode.created_at > now - timedelta(hours=1)
            )
        )
    )
    if recent and max(recent) > now - CODE_RESEND_INTERVAL:
        raise services.IdentityError(
            _("A code was sent less than a minute ago. Please wait a moment before asking again."),
            status=429,
        )
    if len(recent) >= CODE_MAX_PER_HOUR:
        raise services.IdentityError(
            _(
                "You have asked for %(count)d codes in the last hour. Try again later.",
                count=len(recent),
            ),
            status=429,
        )
    code = f"{secrets.randbelow(10**6):06d}"
    row = PhoneCode(
        user_id=user.id,
        phone=phone,
        code_hash=_code_hash(user.id, phone, code),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    db.session.add(row)
    db.session.flush()
    text = _(
        "[Kaimen] Your code to confirm this phone is %(code)s, valid for %(minutes)d minutes. "
        "Never give it to anyone.",
        code=code,
        minutes=int(CODE_TTL.total_seconds() // 60),
    )
    try:
        gateway().send(phone, text, reference=f"identity-{identity.id}-code-{row.id}")
    except SmsError as error:
        raise services.IdentityError(
            _("The SMS could not be sent just now. Please try again in a few minutes."),
            status=503,
        ) from error
    services.record_event(
        identity,
        IdentityEventKind.PHONE_CODE_SENT,
        user,
        identity.level,
        identity.level,
        note=numbers.mask_phone(phone),
        now=now,
        phone=numbers.mask_phone(phone),
    )
    return row


def verify_phone_code(identity: ApplicantIdentity, code_value: str, *, now=None) -> None:
    """Confirm the phone with the code sent to it. A wrong code counts as a try (the caller must
    keep that count: it is written before the error is raised)."""
    now = now or utcnow()
    user = identity.user
    code = latest_code(user)
    if code is None or code.used_at:
        raise services.IdentityError(_("Ask for a code first."), "code")
    if code.expires_at <= now:
        raise services.IdentityError(_("This code has expired. Ask for a new one."), "code")
    if code.attempts >= CODE_MAX_ATTEMPTS:
        raise services.IdentityError(_("Too many wrong codes. Ask for a new one."), "code")
    typed = numbers.normalise(code_value)
    if not crypto.same_hash(code.code_hash, _code_hash(user.id, code.phone, typed)):
        code.attempts += 1
        db.session.flush()
        left = CODE_MAX_ATTEMPTS - code.attempts
        if left <= 0:
            raise services.IdentityError(_("Too many wrong codes. Ask for a new one."), "code")
        raise services.IdentityError(
            _("This is not the code we sent. %(left)d tries left.", left=left), "code"
        )
    code.used_at = now
    before = identity.level
    identity.phone = code.phone
    identity.phone_verified_at = now
    identity.updated_at = now
    services.recompute_level(identity, user, now)
    db.session.flush()
    services.record_event(
        identity,
        IdentityEventKind.PHONE_VERIFIED,
        user,
        before,
        identity.level,
        note=numbers.mask_phone(code.phone),
        now=now,
        phone=numbers.mask_phone(code.phone),
    )
