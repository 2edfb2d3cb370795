"""Chinese full-text search finds one- and two-character words, on an index, on both databases."""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.search import index_document, index_tokens, query_tokens, remove_document, search_ids

ITEM = "approval_item"

# --- tokens ---------------------------------------------------------------------------------


def test_a_cjk_run_is_indexed_as_characters_and_overlapping_pairs():
    assert index_tokens("排污许可证") == [
        *("排", "污", "许", "可", "证"),
        *("排污", "污许", "许可", "可证"),
    ]


def test_words_are_whole_and_lowercase_and_punctuation_separates():
    assert index_tokens("Hangzhou 杭州，No.330100-01") == [
        "hangzhou",
        "杭",
        "州",
        "杭州",
        "no",
        "330100",
        "01",
    ]


def test_full_width_letters_and_digits_are_the_ordinary_ones():
    assert index_tokens("ＡＢＣ１２３") == ["abc123"]
    assert query_tokens("ＡＢＣ１２３") == ["abc123"]


def test_each_token_is_indexed_once():
    assert index_tokens("许可 许可 许可") == ["许", "可", "许可"]


def test_a_query_looks_for_one_character_or_for_every_pair():
    assert query_tokens("污") == ["污"]
    assert query_tokens("排污") == ["排污"]
    assert query_tokens("排污许可证") == ["排污", "污许", "许可", "可证"]
    assert query_tokens("规划 许可，330100 OR") == ["规划", "许可", "330100", "or"]


@pytest.mark.parametrize("query", ["", "   ", "，。！", '"*-', "\x00"])
def test_a_query_without_letters_or_digits_has_no_tokens(query):
    assert query_tokens(query) == []


def test_every_index_token_of_a_text_is_found_by_its_own_query():
    text = "建设工程规划许可证 Building permit 2026"
    assert set(query_tokens(text)) <= set(index_tokens(text))


# --- the index ------------------------------------------------------------------------------


@pytest.fixture
def items(app):
    index_document(ITEM, 1, "排污许可证核发")
    index_document(ITEM, 2, "建设工程规划许可")
    index_document(ITEM, 3, "Food Business Licence（食品经营许可）330100")
    db.session.commit()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("排污", [1]),  # a two-character word
        ("污", [1]),  # one character
        ("可证", [1]),  # a pair inside a word
        ("排污许可证", [1]),  # a longer phrase
        ("许可", [3, 2, 1]),  # newest first
        ("规划许可", [2]),
        ("排污 核发", [1]),  # every word must be there
        ("排污 规划", []),
        ("licence", [3]),
        ("FOOD business", [3]),
        ("330100", [3]),
        ("Ｌｉｃｅｎｃｅ", [3]),
        ("环境", []),
        ("", []),
        ("  ，。 ", []),
    ],
)
def test_search_finds_the_documents_that_contain_the_query(items, query, found):
    assert search_ids(ITEM, query) == found


def test_a_pair_is_one_token_not_two_characters_side_by_side(app):
    index_document(ITEM, 1, "排，污")
    assert search_ids(ITEM, "排") == [1]
    assert search_ids(ITEM, "污") == [1]
    assert search_ids(ITEM, "排污") == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"', []),
        ('" OR *', []),
        ("排污 OR 规划", []),  # OR is a word here, and no item has it
        ("NOT 排污", []),
        ("排污*", [1]),
        ("-排污", [1]),
        ("^排污", [1]),
        ("NEAR(排污 核发)", []),
        ("tokens:排污", []),
        ("{tokens}", []),
        ("(", []),
        ("'; DROP TABLE search_documents; --", []),
        ("%", []),
        ("_", []),
        ("排污\x00核发", [1]),
    ],
)
def test_syntax_characters_in_a_query_are_only_text(items, query, found):
    assert search_ids(ITEM, query) == found
    assert search_ids(ITEM, "许可") == [3, 2, 1]


def test_document_kinds_are_searched_apart(items):
    index_document("post", 1, "关于排污许可的讨论")
    assert search_ids("post", "排污") == [1]
    assert search_ids("post", "规划") == []
    assert search_ids(ITEM, "讨论") == []


def test_indexing_again_replaces_the_old_text(items):
    index_document(ITEM, 1, "取水许可")
    db.session.commit()
    assert search_ids(ITEM, "排污") == []
    assert search_ids(ITEM, "取水") == [1]
    assert search_ids(ITEM, "许可") == [3, 2, 1]


def test_a_removed_document_is_not_found(items):
    remove_document(ITEM, 1)
    remove_document(ITEM, 99)  # never indexed: nothing happens
    db.session.commit()
    assert search_ids(ITEM, "排污") == []
    assert search_ids(ITEM, "许可") == [3, 2]


def test_nothing_is_indexed_when_the_transaction_rolls_back(items):
    index_document(ITEM, 4, "取水许可")
    remove_document(ITEM, 1)
    assert search_ids(ITEM, "取水") == [4]
    db.session.rollback()
    assert search_ids(ITEM, "取水") == []
    assert search_ids(ITEM, "排污") == [1]


def test_pages_follow_each_other_newest_first(app):
    for doc_id in range(1, 26):
        index_document(ITEM, doc_id, f"第{doc_id}号 行政许可")
    index_document(ITEM, 26, "无关")
    pages, before = [], None
    while True:
        page = search_ids(ITEM, "许可", before=before, limit=10)
        if not page:
            break
        pages.append(page)
        before = page[-1]
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [doc_id for page in pages for doc_id in page] == list(range(25, 0, -1))


@pytest.mark.parametrize("doc_id", [-1, 2**32])
def test_doc_ids_must_fit_in_32_bits(app, doc_id):
    with pytest.raises(ValueError, match="doc_id"):
        index_document(ITEM, doc_id, "许可")


def test_a_text_without_words_is_indexed_and_removed(app):
    index_document(ITEM, 1, "——！")
    remove_document(ITEM, 1)
    db.session.commit()
    assert search_ids(ITEM, "许可") == []


def test_long_runs_and_long_words_are_indexed(app):
    text = "行政" * 500 + " " + "x" * 5000
    index_document(ITEM, 1, text)
    assert search_ids(ITEM, "政行") == [1]
    assert search_ids(ITEM, "x" * 5000) == [1]


# --- the index is used ----------------------------------------------------------------------


@contextlib.contextmanager
def _captured_sql():
    captured = []

    def capture(_conn, _cursor, statement, parameters, _context, _executemany):
        captured.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield captured
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)


def _plan_of_search(query: str) -> list[str]:
    with _captured_sql() as captured:
        search_ids(ITEM, query)
    (statement, parameters), *_ = captured
    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    rows = db.session.connection().exec_driver_sql(explain + statement, parameters)
    return [row[-1] for row in rows]


def test_search_is_answered_by_the_index(app, backend):
    """SQLite reads FTS5 matches first; PostgreSQL goes through the GIN index."""
    for doc_id in range(1, 1001):
        index_document(ITEM, doc_id, f"事项{doc_id} 行政许可")
    index_document(ITEM, 1001, "排污许可证")
    if backend == "sqlite":
        plan = _plan_of_search("排污")
        # Matches from the full-text index, newest first, then each document by primary key:
        # never a walk through search_documents that probes the index once per row, and no sort
        # of every match of a common word.
        assert plan[0].startswith("SCAN search_fts VIRTUAL TABLE INDEX"), plan
        assert "USING INTEGER PRIMARY KEY" in plan[1], plan
        assert not any("TEMP B-TREE" in step for step in plan), plan
        return
    db.session.commit()
    # What autovacuum does in production: move new entries out of the GIN pending list and
    # give the planner the index's statistics.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE search_documents"))
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(_plan_of_search("排污"))
    assert "Bitmap Index Scan on ix_search_documents_tokens" in plan, plan
    # Fewer statistics, and the planner guesses rare words to be common and scans the whole
    # table for them (see the migration and bench/README.md).
    target = db.session.scalar(
        sa.text(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'search_documents'::regclass AND attname = 'tokens'"
        )
    )
    assert target >= 1000
