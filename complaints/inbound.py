"""Officers answer complaints by replying to the email: the handler the kernel's mail router calls.

Registered as ``registry.inbound_handlers["complaint"]``: a reply to
``complaint+<id>.<token>@<inbound domain>`` arrives here once the token is checked. It becomes
the complaint's answer — the text without the quoted history, with the attachments — when:

* the complaint exists and is waiting for an answer (assigned);
* the sender (``From``, compared case-insensitively) is the holder or the deputy of the
  complaint's position — their staff address or their account's — or writes from one of the
  department's ``allowed_reply_domains``; an administrator releasing the message from the holding
  pen (``force=True``) stands in for this rule;
* the attachments pass the complaint upload rules (``complaints.attachments.check``: at most five,
  PDF/DOC/DOCX/JPEG/PNG by content, size-limited). Small images the HTML shows inline (``cid:``,
  under 30 KB: signature logos) are not attachments; a larger inline image (a pasted
  screenshot) is. A file that is refused holds the message (a release keeps the others and says
  which were left out).

Otherwise the message is held with the reason. The answer goes through ``officer.answer``, so the
complainant is notified exactly as when the officer answers on the portal.
"""

from __future__ import annotations

import sqlalchemy as sa

from complaints import attachments as files
from complaints import officer as officer_service
from complaints.errors import ComplaintError
from complaints.models import Complaint, ComplaintStatus
from complaints.states import IllegalTransition
from portal.accounts.models import User
from portal.extensions import db
from portal.mail.inbound.handlers import HandlerResult

TAG = "complaint"


def _staff_addresses(staff) -> set[str]:
    if staff is None:
        return set()
    found = {staff.email} if staff.email else set()
    if staff.user is not None and staff.user.email:
        found.add(staff.user.email)
    return {address.strip().lower() for address in found}


def answering_officer(complaint: Complaint, sender: str):
    """(allowed, user): may ``sender`` answer, and the account the answer is recorded under."""
    sender = (sender or "").strip().lower()
    position = complaint.position
    if sender and position is not None:
        for staff in (position.holder, position.deputy):
            if sender in _staff_addresses(staff):
                return True, staff.user if staff.user is not None else _account(sender)
    domain = sender.rpartition("@")[2]
    allowed = {
        d.strip().lower().lstrip("@")
        for d in (complaint.department.allowed_reply_domains or "").replace(",", " ").split()
    }
    if domain and any(domain == d or domain.endswith("." + d) for d in allowed):
        return True, _account(sender)
    return False, _account(sender)


def _account(address: str) -> User | None:
    if not address:
        return None
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == address))


# An image the HTML shows inline and smaller than this is taken for a signature logo.
SIGNATURE_IMAGE_MAX = 30 * 1024


def _incoming(message) -> list[files.Incoming]:
    """The files to keep: everything attached except the small images the HTML shows inline
    (signature logos); a larger inline image — a pasted screenshot — is kept."""
    html = message.html or ""
    kept = []
    for attachment in message.attachments:
        logo = (
            attachment.content_id
            and attachment.content_type.startswith("image/")
            and f"cid:{attachment.content_id}" in html
            and len(attachment.data) < SIGNATURE_IMAGE_MAX
        )
        if not logo:
            kept.append(files.Incoming(attachment.filename, attachment.data))
    return kept


def _split_acceptable(incoming: list[files.Incoming]):
    good, refused = [], []
    for item in incoming:
        try:
            files.check([item])
        except ComplaintError as error:
            refused.append(str(error))
        else:
            good.append(item)
    return good, refused


def handle_reply(object_id: int, message, inbound, *, force: bool = False) -> HandlerResult:
    complaint = db.session.get(Complaint, object_id)
    if complaint is None:
        return HandlerResult.hold(f"there is no complaint #{object_id}")
    allowed, user = answering_officer(complaint, message.from_address)
    if not allowed and not force:
        sender = message.from_address or f"the sender ({message.from_problem or 'no address'})"
        return HandlerResult.hold(
            f"{sender} is neither the holder nor the deputy of the "
            f"position of complaint {complaint.tracking_number}, nor writes from a domain its "
            "department allows",
            complaint.id,
        )
    if complaint.status != ComplaintStatus.ASSIGNED:
        return HandlerResult.hold(
            f"complaint {complaint.tracking_number} is {complaint.status.value}: it is not "
            "waiting for an answer",
            complaint.id,
        )
    incoming = _incoming(message)
    good, refused = _split_acceptable(incoming)
    if refused and not force:
        return HandlerResult.hold("attachments refused: " + "; ".join(refused), complaint.id)
    if len(good) > files.MAX_FILES and not force:
        return HandlerResult.hold(
            f"{len(good)} attachments: a complaint answer takes at most {files.MAX_FILES}",
            complaint.id,
        )
    left_out = refused + [f"{item.filename}: over the limit" for item in good[files.MAX_FILES :]]
    try:
        with db.session.begin_nested():
            officer_service.answer(
                complaint, user, message.reply_text(), attachments=good[: files.MAX_FILES]
            )
    except (ComplaintError, IllegalTransition) as error:
        return HandlerResult.hold(str(error), complaint.id)
    note = f"answered complaint {complaint.tracking_number}"
    if left_out:
        note += "; not kept: " + "; ".join(left_out)
    return HandlerResult.accept(note)
