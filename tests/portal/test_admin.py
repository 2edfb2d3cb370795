"""Administrators manage users and roles, read the audit log and the outbound mail."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role, User
from portal.audit import AuditEntry
from portal.extensions import db
from portal.mail.models import MessageStatus, OutboundMessage
from portal.mail.outbox import queue_message
from tests.conftest import PASSWORD

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/audit", "/admin/mail"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/account/login" in response.location


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", [None, Role.MODERATOR, Role.OFFICER, Role.SUPERVISOR])
def test_everyone_but_administrators_gets_403(client, path, role):
    from tests.conftest import make_user

    make_user("someone@example.com", roles={role} if role else set())
    client.login("someone@example.com")
    assert client.get(path).status_code == 403


def test_admin_creates_a_user_with_roles(client, admin):
    client.login(admin.email)
    response = client.post(
        "/admin/users/new",
        {
            "email": "Officer.New@Example.com",
            "display_name": "新经办人",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "roles": ["officer", "supervisor"],
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "officer.new@example.com"))
    assert user.roles == {Role.OFFICER, Role.SUPERVISOR}
    assert user.is_verified
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.subject_id == user.id)
    ).all()
    assert sorted(actions) == ["role.grant", "role.grant", "user.create"]
    # The new user can log in at once.
    client.logout()
    client.login("officer.new@example.com")


def test_admin_create_user_refuses_duplicates_with_a_message(client, admin, citizen):
    client.login(admin.email)
    response = client.post(
        "/admin/users/new",
        {"email": citizen.email, "display_name": "重复", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.get_data(as_text=True)


def test_grant_and_revoke_are_audited_with_who_and_why(client, admin, citizen):
    client.login(admin.email)
    granted = client.post(
        f"/admin/users/{citizen.id}/roles", {"role": "moderator", "reason": "负责交通版块"}
    )
    assert granted.status_code == 302
    db.session.refresh(citizen)
    assert citizen.has_role(Role.MODERATOR)

    revoked = client.post(
        f"/admin/users/{citizen.id}/roles/moderator/revoke", {"reason": "任期结束"}
    )
    assert revoked.status_code == 302
    db.session.refresh(citizen)
    assert not citizen.has_role(Role.MODERATOR)

    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action.in_(["role.grant", "role.revoke"]))
        .where(AuditEntry.subject_id == citizen.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor_id, e.reason, e.data["role"]) for e in entries] == [
        ("role.grant", admin.id, "负责交通版块", "moderator"),
        ("role.revoke", admin.id, "任期结束", "moderator"),
    ]
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "负责交通版块" in log and "任期结束" in log and admin.display_name in log


def test_role_changes_need_csrf(client, admin, citizen):
    client.login(admin.email)
    response = client.post(f"/admin/users/{citizen.id}/roles", {"role": "admin"}, csrf=False)
    assert response.status_code == 400
    db.session.refresh(citizen)
    assert not citizen.has_role(Role.ADMIN)


def test_non_admin_cannot_grant_roles(client, citizen, moderator):
    client.login(moderator.email)
    response = client.post(f"/admin/users/{citizen.id}/roles", {"role": "admin"})
    assert response.status_code == 403
    db.session.refresh(citizen)
    assert citizen.roles == frozenset()


def test_admin_cannot_remove_own_admin_role(client, admin):
    client.login(admin.email)
    client.post(f"/admin/users/{admin.id}/roles/admin/revoke", {"reason": ""})
    db.session.refresh(admin)
    assert admin.has_role(Role.ADMIN)


def test_missing_user_is_404(client, admin):
    client.login(admin.email)
    assert client.get("/admin/users/999999").status_code == 404


def test_user_search_and_keyset_pages(client, admin):
    for i in range(60):
        db.session.add(
            User(email=f"u{i:02d}@example.com", display_name=f"用户{i:02d}", password_hash="x")
        )
    db.session.commit()
    client.login(admin.email)
    first = client.get("/admin/users").get_data(as_text=True)
    assert "u59@example.com" in first and "u00@example.com" not in first
    assert 'rel="next"' in first
    import re

    older = re.search(r'href="(/admin/users\?before=\d+)"', first).group(1)
    second = client.get(older).get_data(as_text=True)
    assert "u00@example.com" in second and "u59@example.com" not in second
    found = client.get("/admin/users?q=u42").get_data(as_text=True)
    assert "u42@example.com" in found and "u41@example.com" not in found


def test_mail_viewer_shows_status_attempts_error_and_message(client, admin):
    queued = queue_message(
        kind="test", to=["a@example.com"], subject="排队的邮件", body_text="正文一"
    )
    failed = queue_message(
        kind="test", to=["b@example.com"], subject="失败的邮件", body_text="正文二"
    )
    failed.status = MessageStatus.FAILED
    failed.attempts = 8
    failed.last_error = "SMTPRecipientsRefused: 550 no such user"
    db.session.commit()
    client.login(admin.email)
    listing = client.get("/admin/mail").get_data(as_text=True)
    assert "排队的邮件" in listing and "失败的邮件" in listing and "550 no such user" in listing
    only_failed = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "失败的邮件" in only_failed and "排队的邮件" not in only_failed
    detail = client.get(f"/admin/mail/{failed.id}").get_data(as_text=True)
    assert "正文二" in detail and failed.message_id.strip("<>") in detail

    retry = client.post(f"/admin/mail/{failed.id}/retry")
    assert retry.status_code == 302
    db.session.refresh(failed)
    assert failed.status == MessageStatus.QUEUED
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "mail.retry"))
    assert queued.status == MessageStatus.QUEUED


def test_mail_viewer_escapes_message_content(client, admin):
    queue_message(kind="test", to=["a@example.com"], subject="<script>x</script>", body_text="b")
    db.session.commit()
    client.login(admin.email)
    listing = client.get("/admin/mail").get_data(as_text=True)
    assert "<script>x</script>" not in listing and "&lt;script&gt;" in listing


def test_registration_mail_is_visible_to_admin_without_smtp(client, admin):
    client.post(
        "/account/register",
        {
            "email": "fresh@example.com",
            "display_name": "新人",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    client.login(admin.email)
    listing = client.get("/admin/mail?status=queued").get_data(as_text=True)
    assert "fresh@example.com" in listing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundMessage)) == 1
