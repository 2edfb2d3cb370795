"""Applicant identity use cases (网上身份认证): declare, change, revoke, read the numbers — and the
two questions the application flow asks: :func:`identity_for` and :func:`identity_satisfies`.
Confirming a phone by SMS code is in ``approvals.identity_phone``, confirming at a counter or
through a provider in ``approvals.identity_confirmations``.

Like every service: they validate, change state, write an :class:`IdentityEvent` and an audit
entry (``identity.declared``, ``identity.changed``, … — never with a number in them), flush, and
never commit or touch ``request``.

Levels (``IdentityLevel``, lowest first): *email* (the account's email is verified — required to
declare at all), *phone* (a phone confirmed by an SMS code), *counter* (an officer compared the
papers), *external* (an identity provider). The stored level is the highest that is still true;
changing the identity's data drops the counter and external confirmations (they were of the old
data), a new phone drops the phone confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from approvals import identity_crypto as crypto
from approvals import identity_numbers as numbers
from approvals.identity_models import (
    ApplicantIdentity,
    IdentityEvent,
    IdentityEventKind,
    IdentityKind,
)
from approvals.validation import scrub
from disclosure.catalog.online_models import IdentityLevel
from portal import audit
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db

REAL_NAME_MAX = 50
COMPANY_NAME_MAX = 200

SUBJECT = "applicant_identity"


class IdentityError(Exception):
    """A use case refused; ``field`` names the form field the message belongs to, if any, and
    ``status`` is the HTTP status a page answers with (429 too many codes, 503 no SMS gateway)."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


# --- what the application flow asks -----------------------------------------------------------


def identity_for(user) -> ApplicantIdentity | None:
    """The account's identity, or None (none declared, revoked, or no signed-in account)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    identity = db.session.scalar(
        sa.select(ApplicantIdentity).where(ApplicantIdentity.user_id == user.id)
    )
    if identity is None or identity.is_revoked:
        return None
    return identity


def identity_satisfies(user, level: IdentityLevel | str) -> bool:
    """Whether the account may apply where ``level`` is required: a verified, active account with
    an identity confirmed at least that far."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active or not user.is_verified:
        return False
    identity = identity_for(user)
    return identity is not None and identity.level.rank >= IdentityLevel(level).rank


def identity_record(user) -> ApplicantIdentity | None:
    """The account's identity row, revoked or not (for its own page)."""
    return db.session.scalar(
        sa.select(ApplicantIdentity).where(ApplicantIdentity.user_id == user.id)
    )


# --- reading numbers (only for the applicant and the officers handling them) --------------------


def _purpose(identity: ApplicantIdentity, column: str) -> str:
    return f"{SUBJECT}:{identity.user_id}:{column}"


def id_number(identity: ApplicantIdentity) -> str:
    """The full ID number (the person's, or the company's acting person's). Show it only to the
    applicant and to the officers handling them."""
    return crypto.decrypt(identity.id_number_cipher, _purpose(identity, "id_number"))


def credit_code(identity: ApplicantIdentity) -> str | None:
    if identity.credit_code_cipher is None:
        return None
    return crypto.decrypt(identity.credit_code_cipher, _purpose(identity, "credit_code"))


def masked_id_number(identity: ApplicantIdentity) -> str:
    """``3301**********1234`` (decrypts; for the applicant's own pages)."""
    return numbers.mask(id_number(identity))


def masked_credit_code(identity: ApplicantIdentity) -> str | None:
    code = credit_code(identity)
    return numbers.mask(code) if code else None


def masked_last4(identity: ApplicantIdentity) -> str:
    """``**************1234`` from the stored last four (nothing decrypted; for lists)."""
    return numbers.mask_last4(identity.credit_code_last4 or identity.id_number_last4)


# --- declaring and changing -------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    """What the applicant declares, validated and normalised by :func:`validate_declaration`."""

    kind: IdentityKind
    real_name: str
    id_number: str
    company_name: str | None = None
    credit_code: str | None = None


def id_number_message(reason: str) -> str:
    return {
        numbers.REASON_EMPTY: _("Enter the 18-character ID number."),
        numbers.REASON_LENGTH: _("An ID number has 18 characters."),
        numbers.REASON_CHARACTERS: _(
            "An ID number has 17 digits, then a digit or X; no other letters."
        ),
        numbers.REASON_REGION: _("The first two digits of this ID number are no province code."),
        numbers.REASON_BIRTH_DATE: _(
            "Characters 7 to 14 of an ID number are the birth date; this is no real past date."
        ),
        numbers.REASON_CHECK: _(
            "The check digit (the last character) does not match: please check the number."
        ),
    }[reason]


def credit_code_message(reason: str) -> str:
    return {
        numbers.REASON_EMPTY: _("Enter the 18-character unified social credit code."),
        numbers.REASON_LENGTH: _("A unified social credit code has 18 characters."),
        numbers.REASON_CHARACTERS: _(
            "A unified social credit code has digits and capital letters, but never I, O, Z, S "
            "or V."
        ),
        numbers.REASON_CHECK: _(
            "The check character (the last one) does not match: please check the code."
        ),
    }[reason]


def validate_declaration(
    kind: str,
    real_name: str | None,
    id_number_value: str | None,
    company_name: str | None = None,
    credit_code_value: str | None = None,
) -> Declaration:
    """Check every part; raise IdentityError for the first field in error."""
    try:
        kind = IdentityKind(kind)
    except ValueError as error:
        raise IdentityError(_("Choose a person or a company."), "kind") from error
    real_name = " ".join(scrub(real_name).split())
    if not real_name:
        raise IdentityError(_("Enter the name as it is on the ID card."), "real_name")
    if len(real_name) > REAL_NAME_MAX:
        raise IdentityError(
            _("A name has at most %(max)d characters.", max=REAL_NAME_MAX), "real_name"
        )
    try:
        number = numbers.validate_id_number(id_number_value)
    except numbers.IdentityNumberError as error:
        raise IdentityError(id_number_message(error.reason), "id_number") from error
    if kind == IdentityKind.PERSON:
        return Declaration(kind, real_name, number)
    company_name = " ".join(scrub(company_name).split())
    if not company_name:
        raise IdentityError(_("Enter the company's registered name."), "company_name")
    if len(company_name) > COMPANY_NAME_MAX:
        raise IdentityError(
            _("A company name has at most %(max)d characters.", max=COMPANY_NAME_MAX),
            "company_name",
        )
    try:
        code = numbers.validate_credit_code(credit_code_value)
    except numbers.IdentityNumberError as error:
        raise IdentityError(credit_code_message(error.reason), "credit_code") from error
    return Declaration(kind, real_name, number, company_name, code)


def _check_not_taken(declaration: Declaration, person_key: str | None, user: User) -> None:
    if person_key is None:
        return
    other = db.session.scalar(
        sa.select(ApplicantIdentity.user_id).where(
            ApplicantIdentity.person_key == person_key, ApplicantIdentity.user_id != user.id
        )
    )
    if other is not None:
        raise IdentityError(
            _(
                "Another account has declared this ID number. If it is yours, bring your ID card "
                "to a service counter."
            ),
            "id_number",
        )


def _store(identity: ApplicantIdentity, declaration: Declaration) -> None:
    identity.kind = declaration.kind
    identity.real_name = declaration.real_name
    identity.id_number_cipher = crypto.encrypt(
        declaration.id_number, _purpose(identity, "id_number")
    )
    identity.id_number_hash = crypto.keyed_hash("id_number", declaration.id_number)
    identity.id_number_last4 = declaration.id_number[-4:]
    if declaration.kind == IdentityKind.COMPANY:
        identity.company_name = declaration.company_name
        identity.credit_code_cipher = crypto.encrypt(
            declaration.credit_code, _purpose(identity, "credit_code")
        )
        identity.credit_code_hash = crypto.keyed_hash("credit_code", declaration.credit_code)
        identity.credit_code_last4 = declaration.credit_code[-4:]
        identity.person_key = None
    else:
        identity.company_name = None
        identity.credit_code_cipher = None
        identity.credit_code_hash = None
        identity.credit_code_last4 = None
        identity.person_key = identity.id_number_hash


def _person_key(declaration: Declaration) -> str | None:
    if declaration.kind != IdentityKind.PERSON:
        return None
    return crypto.keyed_hash("id_number", declaration.id_number)


def declare(user: User, declaration: Declaration, *, now: datetime | None = None):
    """Add the account's identity at level *email* (or declare again after a revocation)."""
    now = now or utcnow()
    if not user.is_verified:
        raise IdentityError(_("Verify your email address before you declare an identity."))
    identity = identity_record(user)
    if identity is not None and not identity.is_revoked:
        raise IdentityError(_("You have declared an identity already; change it instead."))
    _check_not_taken(declaration, _person_key(declaration), user)
    before = None
    if identity is None:
        identity = ApplicantIdentity(user_id=user.id, declared_at=now)
        db.session.add(identity)
    else:
        before = identity.level
        _clear_confirmations(identity, phone=True)
        identity.revoked_at = None
        identity.declared_at = now
    _store(identity, declaration)
    identity.level = IdentityLevel.EMAIL
    identity.level_confirmed_at = now
    identity.level_confirmed_by_id = None
    identity.updated_at = now
    db.session.flush()
    record_event(identity, IdentityEventKind.DECLARED, user, before, identity.level, now=now)
    return identity


def _changed_fields(identity: ApplicantIdentity, declaration: Declaration) -> list[str]:
    changed = []
    if identity.kind != declaration.kind:
        changed.append("kind")
    if identity.real_name != declaration.real_name:
        changed.append("real_name")
    if not crypto.same_hash(
        identity.id_number_hash, crypto.keyed_hash("id_number", declaration.id_number)
    ):
        changed.append("id_number")
    if (identity.company_name or None) != declaration.company_name:
        changed.append("company_name")
    new_code = (
        crypto.keyed_hash("credit_code", declaration.credit_code)
        if declaration.credit_code
        else None
    )
    if (identity.credit_code_hash or None) != new_code:
        changed.append("credit_code")
    return changed


def change(
    identity: ApplicantIdentity, declaration: Declaration, actor: User, *, now=None
) -> list[str]:
    """Replace the declared data; confirmations of the old data (counter, provider) are dropped,
    a confirmed phone stays. Returns the names of the fields that changed (none: nothing done)."""
    now = now or utcnow()
    if identity.is_revoked:
        raise IdentityError(_("This identity is revoked; declare it again."))
    changed = _changed_fields(identity, declaration)
    if not changed:
        return []
    _check_not_taken(declaration, _person_key(declaration), identity.user)
    before = identity.level
    _store(identity, declaration)
    _clear_confirmations(identity, phone=False)
    identity.updated_at = now
    recompute_level(identity, actor, now)
    db.session.flush()
    record_event(
        identity,
        IdentityEventKind.CHANGED,
        actor,
        before,
        identity.level,
        note=", ".join(changed),
        now=now,
        fields=changed,
    )
    return changed


def revoke(identity: ApplicantIdentity, actor: User, reason: str = "", *, now=None) -> None:
    """The identity no longer counts (withdrawn by the applicant, or revoked by an officer)."""
    now = now or utcnow()
    if identity.is_revoked:
        return
    before = identity.level
    identity.revoked_at = now
    identity.person_key = None
    _clear_confirmations(identity, phone=True)
    identity.level = IdentityLevel.EMAIL
    identity.level_confirmed_at = now
    identity.level_confirmed_by_id = getattr(actor, "id", None)
    identity.updated_at = now
    db.session.flush()
    record_event(identity, IdentityEventKind.REVOKED, actor, before, None, note=reason, now=now)


# --- levels and events ------------------------------------------------------------------------


def _clear_confirmations(identity: ApplicantIdentity, *, phone: bool) -> None:
    identity.counter_confirmed_at = None
    identity.counter_confirmed_by_id = None
    identity.external_confirmed_at = None
    identity.external_provider = None
    if phone:
        identity.phone = None
        identity.phone_verified_at = None


def level_now(identity: ApplicantIdentity) -> IdentityLevel:
    """The highest level the identity's confirmations support."""
    if identity.external_confirmed_at:
        return IdentityLevel.EXTERNAL
    if identity.counter_confirmed_at:
        return IdentityLevel.COUNTER
    if identity.phone_verified_at:
        return IdentityLevel.PHONE
    return IdentityLevel.EMAIL


def recompute_level(identity: ApplicantIdentity, actor, now: datetime) -> None:
    level = level_now(identity)
    if level != identity.level:
        identity.level = level
        identity.level_confirmed_at = now
        identity.level_confirmed_by_id = getattr(actor, "id", None)


def record_event(identity, kind, actor, before, after, *, note: str = "", now=None, **data):
    event = IdentityEvent(
        identity_id=identity.id,
        kind=kind,
        actor_id=getattr(actor, "id", None),
        level_before=before,
        level_after=after,
        note=note,
        created_at=now or utcnow(),
    )
    db.session.add(event)
    audit.record(
        f"identity.{kind.value}",
        SUBJECT,
        identity.id,
        actor=actor,
        user_id=identity.user_id,
        level_before=before.value if before else None,
        level_after=after.value if after else None,
        **data,
    )
    return event
