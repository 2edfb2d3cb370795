"""The registry through which feature packages plug into the kernel without the kernel importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object  # lazy strings, translated when rendered
    order: int
    description: object = ""


@dataclass(frozen=True)
class ItemAction:
    label: object
    url: str
    description: object = ""


@dataclass
class FeatureRegistry:
    features: list[str] = field(default_factory=list)
    nav: list[NavEntry] = field(default_factory=list)
    # Links offered on an approval item's page: callables item -> ItemAction | None
    # (complaints: "file a complaint about this item"; forum: "its consultation").
    item_actions: list[Callable[[object], ItemAction | None]] = field(default_factory=list)
    # Called by ``kaimen demo`` inside its transaction, in registration order.
    demo_loaders: list[Callable[[], None]] = field(default_factory=list)
    # Inbound mail: the handler for replies to ``<tag>+<id>.<token>@<inbound domain>``, keyed by
    # tag (complaints registers "complaint"). See ``portal.mail.inbound.handlers`` for the contract.
    inbound_handlers: dict[str, Callable[..., object]] = field(default_factory=dict)
    # Sections of the home page: callables () -> HTML (Markup) or None, shown in registration
    # order below the introduction (forum: the open consultations).
    home_sections: list[Callable[[], object | None]] = field(default_factory=list)

    def add_nav(
        self, endpoint: str, label: object, *, order: int, description: object = ""
    ) -> None:
        self.nav.append(NavEntry(endpoint, label, order, description))
        self.nav.sort(key=lambda entry: entry.order)
