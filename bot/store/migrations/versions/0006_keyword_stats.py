"""Keyword statistics: each article's candidate terms, and corpus document frequencies kept by triggers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00

`keyword_docs` (one row per article, cascading with it) holds the distinct candidate terms of
the article (`terms`, a JSON list), the best candidates' local weights (`weights`), the merged
phrases among them (`phrases`) and the corpus size when its keywords were ranked
(`corpus_docs`). `keyword_stats` holds how many articles contain each term (`df`); its row with
the empty term counts the articles. Triggers on `keyword_docs` keep it exact on insert, on a
change of `terms` and on delete (including deletes by cascade from `articles` or `pages`), on
SQLite (json_each) and PostgreSQL (json_array_elements_text). On PostgreSQL every write first
touches the counting row, so concurrent writers queue there instead of deadlocking over terms.

Existing articles get their rows when they are summarized again: the summary algorithm version
changed with this revision, so the next `digestbot ingest` recomputes them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = {
    "keyword_docs_ai": """
        CREATE TRIGGER keyword_docs_ai AFTER INSERT ON keyword_docs BEGIN
          UPDATE keyword_stats SET df = df + 1 WHERE term = '';
          INSERT INTO keyword_stats(term, df) SELECT DISTINCT value, 1 FROM json_each(NEW.terms) WHERE value <> ''
            ON CONFLICT(term) DO UPDATE SET df = df + 1;
        END""",
    "keyword_docs_ad": """
        CREATE TRIGGER keyword_docs_ad AFTER DELETE ON keyword_docs BEGIN
          UPDATE keyword_stats SET df = df - 1 WHERE term = '';
          UPDATE keyword_stats SET df = df - 1
            WHERE term IN (SELECT DISTINCT value FROM json_each(OLD.terms) WHERE value <> '');
          DELETE FROM keyword_stats WHERE df <= 0 AND term IN (SELECT value FROM json_each(OLD.terms) WHERE value <> '');
        END""",
    "keyword_docs_au": """
        CREATE TRIGGER keyword_docs_au AFTER UPDATE OF terms ON keyword_docs WHEN OLD.terms IS NOT NEW.terms BEGIN
          UPDATE keyword_stats SET df = df - 1
            WHERE term IN (SELECT DISTINCT value FROM json_each(OLD.terms) WHERE value <> '');
          INSERT INTO keyword_stats(term, df) SELECT DISTINCT value, 1 FROM json_each(NEW.terms) WHERE value <> ''
            ON CONFLICT(term) DO UPDATE SET df = df + 1;
          DELETE FROM keyword_stats WHERE df <= 0 AND term IN (SELECT value FROM json_each(OLD.terms) WHERE value <> '');
        END""",
}

_PG_FUNCTION = """
CREATE FUNCTION keyword_stats_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- the counting row first: concurrent writers wait here, before locking any term
  UPDATE keyword_stats SET df = df + CASE TG_OP WHEN 'INSERT' THEN 1 WHEN 'DELETE' THEN -1 ELSE 0 END
    WHERE term = '';
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE keyword_stats s SET df = s.df - 1
      FROM (SELECT DISTINCT t FROM json_array_elements_text(OLD.terms) AS t WHERE t <> '') o
      WHERE s.term = o.t;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO keyword_stats (term, df)
      SELECT DISTINCT t, 1 FROM json_array_elements_text(NEW.terms) AS t WHERE t <> '' ORDER BY 1
      ON CONFLICT (term) DO UPDATE SET df = keyword_stats.df + 1;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM keyword_stats s
      USING (SELECT DISTINCT t FROM json_array_elements_text(OLD.terms) AS t WHERE t <> '') o
      WHERE s.term = o.t AND s.df <= 0;
  END IF;
  RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "keyword_docs",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("corpus_docs", sa.Integer(), nullable=False),
    )
    op.create_index("ix_keyword_docs_corpus_docs", "keyword_docs", ["corpus_docs"])
    op.create_table(
        "keyword_stats",
        sa.Column("term", sa.String(length=64), primary_key=True),
        sa.Column("df", sa.Integer(), nullable=False),
    )
    op.execute("INSERT INTO keyword_stats (term, df) VALUES ('', 0)")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for sql in _SQLITE_TRIGGERS.values():
            op.execute(sql)
    elif bind.dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER keyword_docs_stats AFTER INSERT OR DELETE OR UPDATE OF terms ON keyword_docs "
            "FOR EACH ROW EXECUTE FUNCTION keyword_stats_track()"
        )
    else:
        raise NotImplementedError(f"keyword statistics for {bind.dialect.name}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS keyword_docs_stats ON keyword_docs")
        op.execute("DROP FUNCTION IF EXISTS keyword_stats_track()")
    op.drop_table("keyword_stats")
    op.drop_table("keyword_docs")
