"""Reasons are stored as codes with parameters and shown in the reader's language."""

from __future__ import annotations

import gettext

import flask_babel
import pytest

from portal.mail.inbound import reasons
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from portal.mail.tokens import reply_address
from tests.portal.mail_inbound.conftest import eml

CHINESE = {
    reasons.MESSAGES[
        "near_miss"
    ]: "回复地址 %(address)s 的令牌无效（输错或被篡改）：不据此推荐任何对象",
    reasons.MESSAGES["auto_submitted"]: "自动回复：Auto-Submitted: %(value)s",
    reasons.MESSAGES["bounce_permanent"]: "向 %(recipients)s 投递永久失败 %(status)s",
    reasons.MESSAGES["bounce_unknown"]: "未涉及我们发出的邮件：不发警报",
    reasons.MESSAGES["bounce_diagnostic"]: "对方服务器答复：%(diagnostic)s",
}


class Catalogue(gettext.NullTranslations):
    """What the lead's zh_Hans_CN catalogue will hold, for these few messages."""

    def gettext(self, message):
        return CHINESE.get(message, message)

    ugettext = gettext

    def ngettext(self, singular, plural, n):
        return singular if n == 1 else plural

    ungettext = ngettext

    def pgettext(self, context, message):
        return message

    def npgettext(self, context, singular, plural, n):
        return singular if n == 1 else plural


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Catalogue())


def test_a_pen_reason_is_stored_as_a_code_and_translated_on_display(client, admin, probe, chinese):
    bad = reply_address("complaint", 5).replace(".", ".x", 1)
    inbound = ingest(eml("tampered_token.eml", to=bad))
    # Stored: the code and its parameters, and the English text for logs.
    assert inbound.reason_codes == [{"code": "near_miss", "params": {"address": bad}}]
    assert inbound.reason.startswith(f"the reply address {bad} does not carry")
    client.login(admin.email)
    for url in ("/admin/inbound/", f"/admin/inbound/{inbound.id}"):
        page = client.get(url).get_data(as_text=True)
        assert f"回复地址 {bad} 的令牌无效" in page
        assert "does not carry a valid token" not in page


def test_auto_reply_notes_and_bounce_details_are_translated(client, admin, probe, chinese):
    auto = ingest(eml("auto_reply.eml"))
    bounce = ingest(eml("bounce_hard.eml", msgid="<nothing-we-sent@kaimen.test>"))
    assert auto.outcome == InboundOutcome.AUTO_REPLY
    assert bounce.outcome == InboundOutcome.BOUNCE_PERMANENT
    assert [entry["code"] for entry in bounce.reason_codes] == [
        "bounce_permanent",
        "bounce_diagnostic",
        "bounce_unknown",
    ]
    client.login(admin.email)
    page = client.get("/admin/inbound/all").get_data(as_text=True)
    assert "自动回复：Auto-Submitted:" in page
    assert "投递永久失败 5.1.1" in page and "对方服务器答复：smtp; 550 5.1.1" in page
    assert "未涉及我们发出的邮件" in page
    assert "permanent delivery failure" not in page


def test_an_unknown_code_shows_its_stored_english_text():
    entry = {"code": "gone_feature_reason", "params": {}, "text": "held by a removed feature"}
    assert reasons.render([entry]) == "held by a removed feature"
    assert reasons.render(None, "an old row's reason") == "an old row's reason"
