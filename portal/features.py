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


@dataclass(frozen=True)
class AdminNavEntry:
    endpoint: str
    label: object
    blueprints: tuple[str, ...]


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
    # Entries of the administration menu (endpoint, label, the blueprints it stands for).
    admin_nav: list[AdminNavEntry] = field(default_factory=list)
    # Lines ``kaimen demo`` prints after the accounts: callables () -> str, in registration order.
    demo_summaries: list[Callable[[], str]] = field(default_factory=list)

    def add_nav(
        self, endpoint: str, label: object, *, order: int, description: object = ""
    ) -> None:
        self.nav.append(NavEntry(endpoint, label, order, description))
        self.nav.sort(key=lambda entry: entry.order)

    def add_admin_nav(self, endpoint: str, label: object, *, blueprints: tuple[str, ...]) -> None:
        self.admin_nav.append(AdminNavEntry(endpoint, label, blueprints))


def requires(*features: str) -> Callable[[Callable], Callable]:
    """Mark a feature's ``init_app`` as standing on other features (loaded first, and always).

    ``forum``, ``complaints`` and ``approvals`` stand on ``disclosure``: ``@requires("disclosure")``.
    """

    def mark(init_app: Callable) -> Callable:
        init_app.requires = tuple(features)
        return init_app

    return mark


def load_order(
    available: dict[str, Callable[[], Callable]], wanted: set[str] | None
) -> list[tuple[str, Callable]]:
    """The features to initialise as (name, init_app), each after those it requires; a wanted
    feature pulls its requirements in. ``available`` maps names to loaders (entry points'
    ``load``), called only for the features that are used. Unknown requirements and circles are
    configuration errors."""
    order: list[tuple[str, Callable]] = []
    loaded: dict[str, Callable] = {}
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in loaded:
            return
        if name not in available:
            raise RuntimeError(f"feature {name!r} is required but not installed")
        if name in visiting:
            raise RuntimeError(f"features require each other in a circle through {name!r}")
        visiting.add(name)
        init_app = available[name]()
        for needed in getattr(init_app, "requires", ()):
            visit(needed)
        visiting.discard(name)
        loaded[name] = init_app
        order.append((name, init_app))

    for name in sorted(available):
        if wanted is None or name in wanted:
            visit(name)
    return order
