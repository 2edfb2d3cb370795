"""``kaimen mail poll``: fetch new messages from an IMAP mailbox, idempotent by UID.

Each message's ``RFC822.SIZE`` is asked first: one over ``KAIMEN_INBOUND_MAX_BYTES`` is refused
like the pipe refuses it — only its header section is fetched (``BODY.PEEK[HEADER]``) and
recorded with its size as *too large*, then it is flagged like the others. Each other message is
fetched with ``BODY.PEEK[]`` (the raw bytes, not marking it read), stored with a
row remembering (mailbox, UIDVALIDITY, UID) in the same commit, processed, and only then flagged
``\\Seen`` — or moved to ``KAIMEN_MAIL_IMAP_DONE_FOLDER`` when one is set. Each poll asks the
server only for UIDs above the highest one stored (``UID SEARCH UID n:*``): messages already
stored are never fetched or flagged again, so a poll costs one SEARCH when nothing is new. A poll
interrupted at any point stores nothing twice (a message stored just before the interruption
stays unflagged); if the server renumbers the folder (a new UIDVALIDITY) the messages are taken
again, and the Message-ID rule keeps each answer handled once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from imap_tools import MailBox, MailBoxUnencrypted, MailMessageFlags

from portal.extensions import db
from portal.mail.inbound.ingest import ingest, store
from portal.mail.inbound.spool import header_section
from portal.mail.inbound_models import ImapSeen


@dataclass
class PollReport:
    stored: int = 0
    refused: int = 0  # over KAIMEN_INBOUND_MAX_BYTES: headers and size recorded, not fetched
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


def _sizes(box, uids: list[str]) -> dict[str, int]:
    """``RFC822.SIZE`` of each new message, in one FETCH for the batch."""
    if not uids:
        return {}
    status, data = box.client.uid("FETCH", ",".join(uids), "(UID RFC822.SIZE)")
    if status != "OK":
        return {}
    sizes = {}
    for item in data:
        text = item.decode("ascii", "replace") if isinstance(item, bytes) else str(item)
        uid, size = re.search(r"UID (\d+)", text), re.search(r"RFC822\.SIZE (\d+)", text)
        if uid and size:
            sizes[uid.group(1)] = int(size.group(1))
    return sizes


def _raw(box, uid: str, part: str = "BODY.PEEK[]") -> bytes | None:
    status, data = box.client.uid("FETCH", uid, f"({part})")
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
        limit = current_app.config["KAIMEN_INBOUND_MAX_BYTES"]
        uids = _new_uids(box, folder, validity)
        sizes = _sizes(box, uids)
        for uid in uids:
            size = sizes.get(uid)
            too_large = size is not None and size > limit
            # Over the limit: only the header section is fetched, and the message is refused.
            raw = _raw(box, uid, "BODY.PEEK[HEADER]" if too_large else "BODY.PEEK[]")
            if raw is None:
                # Stop rather than skip: storing a higher UID would hide this one for good.
                report.unreadable += 1
                break
            # Kept even if it is not a message at all: it then shows as an error to review.
            seen = ImapSeen(mailbox=folder, uidvalidity=validity, uid=int(uid))
            if too_large or len(raw) > limit:
                store(
                    None,
                    None,
                    source="imap",
                    also=[seen],
                    size=max(size or 0, len(raw)),
                    head=header_section(raw),
                )
                report.refused += 1
            else:
                ingest(raw, None, source="imap", also=[seen])
                report.stored += 1
            _done(box, uid)
    return report
