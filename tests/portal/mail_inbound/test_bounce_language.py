"""A bounced outbound message's error is shown in the reader's language; what the remote server
said stays as it said it."""

from __future__ import annotations

from flask_babel import force_locale

from portal.templating import describe_mail_error

STORED = "Bounced (5.1.1) for holder@linjiang.gov.example: 550 5.1.1 <holder@…>: user unknown"


def test_a_bounce_reads_in_chinese_for_a_chinese_reader(app):
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        shown = describe_mail_error(STORED)
        assert shown.startswith("退信（5.1.1）")
        assert "holder@linjiang.gov.example" in shown
        assert shown.endswith("550 5.1.1 <holder@…>: user unknown")
        assert describe_mail_error(
            "Bounced (permanent failure) for a recipient: no reason given"
        ).startswith("退信（永久性失败）")


def test_in_english_and_for_other_errors_the_text_is_as_stored(app):
    with app.test_request_context(), force_locale("en"):
        assert describe_mail_error(STORED) == STORED
        assert describe_mail_error("SMTPServerDisconnected: gone") == "SMTPServerDisconnected: gone"
        assert describe_mail_error(None) == ""
