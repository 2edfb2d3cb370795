"""``kaimen mail poll`` against a real IMAP server (Dovecot) on loopback.

Dovecot runs as a child of the test with a throw-away configuration (plain-text login on
127.0.0.1, Maildir under a temporary directory). Without ``dovecot`` installed the tests are
skipped, unless KAIMEN_REQUIRE_IMAP or CI asks for them.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from imap_tools import MailBoxUnencrypted

from portal.extensions import db
from portal.mail.inbound.imap import poll
from portal.mail.inbound_models import ImapSeen, InboundMessage, InboundOutcome
from tests.conftest import free_port, required
from tests.portal.mail_inbound.conftest import eml

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "kaimen", "imap-test-password"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={user} gid={user} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("dovecot exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not start listening")


@pytest.fixture(scope="module")
def imap_server():
    if not Path(DOVECOT).exists() or os.geteuid() != 0:
        if required("KAIMEN_REQUIRE_IMAP"):
            pytest.fail("Dovecot is required here (apt-get install dovecot-imapd, run as root)")
        pytest.skip("Dovecot is not installed (or not root): no IMAP server to test against")
    user = "dovecot"
    pwd.getpwnam(user)
    root = Path(tempfile.mkdtemp(prefix="kaimen-imap-"))
    root.chmod(0o755)
    for sub in ("run", "state", "home"):
        (root / sub).mkdir()
    shutil.chown(root / "home", user, user)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, user=user, port=port))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mailbox(app, imap_server):
    app.config.update(
        KAIMEN_MAIL_IMAP_HOST="127.0.0.1",
        KAIMEN_MAIL_IMAP_PORT=imap_server,
        KAIMEN_MAIL_IMAP_SSL=False,
        KAIMEN_MAIL_IMAP_USER=USER,
        KAIMEN_MAIL_IMAP_PASSWORD=PASSWORD,
        KAIMEN_MAIL_IMAP_FOLDER="INBOX",
    )
    box = MailBoxUnencrypted("127.0.0.1", imap_server).login(USER, PASSWORD)
    box.delete(box.uids("ALL"))  # the server lives for the module: start each test empty
    try:
        yield box
    finally:
        box.logout()


@pytest.fixture
def imap_commands(monkeypatch):
    """Every IMAP command the poll sends, as (command, UID sub-command or "")."""
    sent: list[tuple[str, str]] = []
    original = imaplib.IMAP4._command

    def recording(self, name, *args):
        sub = args[0] if name == "UID" and args else ""
        sent.append((name, sub.decode() if isinstance(sub, bytes) else str(sub).upper()))
        return original(self, name, *args)

    monkeypatch.setattr(imaplib.IMAP4, "_command", recording)
    return sent


def test_poll_stores_each_message_once_and_flags_it_seen(app, probe, mailbox, imap_commands):
    mailbox.append(eml("gmail_zh.eml"), "INBOX")
    mailbox.append(eml("auto_reply.eml"), "INBOX")
    imap_commands.clear()
    first = poll()
    sent = list(imap_commands)
    assert first.stored == 2
    assert sent.count(("UID", "FETCH")) == 3  # the sizes of both in one, then each message
    assert sent.count(("UID", "STORE")) == 2
    outcomes = db.session.scalars(
        sa.select(InboundMessage.outcome).order_by(InboundMessage.id)
    ).all()
    assert outcomes == [InboundOutcome.ACCEPTED, InboundOutcome.AUTO_REPLY]
    assert all(row.source == "imap" for row in db.session.scalars(sa.select(InboundMessage)))
    assert bytes(
        db.session.scalars(sa.select(InboundMessage.raw).order_by(InboundMessage.id)).first()
    ).replace(b"\r\n", b"\n") == eml("gmail_zh.eml").replace(b"\r\n", b"\n")
    assert all("\\Seen" in m.flags for m in mailbox.fetch(mark_seen=False))
    # Polling again (say someone marked them unread): nothing stored, fetched or flagged twice.
    mailbox.flag(mailbox.uids("ALL"), "\\Seen", False)
    imap_commands.clear()
    again = poll()
    sent = list(imap_commands)
    assert again.stored == 0
    assert ("UID", "SEARCH") in sent
    assert ("UID", "FETCH") not in sent
    assert ("UID", "STORE") not in sent
    assert not any("\\Seen" in m.flags for m in mailbox.fetch(mark_seen=False))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImapSeen)) == 2
    assert len(probe.calls) == 1


def test_a_later_poll_fetches_only_the_new_message(app, probe, mailbox, imap_commands):
    gmail_id = b"CAFx1y2z3A4B5C6D7E8F9G0H1I2J3K4L5M6N7O8P9Q@mail.gmail.com"
    mailbox.append(eml("gmail_zh.eml").replace(gmail_id, b"first@example.com"), "INBOX")
    assert poll().stored == 1
    mailbox.append(eml("gmail_zh.eml").replace(gmail_id, b"second@example.com"), "INBOX")
    imap_commands.clear()
    report = poll()
    sent = list(imap_commands)
    assert report.stored == 1
    assert sent.count(("UID", "FETCH")) == 2  # its size, then the message
    assert sent.count(("UID", "STORE")) == 1
    highest = max(int(uid) for uid in mailbox.uids("ALL"))
    stored = db.session.scalars(sa.select(ImapSeen.uid).order_by(ImapSeen.uid)).all()
    assert stored == [highest - 1, highest]
    assert db.session.scalars(
        sa.select(InboundMessage.message_id).order_by(InboundMessage.id)
    ).all() == ["<first@example.com>", "<second@example.com>"]
    assert len(probe.calls) == 2


def test_poll_without_a_mailbox_configured_does_nothing(app):
    assert poll().not_configured


@pytest.fixture
def small_limit(app):
    app.config["KAIMEN_INBOUND_MAX_BYTES"] = 1500
    yield 1500


def test_poll_refuses_a_message_over_the_limit_fetching_only_its_headers(
    app, probe, mailbox, imap_commands, small_limit
):
    big = eml("gmail_zh.eml")
    assert len(big) > small_limit
    mailbox.append(big, "INBOX")
    report = poll()
    assert (report.stored, report.refused) == (0, 1)
    inbound = db.session.scalar(sa.select(InboundMessage))
    assert inbound.outcome == InboundOutcome.TOO_LARGE
    assert inbound.raw_size >= len(big) - 50  # the server's size (its line endings)
    head = bytes(inbound.raw)
    assert b"Subject:" in head and "已按规定处理".encode() not in head
    assert inbound.reason_codes[0]["code"] == "too_large"
    assert probe.calls == []
    assert all("\\Seen" in m.flags for m in mailbox.fetch(mark_seen=False))
    assert poll().refused == 0  # refused once, not again
