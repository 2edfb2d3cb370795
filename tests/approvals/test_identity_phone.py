"""Confirming a phone by SMS code through the kernel's gateway (``log`` backend): the code is
kept hashed, expires after ten minutes, allows five tries, and is not resent within a minute
nor more than five times an hour."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from approvals import identity_phone as phone
from approvals import identity_services as services
from approvals.identity_models import IdentityEvent, IdentityEventKind, PhoneCode
from disclosure.catalog.online_models import IdentityLevel
from portal.db import utcnow
from portal.extensions import db
from tests.approvals.identity_helpers import (
    audit_actions,
    declare_person,
)

PAGE = "/approvals/identity"
PHONE = "13800000000"


def sent_codes(caplog) -> list[str]:
    return [
        match.group(1)
        for record in caplog.records
        if record.name == "kaimen.sms" and PHONE in record.getMessage()
        for match in [re.search(r"\b(\d{6})\b", record.getMessage())]
        if match
    ]


def codes() -> list[PhoneCode]:
    return list(db.session.scalars(sa.select(PhoneCode).order_by(PhoneCode.id)))


def age_codes(by: timedelta) -> None:
    for row in codes():
        row.created_at -= by
        row.expires_at -= by
    db.session.commit()


@pytest.fixture
def signed_in(client, citizen):
    identity = declare_person(citizen)
    client.login(citizen.email)
    return identity


def test_the_phone_is_confirmed_with_the_code(client, citizen, signed_in, caplog):
    with caplog.at_level("INFO", logger="kaimen.sms"):
        response = client.post(f"{PAGE}/phone", {"phone": "+86 138 0000 0000"})
    assert response.status_code == 302
    [code] = sent_codes(caplog)
    [row] = codes()
    assert row.phone == PHONE and code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    assert "138****0000" in client.get(PAGE).get_data(as_text=True)

    response = client.post(f"{PAGE}/phone/verify", {"code": code})
    assert response.status_code == 302
    identity = services.identity_for(citizen)
    assert identity.level == IdentityLevel.PHONE and identity.phone == PHONE
    assert services.identity_satisfies(citizen, IdentityLevel.PHONE)
    assert not services.identity_satisfies(citizen, IdentityLevel.COUNTER)
    assert audit_actions(identity.id) == [
        "identity.declared",
        "identity.phone_code_sent",
        "identity.phone_verified",
    ]
    kinds = list(db.session.scalars(sa.select(IdentityEvent.kind).order_by(IdentityEvent.id)))
    assert kinds[-1] == IdentityEventKind.PHONE_VERIFIED
    # A used code does not work twice.
    response = client.post(f"{PAGE}/phone/verify", {"code": code})
    assert response.status_code == 200 and "Ask for a code first" in response.get_data(as_text=True)


def test_a_wrong_number_is_refused(client, signed_in):
    response = client.post(f"{PAGE}/phone", {"phone": "0571-87654321"})
    assert response.status_code == 400
    assert 'id="phone-error"' in response.get_data(as_text=True)
    assert codes() == []


def test_an_expired_code(client, citizen, signed_in, caplog):
    with caplog.at_level("INFO", logger="kaimen.sms"):
        client.post(f"{PAGE}/phone", {"phone": PHONE})
    [code] = sent_codes(caplog)
    age_codes(timedelta(minutes=10, seconds=1))
    response = client.post(f"{PAGE}/phone/verify", {"code": code})
    assert "expired" in response.get_data(as_text=True)
    assert services.identity_for(citizen).level == IdentityLevel.EMAIL


def test_five_wrong_codes_use_the_code_up(client, citizen, signed_in, caplog):
    with caplog.at_level("INFO", logger="kaimen.sms"):
        client.post(f"{PAGE}/phone", {"phone": PHONE})
    [code] = sent_codes(caplog)
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, 6):
        response = client.post(f"{PAGE}/phone/verify", {"code": wrong})
        assert response.status_code == 200
        assert codes()[0].attempts == attempt  # each try is kept, whatever the answer
    assert "Too many wrong codes" in response.get_data(as_text=True)
    response = client.post(f"{PAGE}/phone/verify", {"code": code})
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert services.identity_for(citizen).level == IdentityLevel.EMAIL


def test_codes_are_not_resent_too_often(client, signed_in, caplog):
    with caplog.at_level("INFO", logger="kaimen.sms"):
        assert client.post(f"{PAGE}/phone", {"phone": PHONE}).status_code == 302
        again = client.post(f"{PAGE}/phone", {"phone": PHONE})
        assert again.status_code == 429
        assert len(codes()) == 1
        for _ in range(4):
            age_codes(timedelta(seconds=61))
            assert client.post(f"{PAGE}/phone", {"phone": PHONE}).status_code == 302
        age_codes(timedelta(seconds=61))
        assert client.post(f"{PAGE}/phone", {"phone": PHONE}).status_code == 429  # 6th this hour
        assert len(codes()) == 5
        age_codes(timedelta(hours=1))
        assert client.post(f"{PAGE}/phone", {"phone": PHONE}).status_code == 302
    assert len(sent_codes(caplog)) == 6


def test_only_the_latest_code_counts(citizen, signed_in, caplog):
    identity = signed_in
    now = utcnow()
    with caplog.at_level("INFO", logger="kaimen.sms"):
        phone.send_phone_code(identity, PHONE, now=now - timedelta(minutes=2))
        phone.send_phone_code(identity, PHONE, now=now)
    first, second = sent_codes(caplog)
    if first != second:
        with pytest.raises(services.IdentityError):
            phone.verify_phone_code(identity, first, now=now)
    phone.verify_phone_code(identity, second, now=now)
    assert identity.level == IdentityLevel.PHONE


def test_a_gateway_failure_keeps_nothing(client, app, signed_in):
    app.config.update(KAIMEN_SMS_BACKEND="http", KAIMEN_SMS_URL="http://127.0.0.1:9/sms")
    response = client.post(f"{PAGE}/phone", {"phone": PHONE})
    assert response.status_code == 503
    assert codes() == []
