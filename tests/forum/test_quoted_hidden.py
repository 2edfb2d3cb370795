"""A hidden post's words leave the replies that quote it, and come back when it is restored."""

from __future__ import annotations

import sqlalchemy as sa

from forum import moderation, services
from forum.models import Post
from portal.accounts.models import Role
from portal.extensions import db
from portal.search import search_ids
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread

SECRET = "邻居家门牌号码是某某路十八号"


def _world():
    board = make_board()
    author = make_user("author@example.com", name="楼主")
    quoter = make_user("quoter@example.com", name="引用者")
    moderator = make_user("mod@example.com", name="版主", roles={Role.ADMIN})
    thread = make_thread(board, author)
    original = services.reply(thread, author, SECRET)
    reply = services.reply(thread, quoter, "这样说不合适。", quote=original)
    db.session.commit()
    return thread, original, reply, moderator


def test_hiding_a_post_takes_its_words_out_of_quoting_replies(client, app, english):
    thread, original, reply, moderator = _world()
    assert SECRET in reply.html
    assert search_ids("forum_post", "十八号") == [reply.id, original.id]

    moderation.hide_post(original, moderator, "泄露他人隐私")
    db.session.commit()

    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert SECRET not in page
    assert "This post was hidden by a moderator." in page
    # The quote still says whom it quoted and links to the floor.
    assert f'href="/forum/t/{thread.id}?page=1#floor-{original.floor}"' in page
    assert "这样说不合适。" in page
    # The reply is no longer found by the hidden words (the hidden post itself is filtered
    # out of results when they are shown).
    assert reply.id not in search_ids("forum_post", "十八号")
    results = client.get("/forum/search", query_string={"q": "十八号"}).get_data(as_text=True)
    assert SECRET not in results

    moderation.restore_post(original, moderator)
    db.session.commit()
    restored = db.session.get(Post, reply.id)
    assert SECRET in restored.html
    assert SECRET in client.get(f"/forum/t/{thread.id}").get_data(as_text=True)


def test_an_edited_reply_of_a_hidden_post_keeps_the_excerpt_out(app, english):
    _thread, original, reply, moderator = _world()
    moderation.hide_post(original, moderator, "泄露他人隐私")
    reply = db.session.get(Post, reply.id)
    services.edit_post(reply, reply.author, reply.source + "\n\n补充一句。")
    db.session.commit()
    edited = db.session.scalar(sa.select(Post).where(Post.id == reply.id))
    assert "补充一句。" in edited.html
    assert SECRET not in edited.html
