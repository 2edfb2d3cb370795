"""Chinese full-text search: overlapping two-character tokens in an FTS5 table or a GIN index.

Most Chinese words are two characters, and a trigram index finds nothing shorter than three
(SQLite FTS5 ``trigram``) or answers only by a full scan (pg_trgm). So every run of CJK characters
is indexed as each single character plus every overlapping pair: "排污许可证" gives
排 污 许 可 证 排污 污许 许可 可证. A query of one character looks for that character; a longer
run looks for all of its pairs. Other letters and digits form whole words.

A document is a ``(doc_type, doc_id)`` pair (``"approval_item", 42``); its text is only ever
turned into tokens here, never stored. On PostgreSQL the tokens are a ``text[]`` column with a GIN
index, searched with ``@>``. On SQLite they are stored space-separated, and the FTS5 table
``search_fts`` indexes that column as an external-content table, kept in step by triggers that
the migration creates (so a plain ``DELETE FROM search_documents`` keeps it right too).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from portal.db import Base, UTCDateTime, utcnow
from portal.extensions import db

__all__ = [
    "SearchDocument",
    "index_document",
    "index_tokens",
    "query_tokens",
    "remove_document",
    "search_ids",
]

# Han ideographs (with 々〆〇 and the Hangzhou numerals 〡…〩), bopomofo, kana and hangul.
_CJK = (
    "\u1100-\u11ff\u3005-\u3007\u3021-\u3029\u3038-\u303c\u3041-\u3096\u309d-\u309f"
    "\u30a1-\u30fa\u30fc-\u30ff\u3105-\u312f\u3131-\u318e\u31a0-\u31bf\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff\uf900-\ufaff"
    "\U00020000-\U0003ffff"
)
# A run of CJK characters, or a run of any other letters and digits (Latin, digits, Cyrillic…).
_RUNS = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")
# Longer "words" (hashes, base64) are cut: a GIN index entry has a size limit.
MAX_WORD_LENGTH = 64
# A pasted paragraph is searched by its first tokens rather than by hundreds of them.
MAX_QUERY_TOKENS = 32


def _normalise(text: str) -> str:
    """NFKC with case folding: full-width Ａ１ is A1, 𝐀 is a, compatibility ideographs are unified."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _runs(text: str) -> list[tuple[bool, str]]:
    """(is_cjk, run) for each run of CJK characters or of other letters and digits."""
    return [
        (bool(cjk), cjk or word[:MAX_WORD_LENGTH]) for cjk, word in _RUNS.findall(_normalise(text))
    ]


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_tokens(text: str) -> list[str]:
    """The tokens a document is found by: CJK characters and pairs, and words; each once."""
    tokens: list[str] = []
    for cjk, run in _runs(text):
        if cjk:
            tokens.extend(run)
            tokens.extend(_pairs(run))
        else:
            tokens.append(run)
    return list(dict.fromkeys(tokens))


def query_tokens(query: str) -> list[str]:
    """The tokens a document must all have to match ``query``; [] for a blank query."""
    tokens: list[str] = []
    for cjk, run in _runs(query):
        tokens.extend(_pairs(run) if cjk and len(run) > 1 else [run])
    return list(dict.fromkeys(tokens))[:MAX_QUERY_TOKENS]


class TokenList(sa.types.TypeDecorator):
    """A list of tokens: ``text[]`` on PostgreSQL, one space-separated TEXT on SQLite (for FTS5)."""

    impl = sa.Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(sa.Text))
        return dialect.type_descriptor(sa.Text())

    def process_bind_param(self, value: list[str] | None, dialect):
        if value is None or dialect.name == "postgresql":
            return value
        return " ".join(value)

    def process_result_value(self, value, dialect):
        if value is None or dialect.name == "postgresql":
            return value
        return value.split()


class SearchDocument(Base):
    """The search tokens of one document (an approval item, a thread, a post…).

    The id is not a sequence but :func:`_document_key`: within one kind of document, ids run in
    the order of doc ids. FTS5 hands out matches in id order, so SQLite reads the newest matches
    of a common word first and stops after one page instead of sorting them all.

    On SQLite the FTS5 table ``search_fts`` is kept in step with this table by triggers. A
    migration that rebuilds this table on SQLite (Alembic's batch "move and copy") drops them and
    must create them again, as the search migration does.
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("doc_type", "doc_id"),
        sa.Index("ix_search_documents_tokens", "tokens", postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    id: so.Mapped[int] = so.mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),  # INTEGER: SQLite's rowid
        primary_key=True,
        autoincrement=False,
    )
    doc_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    doc_id: so.Mapped[int]
    tokens: so.Mapped[list[str]] = so.mapped_column(TokenList)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


_ID_BITS = 32


@functools.cache
def _kind_code(doc_type: str) -> int:
    # A stable 31-bit hash of the kind. Two kinds that collided would fail loudly on insert
    # (the same id) and never mix in results (searches check doc_type too).
    return zlib.crc32(doc_type.encode()) & 0x7FFF_FFFF


def _document_key(doc_type: str, doc_id: int) -> int:
    """The id of a document's row: its kind in the high bits, its doc id in the low 32."""
    if not 0 <= doc_id < 1 << _ID_BITS:
        raise ValueError(f"doc_id out of range: {doc_id}")
    return _kind_code(doc_type) << _ID_BITS | doc_id


def index_document(doc_type: str, doc_id: int, text: str) -> None:
    """Index ``text`` as the whole content of a document, replacing what it was indexed with."""
    upsert = _upsert(db.session.get_bind(SearchDocument).dialect.name)
    db.session.execute(
        upsert,
        {
            "id": _document_key(doc_type, doc_id),
            "doc_type": doc_type,
            "doc_id": doc_id,
            "tokens": index_tokens(text),
            "updated_at": utcnow(),
        },
    )
    db.session.flush()


@functools.cache
def _upsert(dialect: str) -> sa.Insert:
    """One statement that inserts or replaces, so two writers of one document never collide.

    Built once: putting it together costs more than running it.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(SearchDocument.__table__)
    return stmt.on_conflict_do_update(
        index_elements=["doc_type", "doc_id"],
        set_={"tokens": stmt.excluded.tokens, "updated_at": stmt.excluded.updated_at},
    )


def remove_document(doc_type: str, doc_id: int) -> None:
    """Forget a document; searching no longer finds it. Nothing happens if it was never indexed."""
    db.session.execute(
        sa.delete(SearchDocument).where(
            SearchDocument.doc_type == doc_type, SearchDocument.doc_id == doc_id
        )
    )
    db.session.flush()


def _fts_query(tokens: list[str]) -> str:
    """An FTS5 query that needs every token: each quoted as a string, so nothing is syntax."""
    return " ".join('"{}"'.format(token.replace('"', '""')) for token in tokens)


def search_ids(
    doc_type: str, query: str, *, before: int | None = None, limit: int = 20
) -> list[int]:
    """Ids of the documents of ``doc_type`` that contain every token of ``query``, newest first.

    Keyset-paged: pass the last id of a page as ``before`` to get the next one.
    """
    tokens = query_tokens(query)
    if not tokens:
        return []
    if db.session.get_bind(SearchDocument).dialect.name == "postgresql":
        stmt = sa.select(SearchDocument.doc_id).where(
            SearchDocument.doc_type == doc_type,
            sa.type_coerce(SearchDocument.tokens, postgresql.ARRAY(sa.Text)).contains(tokens),
        )
        if before is not None:
            stmt = stmt.where(SearchDocument.doc_id < before)
        return list(db.session.scalars(stmt.order_by(SearchDocument.doc_id.desc()).limit(limit)))

    low = _kind_code(doc_type) << _ID_BITS
    high = low + (1 << _ID_BITS if before is None else min(max(before, 0), 1 << _ID_BITS))
    params = {"query": _fts_query(tokens), "doc_type": doc_type, "low": low, "high": high}
    return list(db.session.scalars(sa.text(_SQLITE_SEARCH), {**params, "limit": limit}))


# FTS5 walks the matches from the highest id down, and ids within one kind run in doc id order:
# the first `limit` rows are the page, whether a word is in three documents or in a million.
# CROSS JOIN keeps SQLite from starting at search_documents instead (it does on a database that
# was never ANALYZEd) and probing FTS5 once per document.
_SQLITE_SEARCH = """
    SELECT d.doc_id FROM search_fts CROSS JOIN search_documents AS d ON d.id = search_fts.rowid
    WHERE search_fts MATCH :query AND search_fts.rowid >= :low AND search_fts.rowid < :high
      AND d.doc_type = :doc_type
    ORDER BY search_fts.rowid DESC LIMIT :limit
"""
