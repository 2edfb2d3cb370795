"""Signing up, verifying, logging in and out, and resetting a password — as a visitor does it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.accounts.models import User
from portal.audit import AuditEntry
from portal.extensions import db
from portal.mail.models import OutboundMessage
from tests.conftest import PASSWORD, make_user

LINK = re.compile(r"http://kaimen\.test(/account/[^\s<\"]+)")


def outbox(kind: str | None = None) -> list[OutboundMessage]:
    stmt = sa.select(OutboundMessage).order_by(OutboundMessage.id)
    if kind:
        stmt = stmt.where(OutboundMessage.kind == kind)
    return list(db.session.scalars(stmt))


def link_in(message: OutboundMessage) -> str:
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def register(client, email="new@example.com", name="新市民", password=PASSWORD, confirm=None):
    return client.post(
        "/account/register",
        {
            "email": email,
            "display_name": name,
            "password": password,
            "confirm": confirm or password,
        },
    )


def test_register_verify_login_logout(client):
    response = register(client)
    assert response.status_code == 200
    assert 'class="error-summary"' not in response.get_data(as_text=True)

    [mail] = outbox("verify_email")
    assert mail.recipients == ["new@example.com"]
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.com"))
    assert user.display_name == "新市民" and not user.is_verified

    # Before verifying, the login is refused and says why.
    refused = client.post("/account/login", {"email": "new@example.com", "password": PASSWORD})
    assert refused.status_code == 200
    assert "verify" in refused.get_data(as_text=True).lower() or "验证" in refused.get_data(
        as_text=True
    )

    verified = client.get(link_in(mail))
    assert verified.status_code == 302 and verified.location.endswith("/account/login")
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified

    client.login("new@example.com")
    home = client.get("/").get_data(as_text=True)
    assert "新市民" in home

    client.logout()
    assert "新市民" not in client.get("/").get_data(as_text=True)


def test_register_with_known_address_reveals_nothing_and_warns_the_owner(client, citizen):
    fresh = register(client, email="someone-new@example.com")
    taken = register(client, email="CITIZEN@example.com")
    assert taken.status_code == fresh.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(taken) == strip(fresh)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    [note] = outbox("account_exists")
    assert note.recipients == ["citizen@example.com"]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("email", "not-an-address", "email"),
        ("password", "short", "8"),
        ("password", "x" * 129, "128"),
        ("display_name", "", "name"),
    ],
)
def test_register_errors_say_what_is_wrong(client, field, value, expected):
    data = {
        "email": "ok@example.com",
        "display_name": "名字",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data[field] = value
    if field == "password":
        data["confirm"] = value
    response = client.post("/account/register", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert expected in page.lower() or expected in page
    assert outbox() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_mismatched_passwords_are_refused(client):
    response = register(client, confirm="something else entirely")
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert outbox() == []


def test_long_passwords_are_not_truncated(client):
    long_password = "长" * 100 + "z" * 28  # 128 characters, far past bcrypt's 72 bytes
    make_user("long@example.com", password=long_password)
    client.login("long@example.com", long_password)
    client.logout()
    wrong = client.post(
        "/account/login", {"email": "long@example.com", "password": long_password[:-1] + "y"}
    )
    assert wrong.status_code == 200  # refused: the last character counts


def test_wrong_password_message_does_not_say_which_part_is_wrong(client, citizen):
    unknown = client.post("/account/login", {"email": "nobody@example.com", "password": PASSWORD})
    wrong = client.post(
        "/account/login", {"email": "citizen@example.com", "password": "wrong password"}
    )
    for response in (unknown, wrong):
        assert response.status_code == 200
        assert 'class="error-summary"' in response.get_data(as_text=True)


def test_password_reset_flow_and_single_use_link(client, citizen):
    response = client.post("/account/reset", {"email": "citizen@example.com"})
    assert response.status_code == 200
    [mail] = outbox("reset_password")
    assert mail.recipients == ["citizen@example.com"]
    link = link_in(mail)

    form = client.get(link)
    assert form.status_code == 200
    new = "a brand new password"
    done = client.post(link, {"password": new, "confirm": new})
    assert done.status_code == 302 and done.location.endswith("/account/login")

    old = client.post("/account/login", {"email": "citizen@example.com", "password": PASSWORD})
    assert old.status_code == 200  # the old password no longer works
    client.login("citizen@example.com", new)
    assert client.get(link).status_code == 400  # the link worked once


def test_reset_pages_do_not_reveal_accounts(client, citizen):
    known = client.post("/account/reset", {"email": "citizen@example.com"})
    unknown = client.post("/account/reset", {"email": "nobody@example.com"})
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)


def test_password_reset_ends_other_sessions(app, citizen):
    from tests.conftest import Client

    laptop, phone = Client(app), Client(app)
    laptop.login("citizen@example.com")
    assert "市民甲" in laptop.get("/").get_data(as_text=True)
    phone.post("/account/reset", {"email": "citizen@example.com"})
    link = link_in(outbox("reset_password")[0])
    phone.post(link, {"password": "another fine password", "confirm": "another fine password"})
    assert "市民甲" not in laptop.get("/").get_data(as_text=True)


def test_tampered_or_expired_links_are_refused(client, citizen, app):
    assert client.get("/account/verify/not-a-token").status_code == 400
    assert client.get("/account/reset/not-a-token").status_code == 400


def test_login_starts_a_new_session(client, citizen):
    client.get("/")
    with client.http.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.login("citizen@example.com")
    with client.http.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/forum/", "/forum/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_redirects_to_local_paths(client, citizen, target, expected):
    response = client.post(
        "/account/login", {"email": "citizen@example.com", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.location == expected


def test_registration_is_audited(client):
    register(client)
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "account.register" in actions


def test_resend_verification(client):
    register(client)
    client.post("/account/verify/resend", {"email": "new@example.com"})
    assert len(outbox("verify_email")) == 2


def test_verification_mail_reaches_smtp_through_kaimen_mail_send(client, runner, mail_to_smtp):
    """The whole road: register → outbox → `kaimen mail send` → SMTP → the link verifies → login."""
    register(client, email="road@example.com", name="路人")
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "sent 1" in result.output, result.output

    [received] = mail_to_smtp.received
    assert received.rcpt_tos == ["road@example.com"]
    body = received.message.get_body(("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    assert client.get(match.group(1)).status_code == 302
    client.login("road@example.com")
    assert "路人" in client.get("/").get_data(as_text=True)
