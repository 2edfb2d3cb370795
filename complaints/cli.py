"""``kaimen deadlines run``: the complaint deadline job, for cron or a systemd timer."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from complaints import deadlines as job


@click.group("deadlines")
def deadlines() -> None:
    """Complaint deadlines: reminders, escalations, notification tasks."""


@deadlines.command("run")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if it were this day (Asia/Shanghai); for catching up or testing.",
)
@with_appcontext
def run(today):
    """Send due reminders and escalations once each (safe to run on several hosts at once)."""
    day: date | None = today.date() if today else None
    summary = job.run(day)
    click.echo(summary.text())


@deadlines.command("sms")
@with_appcontext
def sms():
    """Send the queued SMS notifications (run every minute or so; safe on several hosts)."""
    summary = job.RunSummary()
    job.send_queued_sms(summary)
    click.echo(f"SMS: sent {summary.sms_sent}, failed {summary.sms_failed}")
