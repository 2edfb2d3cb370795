"""The adoption report (意见采纳情况): marks on opinions or groups of opinions, the overall
response, publication, and versions after publication.

Until the report is published, officials change marks and the response freely. Once published,
every change publishes a new version at once: the whole report is kept in
``forum_consultation_report_versions``, the change needs a reason, and it is audited, so a
published report never changes silently.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.consultations import notify
from forum.consultations.models import (
    AdoptionDecision,
    Consultation,
    Mark,
    Opinion,
    ReportVersion,
    State,
)
from forum.consultations.services import ConsultationError
from forum.models import Post
from portal import audit
from portal.accounts.models import User
from portal.db import utcnow
from portal.extensions import db
from portal.text import render_markdown

REASON_MAX = 5_000
GROUP_NAME_MAX = 200
RESPONSE_MAX = 50_000


def _check_reportable(consultation: Consultation) -> None:
    if consultation.state in (State.UPCOMING, State.OPEN):
        raise ConsultationError(_("Opinions are marked once the consultation has closed."))


def _check_revision_reason(consultation: Consultation, revision_reason: str) -> str:
    revision_reason = revision_reason.strip()
    if consultation.report_published_at is not None and not revision_reason:
        raise ConsultationError(
            _(
                "The report is published: say why it changes. The change is published as a new version."
            )
        )
    return revision_reason


def mark_opinions(
    consultation: Consultation,
    actor: User,
    post_ids: list[int],
    mark: Mark,
    reason: str,
    group_name: str = "",
    revision_reason: str = "",
) -> AdoptionDecision:
    """Give one opinion, or a named group of opinions, a mark and its reason."""
    _check_reportable(consultation)
    revision_reason = _check_revision_reason(consultation, revision_reason)
    reason = reason.replace("\x00", "").strip()
    group_name = " ".join(group_name.split())
    if not reason:
        raise ConsultationError(_("Give the reason for the mark."))
    if len(reason) > REASON_MAX:
        raise ConsultationError(_("A reason has at most %(max)d characters.", max=REASON_MAX))
    if len(group_name) > GROUP_NAME_MAX:
        raise ConsultationError(
            _("A group's name has at most %(max)d characters.", max=GROUP_NAME_MAX)
        )
    opinions = list(
        db.session.scalars(
            sa.select(Opinion).where(
                Opinion.consultation_id == consultation.id, Opinion.post_id.in_(set(post_ids))
            )
        )
    )
    if not opinions or len(opinions) != len(set(post_ids)):
        raise ConsultationError(_("Choose one or more opinions of this consultation to mark."))
    if len(opinions) > 1 and not group_name:
        raise ConsultationError(_("Name the group when you mark several opinions together."))
    now = utcnow()
    decision = AdoptionDecision(
        consultation_id=consultation.id,
        group_name=group_name,
        mark=mark,
        reason=reason,
        decided_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(decision)
    db.session.flush()
    previous = {opinion.decision_id for opinion in opinions} - {None}
    for opinion in opinions:
        opinion.decision_id = decision.id
    db.session.flush()
    _drop_empty_decisions(previous)
    floors = _floors([opinion.post_id for opinion in opinions])
    audit.record(
        "consultation.marked",
        "consultation",
        consultation.id,
        actor=actor,
        reason=revision_reason or None,
        decision_id=decision.id,
        mark=mark.value,
        group=group_name,
        floors=floors,
    )
    if consultation.report_published_at is not None:
        _publish_version(consultation, actor, revision_reason)
    return decision


def _drop_empty_decisions(decision_ids: set[int]) -> None:
    if not decision_ids:
        return
    used = set(
        db.session.scalars(
            sa.select(Opinion.decision_id).where(Opinion.decision_id.in_(decision_ids))
        )
    )
    empty = decision_ids - used
    if empty:
        db.session.execute(sa.delete(AdoptionDecision).where(AdoptionDecision.id.in_(empty)))


def _floors(post_ids: list[int]) -> list[int]:
    return sorted(db.session.scalars(sa.select(Post.floor).where(Post.id.in_(post_ids))))


def save_response(
    consultation: Consultation, actor: User, source: str, revision_reason: str = ""
) -> Consultation:
    """The overall response: Markdown, rendered and sanitised once, here."""
    _check_reportable(consultation)
    revision_reason = _check_revision_reason(consultation, revision_reason)
    source = source.replace("\x00", "").strip()
    if len(source) > RESPONSE_MAX:
        raise ConsultationError(_("The response has at most %(max)d characters.", max=RESPONSE_MAX))
    if source == consultation.response_source:
        return consultation
    consultation.response_source = source
    consultation.response_html = render_markdown(source) if source else ""
    db.session.flush()
    audit.record(
        "consultation.response_saved",
        "consultation",
        consultation.id,
        actor=actor,
        reason=revision_reason or None,
        length=len(source),
    )
    if consultation.report_published_at is not None:
        _publish_version(consultation, actor, revision_reason)
    return consultation


def unmarked_count(consultation: Consultation) -> int:
    """Opinions to mark before publishing: those the public sees (not held, not hidden)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Opinion)
        .join(Post, Post.id == Opinion.post_id)
        .where(
            Opinion.consultation_id == consultation.id,
            Opinion.decision_id.is_(None),
            Post.held_at.is_(None),
            Post.hidden_at.is_(None),
        )
    )


def awaiting_count(consultation: Consultation) -> int:
    """Opinions still awaiting a moderator's approval (held, not rejected): once approved they
    are part of the consultation, so the report waits for them."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Opinion)
        .join(Post, Post.id == Opinion.post_id)
        .where(
            Opinion.consultation_id == consultation.id,
            Post.held_at.is_not(None),
            Post.hidden_at.is_(None),
        )
    )


def publish_report(consultation: Consultation, actor: User) -> ReportVersion:
    """Publish the report (version 1) and queue the mails to participants and followers."""
    if consultation.report_published_at is not None:
        raise ConsultationError(_("The report is published already."))
    _check_reportable(consultation)
    if not consultation.response_source:
        raise ConsultationError(_("Write the overall response before publishing the report."))
    unmarked = unmarked_count(consultation)
    if unmarked:
        raise ConsultationError(
            _(
                "%(count)d opinions are not marked yet: mark every opinion before publishing.",
                count=unmarked,
            )
        )
    awaiting = awaiting_count(consultation)
    if awaiting:
        raise ConsultationError(
            _(
                "%(count)d opinions await a moderator's approval: they are approved or rejected "
                "before the report is published.",
                count=awaiting,
            )
        )
    consultation.report_published_at = utcnow()
    version = _publish_version(consultation, actor, "")
    audit.record(
        "consultation.report_published", "consultation", consultation.id, actor=actor, version=1
    )
    notify.queue_report_published(consultation)
    return version


def decisions_with_floors(consultation: Consultation) -> list[tuple[AdoptionDecision, list[int]]]:
    """The report's decisions, each with the floors of its opinions, by their first floor."""
    rows = db.session.execute(
        sa.select(AdoptionDecision, Post.floor)
        .join(Opinion, Opinion.decision_id == AdoptionDecision.id)
        .join(Post, Post.id == Opinion.post_id)
        .where(AdoptionDecision.consultation_id == consultation.id)
        .order_by(Post.floor)
    ).all()
    floors: dict[int, list[int]] = defaultdict(list)
    decisions: dict[int, AdoptionDecision] = {}
    for decision, floor in rows:
        decisions.setdefault(decision.id, decision)
        floors[decision.id].append(floor)
    return [(decisions[key], floors[key]) for key in decisions]


def _publish_version(consultation: Consultation, actor: User, reason: str) -> ReportVersion:
    number = consultation.report_version + 1
    now = utcnow()
    version = ReportVersion(
        consultation_id=consultation.id,
        version=number,
        published_at=now,
        editor_id=actor.id,
        reason=reason,
        response_html=consultation.response_html,
        decisions=[
            {
                "group": decision.group_name,
                "mark": decision.mark.value,
                "reason": decision.reason,
                "floors": floors,
            }
            for decision, floors in decisions_with_floors(consultation)
        ],
    )
    db.session.add(version)
    consultation.report_version = number
    if number > 1:
        consultation.report_revised_at = now
        audit.record(
            "consultation.report_revised",
            "consultation",
            consultation.id,
            actor=actor,
            reason=reason,
            version=number,
        )
    db.session.flush()
    return version


def versions(consultation: Consultation) -> list[ReportVersion]:
    return list(
        db.session.scalars(
            sa.select(ReportVersion)
            .where(ReportVersion.consultation_id == consultation.id)
            .order_by(ReportVersion.version.desc())
        )
    )
