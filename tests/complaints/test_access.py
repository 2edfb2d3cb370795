"""Who sees what: every complaint URL and attachment for every kind of visitor.

Not allowed to see the complaint → 404 (its existence is not revealed); allowed to see it but not
to do the thing → 403; a visitor is sent to log in, for any tracking number, real or guessed. Every complaint page is ``Cache-Control: no-store, private``.
"""

from __future__ import annotations

import pytest

from complaints import attachments, states
from complaints.models import EventKind
from portal.extensions import db
from tests.complaints.files import PDF

VIEWERS = [
    "complainant",
    "other_citizen",
    "holder",
    "deputy",
    "other_officer",
    "supervisor",
    "other_supervisor",
    "admin",
    "visitor",
]
SEES = {"complainant", "holder", "deputy", "supervisor", "admin"}
SEES_INTERNAL = {"holder", "deputy", "supervisor", "admin"}


@pytest.fixture
def filed(make_complaint):
    """A complaint with a public attachment (filed with it) and one on an internal note."""
    complaint = make_complaint(files=[attachments.Incoming("证据.pdf", PDF)])
    public = complaint_files(complaint)[0]
    note = states.add_event(complaint, EventKind.NOTE, internal=True, body_source="内部")
    (internal,) = attachments.save(
        complaint, note, attachments.check([attachments.Incoming("内部.pdf", PDF)]), None
    )
    db.session.commit()
    return complaint, public.id, internal.id


def complaint_files(complaint):
    from complaints.models import ComplaintAttachment

    return db.session.query(ComplaintAttachment).filter_by(complaint_id=complaint.id).all()


def _login(client, request, who):
    if who != "visitor":
        client.login(request.getfixturevalue(who).email)


@pytest.mark.parametrize("who", VIEWERS)
def test_complaint_page_and_attachments(client, request, filed, who):
    complaint, public_id, internal_id = filed
    _login(client, request, who)
    base = f"/complaints/{complaint.tracking_number}"

    page = client.get(base)
    public = client.get(f"{base}/files/{public_id}")
    internal = client.get(f"{base}/files/{internal_id}")

    if who == "visitor":
        for response in (page, public, internal):
            assert response.status_code == 302
            assert "/account/login" in response.headers["Location"]
    else:
        assert page.status_code == (200 if who in SEES else 404)
        assert public.status_code == (200 if who in SEES else 404)
        assert internal.status_code == (200 if who in SEES_INTERNAL else 404)
    for response in (page, public, internal):
        assert response.headers["Cache-Control"] == "no-store, private"
    if who in SEES:
        html = page.get_data(as_text=True)
        assert complaint.tracking_number in html
        assert ("内部" in html) == (who in SEES_INTERNAL)
        assert public.headers["X-Content-Type-Options"] == "nosniff"
        assert public.headers["Content-Disposition"].startswith("attachment;")
        assert public.data == PDF


@pytest.mark.parametrize("who", VIEWERS)
def test_follow_up_only_by_the_complainant(client, request, filed, who):
    complaint, _public, _internal = filed
    _login(client, request, who)
    response = client.post(
        f"/complaints/{complaint.tracking_number}/follow-up", {"text": "补充说明"}
    )
    expected = {"complainant": 302, "visitor": 302}.get(who, 403 if who in SEES else 404)
    assert response.status_code == expected
    assert response.headers["Cache-Control"] == "no-store, private"
    if who == "visitor":
        assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("who", VIEWERS)
def test_rating_only_by_the_complainant_once_answered(client, request, filed, who):
    complaint, _public, _internal = filed
    url = f"/complaints/{complaint.tracking_number}/rate"
    _login(client, request, who)
    if who == "complainant":
        assert client.post(url, {"rating": "4"}).status_code == 403  # not answered yet
    states.move(complaint, "answer", body_source="已处理")
    db.session.commit()
    response = client.post(url, {"rating": "4", "comment": "满意"})
    expected = {"complainant": 302, "visitor": 302}.get(who, 403 if who in SEES else 404)
    assert response.status_code == expected
    if who == "visitor":
        assert "/account/login" in response.headers["Location"]
    if who == "complainant":
        db.session.refresh(complaint)
        assert complaint.rating == 4 and complaint.rating_comment == "满意"


@pytest.mark.parametrize(
    ("who", "status"),
    [("visitor", 302), ("other_citizen", 200), ("complainant", 200), ("holder", 200)],
)
def test_lists_and_form_need_an_account(client, request, item, who, status):
    _login(client, request, who)
    for url in ("/complaints/mine", f"/complaints/new?item={item.code}", "/complaints/new"):
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["Cache-Control"] == "no-store, private"


def test_my_complaints_lists_only_mine(client, make_complaint, other_citizen):
    mine = make_complaint(subject="我的投诉")
    make_complaint(complainant=other_citizen, subject="别人的投诉")
    client.login("complainant@example.com")
    html = client.get("/complaints/mine").get_data(as_text=True)
    assert mine.tracking_number in html and "我的投诉" in html
    assert "别人的投诉" not in html


def test_my_complaints_pages_by_keyset(client, make_complaint, count_queries):
    made = [make_complaint(subject=f"第{n}件") for n in range(23)]
    client.login("complainant@example.com")
    first = client.get("/complaints/mine").get_data(as_text=True)
    assert made[-1].tracking_number in first and made[2].tracking_number not in first
    assert f"before={made[3].id}" in first
    second = client.get(f"/complaints/mine?before={made[3].id}").get_data(as_text=True)
    assert made[2].tracking_number in second and made[0].tracking_number in second
    with count_queries() as counter:
        client.get("/complaints/mine")
    assert counter.count < 8


def test_a_guessed_tracking_number_is_a_404(client, complainant):
    guessed = client.get("/complaints/TS20261126-0001")
    assert guessed.status_code == 302 and "/account/login" in guessed.headers["Location"]
    client.login(complainant.email)
    assert client.get("/complaints/TS20261126-0001").status_code == 404
    assert client.get("/complaints/TS20261126-0001/files/1").status_code == 404


def test_an_attachment_of_another_complaint_is_not_served(client, filed, make_complaint):
    _complaint, public_id, _internal = filed
    other = make_complaint()
    client.login("complainant@example.com")
    assert client.get(f"/complaints/{other.tracking_number}/files/{public_id}").status_code == 404


@pytest.mark.parametrize("path", ["/follow-up", "/rate"])
def test_posts_need_the_csrf_token(client, filed, path):
    complaint, _public, _internal = filed
    client.login("complainant@example.com")
    response = client.post(
        f"/complaints/{complaint.tracking_number}{path}",
        {"text": "补充", "rating": "5"},
        csrf=False,
    )
    assert response.status_code == 400


def test_filing_needs_the_csrf_token(client, item, complainant):
    client.login(complainant.email)
    response = client.post(
        f"/complaints/new?item={item.code}",
        {"subject": "主题", "details": "经过", "contact_name": "甲",
         "contact_email": "a@example.com", "notification_method": "email"},
        csrf=False,
    )  # fmt: skip
    assert response.status_code == 400
    from complaints.models import Complaint

    assert db.session.query(Complaint).count() == 0


def test_the_complaint_page_costs_the_same_with_a_long_timeline(
    client, make_complaint, complainant, holder, count_queries
):
    from complaints import citizen

    complaint = make_complaint(files=[attachments.Incoming("a.pdf", PDF)])
    url = f"/complaints/{complaint.tracking_number}"
    client.login(holder.email)
    client.get(url)
    with count_queries() as short:
        assert client.get(url).status_code == 200
    for n in range(6):
        citizen.follow_up(complaint, complainant, f"补充 {n}", [attachments.Incoming("b.pdf", PDF)])
    db.session.commit()
    with count_queries() as long:
        assert client.get(url).status_code == 200
    assert long.count == short.count
