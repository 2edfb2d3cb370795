"""Administrators edit departments, leaders (with their photos), staff and positions."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from PIL import Image

from disclosure.directory import services as directory
from disclosure.directory.models import Department, StaffMember
from portal import uploads
from portal.accounts.models import Role
from portal.extensions import db
from tests.conftest import make_user
from tests.disclosure.admin_world import PDF, audit_entries, text
from tests.disclosure.admin_world import instance as instance  # the fixtures
from tests.disclosure.admin_world import world as world
from tests.disclosure.factories import make_department
from tests.portal.test_uploads import GPS_IFD, png

# --- departments --------------------------------------------------------------------------------

DEPARTMENT = {
    "full_name": "临江市交通运输局",
    "short_name": "交通运输局",
    "code": "lj-jtysj",
    "address": "临江市解放路 8 号",
    "postcode": "399002",
    "public_phone": "0999-8800 2001",
    "supervision_phone": "0999-8800 2002",
    "email": "JTJ@Linjiang.gov.example",
    "functions": "负责全市道路、水路运输管理。",
    "sort_order": "3",
}


def test_admin_creates_and_edits_a_department(client, admin):
    client.login(admin.email)
    response = client.post("/admin/catalog/departments/new", DEPARTMENT)
    assert response.status_code == 302
    department = db.session.scalar(sa.select(Department).where(Department.code == "lj-jtysj"))
    assert department.full_name == "临江市交通运输局"
    assert department.email == "jtj@linjiang.gov.example"
    assert department.sort_order == 3
    assert response.location.endswith(f"/admin/catalog/departments/{department.id}")
    page = text(client.get(response.location))
    assert "临江市交通运输局" in page and 'class="flash flash-success"' in page

    changed = {**DEPARTMENT, "full_name": "临江市交通运输委员会", "default_complaint_position": "0"}
    assert client.post(response.location, changed).status_code == 302
    (entry,) = audit_entries("directory.department.update")
    assert entry.actor_id == admin.id
    assert entry.data["changes"] == {"full_name": ["临江市交通运输局", "临江市交通运输委员会"]}


def test_department_form_shows_every_problem_and_saves_nothing(client, admin, world):
    client.login(admin.email)
    client.post("/language", {"locale": "en", "next": "/"})
    bad = {**DEPARTMENT, "full_name": "", "postcode": "39900", "email": "not-an-address"}
    response = client.post("/admin/catalog/departments/new", bad)
    assert response.status_code == 422
    page = text(response)
    assert 'class="error-summary"' in page
    for message in [
        "Full name: this is required.",
        "Postcode: six digits, such as 310000.",
        "Email address: enter a valid email address, such as name@example.com.",
    ]:
        assert page.count(message) == 2  # in the summary and beside the field
    assert page.count('aria-invalid="true"') == 3
    duplicate = {**DEPARTMENT, "code": world.department.code}
    response = client.post("/admin/catalog/departments/new", duplicate)
    assert response.status_code == 422 and world.department.code in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Department)) == 1


def test_a_department_with_items_cannot_be_deleted(client, admin, world):
    client.login(admin.email)
    response = client.post(f"/admin/catalog/departments/{world.department.id}/delete")
    assert response.status_code == 302
    assert db.session.get(Department, world.department.id) is not None
    assert "flash-error" in text(client.get(response.location))


def test_an_empty_department_is_deleted_with_its_people(client, admin):
    department = make_department("lj-empty", "临江市空部门")
    db.session.commit()
    client.login(admin.email)
    response = client.post(f"/admin/catalog/departments/{department.id}/delete")
    assert response.status_code == 302 and response.location.endswith("/admin/catalog/departments")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffMember)) == 0
    assert audit_entries("directory.department.delete")[0].data["code"] == "lj-empty"


# --- leaders, staff, positions ------------------------------------------------------------------


def test_admin_adds_a_leader_and_a_member_of_staff_linked_to_an_account(client, admin, world):
    client.login(admin.email)
    officer = make_user("officer.chen@example.com", roles={Role.OFFICER})
    base = f"/admin/catalog/departments/{world.department.id}"
    leader = {
        "name": "陈副局长", "title": "副局长", "portfolio": "分管行政审批", "office_phone": "0999-1",
        "email": "chen@example.com",
    }  # fmt: skip
    assert client.post(f"{base}/leaders/new", leader).status_code == 302
    member = {
        "name": "陈经办", "title": "科员", "duties": "受理申请", "office_phone": "0999-2",
        "email": "chen.staff@example.com", "user_email": "Officer.Chen@example.com",
    }  # fmt: skip
    assert client.post(f"{base}/staff/new", member).status_code == 302
    created = db.session.scalar(sa.select(StaffMember).where(StaffMember.name == "陈经办"))
    assert created.user_id == officer.id
    unknown = {**member, "email": "other@example.com", "user_email": "nobody@example.com"}
    response = client.post(f"{base}/staff/new", unknown)
    assert response.status_code == 422 and "nobody@example.com" in text(response)


def test_staff_who_hold_a_position_cannot_be_removed(client, admin, world):
    client.login(admin.email)
    response = client.post(f"/admin/catalog/staff/{world.staff.id}/delete")
    assert response.status_code == 302
    assert db.session.get(StaffMember, world.staff.id) is not None
    assert "flash-error" in text(client.get(response.location))


def test_hand_over_a_position_records_old_and_new_holder(client, admin, world):
    client.login(admin.email)
    position = world.department.positions[3]
    old_holder, old_deputy = position.holder, position.deputy
    response = client.post(
        f"/admin/catalog/positions/{position.id}/hand-over",
        {"holder": str(old_deputy.id), "deputy": str(old_holder.id), "reason": "周明远调任"},
    )
    assert response.status_code == 302
    db.session.refresh(position)
    assert position.holder_id == old_deputy.id and position.deputy_id == old_holder.id
    assert position.holder_since is not None
    (entry,) = audit_entries("directory.position.hand_over")
    assert entry.subject_id == position.id and entry.reason == "周明远调任"
    assert entry.data["old_holder"] == "周明远" and entry.data["new_holder"] == "吴晓岚"
    assert entry.data["old_deputy"] == "吴晓岚" and entry.data["new_deputy"] == "周明远"
    assert "吴晓岚" in text(client.get(response.location))


@pytest.mark.parametrize("case", ["same person", "other department", "no reason"])
def test_hand_over_refuses_bad_choices(client, admin, world, case):
    position = world.position
    holder = world.staff.id
    deputy = holder if case == "same person" else world.department.staff[1].id
    if case == "other department":
        other = make_department("lj-other", "临江市其他局")
        db.session.commit()
        deputy = other.staff[1].id
    client.login(admin.email)
    response = client.post(
        f"/admin/catalog/positions/{position.id}/hand-over",
        {
            "holder": str(holder),
            "deputy": str(deputy),
            "reason": "" if case == "no reason" else "x",
        },
    )
    assert response.status_code == 422
    assert 'class="error-summary"' in text(response)
    assert audit_entries("directory.position.hand_over") == []


def test_leader_photo_becomes_a_small_jpeg_without_exif(client, admin, world, instance):
    client.login(admin.email)
    photo = png((1200, 1600), gps=True)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)
    response = client.post(
        f"/admin/catalog/leaders/{world.leader.id}/photo",
        {"photo": (io.BytesIO(photo), "IMG_0001.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(world.leader)
    path = uploads.path_for("photos", world.leader.photo)
    assert path.parent == instance / "uploads" / "photos"
    stored = path.read_bytes()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size[0] <= 240 and image.size[1] <= 320
    assert dict(image.getexif()) == {} and b"Exif\x00\x00" not in stored
    assert "IMG_0001" not in world.leader.photo
    # The public page serves it; a new photo replaces the file.
    served = client.get(f"/directory/leaders/{world.leader.id}/photo")
    assert served.data == stored
    served.close()
    client.post(
        f"/admin/catalog/leaders/{world.leader.id}/photo",
        {"photo": (io.BytesIO(png((30, 40))), "new.png")},
        content_type="multipart/form-data",
    )
    assert not path.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is a text file, not a photo", "not a JPEG or PNG"),
        (PDF, "not a JPEG or PNG"),
        (b"", "The file is empty."),
    ],
)
def test_what_is_not_a_photo_is_refused_with_a_message(client, admin, world, data, message):
    client.login(admin.email)
    client.post("/language", {"locale": "en", "next": "/"})
    response = client.post(
        f"/admin/catalog/leaders/{world.leader.id}/photo",
        {"photo": (io.BytesIO(data), "photo.jpg", "image/jpeg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert 'class="error-summary"' in page and message in page
    db.session.refresh(world.leader)
    assert world.leader.photo is None


def test_a_too_large_photo_is_refused(client, admin, world, app):
    app.config["KAIMEN_PHOTO_MAX_BYTES"] = 1024
    client.login(admin.email)
    response = client.post(
        f"/admin/catalog/leaders/{world.leader.id}/photo",
        {"photo": (io.BytesIO(png((400, 400)) + b"\0" * 2048), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "1 KB" in text(response)


# --- the services, as the import and the demo call them -----------------------------------------


def test_services_refuse_what_would_break_routing(app, world):
    other = make_department("lj-other", "临江市其他局")
    position, holder = world.department.positions[0], world.department.staff[0]
    with pytest.raises(directory.DirectoryError) as refused:
        directory.hand_over_position(position, None, holder, None, "x")
    assert refused.value.field == "deputy"
    with pytest.raises(directory.DirectoryError) as refused:
        directory.hand_over_position(position, other.staff[0], None, None, "x")
    assert refused.value.field == "holder"
    with pytest.raises(directory.DirectoryError) as refused:
        directory.update_department(
            world.department, actor=None, default_complaint_position=other.positions[0]
        )
    assert refused.value.field == "default_complaint_position"
    with force_locale("en"), pytest.raises(directory.DirectoryError, match="Procedure steps"):
        directory.delete_position(world.department.positions[1], actor=None)
    # A vacant position is fine; handing it back records both moves.
    assert directory.hand_over_position(position, None, None, None, "调离")
    assert position.holder is None and position.holder_since is None
    assert not directory.hand_over_position(position, None, None, None, "again")


def test_services_check_lengths_sqlite_would_not(app, world):
    with pytest.raises(directory.DirectoryError) as refused:
        directory.update_leader(world.leader, actor=None, name="名" * 61)
    assert refused.value.field == "name" and "60" in str(refused.value)
    with pytest.raises(TypeError):
        directory.update_leader(world.leader, actor=None, nickname="x")


def test_linking_and_unlinking_an_account_is_audited(app, world):
    user = make_user("zhou@example.com")
    member = world.staff
    assert directory.update_staff(member, actor=None, user_email="ZHOU@example.com") == {
        "account": [None, "zhou@example.com"]
    }
    assert member.user is user
    assert directory.update_staff(member, actor=None, user_email="") == {
        "account": ["zhou@example.com", None]
    }
    assert directory.update_staff(member, actor=None, title=member.title) == {}


def test_phones_have_at_least_three_characters_as_in_submission_files(client, admin, world):
    client.login(admin.email)
    response = client.post("/admin/catalog/departments/new", {**DEPARTMENT, "public_phone": "12"})
    assert response.status_code == 422 and 'id="public_phone-error"' in text(response)
    for update in (directory.update_leader, directory.update_staff):
        person = world.leader if update is directory.update_leader else world.staff
        with pytest.raises(directory.DirectoryError) as refused:
            update(person, actor=None, office_phone=" 12 ")
        assert refused.value.field == "office_phone"
    assert directory.update_leader(world.leader, actor=None, office_phone="110") == {
        "office_phone": ["0999-8800 1010", "110"]
    }


def test_photo_changes_are_audited_as_leader_actions(app, world, instance):
    directory.set_leader_photo(world.leader, png((30, 40)), None)
    directory.remove_leader_photo(world.leader, None)
    assert [e.subject_id for e in audit_entries("directory.leader.set_photo")] == [world.leader.id]
    assert [e.subject_id for e in audit_entries("directory.leader.remove_photo")] == [
        world.leader.id
    ]
