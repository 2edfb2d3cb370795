"""S/MIME (CMS, RFC 5652) as far as inbound mail needs it: what a blob is, its content, its signature.

``cryptography`` builds PKCS #7 signatures but does not verify them, so this module reads the
few DER structures it needs itself (``SignedData``, ``SignerInfo``; BER indefinite lengths too,
as OpenSSL's streaming mode writes them) and checks the signature with ``cryptography``:

* the ``messageDigest`` signed attribute must equal the digest of the content, and the signature
  over the signed attributes must verify with the public key of the signer's certificate,
  which the message carries. The certificate chain is not checked: "verified" means the content
  is what the holder of that certificate signed, not who the holder is;
* a signature it cannot check (RSASSA-PSS, an unknown algorithm, no certificate included) is
  "unsupported" — recorded, never a reason to refuse the message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED = "1.2.840.113549.1.7.2"
OID_ENVELOPED = "1.2.840.113549.1.7.3"
OID_AUTH_ENVELOPED = "1.2.840.113549.1.9.16.1.23"
OID_COMPRESSED = "1.2.840.113549.1.9.16.1.9"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"

DIGESTS = {
    "1.3.14.3.2.26": "sha1",
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.4": "sha224",
}
_RSA = {"1.2.840.113549.1.1.1", "1.2.840.113549.1.1.5", "1.2.840.113549.1.1.11",
        "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", "1.2.840.113549.1.1.14"}  # fmt: skip
_ECDSA = {"1.2.840.10045.2.1", "1.2.840.10045.4.1", "1.2.840.10045.4.3.1",
          "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"}  # fmt: skip

VERIFIED = "verified"
FAILED = "failed"
UNSUPPORTED = "unsupported"


class DerError(ValueError):
    """Not the DER (or BER) structure expected."""


@dataclass
class Node:
    tag: int
    raw: bytes  # the whole TLV as it was encoded
    value: bytes  # the contents octets (for constructed nodes: the encoded children)
    children: list[Node] = field(default_factory=list)

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    def octets(self) -> bytes:
        """An OCTET STRING's bytes, also when BER splits it into constructed chunks."""
        if self.constructed:
            return b"".join(child.octets() for child in self.children)
        return self.value


def _length(data: bytes, offset: int) -> tuple[int | None, int]:
    if offset >= len(data):
        raise DerError("truncated length")
    first = data[offset]
    offset += 1
    if first < 0x80:
        return first, offset
    if first == 0x80:
        return None, offset  # indefinite (BER)
    count = first & 0x7F
    if count > 8 or offset + count > len(data):
        raise DerError("bad length")
    return int.from_bytes(data[offset : offset + count], "big"), offset + count


def read(data: bytes, offset: int = 0, depth: int = 0) -> tuple[Node, int]:
    """The node at ``offset`` and the offset after it."""
    if depth > 40:
        raise DerError("nested too deeply")
    if offset + 2 > len(data):
        raise DerError("truncated")
    start = offset
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not used here")
    length, offset = _length(data, offset + 1)
    children: list[Node] = []
    if length is None:
        if not tag & 0x20:
            raise DerError("indefinite primitive")
        content_start = offset
        while data[offset : offset + 2] != b"\x00\x00":
            child, offset = read(data, offset, depth + 1)
            children.append(child)
        value, end = data[content_start:offset], offset + 2
    else:
        end = offset + length
        if end > len(data):
            raise DerError("truncated value")
        value = data[offset:end]
        if tag & 0x20:
            inner = 0
            while inner < len(value):
                child, inner = read(value, inner, depth + 1)
                children.append(child)
    return Node(tag, data[start:end], value, children), end


def oid(node: Node) -> str:
    if node.tag != 0x06 or not node.value:
        raise DerError("not an OID")
    parts, number = [], 0
    for byte in node.value:
        number = (number << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(number)
            number = 0
    first = min(parts[0] // 40, 2)
    return ".".join(str(p) for p in [first, parts[0] - 40 * first, *parts[1:]])


def content_type(der: bytes) -> str | None:
    """The ContentInfo's type (signed, enveloped …), or None when it is not CMS at all."""
    try:
        node, _ = read(der)
        return oid(node.children[0])
    except (DerError, IndexError):
        return None


@dataclass
class Verdict:
    status: str  # VERIFIED, FAILED or UNSUPPORTED
    detail: str = ""  # the signer (certificate subject), or why it could not be checked
    content: bytes | None = None  # the encapsulated content of an opaque signature


def _signed_data(der: bytes) -> Node:
    info, _ = read(der)
    if oid(info.children[0]) != OID_SIGNED:
        raise DerError("not SignedData")
    return info.children[1].children[0]


def _signer_name(cert) -> str:
    from cryptography import x509

    for attribute in (x509.NameOID.EMAIL_ADDRESS, x509.NameOID.COMMON_NAME):
        values = cert.subject.get_attributes_for_oid(attribute)
        if values:
            return str(values[0].value)
    return cert.subject.rfc4514_string()


def _find_cert(signed: Node, signer: Node):
    from cryptography import x509

    certs = []
    for child in signed.children[3:]:
        if child.tag == 0xA0:
            for cert in child.children:
                try:
                    certs.append(x509.load_der_x509_certificate(cert.raw))
                except ValueError:
                    continue
    sid = signer.children[1]
    if sid.tag == 0x30 and len(sid.children) == 2:
        serial = int.from_bytes(sid.children[1].value, "big", signed=True)
        for cert in certs:
            if cert.serial_number == serial and cert.issuer.public_bytes() == sid.children[0].raw:
                return cert
    return certs[0] if len(certs) == 1 else None


def _check(public_key, sig_oid: str, signature: bytes, data: bytes, digest: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    algorithm = {
        "sha1": hashes.SHA1,
        "sha224": hashes.SHA224,
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }[digest]()
    try:
        if isinstance(public_key, rsa.RSAPublicKey) and sig_oid in _RSA:
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey) and sig_oid in _ECDSA:
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            raise NotImplementedError(sig_oid)
    except InvalidSignature:
        return False
    return True


def verify(der: bytes, content: bytes | None = None) -> Verdict:
    """Check a SignedData blob over ``content`` (detached) or its own encapsulated content."""
    try:
        signed = _signed_data(der)
        encap = signed.children[2]
        inner = None
        if len(encap.children) > 1:
            inner = encap.children[1].children[0].octets()
        data = content if content is not None else inner
        signers = [c for c in signed.children[3:] if c.tag == 0x31]
        if data is None or not signers or not signers[-1].children:
            return Verdict(UNSUPPORTED, "no content or no signer", inner)
        signer = signers[-1].children[0]
    except (DerError, IndexError) as error:
        return Verdict(UNSUPPORTED, f"unreadable signature ({error})", None)
    try:
        digest = DIGESTS.get(oid(signer.children[2].children[0]))
        rest = signer.children[3:]
        attrs = rest[0] if rest and rest[0].tag == 0xA0 else None
        sig_alg = oid((rest[1] if attrs is not None else rest[0]).children[0])
        signature = (rest[2] if attrs is not None else rest[1]).value
        cert = _find_cert(signed, signer)
    except (DerError, IndexError) as error:
        return Verdict(UNSUPPORTED, f"unreadable signer ({error})", inner)
    if digest is None:
        return Verdict(UNSUPPORTED, "unknown digest algorithm", inner)
    if cert is None:
        return Verdict(UNSUPPORTED, "the signer's certificate is not included", inner)
    name = _signer_name(cert)
    actual = hashlib.new(digest, data).digest()
    if attrs is not None:
        claimed = None
        for attribute in attrs.children:
            if oid(attribute.children[0]) == OID_MESSAGE_DIGEST:
                claimed = attribute.children[1].children[0].value
        if claimed != actual:
            return Verdict(FAILED, f"{name}: the content does not match the signed digest", inner)
        signed_bytes = b"\x31" + attrs.raw[1:]  # signed as a SET OF, stored [0] IMPLICIT
    else:
        signed_bytes = data
    try:
        good = _check(cert.public_key(), sig_alg, signature, signed_bytes, digest)
    except NotImplementedError:
        return Verdict(UNSUPPORTED, f"{name}: signature algorithm {sig_alg}", inner)
    return Verdict(VERIFIED if good else FAILED, name, inner)
