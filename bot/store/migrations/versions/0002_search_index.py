"""Search index: FTS5 tables on SQLite, a tsvector with a GIN index on PostgreSQL; existing articles indexed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:00:00

SQLite: `search_docs` (token streams, squashed text, length per article; cascades with its
article) is the external content of `search_fts` (FTS5, six token columns, `ascii` tokenizer:
tokens are split on the spaces jieba's output was joined with, nothing else) and `search_tri`
(FTS5 trigram index over the squashed text, for phrases; skipped where SQLite lacks it, and
phrases then fall back to instr()). Triggers on `search_docs` keep both in step.

Existing articles are indexed by migration 0007 (its rebuild).

PostgreSQL: `search_docs` (narrow: `doc_len`, `terms` - tsvector of the distinct tokens,
GIN-indexed), `search_text` (`plain` for phrases, `tf` - jsonb term -> field-weighted frequency
where it is not 1 - for BM25), `search_stats` (articles and tokens in the index, by trigger).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_FIELDS = ("title", "lead", "headings", "body", "byline", "keywords")


def _sqlite_has_trigram(bind: Connection) -> bool:
    try:
        bind.exec_driver_sql("CREATE VIRTUAL TABLE temp.search_probe USING fts5(x, tokenize='trigram')")
    except sa.exc.OperationalError:
        return False
    bind.exec_driver_sql("DROP TABLE temp.search_probe")
    return True


def _upgrade_sqlite(bind: Connection) -> None:
    op.create_table(
        "search_docs",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        *(sa.Column(name, sa.Text(), nullable=False) for name in _FIELDS),
        sa.Column("plain", sa.Text(), nullable=False),
        sa.Column("doc_len", sa.Integer(), nullable=False),
    )
    cols = ", ".join(_FIELDS)
    new = ", ".join(f"new.{c}" for c in _FIELDS)
    old = ", ".join(f"old.{c}" for c in _FIELDS)
    op.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5({cols}, "
        "content='search_docs', content_rowid='article_id', tokenize='ascii')"
    )
    trigram = _sqlite_has_trigram(bind)
    if trigram:
        op.execute(
            "CREATE VIRTUAL TABLE search_tri USING fts5(plain, "
            "content='search_docs', content_rowid='article_id', tokenize='trigram case_sensitive 1')"
        )
    tri_add = "INSERT INTO search_tri(rowid, plain) VALUES (new.article_id, new.plain);" if trigram else ""
    tri_del = (
        "INSERT INTO search_tri(search_tri, rowid, plain) VALUES ('delete', old.article_id, old.plain);"
        if trigram
        else ""
    )
    add = f"INSERT INTO search_fts(rowid, {cols}) VALUES (new.article_id, {new}); {tri_add}"
    delete = f"INSERT INTO search_fts(search_fts, rowid, {cols}) VALUES ('delete', old.article_id, {old}); {tri_del}"
    op.execute(f"CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN {add} END")
    op.execute(f"CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN {delete} END")
    op.execute(f"CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN {delete} {add} END")


def _upgrade_postgresql() -> None:
    # narrow and GIN-indexed, for scanning many matches ...
    op.execute(
        "CREATE TABLE search_docs ("
        " article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,"
        " doc_len INTEGER NOT NULL,"
        " terms TSVECTOR NOT NULL)"
    )
    op.execute("CREATE INDEX ix_search_docs_terms ON search_docs USING GIN (terms)")
    # ... and what only ranked rows (tf) and phrase checks (plain) read: kept in the row and
    # uncompressed up to a page (no TOAST fetch, no inflating per row); beyond that, plain goes
    # out of line uncompressed
    op.execute(
        "CREATE TABLE search_text ("
        " article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,"
        " plain TEXT NOT NULL,"
        " tf JSONB NOT NULL) WITH (toast_tuple_target = 8160)"
    )
    op.execute("ALTER TABLE search_text ALTER COLUMN plain SET STORAGE EXTERNAL")
    # corpus totals for BM25 (FTS5 keeps the same two numbers), kept by a trigger
    op.execute(
        "CREATE TABLE search_stats (id INTEGER PRIMARY KEY CHECK (id = 1),"
        " docs BIGINT NOT NULL, tokens BIGINT NOT NULL)"
    )
    op.execute("INSERT INTO search_stats (id, docs, tokens) VALUES (1, 0, 0)")
    op.execute(
        """
        CREATE FUNCTION search_stats_track() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            UPDATE search_stats SET docs = docs + 1, tokens = tokens + NEW.doc_len WHERE id = 1;
          ELSIF TG_OP = 'DELETE' THEN
            UPDATE search_stats SET docs = docs - 1, tokens = tokens - OLD.doc_len WHERE id = 1;
          ELSIF NEW.doc_len <> OLD.doc_len THEN
            UPDATE search_stats SET tokens = tokens + NEW.doc_len - OLD.doc_len WHERE id = 1;
          END IF;
          RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER search_docs_stats AFTER INSERT OR UPDATE OR DELETE ON search_docs "
        "FOR EACH ROW EXECUTE FUNCTION search_stats_track()"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _upgrade_sqlite(bind)
    elif bind.dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        raise NotImplementedError(f"search index for {bind.dialect.name}")
    # existing articles are indexed by 0004, which rebuilds the index in its final layout (the
    # index writer is today's code, which writes columns these tables do not have yet)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("search_docs_ai", "search_docs_ad", "search_docs_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_tri")
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.drop_table("search_docs")
    else:
        op.execute("DROP TABLE IF EXISTS search_docs")
        op.execute("DROP TABLE IF EXISTS search_text")
        op.execute("DROP FUNCTION IF EXISTS search_stats_track()")
        op.execute("DROP TABLE IF EXISTS search_stats")
