"""Kaimen's own commands (users, mail, demo), registered on the app's CLI by the factory."""

from __future__ import annotations

import signal
import time

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.accounts.services import PASSWORD_MAX, PASSWORD_MIN
from portal.demo import demo
from portal.extensions import db
from portal.mail.dispatch import dispatch_due
from portal.mail.inbound.cli import mail_ingest, mail_poll, mail_reprocess
from portal.workdays.cli import calendar_group


def register_commands(app: Flask) -> None:
    """Add the kernel's command groups; features add theirs in their own ``init_app``."""
    app.cli.add_command(users)
    app.cli.add_command(mail)
    app.cli.add_command(demo)
    app.cli.add_command(calendar_group)


@click.group()
def users() -> None:
    """Manage accounts and roles."""


def _validate_password(ctx, param, value: str) -> str:
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        raise click.BadParameter(f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    return value


ROLE_CHOICE = click.Choice([role.value for role in Role])


@users.command("create")
@click.option(
    "--email", prompt=True, help="Email address; the account is verified unless --unverified."
)
@click.option("--name", "display_name", prompt="Display name", help="Name shown to others.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="KAIMEN_NEW_USER_PASSWORD",
    callback=_validate_password,
    help="Asked for when not given (or set KAIMEN_NEW_USER_PASSWORD).",
)
@click.option("--role", "roles", multiple=True, type=ROLE_CHOICE, help="Grant a role; repeatable.")
@click.option("--unverified", is_flag=True, help="Require the user to verify the address first.")
@with_appcontext
def users_create(email, display_name, password, roles, unverified):
    """Create an account."""
    try:
        user = accounts.create_user(
            email, display_name, password, roles={Role(r) for r in roles}, verified=not unverified
        )
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    role_text = ", ".join(sorted(r for r in roles)) or "citizen"
    click.echo(f"Created user #{user.id} {user.email} ({role_text}).")


def _user_or_fail(email: str):
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the email address {email}")
    return user


@users.command("grant")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
@click.option("--reason", default=None, help="Kept in the audit log.")
@with_appcontext
def users_grant(email, role, reason):
    """Grant ROLE to the account with EMAIL."""
    user = _user_or_fail(email)
    changed = accounts.grant_role(user, Role(role), actor=None, reason=reason)
    db.session.commit()
    click.echo(f"{user.email}: {role} {'granted' if changed else 'was already granted'}.")


@users.command("revoke")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
@click.option("--reason", default=None, help="Kept in the audit log.")
@with_appcontext
def users_revoke(email, role, reason):
    """Remove ROLE from the account with EMAIL."""
    user = _user_or_fail(email)
    changed = accounts.revoke_role(user, Role(role), actor=None, reason=reason)
    db.session.commit()
    click.echo(f"{user.email}: {role} {'removed' if changed else 'was not granted'}.")


@click.group()
def mail() -> None:
    """Outbound and inbound mail."""


mail.add_command(mail_ingest)
mail.add_command(mail_poll)
mail.add_command(mail_reprocess)


@mail.command("send")
@click.option(
    "--loop", is_flag=True, help="Keep running, sending due mail every --interval seconds."
)
@click.option(
    "--interval", default=10.0, show_default=True, help="Seconds between runs with --loop."
)
@with_appcontext
def mail_send(loop: bool, interval: float):
    """Deliver queued mail over SMTP (safe to run on several hosts at once)."""
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    previous = {}
    if loop:
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, stop)
    try:
        while True:
            report = dispatch_due()
            if report.not_configured:
                click.echo(
                    f"No SMTP server is configured (KAIMEN_MAIL_SERVER): {report.waiting} "
                    "message(s) wait in the outbox; administrators can read them at /admin/mail."
                )
            elif report.sent or report.retrying or report.failed or not loop:
                click.echo(
                    f"sent {report.sent}, will retry {report.retrying}, failed {report.failed}"
                )
                for line in report.errors:
                    click.echo(f"  {line}", err=True)
            if not loop or stopping:
                break
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, interval))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    db.session.remove()
