"""search index

Revision ID: 58a048fd9a83
Revises: 0dd614f35700
Create Date: 2026-11-26 20:10:00.000000

Chinese full-text search (portal/search.py). PostgreSQL: tokens as text[] with a GIN index.
SQLite: tokens as space-separated text, indexed by the FTS5 external-content table search_fts,
which three triggers keep in step with search_documents.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '58a048fd9a83'
down_revision = '0dd614f35700'
branch_labels = None
depends_on = None


SQLITE_FTS = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        tokens, content='search_documents', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens);
    END""",
    """CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
    END""",
    """CREATE TRIGGER search_documents_fts_update AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
        INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens);
    END""",
]


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table('search_documents',
    # The id is computed (portal.search._document_key); on SQLite INTEGER makes it the rowid.
    sa.Column('id', sa.BigInteger() if postgres else sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('doc_id', sa.Integer(), nullable=False),
    sa.Column('tokens', postgresql.ARRAY(sa.Text()) if postgres else sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('doc_type', 'doc_id', name=op.f('uq_search_documents_doc_type_doc_id'))
    )
    if postgres:
        op.create_index('ix_search_documents_tokens', 'search_documents', ['tokens'], unique=False, postgresql_using='gin')
        # With the default 100, ANALYZE keeps ~1,000 frequent tokens and guesses any other one to
        # be in ~0.25% of the rows; the planner then walks the doc_id index backwards hoping for
        # an early page, and a rare or absent word scans everything (seconds at 1M rows). At
        # 1,000 the guess is ~0.025% and the GIN index is used (measured in bench/README.md).
        op.execute("ALTER TABLE search_documents ALTER COLUMN tokens SET STATISTICS 1000")
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_search_documents_tokens', table_name='search_documents', postgresql_using='gin')
    else:
        # The triggers go with search_documents.
        op.execute("DROP TABLE search_fts")
    op.drop_table('search_documents')
