"""``kaimen mail ingest`` (an MTA pipe) and ``kaimen mail poll`` (IMAP).

Exit codes of ``ingest``, as sendmail's ``sysexits.h`` defines them for a delivery program:

* 0 — the message is stored (whatever became of it: answer, holding pen, error to review);
* 65 (EX_DATAERR) with ``5.3.4`` on stderr — the message is over ``KAIMEN_INBOUND_MAX_BYTES``:
  its headers and size are recorded (outcome *too large*), it is refused and the MTA bounces it
  with that status (Postfix's pipe uses an enhanced status code the command prints);
* 65 (EX_DATAERR) — the input is not a message: empty, only whitespace, or no ``Name: value``
  header line before the first blank line (binary junk, plain text). The MTA bounces it;
* 75 (EX_TEMPFAIL) — the message could not be stored: the database could not be reached or written
  (``OperationalError``), or anything else went wrong before the commit (a missing migration …).
  The MTA keeps the message and tries again later; nothing is bounced for a fault of ours.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from portal.extensions import db
from portal.mail.inbound.ingest import process, store
from portal.mail.inbound.parse import looks_like_message
from portal.mail.inbound.spool import read_limited
from portal.mail.inbound_models import InboundOutcome

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75


@click.command("ingest")
@click.argument("recipients", nargs=-1)
@click.pass_context
@with_appcontext
def mail_ingest(ctx, recipients):
    """Store one message read from standard input (an MTA pipe); RECIPIENTS are the envelope's."""
    from flask import current_app

    limit = current_app.config["KAIMEN_INBOUND_MAX_BYTES"]
    incoming = read_limited(click.get_binary_stream("stdin"), limit)  # read once, spooled
    if not looks_like_message(incoming.raw if incoming.raw is not None else incoming.head):
        click.echo("kaimen mail ingest: the input is not an email message", err=True)
        ctx.exit(EX_DATAERR)
    try:
        inbound = store(incoming.raw, list(recipients), size=incoming.size, head=incoming.head)
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
        db.session.rollback()
        click.echo(f"kaimen mail ingest: database unavailable, try again later: {error}", err=True)
        ctx.exit(EX_TEMPFAIL)
    except Exception as error:  # not stored: let the MTA keep it and retry
        db.session.rollback()
        click.echo(f"kaimen mail ingest: not stored, try again later: {error!r}", err=True)
        ctx.exit(EX_TEMPFAIL)
    if inbound.outcome == InboundOutcome.TOO_LARGE:
        click.echo(
            f"5.3.4 message too big: {incoming.size} bytes, the limit is {limit} "
            f"(recorded as inbound #{inbound.id}, not processed)",
            err=True,
        )
        db.session.remove()
        ctx.exit(EX_DATAERR)
    try:
        inbound = process(inbound.id, raw=incoming.raw)
    except sa.exc.SQLAlchemyError as error:  # stored: the outcome stays "received" for review
        db.session.rollback()
        click.echo(f"kaimen mail ingest: stored but not processed: {error}", err=True)
        ctx.exit(EX_OK)
    click.echo(f"inbound #{inbound.id}: {inbound.outcome.value}")
    db.session.remove()
    ctx.exit(EX_OK)


@click.command("poll")
@with_appcontext
def mail_poll():
    """Fetch new messages from the IMAP mailbox (KAIMEN_MAIL_IMAP_*), each stored once."""
    from portal.mail.inbound.imap import poll

    report = poll()
    if report.not_configured:
        click.echo("No IMAP mailbox is configured (KAIMEN_MAIL_IMAP_HOST).")
        return
    click.echo(f"stored {report.stored}")
    if report.refused:
        click.echo(
            f"refused {report.refused} over KAIMEN_INBOUND_MAX_BYTES (headers and size recorded)"
        )
    if report.unreadable:
        click.echo("a message could not be fetched: the next poll tries it again", err=True)
    db.session.remove()


@click.command("reprocess")
@click.argument("inbound_id", type=int)
@with_appcontext
def mail_reprocess(inbound_id):
    """Process a stored inbound message again (after an error was fixed)."""
    inbound = process(inbound_id)
    click.echo(f"inbound #{inbound.id}: {inbound.outcome.value}")
    db.session.remove()
