"""Keeps the search index of approval items in step with the items, whoever changes them.

Every flush notes which items changed (an item or one of its steps); just before the
transaction commits, those items are re-indexed (or removed from the index). A rolled-back
change — a failed import, a dry run — is never indexed.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from disclosure.catalog.models import ApprovalItem, ProcedureStep
from portal import search

ITEM_DOC = "approval_item"
_PENDING = "kaimen.reindex_items"


def item_text(item: ApprovalItem) -> str:
    """Everything a citizen may search an item by: names, code, department, the eight elements."""
    parts = [
        item.code,
        item.name,
        item.department.full_name,
        item.department.short_name,
        item.agency_name,
        item.agency_address,
        item.eligibility,
        item.materials,
        item.fee_standard,
        item.fee_basis,
        item.legal_basis,
        item.result,
    ]
    for step in item.steps:
        parts += [step.standard, step.conditions, step.complaint_channels, step.notification_method]
    return "\n".join(part for part in parts if part)


def _note_changes(session: so.Session, _flush_context) -> None:
    # After the flush's SQL ran, new rows have their ids while `session.new` still lists them.
    pending = session.info.setdefault(_PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, ApprovalItem) and obj.id is not None:
            pending.add(obj.id)
        elif isinstance(obj, ProcedureStep) and obj.item_id is not None:
            pending.add(obj.item_id)


def _reindex(session: so.Session) -> None:
    # Commit runs this hook before its own final flush: flush first, so that changes not yet
    # flushed are noted too.
    session.flush()
    pending = session.info.pop(_PENDING, set())
    if not pending:
        return
    items = {
        item.id: item
        for item in session.scalars(
            sa.select(ApprovalItem)
            .where(ApprovalItem.id.in_(pending))
            .options(so.joinedload(ApprovalItem.department), so.selectinload(ApprovalItem.steps))
        )
    }
    for item_id in sorted(pending):
        item = items.get(item_id)
        if item is None:
            search.remove_document(ITEM_DOC, item_id)
        else:
            search.index_document(ITEM_DOC, item_id, item_text(item))
    session.info.pop(_PENDING, None)


def _forget(session: so.Session, *args) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Listen on every session (idempotent)."""
    for name, listener in (
        ("after_flush", _note_changes),
        ("before_commit", _reindex),
        ("after_rollback", _forget),
    ):
        if not sa.event.contains(so.Session, name, listener):
            sa.event.listen(so.Session, name, listener)
