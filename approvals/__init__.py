"""网上审批 — online approval: citizens and companies apply for an item online and the item's own
procedure runs, each step at its position in its time limit, on the Administrative Licensing
Law's clock; public lookup (查询) and the result fed back (结果反馈).

A service on the 政务公开 layer (``disclosure``), independent of ``forum`` and ``complaints``.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from approvals import files_views as _files_views  # noqa: F401 - downloads, on bp
from approvals import identity_views as _identity_views  # noqa: F401 - the identity pages
from approvals import models as _models  # noqa: F401 - the approval tables registered with the app
from approvals import officer_views as _officer_views  # noqa: F401 - queue and actions, on bp
from approvals import public_views as _public_views  # noqa: F401 - lookup and verification, on bp
from approvals.cli import approvals_cli
from approvals.deadlines import on_calendar_changed, on_official_year
from approvals.demo import demo_summary, load_approvals_demo
from approvals.services import offered_online
from approvals.views import bp
from portal.features import ItemAction, requires
from portal.workdays import calendar_changed, official_year_entered


def apply_action(item) -> ItemAction | None:
    """An item with an enabled online spec offers to apply for it online."""
    if not offered_online(item):
        return None
    return ItemAction(
        _l("Apply online"),
        url_for("approvals.apply", code=item.code),
        _l("Fill in the form, upload the materials and follow your application to the decision."),
    )


@requires("disclosure")
def init_app(app: Flask) -> None:
    """Plug online approval into the kernel: its pages, its command group and its navigation."""
    app.register_blueprint(bp)
    app.cli.add_command(approvals_cli)
    # Stored due dates are recounted when the working-day calendar changes.
    official_year_entered.connect(on_official_year)
    calendar_changed.connect(on_calendar_changed)
    registry = app.extensions["kaimen"]
    registry.item_actions.append(apply_action)
    registry.demo_loaders.append(load_approvals_demo)
    registry.demo_summaries.append(demo_summary)
    registry.add_nav(
        "approvals.index",
        _l("Apply online"),
        order=35,
        description=_l(
            "Apply for an approval item online, answer correction requests and follow your "
            "application to the decision; anyone can look one up by its number and query code."
        ),
    )
