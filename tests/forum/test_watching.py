"""Watching threads: the button, automatic watching of what one writes, batched reply digests
(one email per watcher and run, hidden/held/own posts left out), and one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from forum import moderation, services
from forum.digest import MAX_LISTED, send_digests
from forum.models import Post
from forum.trust import waived
from forum.watching import (
    ThreadWatch,
    is_watching,
    unsubscribe_token,
    unwatch,
    watch,
    watcher_ids,
)
from portal.accounts.models import Role
from portal.extensions import db
from portal.mail.dispatch import dispatch_due
from portal.mail.models import OutboundMessage
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread


@pytest.fixture
def people(app):
    people = {
        "author": make_user("author@example.com", name="楼主"),
        "watcher": make_user("watcher@example.com", name="围观者"),
        "replier": make_user("replier@example.com", name="回帖人"),
    }
    # The emails are read in English, as the pages are (tests/forum/conftest.py).
    for user in people.values():
        user.locale = "en"
    db.session.commit()
    return people


@pytest.fixture
def thread(people):
    # New accounts' posts would be held for approval (forum.trust): these are trusted writers.
    with waived():
        return make_thread(make_board(), people["author"])


def digests() -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboundMessage)
            .where(OutboundMessage.kind == "forum_digest")
            .order_by(OutboundMessage.id)
        )
    )


def to(message: OutboundMessage) -> str:
    (address,) = message.recipients
    return address


def floors_in(message: OutboundMessage) -> list[int]:
    return [int(floor) for floor in re.findall(r"^#(\d+) ", message.body_text, re.M)]


def reply(thread, user, text="回复"):
    with waived():
        post = services.reply(thread, user, text)
    db.session.commit()
    return post


# --- the API and automatic watching -----------------------------------------------------------


def test_writing_in_a_thread_watches_it(thread, people):
    assert is_watching(people["author"], thread)
    assert not is_watching(people["replier"], thread)
    reply(thread, people["replier"])
    assert is_watching(people["replier"], thread)
    assert watcher_ids(thread.id) == [people["author"].id, people["replier"].id]


def test_watch_is_idempotent_and_unwatch_stops_it(thread, people):
    watcher = people["watcher"]
    watch(watcher, thread)
    watch(watcher, thread)
    db.session.commit()
    assert watcher_ids(thread.id).count(watcher.id) == 1
    unwatch(watcher, thread)
    unwatch(watcher, thread)
    db.session.commit()
    assert not is_watching(watcher, thread)
    assert watcher.id not in watcher_ids(thread.id)


# --- the button on the thread page ------------------------------------------------------------


def test_a_citizen_watches_and_unwatches_with_the_button(client, thread, people):
    client.login("watcher@example.com")
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert f'action="/forum/t/{thread.id}/watch"' in page
    assert client.post(f"/forum/t/{thread.id}/watch").status_code == 302
    assert is_watching(people["watcher"], thread)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert f'action="/forum/t/{thread.id}/unwatch"' in page
    assert client.post(f"/forum/t/{thread.id}/unwatch").status_code == 302
    assert not is_watching(people["watcher"], thread)


def test_the_watch_button_needs_csrf_a_login_and_a_verified_address(client, thread, people):
    response = client.post(f"/forum/t/{thread.id}/watch")
    assert response.status_code == 302 and "/account/login" in response.location
    client.login("watcher@example.com")
    assert client.post(f"/forum/t/{thread.id}/watch", csrf=False).status_code == 400
    assert not is_watching(people["watcher"], thread)
    people["watcher"].email_verified_at = None  # e.g. after changing the address
    db.session.commit()
    assert client.post(f"/forum/t/{thread.id}/watch").status_code == 403
    assert not is_watching(people["watcher"], thread)
    assert client.post("/forum/t/999999/watch").status_code == 404


# --- the digest -------------------------------------------------------------------------------


def test_replies_come_in_one_email_per_watcher_and_a_second_run_sends_nothing(thread, people):
    watch(people["watcher"], thread)
    db.session.commit()
    for number in range(3):
        reply(thread, people["replier"], f"第{number + 2}楼：公交站台需要遮雨棚")
    report = send_digests()
    assert report.emails == 2
    by_address = {to(message): message for message in digests()}
    # The replier wrote every new post: nothing to tell them.
    assert set(by_address) == {"author@example.com", "watcher@example.com"}
    message = by_address["watcher@example.com"]
    assert floors_in(message) == [2, 3, 4]
    assert "回帖人" in message.body_text and "公交站台需要遮雨棚" in message.body_text
    assert f"http://kaimen.test/forum/t/{thread.id}?page=1#floor-3" in message.body_text
    assert "公交线路建议" in message.subject
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<http://kaimen\.test/forum/unsubscribe/[\w.-]+>", message.headers["List-Unsubscribe"]
    )
    assert 'href="http://kaimen.test/forum/unsubscribe/' in message.body_html

    assert send_digests().emails == 0
    assert len(digests()) == 2

    reply(thread, people["replier"], "又一条")
    assert send_digests().emails == 2
    assert [floors_in(m) for m in digests()[2:]] == [[5], [5]]


def test_hidden_held_and_own_posts_are_not_mailed(thread, people):
    watcher, replier = people["watcher"], people["replier"]
    admin = make_user("admin@example.com", roles={Role.ADMIN})
    watch(watcher, thread)
    db.session.commit()
    spam = reply(thread, replier, "广告")  # 2, hidden below
    reply(thread, watcher, "我自己的回复")  # 3, the watcher's own
    held = reply(thread, replier, "待审核")  # 4, held for approval
    reply(thread, replier, "正常回复")  # 5
    moderation.hide_post(spam, admin, "广告")
    db.session.execute(sa.update(Post).where(Post.id == held.id).values(held_at=held.created_at))
    # As if the watcher had been told of nothing yet, so that their own floor 3 is in the window.
    db.session.execute(
        sa.update(ThreadWatch)
        .where(ThreadWatch.user_id == watcher.id)
        .values(last_notified_floor=1)
    )
    db.session.commit()
    send_digests()
    (message,) = [m for m in digests() if to(m) == "watcher@example.com"]
    assert floors_in(message) == [5]
    assert "广告" not in message.body_text and "待审核" not in message.body_text


def test_a_long_batch_lists_the_first_replies_and_counts_the_rest(thread, people):
    for number in range(MAX_LISTED + 2):
        reply(thread, people["replier"], f"回复{number}")
    send_digests()
    (message,) = digests()
    assert floors_in(message) == list(range(2, MAX_LISTED + 2))
    assert "…and 2 more replies." in message.body_text
    assert f"{MAX_LISTED + 2} new replies" in message.subject


def test_writing_a_reply_counts_as_having_read_the_thread(thread, people):
    reply(thread, people["replier"], "第二楼")
    reply(thread, people["author"], "楼主回复")
    reply(thread, people["replier"], "第四楼")
    send_digests()
    (message,) = [m for m in digests() if to(m) == "author@example.com"]
    assert floors_in(message) == [4]


def test_deleted_threads_send_nothing(thread, people):
    admin = make_user("admin@example.com", roles={Role.ADMIN})
    reply(thread, people["replier"])
    moderation.delete_thread(thread, admin, "重复")
    db.session.commit()
    assert send_digests().emails == 0
    assert digests() == []


def test_the_digest_speaks_the_readers_language(thread, people):
    people["watcher"].locale = "en"
    people["author"].locale = None  # the site's default: Chinese
    watch(people["watcher"], thread)
    db.session.commit()
    reply(thread, people["replier"])
    send_digests()
    by_address = {to(message): message for message in digests()}
    assert by_address["watcher@example.com"].body_text.startswith("Hello 围观者,")
    assert '<html lang="en">' in by_address["watcher@example.com"].body_html
    assert by_address["author@example.com"].body_text.startswith("楼主，您好：")


def test_the_command_runs_the_digest(runner, thread, people):
    reply(thread, people["replier"])
    result = runner.invoke(args=["forum", "digest"])
    assert result.exit_code == 0, result.output
    assert "queued 1 digest(s)" in result.output
    assert [to(m) for m in digests()] == ["author@example.com"]


# --- unsubscribing ----------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_then_stops_the_emails(client, thread, people):
    author = people["author"]
    url = f"/forum/unsubscribe/{unsubscribe_token(author.id, thread.id)}"
    page = client.get(url)
    assert page.status_code == 200
    assert f'action="{url}"' in page.get_data(as_text=True)
    assert is_watching(author, thread)  # a GET (a link scanner) changes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert not is_watching(author, thread)
    assert "no longer receive" in client.get(url).get_data(as_text=True)


def test_one_click_unsubscribe_needs_no_login_and_no_csrf_token(client, thread, people):
    url = f"/forum/unsubscribe/{unsubscribe_token(people['author'].id, thread.id)}"
    response = client.post(url, {"List-Unsubscribe": "One-Click"}, csrf=False)
    assert response.status_code == 302
    assert not is_watching(people["author"], thread)


def test_a_forged_unsubscribe_token_does_nothing(client, thread, people):
    token = unsubscribe_token(people["author"].id, thread.id)
    assert client.post(f"/forum/unsubscribe/{token}x", csrf=False).status_code == 404
    assert client.get("/forum/unsubscribe/not-a-token").status_code == 404
    assert is_watching(people["author"], thread)


def test_the_csrf_exemption_is_only_for_unsubscribing(client, thread, people):
    client.login("author@example.com")
    assert client.post(f"/forum/t/{thread.id}/unwatch", csrf=False).status_code == 400
    assert is_watching(people["author"], thread)


# --- through a real SMTP server ---------------------------------------------------------------


def test_a_digest_reaches_the_smtp_server_once_with_unsubscribe_headers(
    mail_to_smtp, runner, thread, people
):
    reply(thread, people["replier"], "请看我的建议")
    for _run in range(2):
        assert runner.invoke(args=["forum", "digest"]).exit_code == 0
        dispatch_due()
    (received,) = mail_to_smtp.received
    assert received.rcpt_tos == ["author@example.com"]
    message = received.message
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://kaimen.test/forum/unsubscribe/")
    assert "请看我的建议" in message.get_body(("plain",)).get_content()


# --- two runs at once (PostgreSQL row locks) --------------------------------------------------


def test_a_watch_locked_by_another_run_is_skipped_not_sent_twice(backend, thread, people):
    if backend != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite runs one writer at a time")
    watch(people["watcher"], thread)
    db.session.commit()
    reply(thread, people["replier"])
    author_watch = db.session.scalar(
        sa.select(ThreadWatch.id).where(ThreadWatch.user_id == people["author"].id)
    )
    with db.engine.connect() as other_run:
        other_run.execute(
            sa.select(ThreadWatch.id).where(ThreadWatch.id == author_watch).with_for_update()
        )
        assert send_digests().emails == 1  # neither waits for the other nor takes its watch
        assert [to(m) for m in digests()] == ["watcher@example.com"]
        other_run.rollback()
    assert send_digests().emails == 1
    assert sorted(to(m) for m in digests()) == ["author@example.com", "watcher@example.com"]
