"""Putting mail in the outbox: rendered from templates, written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from portal.extensions import db
from portal.mail.models import OutboundAttachment, OutboundMessage

# On every message we send: mail that comes back carrying it is a loop (portal.mail.inbound).
LOOP_HEADER = "X-Kaimen-Loop"
# RFC 3834: our mail is machine-made, so out-of-office and other auto-responders must not answer
# it. A caller may override it (e.g. "no") by passing the header itself.
AUTO_SUBMITTED = "Auto-Submitted"


@dataclass(frozen=True)
class OutboundFile:
    """A stored file (``portal.uploads``: area and generated name) to attach when sending."""

    filename: str
    content_type: str
    area: str
    stored_name: str


def queue_message(
    *,
    kind: str,
    to: list[str],
    subject: str,
    body_text: str,
    body_html: str | None = None,
    cc: list[str] | None = None,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    files: Sequence[OutboundFile] = (),
) -> OutboundMessage:
    """Add a message to the outbox. It leaves only if the caller's transaction commits.

    ``files`` are attached when the message is sent (read from ``portal.uploads`` then).
    Every message carries ``Auto-Submitted: auto-generated`` unless ``headers`` sets it.
    """
    domain = current_app.config["KAIMEN_MAIL_DOMAIN"]
    headers = dict(headers or {})
    if not any(name.lower() == AUTO_SUBMITTED.lower() for name in headers):
        headers[AUTO_SUBMITTED] = "auto-generated"
    headers[LOOP_HEADER] = domain
    message = OutboundMessage(
        kind=kind,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        recipients=list(to),
        cc=list(cc or []),
        reply_to=reply_to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        message_id=make_msgid(idstring=kind.replace("_", "-"), domain=domain),
        headers=headers,
        attachments=[
            OutboundAttachment(
                filename=f.filename[:200],
                content_type=f.content_type,
                area=f.area,
                stored_name=f.stored_name,
            )
            for f in files
        ],
    )
    db.session.add(message)
    db.session.flush()
    return message


def queue_templated(
    template: str,
    *,
    to: list[str],
    locale: str | None = None,
    cc: list[str] | None = None,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
    files: Sequence[OutboundFile] = (),
    **context,
) -> OutboundMessage:
    """Render ``templates/email/<template>.{subject,txt,html}`` in the reader's language and queue it.

    The subject template is one line; the HTML part is optional.
    """
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context.setdefault("base_url", current_app.config["KAIMEN_BASE_URL"])
    with force_locale(locale):
        subject = " ".join(render_template(f"email/{template}.subject.txt", **context).split())
        body_text = render_template(f"email/{template}.txt", **context)
        try:
            body_html = render_template(f"email/{template}.html", **context)
        except TemplateNotFound:
            body_html = None
    return queue_message(
        kind=template,
        to=to,
        cc=cc,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        reply_to=reply_to,
        headers=headers,
        files=files,
    )
