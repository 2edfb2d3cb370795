"""Authentication-Results believed only from the configured receiving server (RFC 8601 §5)."""

from __future__ import annotations

import pytest

from portal.mail.inbound.authres import parse_header
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import InboundOutcome
from tests.portal.mail_inbound.conftest import eml

TRUSTED = "mx.kaimen.test"

# name: (outcome, the failure reported, the results recorded)
CASES = {
    "auth_dmarc_fail.eml": (
        InboundOutcome.HELD,
        {"method": "dmarc", "result": "fail", "domain": "hz.gov.cn"},
        {"dkim": "none", "spf": "pass", "dmarc": "fail"},
    ),
    "auth_dkim_fail.eml": (
        InboundOutcome.HELD,
        {"method": "dkim", "result": "fail", "domain": "hz.gov.cn"},
        {"dkim": "fail", "spf": "pass"},
    ),
    "auth_spf_fail.eml": (
        InboundOutcome.HELD,
        {"method": "spf", "result": "fail", "domain": "hz.gov.cn"},
        {"spf": "fail"},
    ),
    "auth_pass.eml": (
        InboundOutcome.ACCEPTED, None, {"dkim": "pass", "spf": "pass", "dmarc": "pass"},
    ),
    "auth_softfail.eml": (InboundOutcome.ACCEPTED, None, {"spf": "softfail", "dmarc": "none"}),
    "auth_dkim_second_signature_passes.eml": (
        InboundOutcome.ACCEPTED, None, {"dkim": "fail", "dmarc": "pass"},
    ),
    # Headers from other servers (or written by the sender) claim failures: ignored.
    "auth_forged_by_others.eml": (InboundOutcome.ACCEPTED, None, {"dkim": "pass", "dmarc": "pass"}),
}  # fmt: skip


@pytest.fixture
def trusted(app):
    app.config["KAIMEN_INBOUND_AUTHSERV_ID"] = f"{TRUSTED}, mx2.kaimen.test"
    yield TRUSTED
    app.config["KAIMEN_INBOUND_AUTHSERV_ID"] = ""


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_trusted_servers_verdict_decides(probe, trusted, name):
    outcome, failure, results = CASES[name]
    inbound = ingest(eml(f"classes/{name}"))
    assert inbound.outcome == outcome, inbound.reason
    assert inbound.sender_auth == {"server": TRUSTED, "results": results}
    assert inbound.text == "已办结。"
    if failure is None:
        assert probe.calls == [(1, "已办结。", [], False)]
    else:
        assert probe.calls == []
        assert inbound.reason_codes == [
            {"code": "auth_failed", "params": {"server": TRUSTED, **failure}}
        ]
        assert f"{failure['method']}=fail" in inbound.reason
        assert (inbound.suggested_tag, inbound.suggested_object_id) == ("complaint", 1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_without_a_trusted_server_every_header_is_ignored(probe, name):
    inbound = ingest(eml(f"classes/{name}"))
    assert inbound.outcome == InboundOutcome.ACCEPTED, inbound.reason
    assert inbound.sender_auth is None


def test_a_forged_pass_never_outweighs_the_trusted_fail(probe, trusted):
    raw = eml("classes/auth_dmarc_fail.eml")
    forged = b"Authentication-Results: mx.kaimen.test; dmarc=pass header.from=hz.gov.cn\r\n"
    head, _, body = raw.partition(b"\r\n\r\n")
    inbound = ingest(head.replace(b"Received:", forged + b"Received:", 1) + b"\r\n\r\n" + body)
    assert inbound.outcome == InboundOutcome.HELD


def test_a_failure_for_another_domain_is_not_the_senders(probe, trusted):
    raw = eml("classes/auth_dkim_fail.eml").replace(b"header.d=hz.gov.cn header.i=@hz.gov.cn",
                                                     b"header.d=list.example header.i=@list.example")  # fmt: skip
    assert ingest(raw).outcome == InboundOutcome.ACCEPTED


def test_headers_are_read_with_comments_and_versions():
    header = parse_header(
        "mx.kaimen.test 1; dkim=pass (2048-bit key; unprotected) header.d=hz.gov.cn "
        'header.s="s1"; spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=a@hz.gov.cn'
    )
    assert header.authserv_id == "mx.kaimen.test"
    assert [(r.method, r.result) for r in header.results] == [("dkim", "pass"), ("spf", "fail")]
    assert header.results[0].properties["header.s"] == "s1"


def test_the_admin_page_says_when_no_trusted_server_is_configured(app, client, admin, probe):
    client.login(admin.email)
    page = client.get("/admin/inbound/").get_data(as_text=True)
    assert 'id="no-trusted-server"' in page and "KAIMEN_INBOUND_AUTHSERV_ID" in page
    app.config["KAIMEN_INBOUND_AUTHSERV_ID"] = TRUSTED
    try:
        page = client.get("/admin/inbound/").get_data(as_text=True)
    finally:
        app.config["KAIMEN_INBOUND_AUTHSERV_ID"] = ""
    assert 'id="no-trusted-server"' not in page and TRUSTED in page
