"""Writes fixtures/classes/*.eml: officers' replies as real mail systems wrap them — signed
(S/MIME detached and opaque, PGP/MIME, inline PGP), encrypted, Outlook TNEF, forwarded
(attached and inline), with Authentication-Results, and with charsets that lie.

Placeholders as in make_fixtures.py: @@TO@@, @@FROM@@. S/MIME signatures are made here with
cryptography's ``PKCS7SignatureBuilder`` and a self-signed certificate (a new key each run: the
.eml files are the fixtures, run this only to write them again).

Usage: python tests/portal/mail_inbound/make_class_fixtures.py
"""

from __future__ import annotations

import base64
import datetime
import quopri
import struct
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

HERE = Path(__file__).parent / "fixtures" / "classes"
MARK = "请在此行以上回复 / Please reply above this line"
QUOTED = f"\n\n发件人: 开门 Kaimen <noreply@kaimen.test>\n发送时间: 2026年11月20日 10:00\n\n{MARK}\n投诉编号：TS20261120-0001\n"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
DOCX_LIKE = b"PK\x03\x04" + b"\x00" * 26  # written as bytes only; the tests check them exactly


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def hdr(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def head(subject: str, msgid: str, extra: str = "", sender: str = "张三") -> str:
    return (
        f"From: {hdr(sender)} <@@FROM@@>\nTo: @@TO@@\nSubject: {hdr(subject)}\n"
        f"Date: Thu, 03 Dec 2026 09:00:00 +0800\nMessage-ID: <{msgid}@hz.gov.cn>\n"
        f"MIME-Version: 1.0\n{extra}"
    )


# --- S/MIME ---------------------------------------------------------------------------------


def certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "张三"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "officer@hz.gov.cn"),
        ]
    )
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return cert, key


def sign(content: bytes, cert, key, *, detached: bool = True) -> bytes:
    options = [pkcs7.PKCS7Options.Binary]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, options)
    )


def smime_detached(cert, key):
    # Thunderbird: application/pkcs7-signature, the content a plain UTF-8 part.
    content = crlf(
        "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n"
        + b64(("经核实，已于12月2日办结，许可证已寄出。\n\n张三" + QUOTED).encode())
    )
    signature = sign(content, cert, key)
    for name, protocol, sig_name, tamper in (
        ("smime_detached_pkcs7.eml", "application/pkcs7-signature", "smime.p7s", False),
        ("smime_detached_x_pkcs7.eml", "application/x-pkcs7-signature", "smime.p7s", False),
        ("smime_detached_tampered.eml", "application/pkcs7-signature", "smime.p7s", True),
    ):
        body = content
        if tamper:  # changed on the way after signing: still the answer, recorded as failed
            body = crlf(
                "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n"
                + b64(("经核实，已于12月3日办结，许可证已寄出。\n\n张三" + QUOTED).encode())
            )
        data = (
            crlf(
                head("回复：[TS20261120-0001] 新投诉", name.removesuffix(".eml"))
                + f'Content-Type: multipart/signed; protocol="{protocol}"; micalg=sha-256;\n'
                ' boundary="------------ms010203040506070809"\n\n'
                "This is a cryptographically signed message in MIME format.\n\n"
                "--------------ms010203040506070809\n"
            )
            + body
            + crlf(
                "\n--------------ms010203040506070809\n"
                f'Content-Type: {protocol}; name="{sig_name}"\n'
                "Content-Transfer-Encoding: base64\n"
                f'Content-Disposition: attachment; filename="{sig_name}"\n'
                "Content-Description: S/MIME Cryptographic Signature\n\n"
                + b64(signature)
                + "\n--------------ms010203040506070809--\n"
            )
        )
        write(name, data)


def smime_outlook_with_pdf(cert, key):
    # Outlook: x-pkcs7-signature over multipart/mixed (GB2312 QP text and a PDF).
    text = "附件为处理意见书，请查收。\n\n李四" + QUOTED
    content = crlf(
        'Content-Type: multipart/mixed;\n\tboundary="----=_NextPart_001_0002"\n\n'
        '------=_NextPart_001_0002\nContent-Type: text/plain;\n\tcharset="gb2312"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        + quopri.encodestring(text.encode("gb18030")).decode("ascii")
        + "\n------=_NextPart_001_0002\n"
        'Content-Type: application/pdf;\n\tname="=?gb2312?B?'
        + base64.b64encode("处理意见书.pdf".encode("gbk")).decode()
        + '?="\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment;\n\tfilename="=?gb2312?B?'
        + base64.b64encode("处理意见书.pdf".encode("gbk")).decode()
        + '?="\n\n'
        + b64(PDF)
        + "\n------=_NextPart_001_0002--\n"
    )
    data = (
        crlf(
            head("答复: [TS20261120-0001] 新投诉", "outlook-smime", sender="李四")
            + "X-Mailer: Microsoft Outlook 16.0\n"
            'Content-Type: multipart/signed;\n\tprotocol="application/x-pkcs7-signature";\n'
            '\tmicalg=SHA1;\n\tboundary="----=_NextPart_000_0001"\n\n'
            "This is a multipart message in MIME format.\n\n------=_NextPart_000_0001\n"
        )
        + content
        + crlf(
            "\n------=_NextPart_000_0001\n"
            'Content-Type: application/x-pkcs7-signature;\n\tname="smime.p7s"\n'
            "Content-Transfer-Encoding: base64\n"
            'Content-Disposition: attachment;\n\tfilename="smime.p7s"\n\n'
            + b64(sign(content, cert, key))
            + "\n------=_NextPart_000_0001--\n"
        )
    )
    write("smime_outlook_x_pkcs7_pdf.eml", data)


def smime_opaque(cert, key):
    content = crlf(
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
        "整改已完成，现场复核合格。" + QUOTED
    )
    for name, ctype in (
        ("smime_opaque_signed.eml", "application/pkcs7-mime"),
        ("smime_opaque_signed_x.eml", "application/x-pkcs7-mime"),
    ):
        data = crlf(
            head("回复：整改情况", name.removesuffix(".eml"))
            + f'Content-Type: {ctype}; smime-type=signed-data; name="smime.p7m"\n'
            "Content-Transfer-Encoding: base64\n"
            'Content-Disposition: attachment; filename="smime.p7m"\n\n'
            + b64(sign(content, cert, key, detached=False))
        )
        write(name, data)


def smime_enveloped(cert):
    secret = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(crlf("Content-Type: text/plain; charset=utf-8\n\n机密答复。\n"))
        .add_recipient(cert)
        .encrypt(serialization.Encoding.DER, [])
    )
    write(
        "smime_enveloped.eml",
        crlf(
            head("回复：机密", "smime-enveloped")
            + 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\n'
            'Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="smime.p7m"\n\n'
            + b64(secret)
        ),
    )
    # Older clients: no smime-type, an octet-stream named smime.p7m (RFC 8551 §3.2.2).
    write(
        "smime_enveloped_octet_stream.eml",
        crlf(
            head("回复：机密", "smime-enveloped-octet")
            + 'Content-Type: application/octet-stream; name="smime.p7m"\n'
            'Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="smime.p7m"\n\n'
            + b64(secret)
        ),
    )


PGP_SIG = (
    "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEEq8zE1qXc2j1y0Qz0c2lnbmF0dXJlAAoJEHNpZ25hdHVy\n"
    "ZQAAAA==\n=abcd\n-----END PGP SIGNATURE-----\n"
)


def pgp():
    write(
        "pgp_mime_signed.eml",
        crlf(
            head("Re: [TS20261120-0001] 新投诉", "pgp-mime-signed")
            + "User-Agent: Mozilla Thunderbird\n"
            'Content-Type: multipart/signed; micalg=pgp-sha256;\n protocol="application/pgp-signature";\n'
            ' boundary="------------pgp0123456789"\n\n'
            "This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\n"
            "--------------pgp0123456789\n"
            'Content-Type: multipart/mixed; boundary="------------mixed0123"\n\n'
            "--------------mixed0123\nContent-Type: text/plain; charset=UTF-8; format=flowed\n"
            "Content-Transfer-Encoding: 8bit\n\n已答复，详见门户网站。\n"
            + QUOTED
            + "\n--------------mixed0123--\n\n--------------pgp0123456789\n"
            'Content-Type: application/pgp-signature; name="OpenPGP_signature.asc"\n'
            "Content-Description: OpenPGP digital signature\n"
            'Content-Disposition: attachment; filename="OpenPGP_signature.asc"\n\n'
            + PGP_SIG
            + "\n--------------pgp0123456789--\n"
        ),
    )
    write(
        "pgp_inline_signed.eml",
        crlf(
            head("Re: [TS20261120-0001] 新投诉", "pgp-inline")
            + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n已核实。\n- -----\n整改通知另行送达。\n"
            + PGP_SIG
        ),
    )
    write(
        "pgp_mime_encrypted.eml",
        crlf(
            head("Re: 机密", "pgp-encrypted")
            + 'Content-Type: multipart/encrypted;\n protocol="application/pgp-encrypted";\n'
            ' boundary="------------enc0123"\n\nThis is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\n'
            "--------------enc0123\nContent-Type: application/pgp-encrypted\n"
            "Content-Description: PGP/MIME version identification\n\nVersion: 1\n\n"
            '--------------enc0123\nContent-Type: application/octet-stream; name="encrypted.asc"\n'
            'Content-Disposition: inline; filename="encrypted.asc"\n\n'
            "-----BEGIN PGP MESSAGE-----\n\nhQEMA0xyz\n=abcd\n-----END PGP MESSAGE-----\n\n"
            "--------------enc0123--\n"
        ),
    )


# --- TNEF -----------------------------------------------------------------------------------


def tnef_attr(level: int, name: int, kind: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", checksum)


def mapi_unicode(prop: int, text: str) -> bytes:
    value = (text + "\x00").encode("utf-16-le")
    padded = value + b"\x00" * (-len(value) % 4)
    return struct.pack("<HHII", 0x001F, prop, 1, len(value)) + padded


def tnef(body: str | None, files: list[tuple[str, bytes]]) -> bytes:
    out = struct.pack("<IH", 0x223E9F78, 0x1234)
    out += tnef_attr(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += tnef_attr(1, 0x9007, 0x0006, struct.pack("<II", 936, 0))  # attOemCodepage
    out += tnef_attr(1, 0x8008, 0x0007, b"IPM.Microsoft Mail.Note\x00")
    if body is not None:
        out += tnef_attr(1, 0x800C, 0x0002, body.encode("gb18030"))  # attBody
    for name, data in files:
        out += tnef_attr(2, 0x9002, 0x0006, b"\x01\x00\xff\xff\xff\xff" + b"\x00" * 8)
        short = name.encode("gb18030")[:8] + b"\x00"
        out += tnef_attr(2, 0x8010, 0x0001, short)  # attAttachTitle (8.3, OEM code page)
        out += tnef_attr(2, 0x800F, 0x0006, data)  # attAttachData
        props = struct.pack("<I", 1) + mapi_unicode(0x3707, name)  # PR_ATTACH_LONG_FILENAME
        out += tnef_attr(2, 0x9005, 0x0006, props)  # attAttachment
    return out


def outlook_tnef():
    blob = tnef(None, [("整改报告.pdf", PDF), ("现场照片说明.docx", DOCX_LIKE)])
    text = "整改报告见附件。\n\n王五" + QUOTED
    common = (
        'Content-Type: multipart/mixed;\n\tboundary="----=_NextPart_000_TNEF"\n\n'
        "------=_NextPart_000_TNEF\n"
        'Content-Type: text/plain;\n\tcharset="gb2312"\nContent-Transfer-Encoding: quoted-printable\n\n'
        + quopri.encodestring(text.encode("gb18030")).decode("ascii")
        + "\n------=_NextPart_000_TNEF\n"
        'Content-Type: application/ms-tnef;\n\tname="winmail.dat"\nContent-Transfer-Encoding: base64\n'
        'Content-Disposition: attachment;\n\tfilename="winmail.dat"\n\n'
    )
    write(
        "tnef_text_and_files.eml",
        crlf(
            head("答复: 整改报告", "tnef-files", sender="王五")
            + "X-MS-TNEF-Correlator: <00000000ABCDEF@hz.gov.cn>\n"
            + common
            + b64(blob)
            + "\n------=_NextPart_000_TNEF--\n"
        ),
    )
    damaged = blob[: len(blob) // 2] + b"\xde\xad\xbe\xef" * 4
    write(
        "tnef_damaged.eml",
        crlf(
            head("答复: 整改报告", "tnef-damaged", sender="王五")
            + common
            + b64(damaged)
            + "\n------=_NextPart_000_TNEF--\n"
        ),
    )
    only = tnef("经复核，投诉事项属实，已责令整改。\r\n\r\n王五", [("复核意见.pdf", PDF)])
    write(
        "tnef_body_only.eml",
        crlf(
            head("答复: 复核意见", "tnef-body", sender="王五")
            + 'Content-Type: application/ms-tnef; name="winmail.dat"\n'
            "Content-Transfer-Encoding: base64\n"
            'Content-Disposition: attachment; filename="winmail.dat"\n\n' + b64(only)
        ),
    )


# --- forwarded ------------------------------------------------------------------------------

INNER = (
    "From: =?utf-8?B?5rOV5Yi256eR?= <fazhi@hz.gov.cn>\r\nTo: officer@hz.gov.cn\r\n"
    "Subject: =?utf-8?B?5YWz5LqO5o6S5rGh6K645Y+v55qE5aSN5Ye9?=\r\n"
    "Date: Tue, 01 Dec 2026 15:00:00 +0800\r\nMessage-ID: <inner-1@hz.gov.cn>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n经研究，同意补办排污许可。\r\n"
)
INNER_GLOBAL = (
    "From: 法制科 <fazhi@hz.gov.cn>\r\nTo: officer@hz.gov.cn\r\nSubject: 关于排污许可的复函\r\n"
    "Date: Tue, 01 Dec 2026 15:00:00 +0800\r\nMessage-ID: <inner-2@hz.gov.cn>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n经研究，同意补办排污许可。\r\n"
)


def forwards():
    for name, ctype, inner, disposition in (
        ("forward_attached_rfc822.eml", "message/rfc822", INNER, "attachment"),
        ("forward_attached_global.eml", "message/global", INNER_GLOBAL, "attachment"),
        ("forward_attached_rfc822_inline.eml", "message/rfc822", INNER, "inline"),
    ):
        write(
            name,
            crlf(
                head("回复：[TS20261120-0001] 新投诉", name.removesuffix(".eml"))
                + 'Content-Type: multipart/mixed; boundary="fwd-boundary"\n\n--fwd-boundary\n'
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                "法制科的复函见附件，请查收。\n" + QUOTED + "\n--fwd-boundary\n"
                f"Content-Type: {ctype}\nContent-Disposition: {disposition}\n\n"
            )
            + inner.encode("utf-8")
            + crlf("\n--fwd-boundary--\n"),
        )
    forwarded = "经研究，同意补办排污许可，请于12月10日前到窗口办理。"
    inline = {
        "forward_inline_gmail.eml": (
            "Fwd: 关于排污许可的复函",
            "\n\n---------- Forwarded message ---------\n发件人： 法制科 <fazhi@hz.gov.cn>\n"
            "Date: 2026年12月1日周二 15:00\nSubject: 关于排污许可的复函\nTo: <officer@hz.gov.cn>\n\n\n",
        ),
        "forward_inline_outlook_zh.eml": (
            "转发: 关于排污许可的复函",
            "\n\n-----原始邮件-----\n发件人: 法制科 <fazhi@hz.gov.cn>\n发送时间: 2026年12月1日 15:00\n"
            "收件人: officer@hz.gov.cn\n主题: 关于排污许可的复函\n\n",
        ),
        "forward_inline_apple.eml": (
            "Fwd: 关于排污许可的复函",
            "\n\n发自我的iPhone\n\nBegin forwarded message:\n\nFrom: 法制科 <fazhi@hz.gov.cn>\n"
            "Date: 1 December 2026 at 15:00:00 GMT+8\nSubject: 关于排污许可的复函\n"
            "To: officer@hz.gov.cn\n\n",
        ),
    }
    for name, (subject, intro) in inline.items():
        write(
            name,
            crlf(
                head(subject, name.removesuffix(".eml"))
                + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                + intro
                + forwarded
                + "\n"
            ),
        )


# --- sender authentication ------------------------------------------------------------------

AUTH = {
    "auth_dmarc_fail.eml": "mx.kaimen.test; dkim=none; spf=pass smtp.mailfrom=hz.gov.cn;\n"
    " dmarc=fail (p=reject dis=none) header.from=hz.gov.cn",
    "auth_dkim_fail.eml": "mx.kaimen.test;\n dkim=fail (signature verification failed) "
    "header.d=hz.gov.cn header.i=@hz.gov.cn header.s=s2026; spf=pass smtp.mailfrom=hz.gov.cn",
    "auth_spf_fail.eml": "mx.kaimen.test; spf=fail (domain of officer@hz.gov.cn does not "
    "designate 203.0.113.9 as permitted sender) smtp.mailfrom=officer@hz.gov.cn",
    "auth_pass.eml": "mx.kaimen.test; dkim=pass header.d=hz.gov.cn; spf=pass "
    "smtp.mailfrom=hz.gov.cn; dmarc=pass header.from=hz.gov.cn",
    "auth_softfail.eml": "mx.kaimen.test; spf=softfail smtp.mailfrom=hz.gov.cn; dmarc=none",
    "auth_dkim_second_signature_passes.eml": "mx.kaimen.test; dkim=fail header.d=hz.gov.cn "
    "header.s=old; dkim=pass header.d=hz.gov.cn header.s=s2026; dmarc=pass header.from=hz.gov.cn",
}


def auth():
    for name, value in AUTH.items():
        write(
            name,
            crlf(
                f"Authentication-Results: {value}\n"
                "Received: from mail.hz.gov.cn (mail.hz.gov.cn [198.51.100.7])\n"
                "\tby mx.kaimen.test (Postfix) with ESMTPS id 4ZxY; Thu, 3 Dec 2026 09:00:01 +0800\n"
                + head("回复：[TS20261120-0001] 新投诉", name.removesuffix(".eml"))
                + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                "已办结。\n" + QUOTED
            ),
        )
    # Forged: headers written by the sender (or a server we do not trust) claim anything.
    write(
        "auth_forged_by_others.eml",
        crlf(
            "Authentication-Results: mx.kaimen.test; dkim=pass header.d=hz.gov.cn; "
            "dmarc=pass header.from=hz.gov.cn\n"
            "Received: from mail.attacker.example (unknown [203.0.113.9])\n"
            "\tby mx.kaimen.test (Postfix) with ESMTP id 4ZzZ; Thu, 3 Dec 2026 09:00:01 +0800\n"
            "Authentication-Results: mx.kaimen.test.attacker.example; dmarc=fail header.from=hz.gov.cn\n"
            "Authentication-Results: mail.attacker.example; dmarc=fail header.from=hz.gov.cn; "
            "spf=fail smtp.mailfrom=hz.gov.cn\n"
            + head("回复：[TS20261120-0001] 新投诉", "auth-forged")
            + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            "已办结。\n" + QUOTED
        ),
    )


# --- charsets that lie ----------------------------------------------------------------------


def charsets():
    four_byte = "王䶮同志反映的𠮷野家门店油烟问题已处理，罚款€200。"
    text_plain = "Content-Transfer-Encoding: {cte}\n\n"
    cases = {
        # (label, bytes, transfer encoding)
        "charset_gb2312_label_gb18030_4byte.eml": (
            'charset="gb2312"',
            four_byte.encode("gb18030"),
            "base64",
        ),
        "charset_gbk_no_label.eml": (
            None,
            "朱镕基同志的来信已转交，请放心。".encode("gbk"),
            "8bit",
        ),
        "charset_utf8_labelled_gb2312.eml": (
            'charset="gb2312"',
            "经核查，情况属实，已责令整改。".encode(),
            "8bit",
        ),
        "charset_utf8_labelled_latin1.eml": (
            "charset=iso-8859-1",
            "经核查，情况属实，已责令整改。".encode(),
            "quoted-printable",
        ),
        "charset_utf8_labelled_gbk_short.eml": ("charset=gbk", "钱已退回。".encode(), "base64"),
        "charset_gbk_labelled_gbk_short.eml": ("charset=gbk", "钱已退回。".encode("gbk"), "base64"),
    }
    for name, (label, data, cte) in cases.items():
        ctype = "text/plain" + (f"; {label}" if label else "")
        if cte == "base64":
            body = b64(data).encode()
        elif cte == "quoted-printable":
            body = quopri.encodestring(data)
        else:
            body = data
        write(
            name,
            crlf(
                head("回复：处理结果", name.removesuffix(".eml"))
                + f"Content-Type: {ctype}\n"
                + text_plain.format(cte=cte)
            ).replace(b"\r\n\r\n", b"\r\n\r\n", 1)
            + body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
        )
    text = "经核查，该企业已停产整改，复产前须经验收。".encode("gbk")
    encoded = base64.b64encode(text).decode().rstrip("=")  # padding lost on the way
    write(
        "charset_broken_base64.eml",
        crlf(
            head("回复：处理结果", "broken-base64")
            + 'Content-Type: text/plain; charset="gb2312"\nContent-Transfer-Encoding: base64\n\n'
            + encoded[:40]
            + "\n"
            + encoded[40:]
            + "\n\n"
            "-- \nThis message was scanned by the gateway.\n"
        ),
    )
    cut = base64.b64encode("处理完毕，谢谢配合".encode("gbk")[:-1]).decode()  # cut inside 合
    write(
        "charset_truncated_base64.eml",
        crlf(
            head("回复：处理结果", "truncated-base64")
            + 'Content-Type: text/plain; charset="gbk"\nContent-Transfer-Encoding: base64\n\n'
            + cut
            + "\n"
        ),
    )
    qp_bytes = "已责令整改，限期三十日。".encode("gbk")
    hexed = "".join(f"={b:02x}" for b in qp_bytes)  # lower-case hex, as some gateways write
    # Soft line breaks between the two bytes of a character, one with trailing blanks after "="
    # (RFC 2045 §6.7 (3): to be ignored), lines over 76 characters.
    broken_qp = hexed[:9] + "=\n" + hexed[9:24] + "=  \n" + hexed[24:] + "\n"
    write(
        "charset_broken_qp.eml",
        crlf(
            head("回复：处理结果", "broken-qp")
            + "Content-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: quoted-printable\n\n"
            + broken_qp
        ),
    )


def matching():
    write(
        "address_case_changed.eml",
        crlf(
            "From: =?utf-8?B?5byg5LiJ?= <@@FROM@@>\nTo: @@TO@@\nSubject: RE: [TS20261120-0001]\n"
            "Date: Thu, 03 Dec 2026 09:00:00 +0800\nMessage-ID: <case-changed@hz.gov.cn>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n已办结，谢谢。\n"
        ),
    )


if __name__ == "__main__":
    HERE.mkdir(parents=True, exist_ok=True)
    cert, key = certificate()
    smime_detached(cert, key)
    smime_outlook_with_pdf(cert, key)
    smime_opaque(cert, key)
    smime_enveloped(cert)
    pgp()
    outlook_tnef()
    forwards()
    auth()
    charsets()
    matching()
