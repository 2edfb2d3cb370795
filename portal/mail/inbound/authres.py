"""Sender authentication from ``Authentication-Results`` (RFC 8601), believed only from our server.

Anyone can write an ``Authentication-Results`` header into a message. RFC 8601 §5: a receiver
believes only the headers its own border server added, recognised by their *authserv-id*, and
that server removes any header carrying its id that came from outside. Kaimen believes exactly
the headers whose authserv-id is one of ``KAIMEN_INBOUND_AUTHSERV_ID`` (comma- or space-
separated); every other one is ignored, whatever it claims. Without the setting no header is
believed and matching relies on the reply token and the sender, as it always does.

From the believed headers: ``dmarc=fail`` for the From domain, ``dkim=fail`` for a signature of
the From domain (unless another signature of that domain passes), ``spf=fail`` (not softfail)
for the From domain or an envelope sender of it: the sender may be forged and the message is held.
``softfail``, ``neutral``, ``none``, ``temperror`` and ``permerror`` are recorded, never held on.
A pass never outweighs a fail, so a forged header claiming a pass gains nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app

METHODS = ("dmarc", "dkim", "spf")
_COMMENT = re.compile(r"\([^()]*\)")


def trusted_ids() -> list[str]:
    value = current_app.config.get("KAIMEN_INBOUND_AUTHSERV_ID") or ""
    if isinstance(value, list | tuple):
        value = " ".join(value)
    return [v.strip().lower() for v in re.split(r"[,\s]+", value) if v.strip()]


@dataclass
class Result:
    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class Header:
    authserv_id: str
    results: list[Result]


def parse_header(value: str) -> Header | None:
    """One header's authserv-id and results; None if it cannot be read."""
    text = value or ""
    for _ in range(3):  # comments may nest
        text = _COMMENT.sub(" ", text)
    pieces = [p.strip() for p in text.split(";")]
    if not pieces or not pieces[0]:
        return None
    authserv_id = pieces[0].split()[0].strip().lower()
    results = []
    for piece in pieces[1:]:
        tokens = piece.split()
        if not tokens or "=" not in tokens[0]:
            continue
        method, _eq, result = tokens[0].partition("=")
        props = {}
        for token in tokens[1:]:
            key, eq, prop = token.partition("=")
            if eq:
                props[key.lower()] = prop.strip('"').lower()
        results.append(Result(method.split("/")[0].lower(), result.lower(), props))
    return Header(authserv_id, results)


@dataclass
class Verdict:
    server: str  # the trusted authserv-id, "" when none was configured or found
    results: dict[str, str]  # method → result, as the trusted server reported them
    failure: dict | None = None  # {"method", "result", "domain"} of the first failure


def _domain(value: str) -> str:
    return value.rpartition("@")[2].strip().strip("<>").lower()


def _aligned(domain: str, sender_domain: str) -> bool:
    return bool(domain) and (domain == sender_domain or sender_domain.endswith("." + domain))


def check(header_values: list[str], sender: str) -> Verdict | None:
    """What the trusted server says about ``sender``'s message; None if no server is trusted."""
    ids = trusted_ids()
    if not ids:
        return None
    sender_domain = _domain(sender)
    believed = [
        header
        for header in (parse_header(value) for value in header_values)
        if header is not None and header.authserv_id in ids
    ]
    verdict = Verdict(believed[0].authserv_id if believed else "", {})
    for header in believed:
        # A second signature of the same domain passing in the same server's verdict (a list
        # footer broke the first) is no failure; a pass in another header outweighs nothing.
        dkim_pass = {
            r.properties.get("header.d") or _domain(r.properties.get("header.i", ""))
            for r in header.results
            if r.method == "dkim" and r.result == "pass"
        }
        for result in header.results:
            if result.method not in METHODS:
                continue
            verdict.results.setdefault(result.method, result.result)
            if result.result != "fail" or verdict.failure is not None:
                continue
            props = result.properties
            if result.method == "dmarc":
                domain = props.get("header.from", sender_domain)
            elif result.method == "dkim":
                domain = props.get("header.d") or _domain(props.get("header.i", ""))
                if not domain or domain in dkim_pass:
                    continue
            else:
                domain = _domain(props.get("smtp.mailfrom", "") or props.get("smtp.helo", ""))
                domain = domain or sender_domain
            if _aligned(domain, sender_domain) or _aligned(sender_domain, domain):
                verdict.failure = {"method": result.method, "result": "fail", "domain": domain}
    return verdict
