"""Reply addresses: ``<tag>+<id>.<token>@<inbound domain>``, the token an HMAC of tag and id.

The token is HMAC-SHA256 under ``SECRET_KEY`` of ``"<tag>:<id>"``, its first 80 bits written in
lower-case base32 (16 characters), so a relay that changes the case of an address loses nothing.
Checking compares in constant time. A *near miss* is an address of the right shape whose token is
wrong (a typo, a tampered id): it is never matched automatically but suggested to an administrator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from email.utils import parseaddr

from flask import current_app

TOKEN_LENGTH = 16  # base32 characters: 80 bits
# The line outbound mail puts above the quoted text; the reply parser cuts there.
REPLY_MARKER = "请在此行以上回复 / Please reply above this line"

_LOCAL = re.compile(r"\A([a-z][a-z0-9_-]{0,30})\+([0-9]{1,18})\.([a-z2-7]{1,64})\Z")


@dataclass(frozen=True)
class ReplyAddress:
    tag: str
    object_id: int
    token_ok: bool
    near_miss: bool


def _secret() -> bytes:
    secret = current_app.config.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("SECRET_KEY is needed to sign reply addresses")
    return secret.encode() if isinstance(secret, str) else secret


def token_for(tag: str, object_id: int) -> str:
    digest = hmac.new(_secret(), f"{tag}:{object_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:TOKEN_LENGTH]


def inbound_domain() -> str:
    return current_app.config.get("KAIMEN_INBOUND_DOMAIN") or (
        "reply." + current_app.config["KAIMEN_MAIL_DOMAIN"]
    )


def reply_address(tag: str, object_id: int) -> str:
    """The address a reply about object ``object_id`` of kind ``tag`` goes to."""
    return f"{tag}+{int(object_id)}.{token_for(tag, object_id)}@{inbound_domain()}"


def parse_reply_address(address: str) -> ReplyAddress | None:
    """What a reply address says, or None when it is not one of ours at all.

    ``token_ok`` is True only for an exact token (case aside). ``near_miss`` is True for an address
    of our shape on our domain whose token is wrong: the id is *suggested*, never trusted.
    """
    _name, addr = parseaddr(address or "")
    addr = (addr or address or "").strip().strip("<>").lower()
    local, at, domain = addr.rpartition("@")
    if not at or domain != inbound_domain().lower():
        return None
    match = _LOCAL.match(local)
    if match is None:
        return None
    tag, object_id, token = match.group(1), int(match.group(2)), match.group(3)
    expected = token_for(tag, object_id)
    if hmac.compare_digest(token.encode(), expected.encode()):
        return ReplyAddress(tag, object_id, token_ok=True, near_miss=False)
    return ReplyAddress(tag, object_id, token_ok=False, near_miss=True)
