"""CSV of a consultation's posts for officials: opens in Excel with Chinese text intact.

UTF-8 with a byte-order mark (Excel's cue for UTF-8), and every cell that a spreadsheet would take
for a formula (starting with = + - @, a tab or a carriage return) is prefixed with ' so it stays text.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, abort
from flask_babel import gettext as _
from flask_login import current_user

from forum.consultations import services
from forum.consultations.models import AdoptionDecision, Opinion
from forum.consultations.permissions import can_export
from forum.consultations.views import consultation_or_404
from forum.models import Post
from forum.views import bp, is_signed_in
from portal.accounts.models import User
from portal.accounts.permissions import require
from portal.extensions import db
from portal.text import plain_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell's text that no spreadsheet evaluates as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows(consultation) -> list[list[str]]:
    """Every floor after the opening post that the public sees: opinions with their stance,
    replies with none. Posts hidden by a moderator or awaiting approval are left out."""
    result = db.session.execute(
        sa.select(Post.floor, User.display_name, Post.html, Opinion, AdoptionDecision)
        .join(User, User.id == Post.author_id)
        .outerjoin(Opinion, Opinion.post_id == Post.id)
        .outerjoin(AdoptionDecision, AdoptionDecision.id == Opinion.decision_id)
        .where(
            Post.thread_id == consultation.thread_id,
            Post.floor > 1,
            Post.hidden_at.is_(None),
            Post.held_at.is_(None),
        )
        .order_by(Post.floor)
        .execution_options(yield_per=500)
    )
    out = []
    for floor, author, html, opinion, decision in result:
        out.append(
            [
                str(floor),
                author,
                opinion.stance.label if opinion else "",
                services.topic_label(opinion.topic) if opinion else "",
                plain_text(html),
                decision.mark.label if decision else "",
            ]
        )
    return out


def csv_text(consultation) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [_("Floor"), _("Author"), _("Stance"), _("About"), _("Text"), _("Adoption mark")]
    )
    for row in rows(consultation):
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


@bp.route("/consultations/<int:consultation_id>/opinions.csv")
@require(is_signed_in)
def consultation_export(consultation_id: int):
    consultation = consultation_or_404(consultation_id)
    if not can_export(current_user, consultation.item):
        abort(403)
    filename = f"consultation-{consultation.id}-opinions.csv"
    readable = f"{consultation.item.code}-意见-{consultation.id}.csv"
    response = Response(csv_text(consultation), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f"attachment; filename={filename}; filename*=UTF-8''{quote(readable)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
