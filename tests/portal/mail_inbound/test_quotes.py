"""Quote stripping and HTML conversion on their own (no database)."""

from __future__ import annotations

import pytest

from portal.mail.inbound.htmltext import html_to_text
from portal.mail.inbound.parse import decode_bytes, normalize_charset
from portal.mail.inbound.quotes import strip_quotes

CASES = {
    "outlook-en": (
        "已处理。\n\n________________________________\nFrom: Kaimen <noreply@kaimen.test>\n"
        "Sent: Friday, November 20, 2026 10:00 AM\nTo: Zhang San\nSubject: New complaint\n\nold"
    ),
    "outlook-zh-fullwidth": "已处理。\n\n发件人：开门\n发送时间：2026年11月20日 10:00\n收件人：张三\n\n原文",
    "outlook-separator": "已处理。\n\n-----Original Message-----\nFrom: x\nold",
    "outlook-separator-zh": "已处理。\n\n-----原始邮件-----\n发件人: x\nold",
    "foxmail": "已处理。\n\n------------------ 原始邮件 ------------------\n发件人: x\nold",
    "netease": '已处理。\n\n在 2026-11-20 10:00:00，"开门" <noreply@kaimen.test> 写道：\n>old',
    "gmail-zh": "已处理。\n\n开门 <noreply@kaimen.test> 于2026年11月20日周五 10:00写道：\n\n> old",
    "gmail-en": "已处理。\n\nOn Fri, Nov 20, 2026 at 10:00 AM Kaimen <noreply@kaimen.test> wrote:\n> old",
    "gmail-en-wrapped": "已处理。\n\nOn Fri, Nov 20, 2026 at 10:00 AM 开门 Kaimen <\nnoreply@kaimen.test> wrote:\n> old",
    "apple-en": "已处理。\n\n> On 20 Nov 2026, at 10:00, Kaimen <noreply@kaimen.test> wrote:\n> \n> old",
    "apple-zh": "已处理。\n\n> 2026年11月20日 10:00，开门 <noreply@kaimen.test> 写道：\n> old",
    "marker": "已处理。\n\n请在此行以上回复 / Please reply above this line\nold",
    "iphone": "已处理。\n\n发自我的iPhone\n\n------------------ Original ------------------\nold",
    "sent-from": "已处理。\n\nSent from my iPhone\n\nOn 20 Nov 2026 Kaimen wrote:\n> old",
    "mailmaster": "已处理。\n发自网易邮箱大师",
    "signature": "已处理。\n-- \n张三\n电话 123",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_quoted_history_and_signatures_are_cut(text):
    assert strip_quotes(text) == "已处理。"


def test_interleaved_quotes_are_dropped_and_answers_kept():
    text = "> 问题一？\n答复一。\n> 问题二？\n答复二。"
    assert strip_quotes(text) == "答复一。\n答复二。"


def test_never_empty_falls_back_to_the_whole_text():
    assert strip_quotes("> 只有引用\n> quoted only") == "> 只有引用\n> quoted only"
    assert strip_quotes("-----Original Message-----\nold") == "-----Original Message-----\nold"


def test_a_date_in_the_answer_is_not_an_attribution():
    text = "请于2026年12月1日前补正材料，逾期视为撤回。\n谢谢。"
    assert strip_quotes(text) == text


def test_html_to_text_keeps_lines_and_drops_script_style_images():
    html = (
        "<html><head><title>t</title><style>p{}</style></head><body><p>第一段<br>第二行</p>"
        "<script>alert(1)</script><img src='https://x/p.gif'><p>Tom &amp; Jerry&nbsp;!</p>"
        "<blockquote>quoted<br>more</blockquote></body></html>"
    )
    assert html_to_text(html) == "第一段\n第二行\nTom & Jerry !\n> quoted\n> more"


@pytest.mark.parametrize("label", ["gb2312", "GBK", "cp936", "euc-cn", "x-gbk", "GB_2312-80"])
def test_the_gb_family_decodes_as_gb18030(label):
    assert normalize_charset(label) == "gb18030"
    assert decode_bytes("朱镕基、王堃、李喆".encode("gbk"), label) == "朱镕基、王堃、李喆"


def test_decoding_never_raises_and_gives_valid_text():
    assert decode_bytes(b"\xff\xfe\x00abc\x81", "utf-8").encode("utf-8")
    assert "\x00" not in decode_bytes(b"a\x00b", "nonsense-charset")
