"""``kaimen mail poll``: fetch new messages from an IMAP mailbox, idempotent by UID.

Each message is fetched with ``BODY.PEEK[]`` (the raw bytes, not marking it read), stored with a
row remembering (mailbox, UIDVALIDITY, UID) in the same commit, processed, and only then flagged
``\\Seen`` — or moved to ``KAIMEN_MAIL_IMAP_DONE_FOLDER`` when one is set. A poll interrupted at
any point stores nothing twice: a UID already remembered is skipped (and flagged again); if the
server renumbers the folder (a new UIDVALIDITY) the messages are taken again, and the Message-ID
rule keeps each answer handled once.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from imap_tools import MailBox, MailBoxUnencrypted, MailMessageFlags

from portal.extensions import db
from portal.mail.inbound.ingest import ingest
from portal.mail.inbound_models import ImapSeen


@dataclass
class PollReport:
    stored: int = 0
    skipped: int = 0
    not_configured: bool = False


def _mailbox():
    config = current_app.config
    cls = MailBox if config["KAIMEN_MAIL_IMAP_SSL"] else MailBoxUnencrypted
    box = cls(config["KAIMEN_MAIL_IMAP_HOST"], config["KAIMEN_MAIL_IMAP_PORT"], timeout=30)
    return box.login(
        config["KAIMEN_MAIL_IMAP_USER"],
        config["KAIMEN_MAIL_IMAP_PASSWORD"],
        initial_folder=config["KAIMEN_MAIL_IMAP_FOLDER"],
    )


def _raw(box, uid: str) -> bytes | None:
    status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return None


def _done(box, uid: str) -> None:
    target = current_app.config["KAIMEN_MAIL_IMAP_DONE_FOLDER"]
    if target:
        box.move(uid, target)
    else:
        box.flag(uid, MailMessageFlags.SEEN, True)


def poll() -> PollReport:
    """Store and process every message of the folder not stored before."""
    report = PollReport()
    if not current_app.config.get("KAIMEN_MAIL_IMAP_HOST"):
        report.not_configured = True
        return report
    folder = current_app.config["KAIMEN_MAIL_IMAP_FOLDER"]
    with _mailbox() as box:
        validity = int(box.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        uids = box.uids("ALL")
        known = set(
            db.session.scalars(
                sa.select(ImapSeen.uid).where(
                    ImapSeen.mailbox == folder, ImapSeen.uidvalidity == validity
                )
            )
        )
        for uid in uids:
            if int(uid) in known:
                report.skipped += 1
                _done(box, uid)
                continue
            raw = _raw(box, uid)
            if raw is None:
                continue
            # Kept even if it is not a message at all: it then shows as an error to review.
            seen = ImapSeen(mailbox=folder, uidvalidity=validity, uid=int(uid))
            ingest(raw, None, source="imap", also=[seen])
            report.stored += 1
            _done(box, uid)
    return report
