"""Who sent a message: the From address is read from the raw header, never from decoded text.

An RFC 2047 encoded display name can spell out any address (``=?utf-8?q?holder=40hz.gov.cn?=``
decodes to ``holder@hz.gov.cn``); decoding the header before parsing it took that name for the
address. Anything but exactly one plain address names no sender at all.
"""

from __future__ import annotations

import re

import pytest

from portal.mail.inbound.ingest import ingest, targets_of
from portal.mail.inbound.parse import parse
from portal.mail.inbound_models import InboundOutcome
from portal.mail.tokens import reply_address
from tests.portal.mail_inbound.conftest import OFFICER, eml


def with_from(header: bytes, name: str = "gmail_zh.eml", to: str = "kaimen@example.com") -> bytes:
    """The fixture with its From line replaced by ``header`` (several lines allowed)."""
    raw = eml(name, to=to)
    return re.sub(rb"(?m)^From: [^\r\n]*", lambda _m: b"From: " + header, raw, count=1)


@pytest.mark.parametrize(
    ("header", "address"),
    [
        (b"=?utf-8?q?officer=40hz.gov.cn?= <evil@attacker.example>", "evil@attacker.example"),
        (b"=?utf-8?b?b2ZmaWNlckBoei5nb3YuY24=?= <evil@attacker.example>", "evil@attacker.example"),
        (b'"officer@hz.gov.cn" <evil@attacker.example>', "evil@attacker.example"),
        (b'"=?utf-8?q?officer=40hz.gov.cn?=" <evil@attacker.example>', "evil@attacker.example"),
        (b"evil@attacker.example (officer@hz.gov.cn)", "evil@attacker.example"),
        (b"evil@attacker.example (=?utf-8?q?officer=40hz.gov.cn?=)", "evil@attacker.example"),
        (b"officer@hz.gov.cn (comment) <evil@attacker.example>", ""),
        (b"officer@hz.gov.cn <evil@attacker.example>", ""),
        (b"officer@hz.gov.cn, evil@attacker.example", ""),
        (b"evil@attacker.example, officer@hz.gov.cn", ""),
        (b"Officer <officer@hz.gov.cn>,\r\n Evil <evil@attacker.example>", ""),
        (b"<=?utf-8?q?officer=40hz.gov.cn?=>", ""),
        (b'"officer@hz.gov.cn"@attacker.example', ""),
        (b"officer@hz.gov.cn <>", ""),
        (b"", ""),
    ],
)
def test_an_address_in_the_display_name_is_not_the_sender(header, address):
    parsed = parse(with_from(header))
    assert parsed.from_address == address
    assert parsed.from_address != OFFICER
    if not address:
        assert parsed.from_problem


def test_two_from_headers_name_no_sender():
    raw = with_from(b"Officer <officer@hz.gov.cn>\r\nFrom: Evil <evil@attacker.example>")
    parsed = parse(raw)
    assert (parsed.from_address, parsed.from_problem) == ("", "2 From headers")


@pytest.mark.parametrize(
    ("header", "name"),
    [
        (b"=?UTF-8?B?6LW15YWt?= <Officer@HZ.gov.cn>", "赵六"),
        (b'"=?gbk?B?wO7LxA==?=" <officer@hz.gov.cn>', "李四"),
        (b"=?gb2312?B?1cXI/Q==?=<officer@hz.gov.cn>", "张三"),
        ("张三 <officer@hz.gov.cn>".encode("gb18030"), "张三"),
        (b"Zhao\r\n Liu <officer@hz.gov.cn>", "Zhao Liu"),
        (b"officer@hz.gov.cn", ""),
        (b"officer@hz.gov.cn (Zhao Liu)", "Zhao Liu"),
    ],
)
def test_real_senders_keep_their_address_and_decoded_name(header, name):
    parsed = parse(with_from(header))
    assert (parsed.from_address, parsed.from_name, parsed.from_problem) == (OFFICER, name, "")


def test_the_holder_rule_sees_the_real_address(probe):
    probe.hold_reason = "not the holder"
    to = reply_address("complaint", 1)
    forged = ingest(with_from(b"=?utf-8?q?officer=40hz.gov.cn?= <evil@attacker.example>", to=to))
    assert forged.outcome == InboundOutcome.HELD
    assert forged.from_address == "evil@attacker.example"
    several = ingest(
        with_from(b"officer@hz.gov.cn, evil@attacker.example", to=to).replace(
            b"CAFx1y2z3A4B5C6D7E8F9G0H1I2J3K4L5M6N7O8P9Q", b"several"
        )
    )
    assert several.from_address == "officer@hz.gov.cn, evil@attacker.example"  # shown as sent


def test_an_encoded_display_name_in_to_is_no_reply_address(app):
    ours = reply_address("complaint", 7).replace("@", "=40")
    raw = eml("gmail_zh.eml", to="someone@example.com").replace(
        b"To: =?UTF-8?B?5byA6ZeoIEthaW1lbg==?= <someone@example.com>",
        f"To: =?utf-8?q?{ours}?= <someone@example.com>".encode(),
    )
    parsed = parse(raw)
    assert parsed.to == ["someone@example.com"]
    assert targets_of(parsed, []) == ([], [])
