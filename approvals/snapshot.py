"""The copy of an item's online spec and procedure an application is filed under.

``snapshot_of(item)`` is what ``Application.spec_snapshot`` stores: the item's code, name,
department and spec version, who may apply and at what identity level, the limits, the form
fields, the materials (each with a key ``m1``, ``m2``, … by its place in the list) and the
procedure steps (kind, position, time limit, standard, notification method). Reading helpers
(``fields``, ``materials``, ``step``, ``review_chain``) work on the stored dict only, so a running
application never looks at the item's current definition.
"""

from __future__ import annotations

from disclosure.catalog.models import ApprovalItem, StepKind
from disclosure.catalog.online import spec_snapshot

# The steps after acceptance that run in order, each at its position (steps not defined are skipped).
REVIEW_KINDS = (StepKind.REVIEW, StepKind.RE_REVIEW, StepKind.COUNTERSIGN, StepKind.DECISION)


def snapshot_of(item: ApprovalItem) -> dict:
    """The catalog's snapshot (``disclosure.catalog.online.spec_snapshot``) flattened into the
    shape this package reads (see the module's docstring)."""
    raw = dict(spec_snapshot(item))
    # Fill in what a snapshot from elsewhere may name differently or leave out.
    # (the catalog's shape: {"format", "item": {...}, "version", "online": {...}, "steps"})
    for part in ("item", "online", "spec"):
        nested = raw.pop(part, None)
        if isinstance(nested, dict):
            for key, value in nested.items():
                raw.setdefault("item_id" if part == "item" and key == "id" else key, value)
    raw.setdefault("item_id", item.id)
    raw.setdefault("code", item.code)
    raw.setdefault("name", item.name)
    raw.setdefault("department_id", item.department_id)
    raw.setdefault("legal_basis", item.legal_basis)
    raw.setdefault("agency_name", item.agency_name)
    raw.setdefault("version", item.online.version if item.online else 1)
    raw.setdefault("statutory_limit_days", 20)
    raw.setdefault("promised_limit_days", None)
    raw.setdefault("fields", [])
    raw.setdefault("steps", [])
    materials = []
    for index, material in enumerate(raw.get("materials") or [], start=1):
        material = dict(material)
        material["key"] = f"m{index}"
        materials.append(material)
    raw["materials"] = materials
    return raw


# --- reading a stored snapshot ------------------------------------------------------------------


def fields(snapshot: dict) -> list[dict]:
    return list(snapshot.get("fields") or [])


def field_by_key(snapshot: dict) -> dict[str, dict]:
    return {f["key"]: f for f in fields(snapshot)}


def materials(snapshot: dict) -> list[dict]:
    return list(snapshot.get("materials") or [])


def material_by_key(snapshot: dict) -> dict[str, dict]:
    return {m["key"]: m for m in materials(snapshot)}


def step(snapshot: dict, kind: StepKind | str) -> dict | None:
    kind = str(kind)
    return next((s for s in snapshot.get("steps") or [] if s.get("kind") == kind), None)


def review_chain(snapshot: dict) -> list[dict]:
    """The defined steps of 审核, 复审, 会签, 审定, in that order. Without a 审定 step of its own
    the item is decided at its acceptance position (the chain always ends with a decision)."""
    chain = [s for kind in REVIEW_KINDS if (s := step(snapshot, kind)) is not None]
    if not chain or chain[-1]["kind"] != str(StepKind.DECISION):
        acceptance = step(snapshot, StepKind.ACCEPTANCE) or {}
        chain.append(
            {
                "kind": str(StepKind.DECISION),
                "position_id": acceptance.get("position_id"),
                "time_limit_days": 0,
                "standard": "",
            }
        )
    return chain


def next_step(snapshot: dict, kind: str) -> dict | None:
    chain = review_chain(snapshot)
    kinds = [s["kind"] for s in chain]
    position = kinds.index(kind) if kind in kinds else -1
    return chain[position + 1] if 0 <= position < len(chain) - 1 else None


def previous_step(snapshot: dict, kind: str) -> dict | None:
    chain = review_chain(snapshot)
    kinds = [s["kind"] for s in chain]
    position = kinds.index(kind) if kind in kinds else 0
    return chain[position - 1] if position > 0 else None


def position_ids(snapshot: dict) -> list[int]:
    """The positions named by the procedure's steps (of the snapshot), the complaint step's aside."""
    ids = [
        s.get("position_id")
        for s in snapshot.get("steps") or []
        if s.get("kind") != str(StepKind.COMPLAINT)
    ]
    return sorted({i for i in ids if i is not None})


def step_label(kind: str | None) -> str:
    """The step kind's name in the reader's language ("" for none)."""
    if not kind:
        return ""
    try:
        return StepKind(kind).label
    except ValueError:
        return kind
