"""BBS boards and open-door consultations (开门审批)."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

import forum.ban_views  # registers routes; forum.bans registers its posting checks
import forum.board_admin_views  # registers routes
import forum.feeds  # registers routes
import forum.held_views  # registers routes
import forum.moderation_views  # registers routes
import forum.revision_views  # registers routes
import forum.search_views  # registers routes
import forum.trust  # registers the hold rule and the posting rate limit
import forum.watching_views  # noqa: F401 - registers routes
from forum import consultations, indexing, viewcounts
from forum import models as _models  # noqa: F401 - the forum's tables registered with the app
from forum import watching as _watching  # noqa: F401 - its table, and watching who posts
from forum.cli import forum_cli
from forum.demo import load_forum_demo
from forum.views import bp
from portal.features import ItemAction, requires


def consultation_action(item) -> ItemAction | None:
    """A major item's page leads to its open-door consultation (开门审批)."""
    if not item.is_major:
        return None
    return ItemAction(
        _l("Open-door consultation on this item"),
        url_for("forum.consultations", item=item.code),
        _l("This is a major item: the government hears the public before deciding."),
    )


@requires("disclosure")
def init_app(app: Flask) -> None:
    """Plug the forum into the kernel: its pages and its places in the navigation."""
    app.register_blueprint(bp)
    app.cli.add_command(forum_cli)
    viewcounts.install(app)
    indexing.install()
    registry = app.extensions["kaimen"]
    registry.demo_loaders.append(load_forum_demo)
    registry.item_actions.append(consultation_action)
    consultations.init_app(app, forum_cli)
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
