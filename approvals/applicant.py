"""Who applies: the one place this package asks the identity service
(``approvals.identity_services``) about an account, so that the rest reads an ``Applicant``
snapshot — kind, name, masked number — and never a raw number."""

from __future__ import annotations

from dataclasses import dataclass

from approvals import identity_services
from disclosure.catalog.online_models import IdentityLevel


@dataclass(frozen=True)
class Applicant:
    """What an application keeps of its applicant's identity: kind, name and a masked number."""

    kind: str  # person | company
    name: str
    masked_number: str


def identity_of(user):
    """The account's identity, None without one (or a revoked one)."""
    return identity_services.identity_for(user)


def satisfies(user, level: IdentityLevel | str) -> bool:
    """Whether the account's identity reaches ``level``."""
    return bool(identity_services.identity_satisfies(user, IdentityLevel(level)))


def applicant_of(user) -> Applicant | None:
    identity = identity_of(user)
    if identity is None:
        return None
    if identity.is_company:
        return Applicant(
            kind="company",
            name=identity.company_name or identity.real_name,
            masked_number=identity_services.masked_credit_code(identity) or "",
        )
    return Applicant(
        kind="person",
        name=identity.real_name,
        masked_number=identity_services.masked_id_number(identity),
    )
