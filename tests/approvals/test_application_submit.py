"""Applying: draft, submit (收件) with number, query code, receipt and mail; and every bad input
refused with a clear message and nothing half-written (rows or files)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from approvals import services
from approvals.application_models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    ApplicationTask,
)
from approvals.errors import ApprovalError
from approvals.materials import Incoming
from approvals.procedure import hash_query_code
from approvals.procedure_models import DocumentKind, IssuedDocument
from disclosure.catalog.models import StepKind
from portal.extensions import db
from portal.mail.models import OutboundMessage
from tests.approvals.application_world import *  # noqa: F403
from tests.approvals.application_world import PDF, at, files, fill, png, submit
from tests.approvals.identity_helpers import declare_company
from tests.conftest import make_user


def stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads" / "approvals"
    return sorted(folder.glob("*")) if folder.exists() else []


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_submit_numbers_receives_and_mails(app, applicant, item, acceptor):
    with at(date(2026, 12, 3)):
        application, code = submit(applicant, item)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.number == "SP20261203-0001"
    assert application.received_on == date(2026, 12, 3)
    assert application.acceptance_due == date(2026, 12, 10)  # 5 working days, receipt not counted
    assert application.query_code_hash == hash_query_code(application.number, code)
    assert code not in str(application.__dict__)
    # The identity snapshot: name and masked number, never the raw number.
    assert application.identity_kind == "person"
    assert application.identity_name == "张三"
    assert application.identity_masked_number == "3301**********0013"
    assert application.spec_version == 1 and application.spec_snapshot["code"] == item.code
    task = db.session.scalar(sa.select(ApplicationTask))
    window = item.step(StepKind.ACCEPTANCE).position_id
    assert (task.step_kind, task.position_id, task.due_on) == (
        "acceptance",
        window,
        date(2026, 12, 10),
    )
    assert application.position_ids == [window]
    receipt = db.session.scalar(sa.select(IssuedDocument))
    assert receipt.kind == DocumentKind.RECEIPT
    mails = db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [m.kind for m in mails] == ["approval_received", "approval_task"]
    assert mails[0].recipients == [applicant.email]
    assert code in mails[0].body_text
    assert code not in mails[0].subject and "330106" not in mails[0].subject
    assert mails[1].recipients == [acceptor.email]
    with at(date(2026, 12, 3)):
        second, _code = submit(applicant, item)
    assert second.number == "SP20261203-0002"


def test_double_submit_is_refused(applicant, item):
    application, _code = submit(applicant, item)
    with pytest.raises(ApprovalError, match="already submitted"):
        services.submit(application, applicant)
    db.session.rollback()
    assert count(IssuedDocument) == 1


def test_a_draft_can_be_saved_incomplete_and_completed_later(applicant, item):
    draft = fill(applicant, item, values={"phone": "", "scale": ""}, materials={})
    assert draft.status == ApplicationStatus.DRAFT and draft.number is None
    with pytest.raises(ApprovalError) as refused:
        services.submit(draft, applicant)
    db.session.rollback()
    assert set(refused.value.errors) == {"phone", "scale"}
    again = fill(applicant, item)
    assert again.id == draft.id
    services.submit(again, applicant)


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"legal_id": "330106198507150012"}, "legal_id", "check digit"),
        ({"credit": "91330106MA2B00001X"}, "credit", "check character"),
        ({"legal_id": "33010619850715001"}, "legal_id", "18 characters"),
        ({"phone": "12345"}, "phone", "mobile number"),
        ({"scale": "巨型"}, "scale", "one of the options"),
        ({"output": "-5"}, "output", "At least 0"),
        ({"start": "2026-13-01"}, "start", "YYYY-MM-DD"),
        ({"company": "x" * 51}, "company", "At most 50"),
    ],
)
def test_wrong_values_are_refused_field_by_field(app, applicant, item, values, key, message):
    with pytest.raises(ApprovalError) as refused:
        fill(applicant, item, values=values)
    db.session.rollback()
    assert message in refused.value.errors[key]
    assert count(Application) == 0 and count(ApplicationMaterial) == 0
    assert stored_files(app) == []


def test_missing_required_material_is_refused(app, applicant, item):
    draft = fill(applicant, item, materials={})
    with pytest.raises(ApprovalError, match="required material: 排污许可证申请表") as refused:
        services.submit(draft, applicant)
    db.session.rollback()
    assert "material:m1" in refused.value.errors
    assert db.session.get(Application, draft.id).status == ApplicationStatus.DRAFT
    assert count(IssuedDocument) == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ({"m1": Incoming("form.pdf", png())}, "not accepted. Upload PDF, DOCX"),
        ({"m1": Incoming("form.pdf", b"MZ\x90\x00 not a pdf")}, "not accepted"),
        ({"m2": Incoming("photo.png", PDF)}, "not accepted. Upload JPG, PNG"),
        ({"m2": Incoming("photo.png", png((400, 400)) + b"\0" * 200_000)}, "too large"),
        ({"m1": Incoming("empty.pdf", b"")}, "empty"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_stored(app, applicant, item, upload, message):
    with pytest.raises(ApprovalError, match=message):
        fill(applicant, item, materials=files(**upload))
    db.session.rollback()
    assert count(Application) == 0 and count(ApplicationMaterial) == 0
    assert stored_files(app) == []


def test_a_replaced_material_keeps_the_old_file_marked(app, applicant, item):
    fill(applicant, item)
    draft = fill(applicant, item, materials={"m1": Incoming("v2.pdf", PDF + b"v2")})
    rows = db.session.scalars(sa.select(ApplicationMaterial).order_by(ApplicationMaterial.id)).all()
    assert [r.filename for r in rows] == ["申请表.pdf", "v2.pdf"]
    assert rows[0].replaced_at is not None and rows[1].replaced_at is None
    assert draft.id == rows[1].application_id


def test_an_applicant_without_identity_is_refused(app, item):
    user = make_user("nobody@example.com", name="无身份")
    draft = fill(user, item)
    with pytest.raises(ApprovalError, match="Add your identity"):
        services.submit(draft, user)


def test_the_applicant_kind_is_enforced(app, item):
    item.online.applicant_kind = "person"
    db.session.commit()
    user = make_user("company@example.com", name="企业账号")
    declare_company(user)
    draft = fill(user, item)
    with pytest.raises(ApprovalError, match="Only natural persons"):
        services.submit(draft, user)


def test_the_identity_level_is_enforced(applicant, item):
    item.online.identity_level = "counter"
    db.session.commit()
    draft = fill(applicant, item)
    with pytest.raises(ApprovalError, match="Confirmed at a counter"):
        services.submit(draft, applicant)


def test_a_changed_spec_asks_to_check_the_draft_again(applicant, item):
    draft = fill(applicant, item)
    item.online.version = 2
    db.session.commit()
    with pytest.raises(ApprovalError, match="has changed"):
        services.submit(draft, applicant)
    db.session.rollback()
    again = fill(applicant, item)
    services.submit(again, applicant)
    assert again.spec_version == 2


def test_later_edits_of_the_item_do_not_change_a_running_application(applicant, item):
    application, _code = submit(applicant, item)
    item.online.fields[0].label_zh = "改过的名称"
    item.name = "改名后的事项"
    item.online.version = 2
    db.session.commit()
    db.session.refresh(application)
    assert application.item_name == "排污许可证核发"
    assert application.spec_snapshot["fields"][0]["label_zh"] == "单位名称"
    assert application.spec_version == 1


def test_two_submits_at_once_file_one_application(app, applicant, item, backend):
    """On PostgreSQL the row lock makes the second submit wait, then see it submitted."""
    import threading

    if backend != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs row locks to be shown")
    draft = fill(applicant, item)
    draft_id, user_id = draft.id, applicant.id
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def attempt():
        from flask_babel import force_locale

        from portal.accounts.models import User

        with app.app_context(), force_locale("en"):
            user = db.session.get(User, user_id)
            application = db.session.get(Application, draft_id)
            barrier.wait()
            try:
                services.submit(application, user)
                db.session.commit()
                outcomes.append("submitted")
            except ApprovalError as error:
                db.session.rollback()
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2 and outcomes.count("submitted") == 1
    refused = next(outcome for outcome in outcomes if outcome != "submitted")
    assert "already submitted" in refused
    db.session.expire_all()
    assert count(IssuedDocument) == 1
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 1
