"""Who may open, edit, mark and publish: administrators and officers of the item's department;
everyone else gets 403 (visitors are sent to log in), and every form needs its CSRF token."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from disclosure.directory.models import StaffMember
from forum.consultations import services
from forum.consultations.models import Consultation, Opinion, Stance
from forum.models import Post
from portal.accounts.models import Role
from portal.extensions import db
from tests.conftest import make_user
from tests.disclosure.factories import make_department
from tests.forum.consultations.conftest import CLOSES, OPENS, open_on


def link_officer(user, department) -> None:
    """Make ``user`` the staff member who holds the department's positions."""
    holder = db.session.scalar(
        sa.select(StaffMember).where(
            StaffMember.department_id == department.id, StaffMember.name == "周明远"
        )
    )
    holder.user_id = user.id
    db.session.commit()


@pytest.fixture
def new_account_limits():
    """Here the forum's trust rules apply (tests/forum/conftest.py waives them elsewhere): an
    officer's first post is a consultation's opening post, and it must not wait for approval."""
    yield


@pytest.fixture
def people(app, department, admin, citizen):
    own = make_user("own@example.com", name="本局经办人", roles={Role.OFFICER})
    link_officer(own, department)
    other_department = make_department("lj-jtysj", "临江市交通运输局")
    db.session.commit()
    other = make_user("other@example.com", name="他局经办人", roles={Role.OFFICER})
    link_officer(other, other_department)
    # An account linked to the department's staff but without the officer role: not enough.
    return {"admin": admin, "citizen": citizen, "own_officer": own, "other_officer": other}


ALLOWED = {"admin", "own_officer"}
WHO = ["visitor", "citizen", "other_officer", "own_officer", "admin"]


def new_form(item) -> dict:
    return {
        "item": item.code,
        "title": "意见征集",
        "summary": "摘要",
        "opens_at": "2026-11-02T10:00",
        "closes_at": "2026-11-09T10:00",
    }


@pytest.mark.parametrize("who", WHO)
def test_opening_a_consultation(clock, client, item, people, who):
    if who != "visitor":
        client.login(people[who].email)
    response = client.post("/forum/consultations/new", new_form(item))
    if who == "visitor":
        assert response.status_code == 302 and "/account/login" in response.location
    elif who in ALLOWED:
        assert response.status_code == 302
    else:
        assert response.status_code == 403
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Consultation))
    assert count == (1 if who in ALLOWED else 0)
    if who in ALLOWED:
        # An officer's first post is not held for approval: the public sees the consultation.
        client.logout()
        thread_id = db.session.scalar(sa.select(Consultation.thread_id))
        assert client.get(f"/forum/t/{thread_id}").status_code == 200
        opening = db.session.scalar(sa.select(Post).where(Post.thread_id == thread_id))
        assert opening.held_at is None


@pytest.mark.parametrize("who", WHO)
def test_editing_marking_publishing_and_exporting(clock, client, item, people, who, unheld):
    consultation = open_on(item, people["admin"])
    clock.at(OPENS)
    post = services.post_opinion(consultation, people["citizen"], "支持", Stance.SUPPORT)
    db.session.commit()
    clock.at(CLOSES)
    if who != "visitor":
        client.login(people[who].email)
    base = f"/forum/consultations/{consultation.id}"
    requests = [
        ("get", f"{base}/edit", None),
        (
            "post",
            f"{base}/edit",
            new_form(item) | {"title": "改过的标题", "closes_at": "2026-11-09T09:00"},
        ),
        ("get", f"{base}/report", None),
        (
            "post",
            f"{base}/report/mark",
            {"opinion": str(post.id), "mark": "adopted", "reason": "采纳"},
        ),
        ("post", f"{base}/report/response", {"response": "感谢参与"}),
        ("post", f"{base}/report/publish", {}),
        ("get", f"{base}/opinions.csv", None),
    ]
    for method, url, data in requests:
        response = client.get(url) if method == "get" else client.post(url, data)
        if who == "visitor":
            assert response.status_code == 302 and "/account/login" in response.location, url
        elif who in ALLOWED:
            assert response.status_code in (200, 302), (url, response.get_data(as_text=True))
        else:
            assert response.status_code == 403, url
    db.session.refresh(consultation)
    if who in ALLOWED:
        assert consultation.thread.title == "改过的标题"
        assert consultation.report_published_at is not None
    else:
        assert consultation.thread.title != "改过的标题"
        assert consultation.report_published_at is None
        assert db.session.get(Opinion, post.id).decision_id is None


def test_every_change_needs_the_csrf_token(clock, client, item, people, unheld):
    consultation = open_on(item, people["admin"])
    clock.at(OPENS)
    post = services.post_opinion(consultation, people["citizen"], "支持", Stance.SUPPORT)
    db.session.commit()
    base = f"/forum/consultations/{consultation.id}"
    client.login(people["citizen"].email)
    response = client.post(
        f"{base}/opinion", {"stance": "support", "source": "再说一句"}, csrf=False
    )
    assert response.status_code == 400
    client.logout()
    client.login(people["admin"].email)
    clock.at(CLOSES)
    for url, data in [
        ("/forum/consultations/new", new_form(item)),
        (f"{base}/edit", new_form(item) | {"title": "不该改"}),
        (f"{base}/report/mark", {"opinion": str(post.id), "mark": "adopted", "reason": "x"}),
        (f"{base}/report/response", {"response": "x"}),
        (f"{base}/report/publish", {}),
    ]:
        assert client.post(url, data, csrf=False).status_code == 400, url
    db.session.refresh(consultation)
    assert consultation.thread.post_count == 2
    assert consultation.thread.title != "不该改" and consultation.response_source == ""
    assert db.session.get(Opinion, post.id).decision_id is None


def test_the_officer_role_alone_or_a_position_alone_is_not_enough(clock, client, item, department):
    holder_without_role = make_user("staff@example.com", name="无角色职员")
    link_officer(holder_without_role, department)
    client.login(holder_without_role.email)
    assert client.get("/forum/consultations/new").status_code == 403
    assert client.post("/forum/consultations/new", new_form(item)).status_code == 403
