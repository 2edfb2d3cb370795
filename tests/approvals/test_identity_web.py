"""The identity pages: declaring with field-level errors and nothing lost, the number masked on the
page and never in a URL, changing, CSRF, permissions, and the officer's counter confirmation."""

from __future__ import annotations

import re

import sqlalchemy as sa

from approvals import identity_confirmations as confirmations
from approvals import identity_services as services
from approvals.identity_models import ApplicantIdentity
from disclosure.catalog.online_models import IdentityLevel
from portal.audit import AuditEntry
from portal.extensions import db
from tests.approvals.identity_helpers import (
    AGENT_ID,
    CREDIT_CODE,
    PERSON_ID,
    audit_actions,
    declare_company,
    declare_person,
)
from tests.conftest import make_user

PAGE = "/approvals/identity"
COUNTER = "/approvals/identity/counter"


def identity_of(user) -> ApplicantIdentity | None:
    return db.session.scalar(
        sa.select(ApplicantIdentity).where(ApplicantIdentity.user_id == user.id)
    )


def test_a_visitor_is_sent_to_log_in(client):
    for url in (PAGE, COUNTER):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.location


def test_an_account_whose_email_is_not_verified_gets_403(client, citizen):
    client.login(citizen.email)
    citizen.email_verified_at = None  # e.g. the address changed since signing in
    db.session.commit()
    response = client.get(PAGE)
    assert response.status_code == 403
    response = client.post(PAGE, {"kind": "person", "real_name": "张三", "id_number": PERSON_ID})
    assert response.status_code == 403
    assert identity_of(citizen) is None


def test_a_citizen_gets_403_on_the_counter(client, citizen):
    client.login(citizen.email)
    assert client.get(COUNTER).status_code == 403
    assert client.post(COUNTER, {"email": citizen.email}).status_code == 403
    assert client.post(f"{COUNTER}/{citizen.id}/check", {"id_number": PERSON_ID}).status_code == 403
    assert (
        client.post(f"{COUNTER}/{citizen.id}/confirm", {"id_number": PERSON_ID}).status_code == 403
    )


def test_declaring_a_person(client, citizen):
    client.login(citizen.email)
    page = client.get(PAGE)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store, private"
    response = client.post(
        PAGE,
        {
            "kind": "person",
            "real_name": "张三",
            "id_number": "３３０１０６１９８５０７１５００１３",
        },
    )
    assert response.status_code == 302 and PERSON_ID not in response.location
    identity = identity_of(citizen)
    assert identity.real_name == "张三" and identity.level == IdentityLevel.EMAIL
    html = client.get(PAGE).get_data(as_text=True)
    assert "3301**********0013" in html
    assert PERSON_ID not in html
    assert audit_actions(identity.id) == ["identity.declared"]


def test_errors_are_on_the_fields_and_nothing_is_lost(client, citizen):
    client.login(citizen.email)
    response = client.post(
        PAGE,
        {
            "kind": "company",
            "real_name": "李四",
            "id_number": AGENT_ID,
            "company_name": "杭州开门科技有限公司",
            "credit_code": "91330106MA2B0000IY",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="credit_code-error"' in html and "I, O, Z, S" in html.replace("，", ", ")
    assert 'value="杭州开门科技有限公司"' in html and 'value="李四"' in html
    assert re.search(r'value="company"[^>]*checked|checked[^>]*value="company"', html)
    assert identity_of(citizen) is None

    response = client.post(
        PAGE, {"kind": "person", "real_name": "张三", "id_number": "330106198507150014"}
    )
    assert response.status_code == 400
    assert 'id="id_number-error"' in response.get_data(as_text=True)
    assert identity_of(citizen) is None


def test_a_post_without_csrf_is_refused(client, citizen):
    client.login(citizen.email)
    response = client.post(
        PAGE, {"kind": "person", "real_name": "张三", "id_number": PERSON_ID}, csrf=False
    )
    assert response.status_code == 400
    assert identity_of(citizen) is None
    declare_person(citizen)
    for url, data in [
        (f"{PAGE}/phone", {"phone": "13800000000"}),
        (f"{PAGE}/phone/verify", {"code": "123456"}),
        (f"{PAGE}/withdraw", {}),
    ]:
        assert client.post(url, data, csrf=False).status_code == 400, url


def test_changing_drops_the_counter_level(client, citizen, officer):
    identity = declare_person(citizen)
    confirmations.confirm_at_counter(identity, officer, PERSON_ID)
    db.session.commit()
    client.login(citizen.email)
    html = client.get(PAGE).get_data(as_text=True)
    assert "3301**********0013" in html
    # The number left empty keeps the declared one; the name changes.
    response = client.post(PAGE, {"kind": "person", "real_name": "张叁", "id_number": ""})
    assert response.status_code == 302
    identity = identity_of(citizen)
    assert identity.real_name == "张叁" and identity.level == IdentityLevel.EMAIL
    assert services.id_number(identity) == PERSON_ID
    assert audit_actions(identity.id)[-1] == "identity.changed"


def test_withdrawing(client, citizen):
    declare_person(citizen)
    client.login(citizen.email)
    assert client.post(f"{PAGE}/withdraw").status_code == 302
    assert identity_of(citizen).is_revoked
    assert "3301**********0013" not in client.get(PAGE).get_data(as_text=True)


def test_the_counter_flow_for_a_person(client, citizen, officer):
    identity = declare_person(citizen)
    client.login(officer.email)
    assert client.get(COUNTER).status_code == 200

    found = client.post(COUNTER, {"email": citizen.email.upper()})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert "张三" in html and "**************0013" in html and PERSON_ID not in html

    wrong = client.post(f"{COUNTER}/{citizen.id}/check", {"id_number": "440304199912310023"})
    assert wrong.status_code == 400
    assert PERSON_ID not in wrong.get_data(as_text=True)

    checked = client.post(f"{COUNTER}/{citizen.id}/check", {"id_number": PERSON_ID.lower()})
    assert checked.status_code == 200
    assert f'<strong class="full-number">{PERSON_ID}</strong>' in checked.get_data(as_text=True)

    # The confirmation carries the typed number and checks it again.
    forged = client.post(f"{COUNTER}/{citizen.id}/confirm", {"id_number": "440304199912310023"})
    assert forged.status_code == 400
    assert identity_of(citizen).level == IdentityLevel.EMAIL

    confirmed = client.post(
        f"{COUNTER}/{citizen.id}/confirm", {"id_number": PERSON_ID, "note": "身份证原件"}
    )
    assert confirmed.status_code == 302 and PERSON_ID not in confirmed.location
    identity = identity_of(citizen)
    assert identity.level == IdentityLevel.COUNTER
    assert identity.counter_confirmed_by_id == officer.id
    assert audit_actions(identity.id) == [
        "identity.declared",
        "identity.papers_checked",
        "identity.counter_confirmed",
    ]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "identity.counter_confirmed")
    ).one()
    assert entry.actor_id == officer.id
    assert services.identity_satisfies(citizen, IdentityLevel.COUNTER)


def test_the_counter_flow_for_a_company(client, officer):
    applicant = make_user("company@example.com")
    declare_company(applicant)
    client.login(officer.email)
    html = client.post(COUNTER, {"email": applicant.email}).get_data(as_text=True)
    assert "杭州开门科技有限公司" in html and CREDIT_CODE not in html
    # The ID card alone is not enough for a company: the business licence too.
    assert (
        client.post(f"{COUNTER}/{applicant.id}/check", {"id_number": AGENT_ID}).status_code == 400
    )
    checked = client.post(
        f"{COUNTER}/{applicant.id}/check", {"id_number": AGENT_ID, "credit_code": CREDIT_CODE}
    )
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    assert CREDIT_CODE in html and AGENT_ID in html
    confirmed = client.post(
        f"{COUNTER}/{applicant.id}/confirm", {"id_number": AGENT_ID, "credit_code": CREDIT_CODE}
    )
    assert confirmed.status_code == 302
    assert identity_of(applicant).level == IdentityLevel.COUNTER


def test_the_counter_for_unknown_accounts(client, officer):
    client.login(officer.email)
    assert client.post(COUNTER, {"email": "nobody@example.com"}).status_code == 404
    assert client.post(f"{COUNTER}/99999/check", {"id_number": PERSON_ID}).status_code == 404
    html = client.post(COUNTER, {"email": officer.email}).get_data(as_text=True)
    assert "declared no identity" in html or "未" in html
