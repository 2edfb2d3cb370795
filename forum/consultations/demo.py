"""Demo consultations for ``kaimen demo``: one upcoming, one open with 36 opinions of mixed
stance, one concluded with its published report — on the demo catalog's major items."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

import sqlalchemy as sa

from disclosure.catalog.models import ApprovalItem
from forum import trust
from forum.consultations import report, services
from forum.consultations.models import Consultation, Mark, Opinion, Stance
from forum.models import Post, Thread
from portal.accounts import services as accounts
from portal.accounts.models import User
from portal.db import utcnow
from portal.demo import DEMO_DOMAIN
from portal.extensions import db

RESIDENTS = 10

OPINIONS = {
    Stance.SUPPORT: [
        "支持这个方案，早该调整了。",
        "赞成。方案考虑得比较周全，希望尽快落地。",
        "我家就在附近，支持，出行会方便很多。",
        "支持，公示材料写得很清楚。",
    ],
    Stance.OPPOSE: [
        "反对。选址离居民区太近，噪音和安全问题没有说清楚。",
        "不同意，公示期太短，很多居民还不知道这件事。",
        "反对，材料里没有说明对周边交通的影响。",
    ],
    Stance.SUGGESTION: [
        "建议在审批前召开一次居民听证会。",
        "建议把申请材料清单再简化一些，很多证明可以部门之间共享。",
        "建议把办理时限从20个工作日压缩到15个工作日。",
        "建议公布监督电话，并在社区公告栏张贴进度。",
        "建议分阶段实施，先试点再推广。",
    ],
}
TOPICS = ["", "", "eligibility", "materials", "time_limit", "fees", "step:acceptance", "result"]
REPLIES = ["同意楼上的看法。", "补充一点：周末也应该考虑。", "楼上说得有道理，顶一下。"]


def _residents() -> list[User]:
    people = []
    for number in range(1, RESIDENTS + 1):
        email = f"resident{number:02d}@{DEMO_DOMAIN}"
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(
                email, f"居民{number:02d}（演示）", secrets.token_urlsafe(12), roles=set()
            )
        people.append(user)
    return people


def _opinions(consultation: Consultation, people: list[User], count: int, rng) -> None:
    stances = list(Stance)
    for index in range(count):
        author = people[index % len(people)]
        if index % 7 == 6:
            services.post_opinion(consultation, author, rng.choice(REPLIES), None)
            continue
        stance = stances[index % 3] if index % 5 else Stance.SUGGESTION
        text = rng.choice(OPINIONS[stance])
        services.post_opinion(consultation, author, text, stance, rng.choice(TOPICS))


def _shift(consultation: Consultation, opens_at, closes_at) -> None:
    """Move a consultation (and its posts' times) into the past, as if it had happened then."""
    consultation.opens_at, consultation.closes_at = opens_at, closes_at
    posts = db.session.scalars(
        sa.select(Post).where(Post.thread_id == consultation.thread_id).order_by(Post.floor)
    ).all()
    step = (closes_at - opens_at) / (len(posts) + 1)
    for number, post in enumerate(posts):
        post.created_at = opens_at + step * number
    thread = db.session.get(Thread, consultation.thread_id)
    thread.created_at = opens_at
    thread.last_post_at = posts[-1].created_at
    db.session.flush()


def load_consultation_demo() -> None:
    """Create the demo consultations unless there are consultations already."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)):
        return
    items = {
        item.code: item
        for item in db.session.scalars(
            sa.select(ApprovalItem)
            .where(ApprovalItem.is_major.is_(True))
            .order_by(ApprovalItem.code)
        )
        if item.is_published
    }
    if len(items) < 3:
        return  # the catalog demo (kaimen demo) brings the major items
    admin = db.session.scalar(sa.select(User).where(User.email == f"admin@{DEMO_DOMAIN}"))
    if admin is None:
        return
    rng = random.Random(5)  # noqa: S311 - demo text, not security
    fallback = list(items.values())
    concluded_item = items.get("LJ-STHJ-002", fallback[0])
    open_item = items.get("LJ-JTYS-001", fallback[1])
    upcoming_item = items.get("LJ-ZRZY-001", fallback[2])
    people = _residents()
    now = utcnow().replace(second=0, microsecond=0)
    with trust.waived():
        finished = services.open_consultation(
            concluded_item,
            admin,
            f"【意见征集】{concluded_item.name}",
            "本项目拟在城东建设一座生活垃圾焚烧发电厂。请阅读环境影响报告书简本后发表意见。\n\n"
            "- 日处理能力：1500吨\n- 烟气排放执行欧盟2010标准",
            now - timedelta(minutes=1),
            now + timedelta(days=30),
        )
        _opinions(finished, people, 18, rng)
        _shift(finished, now - timedelta(days=40), now - timedelta(days=10))
        finished.close_notified_at = now - timedelta(days=10)
        db.session.get(Thread, finished.thread_id).is_locked = True
        opinions = db.session.scalars(
            sa.select(Opinion).where(Opinion.consultation_id == finished.id)
        ).all()
        groups = {
            Stance.SUPPORT: (Mark.ADOPTED, "对项目必要性的意见", "已采纳：项目列入年度计划。"),
            Stance.OPPOSE: (
                Mark.PARTLY,
                "对选址和噪音的意见",
                "部分采纳：增设隔音屏障，选址经论证维持不变。",
            ),
            Stance.SUGGESTION: (
                Mark.NOT_ADOPTED,
                "对程序的建议",
                "未采纳：办理时限由法规规定，但将公开监督电话。",
            ),
        }
        for stance, (mark, name, reason) in groups.items():
            ids = [o.post_id for o in opinions if o.stance == stance]
            if ids:
                report.mark_opinions(
                    finished, admin, ids, mark, reason, name if len(ids) > 1 else ""
                )
        report.save_response(
            finished,
            admin,
            "感谢市民的参与。经研究，**项目继续推进**，并对噪音防护措施作了补充，"
            "详见各条意见的采纳情况。",
        )
        report.publish_report(finished, admin)

        open_one = services.open_consultation(
            open_item,
            admin,
            f"【意见征集】{open_item.name}",
            "拟调整12路、35路公交线路并新增三个站点，请对调整方案发表意见。",
            now - timedelta(minutes=1),
            now + timedelta(days=10),
        )
        _opinions(open_one, people, 42, rng)
        open_one.opens_at = now - timedelta(days=5)

        services.open_consultation(
            upcoming_item,
            admin,
            f"【意见征集预告】{upcoming_item.name}",
            "本项目为十万平方米以上居住项目的规划许可，征集期开始后欢迎发表意见。",
            now + timedelta(days=3),
            now + timedelta(days=33),
        )
    db.session.flush()
