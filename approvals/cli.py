"""``kaimen approvals …``: the online approval's jobs."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("approvals")
def approvals_cli() -> None:
    """Online approval (网上审批): deadlines, reminders and escalations."""


@approvals_cli.command("run")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Run as if it were this day (Asia/Shanghai); for tests and catching up.",
)
@with_appcontext
def run_command(today) -> None:
    """Accept by law what waited past its acceptance limit; safe to run twice, on several hosts."""
    from approvals.deadlines import run

    summary = run(today.date() if today else None)
    click.echo(summary.text())
