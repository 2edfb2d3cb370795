"""``kaimen calendar show YEAR``: a year's status, holidays and make-up working days."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from portal.workdays import services as calendar
from portal.workdays.calendar import OFFICIAL_ADMIN, OFFICIAL_PACKAGE


@click.group("calendar")
def calendar_group() -> None:
    """The working-day calendar."""


@calendar_group.command("show")
@click.argument("year", type=click.IntRange(calendar.FIRST_YEAR, calendar.LAST_YEAR))
@with_appcontext
def show(year: int) -> None:
    """Print YEAR's status and its holidays and make-up working days."""
    summary = next(s for s in calendar.years_overview(year) if s.year == year)
    if summary.status == OFFICIAL_ADMIN:
        status = _("official (administrator: %(source)s)", source=summary.record.source)
    elif summary.status == OFFICIAL_PACKAGE:
        status = _("official (chinesecalendar)")
    else:
        status = _("provisional (rules only)")
    click.echo(f"{year}: {status}")
    for listed in calendar.year_days(year):
        kind = _("working day") if listed.working else _("holiday")
        click.echo(f"{listed.day.isoformat()}  {kind}  {listed.name}  [{listed.source}]")
