"""The ``kaimen`` command: users, demo data, the generated secret key."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from portal import create_app
from portal.accounts.models import Role, User
from portal.audit import AuditEntry
from portal.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_users_create_with_roles(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Chief@Example.com", "--name", "局长", "--role", "admin",
              "--role", "supervisor"],
        input="a long enough password\na long enough password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "chief@example.com"))
    assert user.roles == {Role.ADMIN, Role.SUPERVISOR} and user.is_verified
    assert user.check_password("a long enough password")
    grants = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "role.grant")
    ).all()
    assert sorted(e.data["role"] for e in grants) == ["admin", "supervisor"]
    assert all(e.actor_id is None for e in grants)


def test_users_create_refuses_short_password_and_duplicates(runner, citizen):
    short = runner.invoke(
        args=["users", "create", "--email", "x@example.com", "--name", "x", "--password", "short"]
    )
    assert short.exit_code != 0 and "8 to 128" in short.output
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            citizen.email,
            "--name",
            "x",
            "--password",
            "long enough!",
        ]
    )
    assert duplicate.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_users_grant_and_revoke(runner, citizen):
    assert runner.invoke(args=["users", "grant", citizen.email, "moderator"]).exit_code == 0
    db.session.refresh(citizen)
    assert citizen.has_role(Role.MODERATOR)
    assert runner.invoke(args=["users", "revoke", citizen.email, "moderator"]).exit_code == 0
    db.session.refresh(citizen)
    assert not citizen.roles
    missing = runner.invoke(args=["users", "grant", "nobody@example.com", "admin"])
    assert missing.exit_code != 0 and "no account" in missing.output


def test_demo_makes_one_account_per_role_and_prints_how_to_log_in(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    accounts = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+password: (\S+)$", result.output, re.M)
    assert [role for role, _, _ in accounts] == [
        "citizen",
        "moderator",
        "officer",
        "supervisor",
        "admin",
    ]
    assert "/account/login" in result.output
    for _role, email, password in accounts:
        client.login(email, password)
        client.logout()
    admin = db.session.scalar(sa.select(User).where(User.email == accounts[4][1]))
    assert admin.has_role(Role.ADMIN)
    # The demo officer and supervisor act as staff of 临江市生态环境局: its complaints reach them.
    logins = {role: (email, password) for role, email, password in accounts}
    client.login(*logins["officer"])
    assert re.search(r"TS\d{8}-\d{4}", client.get("/complaints/queue").get_data(as_text=True))
    client.logout()
    client.login(*logins["supervisor"])
    department = client.get("/complaints/department/lj-sthjj")
    assert department.status_code == 200
    assert re.search(r"TS\d{8}-\d{4}", department.get_data(as_text=True))
    client.logout()
    # Running it again does not duplicate anything (the demo's residents included).
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users


def test_missing_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("KAIMEN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("KAIMEN_SECRET_KEY", raising=False)
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.sqlite3"}
    first = create_app(config)
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "SECRET_KEY is not set" in caplog.text
    second = create_app(config)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 64
    with first.app_context():
        db.engine.dispose()
    with second.app_context():
        db.engine.dispose()


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("KAIMEN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.sqlite3"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    with app.app_context():
        db.engine.dispose()


def test_sqlite_connections_have_foreign_keys_wal_and_normal_sync(tmp_path, monkeypatch):
    monkeypatch.setenv("KAIMEN_INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.sqlite3"}
    )
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with app.app_context():
        db.engine.dispose()


def test_kaimen_console_script_lists_its_commands(tmp_path):
    env = {**os.environ, "KAIMEN_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"}
    kaimen = Path(sys.executable).with_name("kaimen")
    out = subprocess.run(
        [str(kaimen), "--help"], capture_output=True, text=True, env=env, check=True
    )
    for command in ["run", "db", "demo", "users", "mail"]:
        assert re.search(rf"^\s+{command}\s", out.stdout, re.M), out.stdout
