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
from portal.mail.inbound import reasons
from portal.mail.inbound.handlers import HandlerResult

TAG = "complaint"
N_ = reasons.N_

reasons.register(
    {
        "complaint_unknown": N_("there is no complaint #%(id)s"),
        "complaint_sender": N_(
            "%(sender)s is neither the holder nor the deputy of the position of complaint "
            "%(number)s, nor writes from a domain its department allows"
        ),
        "complaint_not_waiting": N_(
            "complaint %(number)s is %(status)s: it is not waiting for an answer"
        ),
        "complaint_files_refused": N_("attachments refused: %(files)s"),
        "complaint_too_many_files": N_(
            "%(count)s attachments: a complaint answer takes at most %(max)s"
        ),
        "complaint_refused": N_("the answer was refused: %(error)s"),
        "complaint_answered": N_("answered complaint %(number)s"),
        "complaint_answered_left_out": N_("answered complaint %(number)s; not kept: %(files)s"),
    }
)


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


def _forward_name(attachment) -> str:
    """A forwarded message's file name shows its subject and sender: 「subject (sender).eml」."""
    subject = attachment.forwarded.get("subject") or attachment.filename.removesuffix(".eml")
    sender = attachment.forwarded.get("sender") or ""
    return f"{subject} ({sender}).eml" if sender else f"{subject}.eml"


def _incoming(message) -> tuple[list[files.Incoming], list[str]]:
    """The files to keep, and those left out without refusing the answer.

    Everything attached except the small images the HTML shows inline (signature logos) — a
    larger inline image, a pasted screenshot, is kept — and a container that could not be
    opened (a damaged TNEF ``winmail.dat``: the raw message keeps it). A forwarded message is
    kept as an ``.eml`` file named after its subject and sender.
    """
    html = message.html or ""
    kept, left_out = [], []
    for attachment in message.attachments:
        if attachment.damaged:
            left_out.append(f"{attachment.filename}: damaged, kept in the raw message")
            continue
        if attachment.forwarded is not None:
            kept.append(files.Incoming(_forward_name(attachment), attachment.data, kind="eml"))
            continue
        logo = (
            attachment.content_id
            and attachment.content_type.startswith("image/")
            and f"cid:{attachment.content_id}" in html
            and len(attachment.data) < SIGNATURE_IMAGE_MAX
        )
        if not logo:
            kept.append(files.Incoming(attachment.filename, attachment.data))
    return kept, left_out


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
        return HandlerResult.hold(
            f"there is no complaint #{object_id}", code="complaint_unknown", id=object_id
        )
    allowed, user = answering_officer(complaint, message.from_address)
    number = complaint.tracking_number
    if not allowed and not force:
        sender = message.from_address or f"the sender ({message.from_problem or 'no address'})"
        return HandlerResult.hold(
            f"{sender} is neither the holder nor the deputy of the "
            f"position of complaint {number}, nor writes from a domain its "
            "department allows",
            complaint.id,
            code="complaint_sender",
            sender=sender,
            number=number,
        )
    if complaint.status != ComplaintStatus.ASSIGNED:
        return HandlerResult.hold(
            f"complaint {number} is {complaint.status.value}: it is not waiting for an answer",
            complaint.id,
            code="complaint_not_waiting",
            number=number,
            status=complaint.status.value,
        )
    incoming, skipped = _incoming(message)
    good, refused = _split_acceptable(incoming)
    if refused and not force:
        return HandlerResult.hold(
            "attachments refused: " + "; ".join(refused),
            complaint.id,
            code="complaint_files_refused",
            files="; ".join(refused),
        )
    if len(good) > files.MAX_FILES and not force:
        return HandlerResult.hold(
            f"{len(good)} attachments: a complaint answer takes at most {files.MAX_FILES}",
            complaint.id,
            code="complaint_too_many_files",
            count=len(good),
            max=files.MAX_FILES,
        )
    left_out = (
        skipped + refused + [f"{item.filename}: over the limit" for item in good[files.MAX_FILES :]]
    )
    try:
        with db.session.begin_nested():
            officer_service.answer(
                complaint, user, message.reply_text(), attachments=good[: files.MAX_FILES]
            )
    except (ComplaintError, IllegalTransition) as error:
        return HandlerResult.hold(
            str(error), complaint.id, code="complaint_refused", error=str(error)
        )
    if left_out:
        return HandlerResult.accept(
            f"answered complaint {number}; not kept: " + "; ".join(left_out),
            code="complaint_answered_left_out",
            number=number,
            files="; ".join(left_out),
        )
    return HandlerResult.accept(
        f"answered complaint {number}", code="complaint_answered", number=number
    )
