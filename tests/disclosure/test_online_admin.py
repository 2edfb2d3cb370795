"""Administrators edit an item's online offer on the web: the offer, fields, materials; every
change audited and one version more; others get 403; posts without CSRF are refused."""

from __future__ import annotations

import html

import pytest

from disclosure.catalog.models import ApprovalItem
from disclosure.catalog.online_models import ApplicantKind, FieldType, IdentityLevel
from portal.accounts.models import Role
from portal.extensions import db
from tests.conftest import make_user
from tests.disclosure.admin_world import audit_entries, edits_recorded, text
from tests.disclosure.admin_world import instance as instance  # the fixtures
from tests.disclosure.admin_world import world as world

OFFER = {
    "enabled": "y",
    "applicant_kind": "company",
    "identity_level": "phone",
    "statutory_limit_days": "20",
    "promised_limit_days": "",
}
FIELD = {
    "key": "company_name",
    "label_zh": "单位名称",
    "label_en": "Name of the company",
    "type": "text",
    "required": "y",
    "max_length": "100",
}
MATERIAL = {
    "name": "营业执照",
    "required": "y",
    "accepted_types": ["pdf", "jpg"],
    "max_mb": "5",
    "note": "原件扫描",
    "template": "0",
}


def login(client, user) -> None:
    client.login(user.email)
    client.post("/language", {"locale": "en", "next": "/"})


def offer_of(world):
    item = db.session.get(ApprovalItem, world.item.id)
    db.session.refresh(item)
    return item.online


def test_an_administrator_builds_the_offer_field_by_field(client, world, admin):
    login(client, admin)
    base = f"/admin/catalog/items/{world.item.id}/online"
    page = text(client.get(base))
    assert 'aria-current="page"' in page and "has no online offer yet" in page

    response = client.post(base, OFFER)
    assert response.status_code == 302
    offer = offer_of(world)
    assert offer.enabled and offer.version == 1
    assert offer.applicant_kind == ApplicantKind.COMPANY
    assert offer.identity_level == IdentityLevel.PHONE and offer.promised_limit_days is None
    assert audit_entries("catalog.online.create")[0].data["changes"]["enabled"] == [None, True]

    assert client.post(base, OFFER).status_code == 302  # the same again: no new version
    assert offer_of(world).version == 1 and not audit_entries("catalog.online.update")

    assert client.post(f"{base}/fields/new", FIELD).status_code == 302
    second = {**FIELD, "key": "credit_code", "label_zh": "统一社会信用代码", "type": "credit_code"}
    del second["max_length"]
    assert client.post(f"{base}/fields/new", second).status_code == 302
    offer = offer_of(world)
    assert [f.key for f in offer.fields] == ["company_name", "credit_code"]
    assert offer.fields[0].max_length == 100 and offer.fields[1].type == FieldType.CREDIT_CODE
    assert offer.version == 3

    # Move the second up, edit it, remove the first.
    second_id, first_id = offer.fields[1].id, offer.fields[0].id
    move = f"/admin/catalog/online/fields/{second_id}/move"
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert [f.key for f in offer_of(world).fields] == ["credit_code", "company_name"]
    edit = {**second, "label_zh": "信用代码", "help_zh": "18 位"}
    assert client.post(f"/admin/catalog/online/fields/{second_id}", edit).status_code == 302
    assert client.post(f"/admin/catalog/online/fields/{first_id}/delete").status_code == 302
    offer = offer_of(world)
    assert [(f.key, f.label_zh, f.help_zh) for f in offer.fields] == [
        ("credit_code", "信用代码", "18 位")
    ]
    assert offer.version == 6
    for action in ("create", "move", "update", "delete"):
        assert audit_entries(f"catalog.online_field.{action}"), action
    assert audit_entries("catalog.online_field.move")[0].data["changes"]["version"] == [3, 4]

    # A material whose template is the item's form.
    material = {**MATERIAL, "template": str(world.form.id)}
    assert client.post(f"{base}/materials/new", material).status_code == 302
    offer = offer_of(world)
    (licence,) = offer.materials
    assert licence.accepted_types == ["pdf", "jpg"] and licence.template_form_id == world.form.id
    assert licence.max_bytes == 5 * 1024 * 1024 and offer.version == 7
    assert audit_entries("catalog.online_material.create")[0].data["version"] == 7

    # The public page shows it all.
    page = html.unescape(text(client.get(f"/catalog/items/{world.item.code}")))
    assert "Name of the company" in page and "营业执照" in page and "原件扫描" in page
    assert f"/catalog/forms/{world.form.id}" in page


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"type": "choice", "max_length": ""}, "choices", "needs its choices"),
        ({"type": "date"}, "max_length", "only on a text field"),
        ({"key": "Company"}, "key", "is not valid"),
        ({"min_value": "abc", "type": "number", "max_length": ""}, "min_value", "a number"),
        ({"min_value": "10", "max_value": "2", "type": "number", "max_length": ""},
         "max_value", "smaller than the smallest"),
        ({"label_zh": ""}, "label_zh", "this is required"),
    ],
)  # fmt: skip
def test_a_refused_field_says_why_and_keeps_what_was_typed(
    client, world, admin, change, field, words
):
    login(client, admin)
    base = f"/admin/catalog/items/{world.item.id}/online"
    before = edits_recorded()
    sent = {**FIELD, "help_zh": "我输入的帮助文字", **change}
    response = client.post(f"{base}/fields/new", sent)
    assert response.status_code == 422
    page = html.unescape(text(response))
    assert words in page and "我输入的帮助文字" in page
    assert f'id="{field}-error"' in page or f'href="#{field}"' in page
    assert edits_recorded() == before and offer_of(world) is None


def test_a_duplicate_key_or_material_name_and_a_bad_size_are_refused(client, world, admin):
    login(client, admin)
    base = f"/admin/catalog/items/{world.item.id}/online"
    assert client.post(f"{base}/fields/new", FIELD).status_code == 302
    response = client.post(f"{base}/fields/new", {**FIELD, "label_zh": "别的"})
    assert response.status_code == 422 and "keys must differ" in text(response)
    assert client.post(f"{base}/materials/new", MATERIAL).status_code == 302
    response = client.post(f"{base}/materials/new", MATERIAL)
    assert response.status_code == 422 and "already asks for a material" in text(response)
    response = client.post(f"{base}/materials/new", {**MATERIAL, "name": "图", "max_mb": "0"})
    assert response.status_code == 422
    response = client.post(
        f"{base}/materials/new", {**MATERIAL, "name": "图", "accepted_types": ["exe"]}
    )
    assert response.status_code == 422 and "unknown type of file exe" in text(response)
    response = client.post(base, {**OFFER, "promised_limit_days": "30"})
    assert response.status_code == 422 and "longer than the statutory one" in text(response)
    assert offer_of(world).version == 2


def paths(world, client, admin) -> tuple[list[str], list[str]]:
    """The pages and post-only addresses of the online editor, with a field and a material."""
    login(client, admin)
    base = f"/admin/catalog/items/{world.item.id}/online"
    client.post(base, OFFER)
    client.post(f"{base}/fields/new", FIELD)
    client.post(f"{base}/materials/new", MATERIAL)
    offer = offer_of(world)
    field, material = offer.fields[0].id, offer.materials[0].id
    client.logout()
    pages = [
        base,
        f"{base}/fields/new",
        f"/admin/catalog/online/fields/{field}",
        f"{base}/materials/new",
        f"/admin/catalog/online/materials/{material}",
    ]
    posts = [
        f"/admin/catalog/online/fields/{field}/move",
        f"/admin/catalog/online/fields/{field}/delete",
        f"/admin/catalog/online/materials/{material}/move",
        f"/admin/catalog/online/materials/{material}/delete",
    ]
    return pages, posts


@pytest.mark.parametrize("role", [None, Role.OFFICER, Role.SUPERVISOR])
def test_everyone_but_administrators_gets_403(client, world, admin, role):
    pages, posts = paths(world, client, admin)
    make_user("someone@example.com", roles={role} if role else set())
    client.login("someone@example.com")
    before = (edits_recorded(), offer_of(world).version)
    for path in pages:
        assert client.get(path).status_code == 403, path
    for path in pages + posts:
        data = {**OFFER, **FIELD, "direction": "up"}
        assert client.post(path, data).status_code == 403, path
    assert (edits_recorded(), offer_of(world).version) == before


def test_posts_without_csrf_are_refused_and_change_nothing(client, world, admin):
    pages, posts = paths(world, client, admin)
    login(client, admin)
    before = (edits_recorded(), offer_of(world).version)
    for path in pages + posts:
        data = {**OFFER, **FIELD, "label_zh": "改了", "direction": "down"}
        assert client.post(path, data, csrf=False).status_code == 400, path
    assert (edits_recorded(), offer_of(world).version) == before
    assert offer_of(world).fields[0].label_zh == "单位名称"
