"""Factories for forum tests: a board, a thread with replies, written through the services."""

from __future__ import annotations

from forum import services
from forum.models import Board, Thread
from portal.extensions import db


def make_board(slug: str = "city", name: str = "城市建设") -> Board:
    board = services.create_board(slug, name, "道路、公园和公共设施。")
    db.session.commit()
    return board


def make_thread(
    board: Board, author, *, replies: int = 0, repliers=None, title="公交线路建议"
) -> Thread:
    thread = services.start_thread(board, author, title, "希望**加密**班次。")
    repliers = repliers or [author]
    for number in range(replies):
        services.reply(thread, repliers[number % len(repliers)], f"第{number + 2}楼的回复")
    db.session.commit()
    return thread
