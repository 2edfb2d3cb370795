"""BBS boards and open-door consultations (开门审批)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from forum.views import bp


def init_app(app: Flask) -> None:
    """Plug the forum into the kernel: its pages and its places in the navigation."""
    app.register_blueprint(bp)
    registry = app.extensions["kaimen"]
    registry.add_nav(
        "forum.index",
        _l("Forum"),
        order=20,
        description=_l("Discussion boards where citizens talk about the city's services."),
    )
    registry.add_nav(
        "forum.consultations",
        _l("Consultations"),
        order=30,
        description=_l(
            "Before a major approval is decided, the government hears your opinion here and "
            "then publishes what it adopted and why."
        ),
    )
