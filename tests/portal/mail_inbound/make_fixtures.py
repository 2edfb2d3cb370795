"""Writes fixtures/*.eml: officers' replies as each mail client writes them (run once; the .eml
files are the fixtures). Placeholders filled in by the tests: @@TO@@ (the reply address),
@@MSGID@@ (the Message-ID of our outbound message), @@FROM@@ (the officer's address).

Usage: python tests/portal/mail_inbound/make_fixtures.py
"""

from __future__ import annotations

import base64
import io
import quopri
import zipfile
from pathlib import Path

HERE = Path(__file__).parent / "fixtures"
MARK = "请在此行以上回复 / Please reply above this line"
ORIGINAL = (
    f"{MARK}\n\n投诉编号：TS20261120-0001\n主题：排污许可办理超时\n\n"
    "我于11月1日提交的排污许可申请至今未办结。\n"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        # Fixed timestamps: the fixture is the same bytes every time it is written.
        when = (2026, 11, 25, 16, 0, 0)
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", when), "<Types/>")
        archive.writestr(zipfile.ZipInfo("word/document.xml", when), "<w:document/>")
    return out.getvalue()


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def qp(text: str, charset: str) -> bytes:
    return quopri.encodestring(text.encode(charset)).replace(b"\n", b"\r\n")


def hdr(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("ascii")


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def outlook_zh():
    plain = (
        "您好，经核查，该事项已于11月25日办结，请查收。\n\n张三\n杭州市生态环境局\n\n"
        "发件人: 开门 Kaimen <noreply@kaimen.test>\n发送时间: 2026年11月20日 10:00\n"
        "收件人: 张三 <@@FROM@@>\n主题: [TS20261120-0001] 新投诉：排污许可办理超时\n\n" + ORIGINAL
    )
    html = (
        '<html><head><meta http-equiv=Content-Type content="text/html; charset=gb2312"></head>'
        "<body lang=ZH-CN><div class=WordSection1><p class=MsoNormal>您好，经核查，该事项已于11月25日办结，请查收。</p>"
        '<p class=MsoNormal>张三</p><div id="divRplyFwdMsg"><b>发件人:</b> 开门 Kaimen</div></div></body></html>'
    )
    head = (
        f"From: {hdr('张三', 'gb2312')} <@@FROM@@>\n"
        'To: "@@TO@@" <@@TO@@>\n'
        f"Subject: {hdr('答复: [TS20261120-0001] 新投诉：排污许可办理超时', 'gb2312')}\n"
        "Date: Wed, 25 Nov 2026 09:12:33 +0800\n"
        "Message-ID: <000001db3f2a$8c1e2f40$a45a8dc0$@hz.gov.cn>\n"
        "In-Reply-To: <complaint-assigned.1@kaimen.test>\n"
        "MIME-Version: 1.0\nX-Mailer: Microsoft Outlook 16.0\nThread-Index: AQHbPyqMHi9A\n"
        "Content-Language: zh-cn\n"
        'Content-Type: multipart/alternative;\n\tboundary="----=_NextPart_000_0001_01DB3F6D.9A42C4B0"\n\n'
        "This is a multi-part message in MIME format.\n\n"
        "------=_NextPart_000_0001_01DB3F6D.9A42C4B0\n"
        'Content-Type: text/plain;\n\tcharset="gb2312"\nContent-Transfer-Encoding: quoted-printable\n\n'
    )
    data = (
        crlf(head)
        + qp(plain, "gb2312")
        + crlf(
            "\n------=_NextPart_000_0001_01DB3F6D.9A42C4B0\n"
            'Content-Type: text/html;\n\tcharset="gb2312"\nContent-Transfer-Encoding: quoted-printable\n\n'
        )
        + qp(html, "gb2312")
        + crlf("\n------=_NextPart_000_0001_01DB3F6D.9A42C4B0--\n")
    )
    write("outlook_zh_gb2312_qp.eml", data)


def foxmail():
    plain = (
        "已收悉。经查，许可证已于今日核发，请到窗口领取。\n\n"
        "------------------&nbsp;原始邮件&nbsp;------------------\n".replace("&nbsp;", " ")
        + '发件人: "开门 Kaimen"<noreply@kaimen.test>;\n发送时间: 2026年11月20日(星期五) 上午10:00\n'
        '收件人: "李四"<@@FROM@@>;\n主题: [TS20261120-0001] 新投诉\n\n' + ORIGINAL
    )
    html = '<div>已收悉。经查，许可证已于今日核发，请到窗口领取。</div><div><br></div><div id="original-content"><blockquote>原文</blockquote></div>'
    head = (
        f'From: "{hdr("李四", "gbk")}" <@@FROM@@>\n'
        'To: "@@TO@@" <@@TO@@>\n'
        f"Subject: {hdr('回复：[TS20261120-0001] 新投诉', 'gbk')}\n"
        'Mime-Version: 1.0\nContent-Type: multipart/alternative;\n\tboundary="----=_NextPart_6746A1B2_0C3E1F08_2B4A6C1D"\n'
        "Content-Transfer-Encoding: 8Bit\nDate: Wed, 25 Nov 2026 10:20:01 +0800\n"
        "X-Priority: 3\nMessage-ID: <tencent_3A1B2C3D4E5F60718293A4B5@qq.com>\nX-QQ-MIME: TCMime 1.0 by Tencent\n"
        "X-Mailer: Foxmail 7.2.25.228[cn]\nX-QQ-Mailer: QQMail 2.x\n\n"
        "This is a multi-part message in MIME format.\n\n"
        "------=_NextPart_6746A1B2_0C3E1F08_2B4A6C1D\n"
        'Content-Type: text/plain;\n\tcharset="gbk"\nContent-Transfer-Encoding: base64\n\n'
    )
    data = (
        crlf(head)
        + b64(plain.encode("gbk"))
        + crlf(
            "\n------=_NextPart_6746A1B2_0C3E1F08_2B4A6C1D\n"
            'Content-Type: text/html;\n\tcharset="gbk"\nContent-Transfer-Encoding: base64\n\n'
        )
        + b64(html.encode("gbk"))
        + crlf("\n------=_NextPart_6746A1B2_0C3E1F08_2B4A6C1D--\n\n")
    )
    write("foxmail_gbk_base64.eml", data)


def netease():
    plain = (
        "您反映的问题已转交审批科，三个工作日内办结。\n\n\n\n\n发自网易邮箱大师\n\n\n"
        '在 2026-11-20 10:00:00，"开门 Kaimen" <noreply@kaimen.test> 写道：\n'
        + "".join(f">{line}\n" for line in ORIGINAL.splitlines())
    )
    html = '<div>您反映的问题已转交审批科，三个工作日内办结。</div><div class="ntes-mailmaster-quote">原文</div>'
    head = (
        "Date: Wed, 25 Nov 2026 11:05:12 +0800 (CST)\n"
        f"From: {hdr('王五', 'GBK')} <@@FROM@@>\n"
        "To: @@TO@@\n"
        f"Subject: {hdr('Re:[TS20261120-0001] 新投诉：排污许可办理超时', 'GBK')}\n"
        "X-Priority: 3\nX-Mailer: Coremail Webmail Server Version XT5.0.14 build 20230109(dcb5de15)\n"
        "In-Reply-To: <complaint-assigned.1@kaimen.test>\n"
        'Content-Type: multipart/alternative; \n\tboundary="----=_Part_123456_987654321.1764039912345"\n'
        "MIME-Version: 1.0\nMessage-ID: <5c1d2e3f.4a5b.18f2c3d4e5f.Coremail.wangwu@163.com>\n\n"
        "------=_Part_123456_987654321.1764039912345\n"
        "Content-Type: text/plain; charset=GBK\nContent-Transfer-Encoding: base64\n\n"
    )
    data = (
        crlf(head)
        + b64(plain.encode("gbk"))
        + crlf(
            "------=_Part_123456_987654321.1764039912345\n"
            "Content-Type: text/html; charset=GBK\nContent-Transfer-Encoding: base64\n\n"
        )
        + b64(html.encode("gbk"))
        + crlf("------=_Part_123456_987654321.1764039912345--\n")
    )
    write("netease_163.eml", data)


def gmail_zh():
    plain = (
        "已按规定处理，结果见门户网站。\n\n"
        "开门 Kaimen <noreply@kaimen.test> 于2026年11月20日周五 10:00写道：\n\n"
        + "".join(f"> {line}\n" for line in ORIGINAL.splitlines())
    )
    html = (
        '<div dir="ltr">已按规定处理，结果见门户网站。</div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">开门 Kaimen 于2026年11月20日周五 10:00写道：<br></div>'
        '<blockquote class="gmail_quote">原文</blockquote></div>'
    )
    head = (
        "MIME-Version: 1.0\nReferences: <complaint-assigned.1@kaimen.test>\n"
        "In-Reply-To: <complaint-assigned.1@kaimen.test>\n"
        f"From: {hdr('赵六', 'UTF-8')} <@@FROM@@>\n"
        "Date: Wed, 25 Nov 2026 12:00:00 +0800\n"
        "Message-ID: <CAFx1y2z3A4B5C6D7E8F9G0H1I2J3K4L5M6N7O8P9Q@mail.gmail.com>\n"
        f"Subject: {hdr('Re: [TS20261120-0001] 新投诉：排污许可办理超时', 'UTF-8')}\n"
        "To: 开门 Kaimen <@@TO@@>\n".replace("开门 Kaimen", hdr("开门 Kaimen", "UTF-8"))
        + 'Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"\n\n'
        "--000000000000a1b2c3d4e5f60718\n"
        'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n'
    )
    data = (
        crlf(head)
        + b64(plain.encode())
        + crlf(
            "--000000000000a1b2c3d4e5f60718\n"
            'Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
        )
        + qp(html, "utf-8")
        + crlf("\n--000000000000a1b2c3d4e5f60718--\n")
    )
    write("gmail_zh.eml", data)


def gmail_en():
    plain = (
        "Dear complainant,\n\nThe permit was issued on 25 November. You can collect it at window 3.\n\n"
        "Best regards,\nZhao Liu\n\n"
        "On Fri, Nov 20, 2026 at 10:00 AM 开门 Kaimen <noreply@kaimen.test>\nwrote:\n\n"
        + "".join(f"> {line}\n" for line in ORIGINAL.splitlines())
    )
    head = (
        "MIME-Version: 1.0\n"
        "From: Zhao Liu <@@FROM@@>\nDate: Wed, 25 Nov 2026 12:30:00 +0800\n"
        "Message-ID: <CAGx9y8z7A6B5C4D3E2F1G0H9I8J7K6L5M4N3O2P1Q@mail.gmail.com>\n"
        "Subject: Re: [TS20261120-0001] New complaint\nTo: @@TO@@\n"
        'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
    )
    write("gmail_en_wrapped.eml", crlf(head) + qp(plain, "utf-8"))


def apple_pdf():
    first = "处理决定见附件。\n\n"
    second = (
        "\n\n\n> 2026年11月20日 10:00，开门 Kaimen <noreply@kaimen.test> 写道：\n> \n"
        + "".join(f"> {line}\n" for line in ORIGINAL.splitlines())
    )
    head = (
        'Content-Type: multipart/mixed;\n\tboundary="Apple-Mail=_1A2B3C4D-5E6F-7081-92A3-B4C5D6E7F809"\n'
        "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3776.700.51\\))\n"
        f"Subject: {hdr('Re: [TS20261120-0001] 新投诉', 'utf-8')}\n"
        f"From: {hdr('孙七', 'utf-8')} <@@FROM@@>\n"
        "In-Reply-To: <complaint-assigned.1@kaimen.test>\nDate: Wed, 25 Nov 2026 14:00:00 +0800\n"
        "Message-Id: <9F8E7D6C-5B4A-3928-1706-F5E4D3C2B1A0@hz.gov.cn>\n"
        "To: @@TO@@\nX-Mailer: Apple Mail (2.3776.700.51)\n\n\n"
        "--Apple-Mail=_1A2B3C4D-5E6F-7081-92A3-B4C5D6E7F809\n"
        "Content-Transfer-Encoding: base64\nContent-Type: text/plain;\n\tcharset=utf-8\n\n"
    )
    data = (
        crlf(head)
        + b64(first.encode())
        + crlf(
            "\n--Apple-Mail=_1A2B3C4D-5E6F-7081-92A3-B4C5D6E7F809\n"
            "Content-Disposition: inline;\n\tfilename*=utf-8''%E5%A4%84%E7%90%86%E5%86%B3%E5%AE%9A.pdf\n"
            'Content-Type: application/pdf;\n\tx-unix-mode=0644;\n\tname="=?utf-8?B?5aSE55CG5Yaz5a6aLnBkZg==?="\n'
            "Content-Transfer-Encoding: base64\n\n"
        )
        + b64(PDF)
        + crlf(
            "\n--Apple-Mail=_1A2B3C4D-5E6F-7081-92A3-B4C5D6E7F809\n"
            "Content-Transfer-Encoding: base64\nContent-Type: text/plain;\n\tcharset=utf-8\n\n"
        )
        + b64(second.encode())
        + crlf("\n--Apple-Mail=_1A2B3C4D-5E6F-7081-92A3-B4C5D6E7F809--\n")
    )
    write("apple_mail_inline_pdf.eml", data)


def html_only():
    html = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        '<p>办理结果：<b>已办结</b>。</p><p>详见<a href="https://www.hz.gov.cn/">官网</a>公告。'
        '<img src="https://tracker.example/pixel.gif" alt=""></p>'
        '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>发件人:</b> 开门 Kaimen'
        "<br><b>发送时间:</b> 2026年11月20日 10:00</div>"
        f"<blockquote><p>{MARK}</p><p>原投诉内容</p></blockquote></body></html>"
    )
    head = (
        "From: =?utf-8?B?5ZGo5YWr?= <@@FROM@@>\nTo: <@@TO@@>\n"
        "Subject: =?utf-8?Q?=E7=AD=94=E5=A4=8D:_[TS20261120-0001]?=\n"
        "Date: Wed, 25 Nov 2026 15:00:00 +0800\nMessage-ID: <html-only-1@outlook.example>\n"
        'MIME-Version: 1.0\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
    )
    write("html_only.eml", crlf(head) + b64(html.encode()))


def pdf_docx():
    plain = "请见附件中的处理意见书和整改通知。\n\n-- \n吴九 审批科\n电话 0571-12345678\n"
    head = (
        f"From: {hdr('吴九', 'gbk')} <@@FROM@@>\nTo: @@TO@@\n"
        f"Subject: {hdr('回复: [TS20261120-0001] 新投诉', 'gbk')}\n"
        "Date: Wed, 25 Nov 2026 16:00:00 +0800\nMessage-ID: <pdf-docx-1@hz.gov.cn>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="=-=-=mix"\n\n'
        "--=-=-=mix\nContent-Type: text/plain; charset=gbk\nContent-Transfer-Encoding: base64\n\n"
    )
    data = (
        crlf(head)
        + b64(plain.encode("gbk"))
        + crlf(
            "--=-=-=mix\nContent-Type: application/pdf\n"
            "Content-Disposition: attachment;\n filename*=gb2312''%B4%A6%C0%ED%D2%E2%BC%FB%CA%E9.pdf\n"
            "Content-Transfer-Encoding: base64\n\n"
        )
        + b64(PDF)
        + crlf(
            "--=-=-=mix\nContent-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\n"
            f' name="{hdr("整改通知.docx", "gbk")}"\n'
            f'Content-Disposition: attachment; filename="{hdr("整改通知.docx", "gbk")}"\n'
            "Content-Transfer-Encoding: base64\n\n"
        )
        + b64(docx())
        + crlf("--=-=-=mix--\n")
    )
    write("reply_pdf_docx.eml", data)


def auto_reply():
    head = (
        f"From: {hdr('张三', 'gb2312')} <@@FROM@@>\nTo: @@TO@@\n"
        f"Subject: {hdr('自动回复: [TS20261120-0001] 新投诉', 'gb2312')}\n"
        "Date: Fri, 20 Nov 2026 10:00:05 +0800\nMessage-ID: <oof-1@hz.gov.cn>\n"
        "Auto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\n"
        'MIME-Version: 1.0\nContent-Type: text/plain; charset="gb2312"\nContent-Transfer-Encoding: base64\n\n'
    )
    write("auto_reply.eml", crlf(head) + b64("我正在休假，11月30日返回。".encode("gb2312")))


def read_receipt():
    data = crlf(
        "From: @@FROM@@\nTo: @@TO@@\nSubject: =?gb2312?B?0tG2wQ==?=: [TS20261120-0001]\n"
        "Date: Fri, 20 Nov 2026 10:30:00 +0800\nMessage-ID: <mdn-1@hz.gov.cn>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=disposition-notification;\n\tboundary="mdn"\n\n'
        "--mdn\nContent-Type: text/plain; charset=us-ascii\n\nYour message was read.\n\n"
        "--mdn\nContent-Type: message/disposition-notification\n\n"
        "Reporting-UA: hz.gov.cn; Microsoft Outlook 16.0\nFinal-Recipient: rfc822;@@FROM@@\n"
        "Original-Message-ID: <complaint-assigned.1@kaimen.test>\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\n\n--mdn--\n"
    )
    write("read_receipt.eml", data)


def bounce(name: str, action: str, status: str, diag: str):
    data = crlf(
        "From: MAILER-DAEMON@mx.hz.gov.cn (Mail Delivery System)\nTo: noreply-bounces@kaimen.test\n"
        "Subject: Undelivered Mail Returned to Sender\nDate: Fri, 20 Nov 2026 10:01:00 +0800\n"
        f"Message-Id: <bounce-{action}@mx.hz.gov.cn>\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="B0UNCE"\n\n'
        "--B0UNCE\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host mx.hz.gov.cn.\n\n"
        "--B0UNCE\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.hz.gov.cn\nArrival-Date: Fri, 20 Nov 2026 10:00:59 +0800\n\n"
        "Final-Recipient: rfc822; gone.officer@hz.gov.cn\nOriginal-Recipient: rfc822;gone.officer@hz.gov.cn\n"
        f"Action: {action}\nStatus: {status}\nDiagnostic-Code: smtp; {diag}\n\n"
        "--B0UNCE\nContent-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
        "From: Kaimen <noreply@kaimen.test>\nTo: gone.officer@hz.gov.cn\n"
        "Subject: [TS20261120-0001] New complaint\nMessage-ID: @@MSGID@@\n\n--B0UNCE--\n"
    )
    write(name, data)


def tampered():
    head = (
        "From: Zhao Liu <@@FROM@@>\nTo: @@TO@@\nSubject: Re: [TS20261120-0001] New complaint\n"
        "Date: Wed, 25 Nov 2026 12:30:00 +0800\nMessage-ID: <tampered-1@hz.gov.cn>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    )
    write(
        "tampered_token.eml",
        crlf(head) + "情况属实，已责令整改。\n".encode().replace(b"\n", b"\r\n"),
    )


def wrong_sender():
    head = (
        "From: =?utf-8?B?6ZmM55Sf5Lq6?= <stranger@qq.com>\nTo: @@TO@@\nSubject: Re: [TS20261120-0001]\n"
        "Date: Wed, 25 Nov 2026 12:40:00 +0800\nMessage-ID: <stranger-1@qq.com>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    )
    write(
        "wrong_sender.eml", crlf(head) + "这个投诉已经处理好了。\n".encode().replace(b"\n", b"\r\n")
    )


def no_token():
    head = (
        "From: @@FROM@@\nTo: complaints@kaimen.test\nSubject: Re: [TS20261120-0001] New complaint\n"
        "In-Reply-To: <complaint-assigned.1@kaimen.test>\n"
        "Date: Wed, 25 Nov 2026 12:50:00 +0800\nMessage-ID: <no-token-1@hz.gov.cn>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    )
    write("no_token.eml", crlf(head) + "已办结。\n".encode().replace(b"\n", b"\r\n"))


def malformed():
    # No closing boundary, a part with a broken base64 body, a bogus charset and a junk header.
    data = (
        crlf(
            "From: @@FROM@@\nTo: @@TO@@\nSubject: =?bogus-charset?B?5bey5aSE55CG?=\n"
            "Message-ID: <malformed-1@hz.gov.cn>\nMIME-Version: 1.0\nThis line is not a header\n"
            'Content-Type: multipart/mixed; boundary="XYZ"\n\n'
            '--XYZ\nContent-Type: text/plain; charset="x-unknown-charset"\n\n'
        )
        + "处理完毕，谢谢。\r\n".encode()
        + crlf(
            '--XYZ\nContent-Type: application/pdf; name="broken.pdf"\nContent-Transfer-Encoding: base64\n\n'
            "JVBERi0xLjQK!!!not*base64***\n"
        )
    )
    write("malformed_mime.eml", data)


def mislabelled():
    text = "朱镕基同志、王堃同志和李喆同志的意见已采纳。\n"
    head = (
        f"From: {hdr('郑十', 'gbk').replace('gbk', 'gb2312')} <@@FROM@@>\nTo: @@TO@@\n"
        f"Subject: {hdr('回复：关于镕、堃、喆', 'gbk').replace('gbk', 'GB2312')}\n"
        "Date: Wed, 25 Nov 2026 17:00:00 +0800\nMessage-ID: <mislabelled-1@hz.gov.cn>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: 8bit\n\n"
    )
    write("mislabelled_gbk_as_gb2312.eml", crlf(head) + text.encode("gbk").replace(b"\n", b"\r\n"))


def bare_lf():
    text = (
        "From: @@FROM@@\nTo: @@TO@@\nSubject: Re: bare LF\nMessage-ID: <bare-lf-1@hz.gov.cn>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "第一行。\n第二行。\n\nOn Fri, Nov 20, 2026 at 10:00 AM Kaimen <noreply@kaimen.test> wrote:\n> old\n"
    )
    write("bare_lf.eml", text.encode())


def raw_8bit_header():
    data = (
        b"From: " + "钱十一".encode("gbk") + b" <@@FROM@@>\r\nTo: @@TO@@\r\n"
        b"Subject: " + "回复：已处理".encode("gbk") + b"\r\n"
        b"Message-ID: <raw8bit-1@hz.gov.cn>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "已按要求整改完毕。\r\n".encode("gbk")
    )
    write("raw_8bit_gbk_header.eml", data)


def nul_bytes():
    data = (
        crlf(
            "From: @@FROM@@\nTo: @@TO@@\nSubject: Re: NUL\nMessage-ID: <nul-1@hz.gov.cn>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        )
        + "已\x00处理\x00。\r\n".encode()
    )
    write("nul_bytes.eml", data)


def png(size: int, noisy: bool) -> bytes:
    import random

    from PIL import Image

    noise = random.Random(size)  # noqa: S311 - deterministic fixture pixels, not a secret
    pixels = noise.randbytes(size * size * 3) if noisy else bytes(size * size * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), pixels).save(out, "PNG")
    return out.getvalue()


def outlook_related():
    """Outlook with a signature logo and a pasted screenshot, both shown inline by the HTML."""
    plain = (
        "现场照片见下图。\n\n张三\n\n发件人: 开门 Kaimen\n发送时间: 2026年11月20日 10:00\n\n"
        + ORIGINAL
    )
    html = (
        '<html><body><p>现场照片见下图。</p><p><img src="cid:image002.png@01DB3F6D.9A42C4B0"></p>'
        '<p>张三</p><p><img src="cid:image001.png@01DB3F6D.9A42C4B0"></p></body></html>'
    )
    head = (
        f"From: {hdr('张三', 'gb2312')} <@@FROM@@>\nTo: @@TO@@\n"
        f"Subject: {hdr('答复: [TS20261120-0001] 新投诉', 'gb2312')}\n"
        "Date: Wed, 25 Nov 2026 18:00:00 +0800\nMessage-ID: <000002db3f2a$related$@hz.gov.cn>\n"
        "MIME-Version: 1.0\nX-Mailer: Microsoft Outlook 16.0\n"
        'Content-Type: multipart/related;\n\tboundary="----=_NextPart_000_REL";\n\ttype="multipart/alternative"\n\n'
        '------=_NextPart_000_REL\nContent-Type: multipart/alternative;\n\tboundary="----=_NextPart_001_ALT"\n\n'
        '------=_NextPart_001_ALT\nContent-Type: text/plain;\n\tcharset="gb2312"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
    )
    data = (
        crlf(head)
        + qp(plain, "gb2312")
        + crlf(
            '\n------=_NextPart_001_ALT\nContent-Type: text/html;\n\tcharset="gb2312"\n'
            "Content-Transfer-Encoding: quoted-printable\n\n"
        )
        + qp(html, "gb2312")
        + crlf(
            "\n------=_NextPart_001_ALT--\n\n------=_NextPart_000_REL\n"
            'Content-Type: image/png;\n\tname="image001.png"\nContent-Transfer-Encoding: base64\n'
            "Content-ID: <image001.png@01DB3F6D.9A42C4B0>\n\n"
        )
        + b64(png(16, noisy=False))
        + crlf(
            "\n------=_NextPart_000_REL\n"
            'Content-Type: image/png;\n\tname="image002.png"\nContent-Transfer-Encoding: base64\n'
            "Content-ID: <image002.png@01DB3F6D.9A42C4B0>\n\n"
        )
        + b64(png(120, noisy=True))
        + crlf("\n------=_NextPart_000_REL--\n")
    )
    write("outlook_related_logo_and_screenshot.eml", data)


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    for make in (outlook_zh, foxmail, netease, gmail_zh, gmail_en, apple_pdf, html_only, pdf_docx,
                 auto_reply, read_receipt, tampered, wrong_sender, no_token, malformed,
                 mislabelled, bare_lf, raw_8bit_header, nul_bytes, outlook_related):  # fmt: skip
        make()
    bounce("bounce_hard.eml", "failed", "5.1.1", "550 5.1.1 <gone.officer@hz.gov.cn>: User unknown")
    bounce("bounce_delay.eml", "delayed", "4.4.7", "451 4.4.7 mailbox temporarily unavailable")
