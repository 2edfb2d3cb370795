"""Floors are handed out without gaps or duplicates when many people reply at the same moment."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from forum import services
from forum.models import Board, Post, Thread
from portal.accounts.models import User
from portal.extensions import db
from tests.conftest import make_user
from tests.forum.helpers import make_board, make_thread

WRITERS = 20


def test_twenty_simultaneous_replies_get_floors_2_to_21_once_each(app, citizen):
    board = make_board()
    thread = make_thread(board, citizen)
    users = [make_user(f"writer{n}@example.com", name=f"回复者{n}") for n in range(WRITERS)]
    board_id, thread_id, user_ids = board.id, thread.id, [user.id for user in users]
    db.session.remove()  # the test's own session holds no transaction while the writers run

    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(user_id: int) -> None:
        try:
            start.wait(timeout=30)
            with app.app_context():
                author = db.session.get(User, user_id)
                target = db.session.get(Thread, thread_id)
                services.reply(target, author, f"{author.display_name}的回复")
                db.session.commit()
        except BaseException as error:  # reported below, not lost in the thread
            failures.append(error)

    workers = [threading.Thread(target=write, args=(user_id,)) for user_id in user_ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert failures == []

    floors = list(
        db.session.scalars(
            sa.select(Post.floor).where(Post.thread_id == thread_id).order_by(Post.floor)
        )
    )
    assert floors == list(range(1, WRITERS + 2))
    authors = db.session.scalars(
        sa.select(Post.author_id).where(Post.thread_id == thread_id, Post.floor > 1)
    )
    assert sorted(authors) == sorted(user_ids)
    thread = db.session.get(Thread, thread_id)
    assert (thread.post_count, thread.reply_count) == (WRITERS + 1, WRITERS)
    board = db.session.get(Board, board_id)
    assert board.post_count == WRITERS + 1
    last = db.session.scalar(sa.select(Post).where(Post.id == board.last_post_id))
    assert last is not None and last.thread_id == thread_id


def test_the_unique_floor_constraint_is_the_second_wall(app, citizen):
    thread = make_thread(make_board(), citizen)
    db.session.add(Post(thread_id=thread.id, floor=1, author_id=citizen.id, source="x", html="x"))
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("a second floor 1 was accepted")
