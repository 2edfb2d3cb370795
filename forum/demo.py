"""Demo boards and threads for ``kaimen demo``, among them one thread of more than 500 floors.

The consultation board and its threads come from ``forum.consultations.demo``.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from forum import services, trust
from forum.models import Board, Post, Thread
from portal.accounts.models import User
from portal.db import utcnow
from portal.demo import DEMO_DOMAIN
from portal.extensions import db
from portal.text import render_markdown

LONG_THREAD_REPLIES = 519  # floors 2…520

BOARDS = [
    (
        "city",
        "城市建设",
        "道路、老旧小区改造、公共设施：说说你身边的城市建设。",
        [
            ("老旧小区加装电梯，楼上楼下意见不一怎么办？", "我们楼六层，楼下住户担心采光和噪音。"),
            ("建议在新城区多建几个口袋公园", "现在的绿地都在大路边，小区之间没有可以散步的地方。"),
        ],
    ),
    (
        "traffic",
        "交通出行",
        "公交线路、停车、非机动车道和地铁：出行中的问题与建议。",
        [
            ("12路公交晚高峰间隔太长", "下班时段经常要等二十多分钟，希望加密班次。"),
            ("学校门口接送车辆拥堵", "早上七点半到八点，校门口两条车道全被占满。"),
        ],
    ),
    (
        "environment",
        "生态环境",
        "空气、水、噪音与垃圾分类：一起守护城市环境。",
        [
            ("河道治理后水质明显变好了", "周末去看了，河边步道也修好了，点个赞。"),
        ],
    ),
]

OPENINGS = ["支持", "同意楼上", "补充一点", "说说我的看法", "我家就在附近", "路过看看", "顶一下"]
POINTS = [
    "早晚高峰确实很难走，希望有关部门尽快调研。",
    "建议先公开方案再施工，让居民心里有数。",
    "施工期间的噪音问题也要考虑，晚上十点后不要作业。",
    "可以参考其他城市的做法，分阶段推进。",
    "希望能在社区公告栏上贴出进度。",
    "**关键**是后期维护，不能建好了没人管。",
    "我打过12345热线，回复说已经转交相关部门。",
    "老人和孩子的出行安全要放在第一位。",
    "资金来源能不能公开一下？",
    "上周去现场看了，情况比帖子里说的还严重。",
    "- 增加指示牌\n- 延长开放时间\n- 设置无障碍通道",
    "> 希望尽快解决\n\n同感。",
    "详见市政府网站 https://www.gov.cn/ ，里面有政策原文。",
]


def _demo_authors() -> list[User]:
    """The demo accounts made by ``kaimen demo`` (citizen first); no accounts of our own."""
    users = list(
        db.session.scalars(
            sa.select(User).where(User.email.like(f"%@{DEMO_DOMAIN}")).order_by(User.id)
        )
    )
    if not users:
        raise RuntimeError("the forum demo needs the demo accounts: run `kaimen demo`")
    return users


def _reply_text(rng: random.Random, floor: int) -> str:
    return f"{rng.choice(OPENINGS)}。{rng.choice(POINTS)}（第{floor}楼）"


def _add_long_thread(board: Board, people: list[User], rng: random.Random) -> Thread:
    """A thread of 520 floors, inserted in bulk with its counters set to match."""
    thread = services.start_thread(
        board,
        people[0],
        "【长帖】大家来说说：这几年我们城市最大的变化是什么？",
        "欢迎每位市民讲一讲身边的变化，好的坏的都可以说。",
    )
    start = utcnow() - timedelta(days=30)
    rows = []
    for floor in range(2, LONG_THREAD_REPLIES + 2):
        source = _reply_text(rng, floor)
        rows.append(
            {
                "thread_id": thread.id,
                "floor": floor,
                "author_id": rng.choice(people).id,
                "created_at": start + timedelta(minutes=80 * floor),
                "source": source,
                "html": render_markdown(source),
                "edit_count": 0,
            }
        )
    db.session.execute(sa.insert(Post), rows)
    last = rows[-1]
    last_id = db.session.scalar(
        sa.select(Post.id).where(Post.thread_id == thread.id, Post.floor == last["floor"])
    )
    db.session.execute(
        sa.update(Thread)
        .where(Thread.id == thread.id)
        .values(
            post_count=last["floor"],
            reply_count=last["floor"] - 1,
            last_post_at=last["created_at"],
            last_post_author_id=last["author_id"],
            view_count=rng.randint(3000, 9000),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Board)
        .where(Board.id == board.id)
        .values(
            post_count=Board.post_count + len(rows),
            last_post_id=last_id,
            last_post_at=last["created_at"],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return thread


def load_forum_demo() -> None:
    """Create the demo boards that do not exist yet, with their threads. Running it twice adds nothing."""
    rng = random.Random(4)  # noqa: S311 - demo text, not security
    people = None
    for order, (slug, name, description, threads) in enumerate(BOARDS):
        if db.session.scalar(sa.select(Board.id).where(Board.slug == slug)) is not None:
            continue
        people = people or _demo_authors()
        board = services.create_board(slug, name, description, sort_order=order)
        # Demo citizens stand for long-standing members: nothing held, no rate limit (forum.trust).
        with trust.waived():
            if slug == "city":  # first, so that the board's latest post is a newer one
                _add_long_thread(board, people, rng)
            for title, text in threads:
                thread = services.start_thread(board, rng.choice(people), title, text)
                for floor in range(2, rng.randint(3, 8)):
                    services.reply(thread, rng.choice(people), _reply_text(rng, floor))
        db.session.flush()
