"""The contract between the kernel's mail router and the feature that owns an address tag.

A feature registers ``registry.inbound_handlers[tag] = handler`` in its ``init_app``. For every
message carrying a valid ``<tag>+<id>.<token>`` address the router calls::

    handler(object_id, message, inbound, force=False) -> HandlerResult

``message`` is the ``ParsedMessage`` (``message.reply_text()`` is the text with the quoted
history cut off; ``message.attachments`` the files), ``inbound`` the stored ``InboundMessage``.
The handler changes state through its services (which flush, never commit) and returns whether it
accepted the message; a refusal (unknown object, a sender it does not trust …) goes to the holding
pen with the handler's reason. ``force=True`` comes from an administrator releasing the message
from the holding pen: the sender rule no longer applies, the object's own rules still do.
An exception is recorded as the outcome "error" and the whole handling is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HandlerResult:
    """``reason`` is the English text; ``code`` and ``params`` (a code the feature registered
    with ``portal.mail.inbound.reasons.register``) let pages show it in the reader's language."""

    accepted: bool
    reason: str = ""
    suggested_object_id: int | None = None
    code: str | None = None
    params: dict = field(default_factory=dict)

    @classmethod
    def accept(cls, reason: str = "", code: str | None = None, **params) -> HandlerResult:
        return cls(True, reason, None, code, params)

    @classmethod
    def hold(
        cls, reason: str, suggested_object_id: int | None = None, code: str | None = None, **params
    ) -> HandlerResult:
        return cls(False, reason, suggested_object_id, code, params)

    def entry(self) -> dict:
        """The reason as stored (``reasons``): the code, its parameters and the English text."""
        return {"code": self.code or "", "params": dict(self.params), "text": self.reason}
