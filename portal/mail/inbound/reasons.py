"""Why an inbound message went where it went: a reason code and its parameters, translated on display.

A reason is stored as ``{"code": …, "params": {…}}`` (``InboundMessage.reason_codes``, a list) and
rendered in the reader's language when a page shows it (``render``), so the holding pen, bounce
details and automatic-reply notes read in Chinese on the Chinese pages. ``InboundMessage.reason``
keeps the English rendering for logs and the command line. Parameters are data (addresses,
numbers, status codes, a remote server's text) and are not translated.

Features add the codes of their handlers with ``register``; an unknown code shows its stored
English text.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext


def N_(message: str) -> str:
    return message


MESSAGES: dict[str, str] = {
    "too_large": N_(
        "%(size)s bytes, more than the limit of %(limit)s bytes (KAIMEN_INBOUND_MAX_BYTES): "
        "refused; only the headers were kept"
    ),
    "not_a_message": N_("not an email message (no header section)"),
    "near_miss": N_(
        "the reply address %(address)s does not carry a valid token (mistyped or tampered): "
        "nothing is suggested from it"
    ),
    "no_reply_address": N_("no reply address of ours among the recipients"),
    "no_handler": N_("no feature handles replies tagged %(tag)s"),
    "duplicate": N_("already handled (same Message-ID and target)"),
    "for_target": N_("%(tag)s #%(id)s: %(reason)s"),
    "error": N_("%(error)s"),  # an exception's text: not translated
    "encrypted": N_(
        "the message is encrypted (%(kind)s): Kaimen cannot read it; ask the sender to send "
        "the answer unencrypted"
    ),
    "auth_failed": N_(
        "the receiving server %(server)s reports %(method)s=%(result)s for %(domain)s: the "
        "sender may be forged"
    ),
    "forward_only": N_(
        "the message forwards another message without a note of its own: check that the "
        "forwarded text is the answer before releasing it"
    ),
    "tnef_damaged": N_("the Outlook attachment %(name)s (TNEF) is damaged: kept unopened"),
    "forwarded_attached": N_("forwarded message “%(subject)s” from %(sender)s kept as a file"),
    "signed_content_unreadable": N_("the signed content could not be read"),
    "loop_header": N_("mail loop: the %(header)s header is present"),
    "loop_sender": N_("mail loop: sent from our own address %(address)s"),
    "read_receipt": N_("read receipt (disposition notification)"),
    "auto_submitted": N_("automatic reply: Auto-Submitted: %(value)s"),
    "auto_header": N_("automatic reply: %(header)s header"),
    "auto_precedence": N_("automatic reply: Precedence: %(value)s"),
    "auto_subject": N_("automatic reply: the subject is “%(subject)s”"),
    "bounce_permanent": N_("permanent delivery failure %(status)s to %(recipients)s"),
    "bounce_delayed": N_("delayed delivery %(status)s to %(recipients)s"),
    "bounce_unknown": N_("it names no message we sent: no alert"),
    "bounce_again": N_("message #%(outbound)s already bounced (#%(earlier)s): no new alert"),
    "bounce_of_alert": N_("it was a bounce alert itself: no new alert"),
    "bounce_diagnostic": N_("the receiving server said: %(diagnostic)s"),
}


def register(messages: dict[str, str]) -> None:
    """Add a feature's reason codes (msgids marked with ``N_`` or ``gettext_noop``)."""
    MESSAGES.update(messages)


def reason(code: str, **params) -> dict:
    return {"code": code, "params": {k: v for k, v in params.items() if v is not None}}


def _format(message: str, params: dict, translate) -> str:
    values = defaultdict(str)
    for key, value in params.items():
        if isinstance(value, dict) and "code" in value:
            value = _one(value, translate)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "—"
        values[key] = value
    try:
        return translate(message) % values
    except (TypeError, ValueError):
        return message


def _one(entry: dict, translate) -> str:
    message = MESSAGES.get(entry.get("code", ""))
    if message is None:
        return str(entry.get("text") or entry.get("code") or "")
    return _format(message, entry.get("params") or {}, translate)


def render(entries: list[dict] | None, fallback: str | None = None) -> str:
    """The reasons in the current locale, joined; ``fallback`` when there are none."""
    if not entries:
        return fallback or ""
    return "; ".join(_one(entry, gettext) for entry in entries)


def english(entries: list[dict]) -> str:
    """The reasons as written in the source (English), for logs and ``InboundMessage.reason``."""
    return "; ".join(_one(entry, str) for entry in entries)
