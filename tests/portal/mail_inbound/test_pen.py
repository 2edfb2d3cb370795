"""The holding pen page: administrators only, release (forced) or discard, both audited."""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.extensions import db
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundDelivery, InboundOutcome
from portal.mail.tokens import reply_address
from tests.portal.mail_inbound.conftest import eml


def _held(probe, name="no_token.eml", **kwargs):
    inbound = ingest(eml(name, **kwargs))
    assert inbound.outcome == InboundOutcome.HELD
    return inbound


def test_only_administrators_see_the_pen(client, probe, citizen, officer):
    inbound = _held(probe)
    assert client.get("/admin/inbound/").status_code == 302  # to the login page
    client.login(officer.email)
    assert client.get("/admin/inbound/").status_code == 403
    assert client.get(f"/admin/inbound/{inbound.id}").status_code == 403
    token = client.csrf_token("/")
    response = client.post(
        f"/admin/inbound/{inbound.id}/discard", {"csrf_token": token}, csrf=False
    )
    assert response.status_code == 403
    db.session.refresh(inbound)
    assert inbound.outcome == InboundOutcome.HELD


def test_the_pen_lists_held_messages_newest_first_with_why(client, probe, admin):
    older = _held(probe)
    bad = reply_address("complaint", 5).replace(".", ".x", 1)
    newer = _held(probe, "tampered_token.eml", to=bad)
    accepted = ingest(eml("gmail_zh.eml"))
    client.login(admin.email)
    page = client.get("/admin/inbound/").get_data(as_text=True)
    assert page.index(f"/admin/inbound/{newer.id}") < page.index(f"/admin/inbound/{older.id}")
    assert f'/admin/inbound/{accepted.id}"' not in page
    assert bad in page  # the reason, in the page's language, names the address
    everything = client.get("/admin/inbound/all?outcome=accepted").get_data(as_text=True)
    assert f"/admin/inbound/{accepted.id}" in everything
    assert f"/admin/inbound/{older.id}" not in everything
    detail = client.get(f"/admin/inbound/{newer.id}").get_data(as_text=True)
    assert "情况属实，已责令整改。" in detail


def test_the_list_runs_a_fixed_number_of_queries(client, probe, admin, count_queries):
    for _ in range(3):
        _held(probe, "reply_pdf_docx.eml", to="x@kaimen.test")
    client.login(admin.email)
    with count_queries() as few:
        client.get("/admin/inbound/")
    for _ in range(5):
        _held(probe, "no_token.eml")
    with count_queries() as more:
        client.get("/admin/inbound/")
    assert more.count == few.count


def test_release_hands_the_message_on_regardless_of_sender_and_is_audited(client, probe, admin):
    probe.hold_reason = "not the holder"
    inbound = _held(probe, "wrong_sender.eml", sender="stranger@qq.com")
    client.login(admin.email)
    response = client.post(
        f"/admin/inbound/{inbound.id}/release", {"tag": "complaint", "object_id": "1"}
    )
    assert response.status_code == 302
    assert probe.calls[-1] == (1, "这个投诉已经处理好了。", [], True)
    db.session.refresh(inbound)
    assert inbound.outcome == InboundOutcome.RELEASED and inbound.resolved_by_id == admin.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "inbound.release"))
    assert entry.actor_id == admin.id and entry.data["object_id"] == 1
    delivery = db.session.scalar(sa.select(InboundDelivery))
    assert delivery.outcome == InboundOutcome.RELEASED
    # Released once: a second release to the same object is refused.
    again = client.post(
        f"/admin/inbound/{inbound.id}/release", {"tag": "complaint", "object_id": "1"}
    )
    assert again.status_code == 400
    assert len(probe.calls) == 2


def test_a_release_the_handler_refuses_shows_why(client, probe, admin):
    inbound = _held(probe)
    probe.hold_reason = None
    probe.fail = None

    def refuse(object_id, message, inbound, *, force=False):
        from portal.mail.inbound.handlers import HandlerResult

        return HandlerResult.hold("There is no complaint #99.")

    client.app.extensions["kaimen"].inbound_handlers["complaint"] = refuse
    client.login(admin.email)
    response = client.post(
        f"/admin/inbound/{inbound.id}/release", {"tag": "complaint", "object_id": "99"}
    )
    assert response.status_code == 400
    assert "There is no complaint #99." in response.get_data(as_text=True)
    db.session.refresh(inbound)
    assert inbound.outcome == InboundOutcome.HELD


def test_discard_is_audited_and_needs_csrf(client, probe, admin):
    inbound = _held(probe)
    client.login(admin.email)
    refused = client.post(f"/admin/inbound/{inbound.id}/discard", {"reason": "spam"}, csrf=False)
    assert refused.status_code == 400
    db.session.refresh(inbound)
    assert inbound.outcome == InboundOutcome.HELD
    response = client.post(f"/admin/inbound/{inbound.id}/discard", {"reason": "spam"})
    assert response.status_code == 302
    db.session.refresh(inbound)
    assert inbound.outcome == InboundOutcome.DISCARDED
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "inbound.discard"))
    assert entry.actor_id == admin.id and entry.reason == "spam"
    assert probe.calls == []


def test_an_auto_reply_that_was_a_real_answer_can_be_released(client, probe, admin):
    inbound = ingest(eml("auto_reply.eml"))
    assert inbound.outcome == InboundOutcome.AUTO_REPLY
    assert (inbound.suggested_tag, inbound.suggested_object_id) == ("complaint", 1)
    client.login(admin.email)
    assert f"/admin/inbound/{inbound.id}" not in client.get("/admin/inbound/").get_data(
        as_text=True
    )
    listing = client.get("/admin/inbound/all").get_data(as_text=True)
    assert f'action="/admin/inbound/{inbound.id}/release"' in listing
    detail = client.get(f"/admin/inbound/{inbound.id}").get_data(as_text=True)
    assert f'action="/admin/inbound/{inbound.id}/release"' in detail
    assert f'action="/admin/inbound/{inbound.id}/discard"' not in detail
    refused = client.post(
        f"/admin/inbound/{inbound.id}/release",
        {"tag": "complaint", "object_id": "1"},
        csrf=False,
    )
    assert refused.status_code == 400 and probe.calls == []
    response = client.post(
        f"/admin/inbound/{inbound.id}/release", {"tag": "complaint", "object_id": "1"}
    )
    assert response.status_code == 302
    assert probe.calls == [(1, "我正在休假，11月30日返回。", [], True)]
    db.session.refresh(inbound)
    assert inbound.outcome == InboundOutcome.RELEASED and inbound.resolved_by_id == admin.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "inbound.release"))
    assert entry.data["previous"] == "auto_reply"
    listing = client.get("/admin/inbound/all").get_data(as_text=True)
    assert f'action="/admin/inbound/{inbound.id}/release"' not in listing


def test_loops_and_receipts_cannot_be_released(client, probe, admin, officer):
    loop = ingest(eml("gmail_zh.eml", sender="noreply@kaimen.test"))
    assert loop.outcome == InboundOutcome.LOOP
    auto = ingest(eml("auto_reply.eml"))
    client.login(admin.email)
    assert "/release" not in client.get(f"/admin/inbound/{loop.id}").get_data(as_text=True)
    response = client.post(
        f"/admin/inbound/{loop.id}/release", {"tag": "complaint", "object_id": "1"}
    )
    assert response.status_code == 400
    db.session.refresh(loop)
    assert loop.outcome == InboundOutcome.LOOP and probe.calls == []
    client.logout()
    client.login(officer.email)
    forbidden = client.post(
        f"/admin/inbound/{auto.id}/release", {"tag": "complaint", "object_id": "1"}
    )
    assert forbidden.status_code == 403
    db.session.refresh(auto)
    assert auto.outcome == InboundOutcome.AUTO_REPLY and probe.calls == []
