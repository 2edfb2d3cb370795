"""``kaimen forum consultations-close``: announce the consultations that have closed."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from forum.consultations.notify import close_due
from portal.extensions import db


@click.command("consultations-close")
@with_appcontext
def consultations_close() -> None:
    """Lock the threads of closed consultations and mail their participants and followers, once.

    The close itself needs no job (posting stops at the closing second); run this every few
    minutes (cron or a timer) for the mails. Safe to run twice or on several hosts at once.
    """
    total = 0
    try:
        while True:
            done = close_due()
            db.session.commit()
            total += len(done)
            if not done:
                break
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"closed {total} consultation(s)")
