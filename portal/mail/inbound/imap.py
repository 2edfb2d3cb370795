"""``kaimen mail poll``: fetch new messages from an IMAP mailbox, idempotent by UID.

Each message is fetched with ``BODY.PEEK[]`` (the raw bytes, not marking it read), stored with a
row remembering (mailbox, UIDVALIDITY, UID) in the same commit, processed, and only then flagged
``\\Seen`` — or moved to ``KAIMEN_MAIL_IMAP_DONE_FOLDER`` when one is set. Each poll asks the
server only for UIDs above the highest one stored (``UID SEARCH UID n:*``): messages already
stored are never fetched or flagged again, so a poll costs one SEARCH when nothing is new. A poll
interrupted at any point stores nothing twice (a message stored just before the interruption
stays unflagged); if the server renumbers the folder (a new UIDVALIDITY) the messages are taken
again, and the Message-ID rule keeps each answer handled once.
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
    unreadable: int = 0  # the FETCH gave no message: the poll stopped there, next poll retries
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


def _new_uids(box, folder: str, validity: int) -> list[str]:
    """UIDs above the highest one stored for this folder and UIDVALIDITY, in order.

    IMAP UIDs only grow within one UIDVALIDITY, so only these can be new: the messages already
    stored are neither fetched nor flagged again. (``UID n:*`` also returns the highest message
    when its UID is below n: those are filtered out.)
    """
    highest = (
        db.session.scalar(
            sa.select(sa.func.max(ImapSeen.uid)).where(
                ImapSeen.mailbox == folder, ImapSeen.uidvalidity == validity
            )
        )
        or 0
    )
    return sorted((uid for uid in box.uids(f"UID {highest + 1}:*") if int(uid) > highest), key=int)


def poll() -> PollReport:
    """Store and process every message of the folder not stored before."""
    report = PollReport()
    if not current_app.config.get("KAIMEN_MAIL_IMAP_HOST"):
        report.not_configured = True
        return report
    folder = current_app.config["KAIMEN_MAIL_IMAP_FOLDER"]
    with _mailbox() as box:
        validity = int(box.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        for uid in _new_uids(box, folder, validity):
            raw = _raw(box, uid)
            if raw is None:
                # Stop rather than skip: storing a higher UID would hide this one for good.
                report.unreadable += 1
                break
            # Kept even if it is not a message at all: it then shows as an error to review.
            seen = ImapSeen(mailbox=folder, uidvalidity=validity, uid=int(uid))
            ingest(raw, None, source="imap", also=[seen])
            report.stored += 1
            _done(box, uid)
    return report
