"""Chinese by default, English on request and remembered; times in Beijing time; catalogues complete."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.accounts.models import User
from portal.extensions import db

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "portal" / "translations"


def test_chinese_is_the_default(client):
    page = client.get("/account/login").get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in page
    assert "登录" in page and "Log in" not in page


def test_english_is_chosen_and_remembered(client):
    response = client.post("/language", {"locale": "en", "next": "/account/register"})
    assert response.status_code == 302 and response.location == "/account/register"
    cookie = response.headers["Set-Cookie"]
    assert "kaimen_lang=en" in cookie and "HttpOnly" in cookie and "Max-Age=31536000" in cookie
    page = client.get("/account/register").get_data(as_text=True)
    assert '<html lang="en">' in page and "Register" in page
    # Still English on another page, and back to Chinese on request.
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.post("/language", {"locale": "zh_Hans_CN", "next": "/"})
    assert '<html lang="zh-Hans-CN">' in client.get("/").get_data(as_text=True)


def test_language_choice_is_saved_on_the_account(client, citizen):
    client.login(citizen.email)
    client.post("/language", {"locale": "en", "next": "/"})
    db.session.refresh(citizen)
    assert citizen.locale == "en"
    # A new browser (no cookie) gets the account's language after logging in.
    from tests.conftest import Client

    other = Client(client.app)
    other.login(citizen.email)
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)


def test_language_switch_refuses_unknown_languages_and_foreign_next(client):
    assert client.post("/language", {"locale": "klingon"}).status_code == 400
    response = client.post("/language", {"locale": "en", "next": "https://evil.example/"})
    assert response.location == "/"


def test_language_switch_needs_csrf(client):
    assert client.post("/language", {"locale": "en"}, csrf=False).status_code == 400


def test_times_are_shown_in_asia_shanghai(client, admin):
    user = db.session.get(User, admin.id)
    user.created_at = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)  # 00:30 the next day in Beijing
    db.session.commit()
    client.login(admin.email)
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "2026年11月27日 00:30" in page


def test_mail_is_written_in_the_readers_language(client):
    from tests.portal.test_accounts import outbox, register

    register(client, email="zh@example.com")
    client.post("/language", {"locale": "en", "next": "/"})
    register(client, email="en@example.com")
    zh_mail, en_mail = outbox("verify_email")
    assert "验证" in zh_mail.subject
    assert "Verify" in en_mail.subject


def _key(message_id):
    """Plural entries have (singular, plural) ids."""
    return tuple(message_id) if isinstance(message_id, list | tuple) else message_id


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_catalogue_is_complete_and_compiled(locale, tmp_path):
    """Every message in the code and templates has a translation, and the .mo shipped is current."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        wanted = {_key(message.id) for message in read_po(handle) if message.id}
    po_path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {
        m.id
        for m in catalogue
        if m.id
        and m.string
        and not m.fuzzy
        and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(str(i) for i in wanted - translated)
    assert not missing, f"untranslated in {locale}: {missing} — run scripts/update-translations"

    compiled = tmp_path / "messages.mo"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-i", str(po_path),
         "-o", str(compiled), "-l", locale],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    from babel.messages.mofile import read_mo

    shipped = po_path.with_suffix(".mo")
    with compiled.open("rb") as fresh, shipped.open("rb") as old:
        hashable = lambda v: tuple(v) if isinstance(v, list | tuple) else v  # noqa: E731 (plurals)
        as_dict = lambda cat: {hashable(m.id): hashable(m.string) for m in cat if m.id}  # noqa: E731
        assert as_dict(read_mo(fresh)) == as_dict(read_mo(old)), "messages.mo is stale: recompile"
