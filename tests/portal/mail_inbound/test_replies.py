"""Each client's reply: the outcome and the exact answer text kept (the kernel's side)."""

from __future__ import annotations

import pytest

from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundMessage, InboundOutcome
from tests.portal.mail_inbound.conftest import eml

ANSWERS = {
    "outlook_zh_gb2312_qp.eml": "您好，经核查，该事项已于11月25日办结，请查收。\n\n张三\n杭州市生态环境局",
    "foxmail_gbk_base64.eml": "已收悉。经查，许可证已于今日核发，请到窗口领取。",
    "netease_163.eml": "您反映的问题已转交审批科，三个工作日内办结。",
    "gmail_zh.eml": "已按规定处理，结果见门户网站。",
    "gmail_en_wrapped.eml": (
        "Dear complainant,\n\nThe permit was issued on 25 November. You can collect it at "
        "window 3.\n\nBest regards,\nZhao Liu"
    ),
    "apple_mail_inline_pdf.eml": "处理决定见附件。",
    "html_only.eml": "办理结果：已办结。\n详见官网公告。",
    "reply_pdf_docx.eml": "请见附件中的处理意见书和整改通知。",
    "malformed_mime.eml": "处理完毕，谢谢。",
    "mislabelled_gbk_as_gb2312.eml": "朱镕基同志、王堃同志和李喆同志的意见已采纳。",
    "bare_lf.eml": "第一行。\n第二行。",
    "raw_8bit_gbk_header.eml": "已按要求整改完毕。",
    "nul_bytes.eml": "已处理。",
    "outlook_related_logo_and_screenshot.eml": "现场照片见下图。\n\n张三",
}
ATTACHMENTS = {
    "apple_mail_inline_pdf.eml": ["处理决定.pdf"],
    "reply_pdf_docx.eml": ["处理意见书.pdf", "整改通知.docx"],
    "malformed_mime.eml": ["broken.pdf"],
    "outlook_related_logo_and_screenshot.eml": ["image001.png", "image002.png"],
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_reply_is_accepted_with_exactly_the_new_text(probe, name):
    inbound = ingest(eml(name))
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert inbound.text == ANSWERS[name]
    assert probe.calls == [(1, ANSWERS[name], ATTACHMENTS.get(name, []), False)]
    assert inbound.attachment_names == ATTACHMENTS.get(name, [])
    assert (inbound.tag, inbound.object_id) == ("complaint", 1)


def test_headers_are_decoded_to_valid_text(probe):
    outlook = ingest(eml("outlook_zh_gb2312_qp.eml"))
    assert outlook.subject == "答复: [TS20261120-0001] 新投诉：排污许可办理超时"
    raw8 = ingest(eml("raw_8bit_gbk_header.eml"))
    assert raw8.subject == "回复：已处理"
    mislabelled = ingest(eml("mislabelled_gbk_as_gb2312.eml"))
    assert mislabelled.subject == "回复：关于镕、堃、喆"


def test_html_reply_drops_script_styles_and_remote_images(probe):
    inbound = ingest(eml("html_only.eml"))
    assert "alert" not in inbound.text and "color" not in inbound.text
    assert "tracker" not in inbound.text and "<" not in inbound.text


def test_the_raw_message_is_kept_byte_for_byte(probe):
    raw = eml("nul_bytes.eml")
    inbound = ingest(raw)
    assert bytes(inbound.raw) == raw and inbound.raw_size == len(raw)


def test_the_same_message_twice_is_handled_once(probe):
    raw = eml("outlook_zh_gb2312_qp.eml")
    first = ingest(raw)
    again = ingest(raw)
    assert first.outcome == InboundOutcome.ACCEPTED
    assert again.outcome == InboundOutcome.DUPLICATE
    assert again.id != first.id  # stored all the same
    assert len(probe.calls) == 1


def test_one_reply_to_two_objects_is_handled_for_each(probe):
    from portal.mail.tokens import reply_address

    both = f"{reply_address('complaint', 1)}, {reply_address('complaint', 2)}"
    inbound = ingest(eml("gmail_zh.eml", to=both))
    assert inbound.outcome == InboundOutcome.ACCEPTED
    assert sorted(call[0] for call in probe.calls) == [1, 2]
    assert ingest(eml("gmail_zh.eml", to=both)).outcome == InboundOutcome.DUPLICATE
    assert len(probe.calls) == 2


def test_envelope_recipient_and_delivered_to_match(probe):
    from portal.mail.tokens import reply_address

    plain = eml("gmail_zh.eml", to="someone@kaimen.test")
    inbound = ingest(plain, [reply_address("complaint", 7)])
    assert inbound.outcome == InboundOutcome.ACCEPTED and probe.calls[0][0] == 7
    delivered = b"Delivered-To: " + reply_address("complaint", 8).upper().encode() + b"\r\n"
    inbound = ingest(delivered + eml("gmail_en_wrapped.eml", to="x@kaimen.test"))
    assert inbound.outcome == InboundOutcome.ACCEPTED and probe.calls[1][0] == 8


def test_a_tampered_token_is_held_and_suggests_nothing(probe):
    from portal.mail.tokens import reply_address

    good = reply_address("complaint", 5)
    bad = good.replace(good.split(".")[1][:3], "aaa", 1)
    assert bad != good
    inbound = ingest(eml("tampered_token.eml", to=bad))
    assert inbound.outcome == InboundOutcome.HELD
    # A token that fails verification is never trusted, not even as a suggestion.
    assert (inbound.suggested_tag, inbound.suggested_object_id) == (None, None)
    assert inbound.reason_codes == [{"code": "near_miss", "params": {"address": bad}}]
    assert "does not carry a valid token" in inbound.reason
    assert inbound.text == "情况属实，已责令整改。"
    assert probe.calls == []


def test_no_token_is_held_never_matched_by_subject_or_in_reply_to(probe):
    inbound = ingest(eml("no_token.eml"))
    assert inbound.outcome == InboundOutcome.HELD
    assert inbound.suggested_object_id is None
    assert inbound.text == "已办结。"
    assert probe.calls == []


def test_a_handler_refusal_is_held_with_its_reason(probe):
    probe.hold_reason = "the sender is not the position's holder or deputy"
    inbound = ingest(eml("wrong_sender.eml", sender="stranger@qq.com"))
    assert inbound.outcome == InboundOutcome.HELD
    assert "holder or deputy" in inbound.reason
    assert (inbound.suggested_tag, inbound.suggested_object_id) == ("complaint", 1)
    assert inbound.text == "这个投诉已经处理好了。"


def test_an_unknown_tag_is_held(probe):
    from portal.mail.tokens import reply_address

    inbound = ingest(eml("gmail_zh.eml", to=reply_address("petition", 3)))
    assert inbound.outcome == InboundOutcome.HELD and "petition" in inbound.reason


def test_a_handler_exception_is_recorded_and_rolled_back(app, probe):
    from portal.extensions import db

    probe.fail = RuntimeError("boom")
    inbound = ingest(eml("gmail_zh.eml"))
    assert inbound.outcome == InboundOutcome.ERROR
    assert inbound.reason == "RuntimeError: boom"
    db.session.expire_all()
    assert db.session.get(InboundMessage, inbound.id).raw  # kept for reprocessing
    probe.fail = None
    from portal.mail.inbound.ingest import process

    assert process(inbound.id).outcome == InboundOutcome.ACCEPTED


@pytest.mark.parametrize("app_config", [{"KAIMEN_INBOUND_MAX_BYTES": 1000}])
def test_a_message_over_the_limit_is_refused_with_its_headers_kept(probe, app_config):
    raw = eml("reply_pdf_docx.eml")
    assert len(raw) > 1000
    inbound = ingest(raw)
    assert inbound.outcome == InboundOutcome.TOO_LARGE
    assert bytes(inbound.raw) == raw[: raw.index(b"\r\n\r\n")] + b"\r\n"
    assert inbound.raw_size == len(raw)
    assert probe.calls == []
