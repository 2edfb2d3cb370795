"""``kaimen demo``: bring the database up to date and fill it with demo data and accounts."""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.extensions import db

DEMO_DOMAIN = "demo.kaimen.example"

# (login name, display name, roles). Clearly fictitious people.
DEMO_ACCOUNTS = [
    ("citizen", "市民张三（演示）", set()),
    ("moderator", "版主李四（演示）", {Role.MODERATOR}),
    ("officer", "经办人王五（演示）", {Role.OFFICER}),
    ("supervisor", "部门负责人孙七（演示）", {Role.SUPERVISOR}),
    ("admin", "管理员赵六（演示）", {Role.ADMIN}),
]


def ensure_demo_accounts(password: str | None = None) -> list[tuple[str, str, str]]:
    """Create the demo accounts, or give existing ones a fresh password. Returns (role, email, password)."""
    made = []
    for name, display_name, roles in DEMO_ACCOUNTS:
        email = f"{name}@{DEMO_DOMAIN}"
        chosen = password or secrets.token_urlsafe(9)
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(email, display_name, chosen, roles=roles)
        else:
            user.set_password(chosen)
            for role in roles:
                accounts.grant_role(user, role, actor=None)
        made.append((name, email, chosen))
    return made


@click.command("demo")
@click.option(
    "--password", default=None, help="Give every demo account this password (default: random)."
)
@with_appcontext
def demo(password: str | None) -> None:
    """Upgrade the database and load demo data; print the demo accounts and how to log in."""
    if password is not None and not accounts.PASSWORD_MIN <= len(password) <= accounts.PASSWORD_MAX:
        raise click.BadParameter("a password has 8 to 128 characters", param_hint="--password")
    upgrade()
    made = ensure_demo_accounts(password)
    registry = current_app.extensions["kaimen"]
    # Features load in dependency order (disclosure first), and so do their demo loaders.
    for loader in registry.demo_loaders:
        loader()
    db.session.commit()
    base = current_app.config["KAIMEN_BASE_URL"]
    click.echo("Demo data is loaded. Demo accounts (one per role):")
    width = max(len(email) for _, email, _ in made)
    for role, email, chosen in made:
        click.echo(f"  {role:<10} {email:<{width}}  password: {chosen}")
    click.echo(
        f"Start the server with `kaimen run`, open {base}/account/login and log in with one of them."
    )
    click.echo(
        f"With no SMTP server configured, mail waits in the outbox: {base}/admin/mail (as admin)."
    )
    for summary in registry.demo_summaries:
        click.echo(summary())
