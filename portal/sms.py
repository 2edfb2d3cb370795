"""Sending an SMS (a complaint's notification, an identity's phone code) through a pluggable gateway.

The kernel owns the gateway so that every service can send one; what a message says, and what a
failure means, stays with the service that sends it.

``KAIMEN_SMS_BACKEND`` picks the gateway:

* ``log`` (the default, for one machine): the message is written to the ``kaimen.sms`` log and
  counts as sent — there is no operator to hand it to;
* ``http``: the message is POSTed as JSON ``{"to": …, "text": …, "reference": …}`` to
  ``KAIMEN_SMS_URL`` with ``Authorization: Bearer <KAIMEN_SMS_TOKEN>`` and a timeout of
  ``KAIMEN_SMS_TIMEOUT`` seconds. Any 2xx answer is acceptance; the gateway's message id is taken
  from the JSON field ``id`` when it sends one. Anything else raises ``SmsError``; the caller
  decides what that means (a complaint's notification is marked failed and ``kaimen deadlines
  run`` tries again; an identity's phone code tells the user to try later).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Protocol
from urllib import error as urlerror
from urllib import request as urlrequest

from flask import current_app

log = logging.getLogger("kaimen.sms")


class SmsError(Exception):
    """The gateway did not accept the message; the text says why (kept as the last error)."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, *, reference: str) -> str:
        """Hand the message over; return the gateway's reference for it or raise SmsError."""


class LogGateway:
    """Writes messages to the log: a single machine with no SMS operator."""

    def send(self, phone: str, text: str, *, reference: str) -> str:
        log.info("SMS to %s (%s): %s", phone, reference, text)
        return f"log-{uuid.uuid4().hex[:12]}"


class HttpGateway:
    """POSTs JSON to an HTTP gateway with a bearer token and a timeout."""

    def __init__(self, url: str, token: str | None, timeout: float) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, phone: str, text: str, *, reference: str) -> str:
        body = json.dumps({"to": phone, "text": text, "reference": reference}).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        outgoing = urlrequest.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urlrequest.urlopen(outgoing, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read(64 * 1024)
        except urlerror.HTTPError as error:
            error.close()
            raise SmsError(f"HTTP {error.code} from the SMS gateway") from error
        except (urlerror.URLError, OSError) as error:
            raise SmsError(f"SMS gateway unreachable: {error}") from error
        try:
            answer = json.loads(payload or b"{}")
        except ValueError:
            answer = {}
        gateway_id = answer.get("id") if isinstance(answer, dict) else None
        return str(gateway_id or reference)[:120]


def gateway() -> SmsGateway:
    """The gateway the configuration names."""
    config = current_app.config
    if config.get("KAIMEN_SMS_BACKEND") == "http":
        if not config.get("KAIMEN_SMS_URL"):
            raise RuntimeError("KAIMEN_SMS_BACKEND is http but KAIMEN_SMS_URL is not set")
        return HttpGateway(
            config["KAIMEN_SMS_URL"], config.get("KAIMEN_SMS_TOKEN"), config["KAIMEN_SMS_TIMEOUT"]
        )
    return LogGateway()
