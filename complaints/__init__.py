"""Complaints (投诉): intake, routing to the responsible position, deadlines and notification."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from complaints import inbound
from complaints import models as _models  # noqa: F401 - the complaint tables registered with the app
from complaints import officer_views as _officer_views  # noqa: F401 - the officer's routes on bp
from complaints import statistics_views as _statistics_views  # noqa: F401 - public statistics
from complaints.cli import deadlines as deadlines_command
from complaints.delivery import on_outbound_failed
from complaints.demo import load_complaints_demo
from complaints.recompute import on_calendar_changed, on_official_year
from complaints.views import bp
from portal.features import ItemAction, requires
from portal.mail.signals import outbound_failed
from portal.workdays import calendar_changed, official_year_entered


def complaint_action(item) -> ItemAction:
    """Every approval item's page offers to file a complaint about it."""
    return ItemAction(
        _l("File a complaint about this item"),
        url_for("complaints.new", item=item.code),
        _l("Your complaint goes to the position responsible for the item's complaint step."),
    )


@requires("disclosure")
def init_app(app: Flask) -> None:
    """Plug complaints into the kernel: its pages and its places in the navigation."""
    app.register_blueprint(bp)
    app.cli.add_command(deadlines_command)
    # Provisional deadlines are recounted when an administrator makes a year official.
    official_year_entered.connect(on_official_year)
    # ... and every stored deadline counting through a year whose days an administrator changed.
    calendar_changed.connect(on_calendar_changed)
    # An answer email that failed or bounced undoes the notification (complaints.delivery).
    outbound_failed.connect(on_outbound_failed)
    registry = app.extensions["kaimen"]
    registry.item_actions.append(complaint_action)
    registry.demo_loaders.append(load_complaints_demo)
    registry.inbound_handlers[inbound.TAG] = inbound.handle_reply
    registry.add_nav(
        "complaints.index",
        _l("Complaints"),
        order=40,
        description=_l(
            "A complaint about an approval goes to the position responsible for it, with a "
            "deadline for the answer and a record of how you were told."
        ),
    )
    registry.add_nav(
        "complaints.statistics",
        _l("Statistics"),
        order=50,
        description=_l(
            "Complaints received, answered on time and overdue, by department and month."
        ),
    )
