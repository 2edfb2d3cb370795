"""Signals the mail kernel sends, so features can react without the kernel importing them.

``outbound_failed`` is a blinker signal sent with the Flask app as sender and the keyword
arguments ``message=`` (the :class:`portal.mail.models.OutboundMessage`, already marked
``failed``) and ``reason=`` (a string: the SMTP error or the bounce's status and diagnostic)::

    from portal.mail.signals import outbound_failed

    @outbound_failed.connect
    def _on_failed(app, *, message, reason): ...

It is sent

* by the dispatcher (``portal.mail.dispatch``) when a message fails for good (a permanent SMTP
  refusal, or the last allowed attempt failed), in the dispatcher's transaction right before it
  commits; the listeners run inside a savepoint: if one raises, its changes are rolled back, the
  error is logged and the message stays failed;
* by inbound processing (``portal.mail.inbound.ingest``) when a permanent bounce (DSN) names a
  message we sent, in the processing transaction; if a listener raises, the inbound message gets
  the outcome "error" (nothing is changed) and an administrator can process it again.

It is sent at most once per failure event; a second bounce for a message already failed by a
bounce does not send it again.
"""

from __future__ import annotations

from blinker import Namespace

__all__ = ["outbound_failed"]

_signals = Namespace()
outbound_failed = _signals.signal("outbound-failed")
