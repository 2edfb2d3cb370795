"""Benchmark: Chinese search through portal.search against a LIKE '%…%' scan of the same texts.

    .venv/bin/python bench/search.py --rows 100000 --db sqlite
    .venv/bin/python bench/search.py --rows 100000 --db postgresql

Builds N synthetic documents from a few hundred common two-character government words (drawn
with a Zipf distribution, so some words are everywhere and some are rare), indexes them through
``portal.search.index_document``, and keeps the same texts in a plain table. Then it times
one-, two- and four-character queries as the application asks them (the newest 20 matches) both
ways, and checks that both ways find the same documents.

SQLite runs in a temporary file. PostgreSQL (KAIMEN_TEST_POSTGRES_URL, or the local ``test``
database) runs in a schema ``bench`` of its own, dropped at the end: the test suite's tables in
``public`` are never touched.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import statistics
import time

import sqlalchemy as sa
from flask_migrate import upgrade
from harness import bench_app, timed

from portal.extensions import db
from portal.search import index_document, search_ids

SCHEMA = "bench"
DOC = "bench_post"
LIMIT = 20

# Common words of government notices and citizens' posts, roughly from most to least frequent.
_WORD_BLOCK = """
许可 审批 办理 申请 材料 部门 规划 建设 工程 环境 保护 排污 核发 登记 备案 审核 复审 会签 审定
告知 投诉 受理 时限 收费 标准 依据 法律 法规 条例 规定 办法 通知 公告 公示 听证 意见 建议 群众
市民 居民 社区 街道 政府 人民 城市 管理 服务 公开 信息 网上 政务 窗口 大厅 电话 地址 邮编 负责
岗位 职责 权限 领导 分管 机构 单位 企业 个人 法人 组织 项目 资金 财政 预算 税务 发票 社保 医保
养老 就业 教育 学校 医疗 卫生 食品 药品 安全 生产 消防 交通 道路 运输 车辆 驾驶 停车 公交 地铁
水务 供水 排水 污水 垃圾 分类 绿化 园林 土地 房屋 住房 租赁 物业 拆迁 征收 补偿 农业 林业 渔业
水利 气象 地震 应急 救灾 民政 婚姻 殡葬 残疾 救助 低保 户籍 身份 证明 护照 签证 出入 公安 治安
司法 公证 律师 仲裁 调解 法院 检察 监督 审计 统计 价格 市场 监管 质量 计量 认证 检测 检验 商标
专利 版权 文化 旅游 体育 广播 电视 新闻 出版 网络 通信 电力 能源 燃气 供热 节能 减排 大气 噪声
辐射 生态 湿地 森林 河道 湖泊 海洋 港口 航道 铁路 公路 桥梁 隧道 机场 口岸 海关 外贸 投资 招商
开发 园区 科技 创新 人才 培训 考试 资格 职称 档案 保密 宣传 民族 宗教 侨务 外事 代表 委员 会议
决定 批复 函件 文件 报告 方案 计划 总结 评估 论证 专家 评审 验收 竣工 施工 设计 勘察 监理 招标
投标 合同 采购 资产 国有 集体 私营 个体 工商 营业 执照 注册 变更 注销 年检 年报 信用 处罚 罚款
行政 复议 诉讼 赔偿 信访 热线 回复 答复 办结 期限 工作 日期 延期 超期 提醒 催办 督办 转办 交办
协调 联系 咨询 查询 下载 表格 填写 提交 上传 附件 照片 签名 盖章 原件 复印 副本 正本 有效 无效
撤销 吊销 暂停 恢复 延续 换证 补证 遗失 声明 窨井 井盖 路灯 积水 占道 违建 扰民 油烟 异味 渣土
夜间 噪音 广场 舞蹈 宠物 犬只 电梯 维修 基金 业主 小区 楼道 充电 电瓶 快递 外卖 骑手 学区 入学
"""
WORDS = _WORD_BLOCK.split()


TAIL_SIZE = 5_000  # rarer words: names of places, firms, streets; each in ~1 of 4,500 texts
TAIL_SHARE = 0.05


class Corpus:
    """The words texts are made of and the queries asked of them, all from one seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 - synthetic text, not secrets
        han = [chr(code) for code in range(0x4E00, 0x9FA6)]
        self.tail = ["".join(self.rng.sample(han, 2)) for _ in range(TAIL_SIZE)]
        self.absent = ["".join(self.rng.sample(han, 2)) for _ in range(1_000)]
        # Zipf–Mandelbrot over the common words (the commonest is ~2.6% of all words, in about
        # 40% of the texts), then the tail with an even share.
        head = [1 / (rank + 10) for rank in range(1, len(WORDS) + 1)]
        scale = (1 - TAIL_SHARE) / sum(head)
        weights = [w * scale for w in head] + [TAIL_SHARE / TAIL_SIZE] * TAIL_SIZE
        self.vocabulary = WORDS + self.tail
        self.cumulative = list(itertools.accumulate(weights))

    def words(self, k: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=k)

    def text(self) -> str:
        """Two to six sentences of three to eight words, the way a short post or an item reads."""
        sentences = []
        for _ in range(self.rng.randint(2, 6)):
            sentences.append(
                "".join(self.words(self.rng.randint(3, 8))) + self.rng.choice("，，。；")
            )
        return "".join(sentences)

    def queries(self, count: int) -> dict[str, list[str]]:
        rng = random.Random(self.rng.random())  # noqa: S311
        characters = sorted({character for word in WORDS for character in word})
        return {
            "2 chars, common": rng.sample(WORDS, count),
            "2 chars, rare": rng.sample(self.tail, count),
            "2 chars, absent": rng.sample(self.absent, count),
            "1 char": rng.sample(characters, count),
            # Two words that may stand side by side in a text: "排污许可".
            "4 chars": ["".join(self.words(2)) for _ in range(count)],
        }


def like_ids(query: str) -> list[int]:
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.session.scalars(
            sa.text(
                "SELECT id FROM bench_texts WHERE body LIKE :pattern ESCAPE '\\' "
                "ORDER BY id DESC LIMIT :limit"
            ),
            {"pattern": pattern, "limit": LIMIT},
        )
    )


def build(corpus: Corpus, rows: int) -> float:
    """Index ``rows`` documents through the API and store the same texts; documents per second."""
    db.session.execute(
        sa.text("CREATE TABLE bench_texts (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    )
    start = time.perf_counter()
    batch = []
    for doc_id in range(1, rows + 1):
        text = corpus.text()
        index_document(DOC, doc_id, text)
        batch.append({"id": doc_id, "body": text})
        if len(batch) == 1000:
            db.session.execute(sa.text("INSERT INTO bench_texts VALUES (:id, :body)"), batch)
            db.session.commit()
            batch = []
    if batch:
        db.session.execute(sa.text("INSERT INTO bench_texts VALUES (:id, :body)"), batch)
    db.session.commit()
    elapsed = time.perf_counter() - start
    # What autovacuum (PostgreSQL) or PRAGMA optimize (SQLite) does after a bulk load.
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return rows / elapsed


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def measure(corpus: Corpus, count: int, repeat: int) -> None:
    sets = corpus.queries(count)
    print(
        f"{'query':<17}{'index median':>13}{'p90':>9}{'max':>9}"
        f"{'LIKE median':>13}{'p90':>9}{'max':>9}{'ratio':>8}{'hits':>6}  same as LIKE"
    )
    for name, texts in sets.items():
        index_ms, like_ms, hits, same = [], [], [], 0
        for query in texts:
            ms, found = timed(lambda q: search_ids(DOC, q, limit=LIMIT), query, repeat)
            index_ms.append(ms)
            ms, scanned = timed(like_ids, query, repeat)
            like_ms.append(ms)
            hits.append(len(found))
            same += found == scanned
        ratio = statistics.median(like_ms) / statistics.median(index_ms)
        print(
            f"{name:<17}{statistics.median(index_ms):>10.2f} ms{p90(index_ms):>9.2f}"
            f"{max(index_ms):>9.2f}{statistics.median(like_ms):>10.2f} ms{p90(like_ms):>9.2f}"
            f"{max(like_ms):>9.2f}{ratio:>7.1f}×{statistics.mean(hits):>6.1f}  {same}/{len(texts)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--queries", type=int, default=30, help="per kind of query")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the median counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database to look into")
    args = parser.parse_args()

    with bench_app(args.db, SCHEMA, keep=args.keep, KAIMEN_FEATURES=[]):
        logging.disable(logging.INFO)  # Alembic's "Running upgrade" lines
        upgrade()
        logging.disable(logging.NOTSET)
        start = time.perf_counter()
        corpus = Corpus(args.seed)
        rate = build(corpus, args.rows)
        print(
            f"{args.db}: {args.rows:,} documents indexed through the API at {rate:,.0f}/s "
            f"({time.perf_counter() - start:.0f} s with the LIKE table and ANALYZE)"
        )
        measure(corpus, args.queries, args.repeat)


if __name__ == "__main__":
    main()
