"""Mail as real systems send it (fixtures/classes, see make_class_fixtures.py): signed, encrypted,
TNEF, forwarded, authenticated, mislabelled — outcome, reason, exact answer, exact files."""

from __future__ import annotations

import pytest

from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from portal.mail.tokens import reply_address
from tests.portal.mail_inbound.conftest import eml
from tests.portal.mail_inbound.make_class_fixtures import DOCX_LIKE, INNER, INNER_GLOBAL, PDF

ACCEPTED, HELD = InboundOutcome.ACCEPTED, InboundOutcome.HELD
SIGNED = "经核实，已于12月2日办结，许可证已寄出。\n\n张三"
FORWARDED = "经研究，同意补办排污许可，请于12月10日前到窗口办理。"
FORWARD_NOTE = {
    "code": "forwarded_attached",
    "params": {"subject": "关于排污许可的复函", "sender": "法制科 <fazhi@hz.gov.cn>"},
}

# name: (outcome, reason codes, answer text, [(file name, bytes)], (signature kind, status))
CASES = {
    # Signed: the signed content is the answer; the signature is no file and holds nothing.
    "smime_detached_pkcs7.eml": (ACCEPTED, [], SIGNED, [], ("smime", "verified")),
    "smime_detached_x_pkcs7.eml": (ACCEPTED, [], SIGNED, [], ("smime", "verified")),
    "smime_detached_tampered.eml": (
        ACCEPTED, [], SIGNED.replace("2日", "3日"), [], ("smime", "failed"),
    ),
    "smime_outlook_x_pkcs7_pdf.eml": (
        ACCEPTED, [], "附件为处理意见书，请查收。\n\n李四", [("处理意见书.pdf", PDF)],
        ("smime", "verified"),
    ),
    "smime_opaque_signed.eml": (ACCEPTED, [], "整改已完成，现场复核合格。", [], ("smime", "verified")),
    "smime_opaque_signed_x.eml": (
        ACCEPTED, [], "整改已完成，现场复核合格。", [], ("smime", "verified"),
    ),
    "pgp_mime_signed.eml": (ACCEPTED, [], "已答复，详见门户网站。", [], ("pgp", "unsupported")),
    "pgp_inline_signed.eml": (
        ACCEPTED, [], "已核实。\n-----\n整改通知另行送达。", [], ("pgp", "unsupported"),
    ),
    # Encrypted: nothing can be read.
    "smime_enveloped.eml": (HELD, ["encrypted"], "", [], None),
    "smime_enveloped_octet_stream.eml": (HELD, ["encrypted"], "", [], None),
    "pgp_mime_encrypted.eml": (HELD, ["encrypted"], "", [], None),
    # Outlook TNEF: the body and the files inside; a damaged blob kept unopened and flagged.
    "tnef_text_and_files.eml": (
        ACCEPTED, [], "整改报告见附件。\n\n王五",
        [("整改报告.pdf", PDF), ("现场照片说明.docx", DOCX_LIKE)], None,
    ),
    "tnef_body_only.eml": (
        ACCEPTED, [], "经复核，投诉事项属实，已责令整改。\n\n王五", [("复核意见.pdf", PDF)], None,
    ),
    "tnef_damaged.eml": (ACCEPTED, ["tnef_damaged"], "整改报告见附件。\n\n王五", None, None),
    # Forwarded: attached messages kept as .eml; an inline forward without a note is held.
    "forward_attached_rfc822.eml": (
        ACCEPTED, ["forwarded_attached"], "法制科的复函见附件，请查收。",
        [("关于排污许可的复函.eml", INNER.encode())], None,
    ),
    "forward_attached_rfc822_inline.eml": (
        ACCEPTED, ["forwarded_attached"], "法制科的复函见附件，请查收。",
        [("关于排污许可的复函.eml", INNER.encode())], None,
    ),
    "forward_attached_global.eml": (
        ACCEPTED, ["forwarded_attached"], "法制科的复函见附件，请查收。",
        [("关于排污许可的复函.eml", INNER_GLOBAL.encode())], None,
    ),
    "forward_inline_gmail.eml": (HELD, ["forward_only"], FORWARDED, [], None),
    "forward_inline_outlook_zh.eml": (HELD, ["forward_only"], FORWARDED, [], None),
    "forward_inline_apple.eml": (HELD, ["forward_only"], FORWARDED, [], None),
    # Charsets that lie: the text the officer typed.
    "charset_gb2312_label_gb18030_4byte.eml": (
        ACCEPTED, [], "王䶮同志反映的𠮷野家门店油烟问题已处理，罚款€200。", [], None,
    ),
    "charset_gbk_no_label.eml": (ACCEPTED, [], "朱镕基同志的来信已转交，请放心。", [], None),
    "charset_utf8_labelled_gb2312.eml": (ACCEPTED, [], "经核查，情况属实，已责令整改。", [], None),
    "charset_utf8_labelled_latin1.eml": (ACCEPTED, [], "经核查，情况属实，已责令整改。", [], None),
    "charset_utf8_labelled_gbk_short.eml": (ACCEPTED, [], "钱已退回。", [], None),
    "charset_gbk_labelled_gbk_short.eml": (ACCEPTED, [], "钱已退回。", [], None),
    "charset_broken_base64.eml": (ACCEPTED, [], "经核查，该企业已停产整改，复产前须经验收。", [], None),
    "charset_truncated_base64.eml": (ACCEPTED, [], "处理完毕，谢谢配", [], None),
    "charset_broken_qp.eml": (ACCEPTED, [], "已责令整改，限期三十日。", [], None),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_class_gets_its_outcome_answer_and_files(probe, name):
    outcome, codes, answer, files, signature = CASES[name]
    inbound = ingest(eml(f"classes/{name}"))
    assert inbound.outcome == outcome, inbound.reason
    assert [entry["code"] for entry in inbound.reason_codes or []] == codes
    assert inbound.text == answer
    assert "\ufffd" not in inbound.text
    assert (inbound.signature_kind, inbound.signature_status) == (signature or (None, None))
    if outcome == ACCEPTED:
        [(object_id, text, _names, force)] = probe.calls
        assert (object_id, text, force) == (1, answer, False)
    else:
        assert probe.calls == []
        # The token was valid: the complaint is offered for the administrator's decision.
        assert (inbound.suggested_tag, inbound.suggested_object_id) == ("complaint", 1)
    if files is not None:
        from portal.mail.inbound.parse import parse

        parsed = parse(bytes(inbound.raw))
        assert [(a.filename, a.data) for a in parsed.attachments] == files
        assert inbound.attachment_names == [f for f, _ in files]


def test_a_forwarded_message_records_its_subject_and_sender(probe):
    inbound = ingest(eml("classes/forward_attached_rfc822.eml"))
    assert inbound.reason_codes == [FORWARD_NOTE]
    assert "关于排污许可的复函" in inbound.reason and "fazhi@hz.gov.cn" in inbound.reason


def test_a_damaged_tnef_is_kept_as_an_opaque_flagged_file(probe):
    from portal.mail.inbound.parse import parse

    inbound = ingest(eml("classes/tnef_damaged.eml"))
    [blob] = parse(bytes(inbound.raw)).attachments
    assert blob.filename == "winmail.dat" and blob.damaged
    assert blob.data.startswith(b"\x78\x9f\x3e\x22")  # the TNEF signature, the bytes as sent
    assert inbound.reason_codes == [{"code": "tnef_damaged", "params": {"name": "winmail.dat"}}]


def test_the_signer_is_recorded(probe):
    inbound = ingest(eml("classes/smime_detached_pkcs7.eml"))
    assert inbound.signature_detail == "officer@hz.gov.cn"
    tampered = ingest(eml("classes/smime_detached_tampered.eml"))
    assert "does not match" in tampered.signature_detail


def test_an_encrypted_reply_says_why_it_is_held(probe):
    inbound = ingest(eml("classes/smime_enveloped.eml"))
    assert inbound.reason_codes == [{"code": "encrypted", "params": {"kind": "S/MIME"}}]
    assert "encrypted" in inbound.reason


# --- matching -------------------------------------------------------------------------------


def test_an_address_whose_case_a_client_changed_is_matched(probe):
    inbound = ingest(
        eml("classes/address_case_changed.eml", to=reply_address("complaint", 1).upper())
    )
    assert inbound.outcome == ACCEPTED, inbound.reason
    assert probe.calls == [(1, "已办结，谢谢。", [], False)]


@pytest.mark.parametrize(
    "address",
    [
        # A valid token, but of another complaint: the id in the address is not trusted.
        lambda: reply_address("complaint", 2).replace("complaint+2.", "complaint+1."),
        # A valid token of the same id for another kind of object.
        lambda: reply_address("petition", 1).replace("petition+", "complaint+"),
        # Tampered: one character changed.
        lambda: reply_address("complaint", 1)[:-30] + "a" + reply_address("complaint", 1)[-29:],
        # Cut short by a client.
        lambda: (
            reply_address("complaint", 1).replace(".", ".", 1).split("@")[0][:-4]
            + "@"
            + reply_address("complaint", 1).split("@")[1]
        ),
    ],
    ids=["token-of-another-id", "token-of-another-tag", "tampered", "truncated"],
)
def test_a_token_that_fails_verification_is_held_and_proposes_nothing(probe, address):
    bad = address()
    assert bad != reply_address("complaint", 1)
    inbound = ingest(eml("classes/address_case_changed.eml", to=bad))
    assert inbound.outcome == HELD
    assert (inbound.suggested_tag, inbound.suggested_object_id) == (None, None)
    assert inbound.reason_codes[0]["code"] == "near_miss"
    assert probe.calls == []


def test_an_auto_reply_to_a_failed_token_proposes_nothing(probe):
    bad = reply_address("complaint", 2).replace("complaint+2.", "complaint+1.")
    inbound = ingest(eml("auto_reply.eml", to=bad))
    assert inbound.outcome == InboundOutcome.AUTO_REPLY
    assert inbound.suggested_object_id is None
