"""Applicant identities: stored so that a database dump cannot read the numbers, one person per
account, levels that drop on a change, events and audit entries without numbers, the helpers the
application flow calls, and the external provider adapter."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from approvals import identity_confirmations as confirmations
from approvals import identity_crypto as crypto
from approvals import identity_providers as providers
from approvals import identity_services as services
from approvals.identity_models import ApplicantIdentity, IdentityEvent, IdentityEventKind
from disclosure.catalog.online_models import IdentityLevel
from portal.audit import AuditEntry
from portal.config import Config
from portal.extensions import db
from tests.approvals.identity_helpers import (
    AGENT_ID,
    CREDIT_CODE,
    PERSON_ID,
    all_row_values,
    audit_actions,
    contains,
    declare_company,
    declare_person,
)
from tests.conftest import make_user

TABLES = ["applicant_identities", "identity_events", "identity_phone_codes", "audit_entries"]


def test_the_numbers_are_not_in_any_row(citizen, officer):
    person = declare_person(citizen)
    company_user = make_user("company@example.com")
    company = declare_company(company_user)
    confirmations.confirm_at_counter(person, officer, PERSON_ID)
    db.session.commit()
    values = all_row_values(TABLES)
    for number in (PERSON_ID, AGENT_ID, CREDIT_CODE):
        assert not contains(values, number), number
        assert not contains(values, number[:14]), number  # not even most of it
    # What is stored: ciphertext, keyed hash, last four.
    assert person.id_number_last4 == PERSON_ID[-4:]
    assert len(person.id_number_hash) == 64
    assert services.id_number(person) == PERSON_ID
    assert services.id_number(company) == AGENT_ID
    assert services.credit_code(company) == CREDIT_CODE
    assert services.masked_id_number(person) == "3301**********0013"
    assert services.masked_credit_code(company) == "9133**********001Y"
    assert services.masked_last4(company) == "**************001Y"


def test_the_numbers_are_not_in_the_sqlite_file(citizen, backend, database_url):
    if backend != "sqlite":
        pytest.skip("a file to scan exists on SQLite")
    number = "110101198001010010"  # declared by no other test: no stale page can hold it
    declare_person(citizen, number)
    db.session.remove()
    path = Path(database_url.removeprefix("sqlite:///"))
    contents = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert b"\xe5\xbc\xa0\xe4\xb8\x89" in contents  # the real name (张三) is there: the scan works
    assert number.encode() not in contents
    assert number.encode("utf-16-le") not in contents


def test_a_ciphertext_is_bound_to_its_row(citizen):
    first = declare_person(citizen)
    other = declare_person(make_user("other@example.com"), "440304199912310023", "王五")
    first.id_number_cipher = other.id_number_cipher
    with pytest.raises(crypto.IdentityKeyError):
        services.id_number(first)


def test_keys_come_from_the_environment_or_from_secret_key(app):
    assert Config.from_env({"KAIMEN_IDENTITY_KEY": "k" * 40})["KAIMEN_IDENTITY_KEY"] == "k" * 40
    assert Config.from_env({})["KAIMEN_IDENTITY_KEY"] is None
    from_secret = {"SECRET_KEY": "s" * 32}
    own_key = {"SECRET_KEY": "s" * 32, "KAIMEN_IDENTITY_KEY": "k" * 40}
    sealed = crypto.encrypt(PERSON_ID, "p", config=from_secret)
    assert crypto.decrypt(sealed, "p", config=from_secret) == PERSON_ID
    with pytest.raises(crypto.IdentityKeyError):
        crypto.decrypt(sealed, "p", config=own_key)
    with pytest.raises(crypto.IdentityKeyError):
        crypto.decrypt(sealed, "q", config=from_secret)
    assert crypto.keyed_hash("id", PERSON_ID, config=from_secret) != crypto.keyed_hash(
        "id", PERSON_ID, config=own_key
    )
    # The derived keys are neither the secret nor each other.
    enc, look = crypto._keys(from_secret)
    assert enc != look and b"s" * 32 not in (enc, look)
    with pytest.raises(crypto.IdentityKeyError):
        crypto.encrypt("x", "p", config={})


def test_declaring_starts_at_email_and_is_audited(citizen):
    identity = declare_person(citizen)
    assert identity.level == IdentityLevel.EMAIL
    assert services.identity_for(citizen) is identity
    assert services.identity_satisfies(citizen, IdentityLevel.EMAIL)
    assert not services.identity_satisfies(citizen, IdentityLevel.PHONE)
    assert [e.kind for e in identity.events] == [IdentityEventKind.DECLARED]
    assert identity.events[0].actor_id == citizen.id
    assert audit_actions(identity.id) == ["identity.declared"]


def test_an_unverified_account_cannot_declare(app):
    user = make_user("unverified@example.com", verified=False)
    with pytest.raises(services.IdentityError):
        services.declare(user, services.validate_declaration("person", "张三", PERSON_ID))
    assert not services.identity_satisfies(user, IdentityLevel.EMAIL)


def test_one_account_per_person_but_several_for_a_company(citizen):
    declare_person(citizen)
    other = make_user("other@example.com")
    with pytest.raises(services.IdentityError) as error:
        services.declare(other, services.validate_declaration("person", "张三", PERSON_ID))
    assert error.value.field == "id_number"
    db.session.rollback()
    declare_company(make_user("a@example.com"))
    declare_company(make_user("b@example.com"))  # another acting person's account, same company
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicantIdentity)) == 3


def test_the_database_refuses_a_second_identity_for_one_account(citizen):
    declare_person(citizen)
    db.session.add(
        ApplicantIdentity(
            user_id=citizen.id,
            kind="person",
            real_name="x",
            id_number_cipher=b"x",
            id_number_hash="0" * 64,
            id_number_last4="0000",
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("kind", ("robot", "张三", PERSON_ID)),
        ("real_name", ("person", "  ", PERSON_ID)),
        ("id_number", ("person", "张三", "330106198507150014")),
        ("company_name", ("company", "李四", AGENT_ID, "", CREDIT_CODE)),
        ("credit_code", ("company", "李四", AGENT_ID, "某公司", "91330106MA2B00001Z")),
        ("credit_code", ("company", "李四", AGENT_ID, "某公司", "91330106MA2B00001X")),
    ],
)
def test_validation_names_the_field(app, field, args):
    with pytest.raises(services.IdentityError) as error:
        services.validate_declaration(*args)
    assert error.value.field == field


def test_a_change_drops_the_counter_confirmation_and_keeps_the_phone(citizen, officer):
    identity = declare_person(citizen)
    identity.phone, identity.phone_verified_at = "13800000000", identity.declared_at
    confirmations.confirm_at_counter(identity, officer, PERSON_ID)
    db.session.commit()
    assert identity.level == IdentityLevel.COUNTER
    assert identity.level_confirmed_by_id == officer.id
    assert services.identity_satisfies(citizen, IdentityLevel.COUNTER)

    # Nothing changed: nothing recorded.
    same = services.validate_declaration("person", "张三", PERSON_ID)
    assert services.change(identity, same, citizen) == []

    changed = services.change(
        identity, services.validate_declaration("person", "张 三", PERSON_ID), citizen
    )
    db.session.commit()
    assert changed == ["real_name"]
    assert identity.level == IdentityLevel.PHONE  # what is still true
    assert identity.counter_confirmed_at is None and identity.phone == "13800000000"
    event = identity.events[-1]
    assert (event.kind, event.level_before, event.level_after) == (
        IdentityEventKind.CHANGED,
        IdentityLevel.COUNTER,
        IdentityLevel.PHONE,
    )
    assert audit_actions(identity.id) == [
        "identity.declared",
        "identity.counter_confirmed",
        "identity.changed",
    ]
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "identity.changed")
    ).one()
    assert entry.data["fields"] == ["real_name"]
    assert entry.data["level_before"] == "counter" and entry.data["level_after"] == "phone"


def test_a_person_becomes_a_company(citizen):
    identity = declare_person(citizen)
    declaration = services.validate_declaration("company", "张三", PERSON_ID, "某公司", CREDIT_CODE)
    assert services.change(identity, declaration, citizen) == [
        "kind",
        "company_name",
        "credit_code",
    ]
    assert identity.person_key is None and identity.credit_code_last4 == "001Y"


def test_counter_confirmation_needs_the_papers(citizen, officer):
    identity = declare_company(citizen)
    assert not confirmations.papers_match(identity, AGENT_ID, None)
    assert not confirmations.papers_match(identity, PERSON_ID, CREDIT_CODE)
    assert confirmations.papers_match(identity, AGENT_ID.lower(), f" {CREDIT_CODE.lower()} ")
    with pytest.raises(services.IdentityError):
        confirmations.confirm_at_counter(identity, officer, AGENT_ID, "91350100M000100Y43")
    confirmations.confirm_at_counter(identity, officer, AGENT_ID, CREDIT_CODE, note="营业执照原件")
    db.session.commit()
    assert identity.level == IdentityLevel.COUNTER
    assert identity.counter_confirmed_by_id == officer.id
    assert identity.events[-1].note == "营业执照原件"


def test_revoking(citizen):
    identity = declare_person(citizen)
    services.revoke(identity, citizen, "不再使用")
    db.session.commit()
    assert services.identity_for(citizen) is None
    assert not services.identity_satisfies(citizen, IdentityLevel.EMAIL)
    # The number is free again, and the account may declare once more.
    declare_person(make_user("other@example.com"))
    again = declare_person(citizen, "440304199912310023", "王五")
    assert again.id == identity.id and not again.is_revoked
    kinds = [
        e.kind for e in db.session.scalars(sa.select(IdentityEvent).order_by(IdentityEvent.id))
    ]
    assert kinds.count(IdentityEventKind.DECLARED) == 3 and IdentityEventKind.REVOKED in kinds


def test_satisfies_asks_for_a_verified_active_account(citizen):
    identity = declare_person(citizen)
    assert services.identity_satisfies(citizen, "email")
    citizen.email_verified_at = None
    assert not services.identity_satisfies(citizen, IdentityLevel.EMAIL)
    citizen.email_verified_at = identity.declared_at
    citizen.is_active = False
    assert not services.identity_satisfies(citizen, IdentityLevel.EMAIL)
    assert not services.identity_satisfies(None, IdentityLevel.EMAIL)


def test_no_audit_entry_or_event_holds_a_number(citizen, officer):
    identity = declare_company(citizen)
    confirmations.confirm_at_counter(identity, officer, AGENT_ID, CREDIT_CODE)
    services.revoke(identity, officer, "核查不符")
    db.session.commit()
    values = all_row_values(["audit_entries", "identity_events"])
    for number in (AGENT_ID, CREDIT_CODE):
        assert not contains(values, number)


class FakeProvider:
    def __init__(self, confirmed: bool):
        self.confirmed = confirmed
        self.claims = []

    def verify(self, claim):
        self.claims.append(claim)
        return providers.ProviderAnswer(self.confirmed, reference="T-42")


def test_an_external_provider_through_the_adapter(citizen):
    identity = declare_person(citizen)
    refusing, confirming = FakeProvider(False), FakeProvider(True)
    providers.register_provider("no", refusing)
    providers.register_provider("yes", confirming)
    try:
        assert providers.verify_with("no", identity) is False
        assert identity.level == IdentityLevel.EMAIL
        assert providers.verify_with("yes", identity) is True
        assert confirming.claims[0].id_number == PERSON_ID
        assert identity.level == IdentityLevel.EXTERNAL and identity.external_provider == "yes"
        assert audit_actions(identity.id)[-1] == "identity.external_confirmed"
        with pytest.raises(LookupError):
            providers.verify_with("none", identity)
    finally:
        providers.unregister_provider("no")
        providers.unregister_provider("yes")
    assert "yes" not in providers.providers()
