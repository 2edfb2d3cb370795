"""External identity providers (level *external*): an adapter interface and a registry.

No provider ships with Kaimen. A deployment that can check identities against an outside service
(a provincial e-government identity platform, 电子营业执照 for companies, a bank's real-name
check, …) writes one class with one method and registers it when the app starts, e.g. in a small
feature package of its own::

    from approvals.identity_providers import IdentityClaim, ProviderAnswer, register_provider

    class ProvincialPlatform:
        def verify(self, claim: IdentityClaim) -> ProviderAnswer:
            ok, ticket = call_the_platform(claim.real_name, claim.id_number)   # your client
            return ProviderAnswer(confirmed=ok, reference=ticket)

    register_provider("zj-platform", ProvincialPlatform())

:func:`verify_with` then hands the declared identity to the provider and, on a confirmation,
raises the identity to level *external* (an audited event naming the provider and its
reference). The claim carries the full numbers: the provider is trusted with them, nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from approvals import identity_confirmations as confirmations
from approvals import identity_services as services
from approvals.identity_models import ApplicantIdentity


@dataclass(frozen=True)
class IdentityClaim:
    """What the applicant declared, in full, for the provider to check."""

    kind: str  # "person" | "company"
    real_name: str  # the person's, or the company's acting person's
    id_number: str
    company_name: str | None = None
    credit_code: str | None = None


@dataclass(frozen=True)
class ProviderAnswer:
    confirmed: bool
    reference: str = ""  # the provider's ticket or transaction id, kept in the event


class IdentityProvider(Protocol):
    def verify(self, claim: IdentityClaim) -> ProviderAnswer:
        """Check the claim with the outside service; raise on a transport failure."""


_PROVIDERS: dict[str, IdentityProvider] = {}


def register_provider(name: str, provider: IdentityProvider) -> None:
    """Make ``provider`` available under ``name`` (at most 40 characters)."""
    if not name or len(name) > 40:
        raise ValueError("a provider name has 1 to 40 characters")
    _PROVIDERS[name] = provider


def unregister_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def providers() -> dict[str, IdentityProvider]:
    return dict(_PROVIDERS)


def claim_of(identity: ApplicantIdentity) -> IdentityClaim:
    return IdentityClaim(
        kind=identity.kind.value,
        real_name=identity.real_name,
        id_number=services.id_number(identity),
        company_name=identity.company_name,
        credit_code=services.credit_code(identity),
    )


def verify_with(name: str, identity: ApplicantIdentity) -> bool:
    """Ask the provider ``name``; on a confirmation the identity reaches level *external*."""
    provider = _PROVIDERS.get(name)
    if provider is None:
        raise LookupError(f"no identity provider named {name!r}")
    answer = provider.verify(claim_of(identity))
    if answer.confirmed:
        confirmations.confirm_externally(identity, name, answer.reference)
    return answer.confirmed
