"""The forum's commands: ``kaimen forum digest`` mails watchers the new replies of their threads."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from forum.digest import send_digests
from portal.extensions import db


@click.group("forum")
def forum_cli() -> None:
    """The forum's jobs."""


@forum_cli.command("digest")
@with_appcontext
def digest() -> None:
    """Queue one email per watcher with the new replies of each watched thread.

    Run it every few minutes (cron or a timer); safe to run on several hosts at once.
    The emails leave with ``kaimen mail send``.
    """
    try:
        report = send_digests()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"queued {report.emails} digest(s) for {report.watches} watch(es)")
