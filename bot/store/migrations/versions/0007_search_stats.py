"""Search statistics and ranking inputs kept in the index, so a search reads no more than it ranks.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:00:00

PostgreSQL:
* `search_terms` (term, docs): how many articles have each term - BM25's per-term document
  count, kept by statement-level triggers on `search_docs` (one grouped upsert per statement,
  terms in order so concurrent writers cannot deadlock), instead of one GIN count per term on
  every search; `search_stats` (articles, tokens) moves to statement-level triggers too;
* `search_docs` gains `day` (the article's publication date, for the recency tie-break without
  a join) and `grams` (the distinct character trigrams of each line of its squashed text, so a
  phrase check reads the text of the rows that have all of the phrase's trigrams only); `terms`
  also holds a recency-bucket lexeme per article (bot.search.postgres); one GIN index covers
  both columns, and both are stored out of line, so the rows a bitmap scan visits stay narrow;
* `search_text` gains `title` (the title's distinct tokens, for the title tie-break);
* the index is rebuilt from the articles (jieba), which fills the new columns.
SQLite: `search_days` (article id, publication date): the recency tie-break without reading
`articles`, filled from it; articles not indexed yet are indexed. FTS5 keeps its own term counts.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TERMS_FUNCTION = """
CREATE FUNCTION search_terms_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO search_terms AS s (term, docs)
      SELECT t, count(*) FROM new_docs, unnest(tsvector_to_array(new_docs.terms)) AS t GROUP BY t ORDER BY t
      ON CONFLICT (term) DO UPDATE SET docs = s.docs + excluded.docs;
    UPDATE search_stats SET docs = docs + n, tokens = tokens + len
      FROM (SELECT count(*) AS n, coalesce(sum(doc_len), 0) AS len FROM new_docs) c WHERE id = 1;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO search_terms AS s (term, docs)
      SELECT t, -count(*) FROM old_docs, unnest(tsvector_to_array(old_docs.terms)) AS t GROUP BY t ORDER BY t
      ON CONFLICT (term) DO UPDATE SET docs = s.docs + excluded.docs;
    UPDATE search_stats SET docs = docs - n, tokens = tokens - len
      FROM (SELECT count(*) AS n, coalesce(sum(doc_len), 0) AS len FROM old_docs) c WHERE id = 1;
  ELSE
    INSERT INTO search_terms AS s (term, docs)
      SELECT t, sum(n) FROM (
        SELECT t, 1 AS n FROM new_docs, unnest(tsvector_to_array(new_docs.terms)) AS t
        UNION ALL
        SELECT t, -1 FROM old_docs, unnest(tsvector_to_array(old_docs.terms)) AS t
      ) c GROUP BY t HAVING sum(n) <> 0 ORDER BY t
      ON CONFLICT (term) DO UPDATE SET docs = s.docs + excluded.docs;
    UPDATE search_stats SET tokens = tokens + len
      FROM (SELECT (SELECT coalesce(sum(doc_len), 0) FROM new_docs)
                 - (SELECT coalesce(sum(doc_len), 0) FROM old_docs) AS len) c WHERE id = 1;
  END IF;
  RETURN NULL;
END $$
"""
_TRIGGERS = {
    "search_docs_terms_ai": "AFTER INSERT ON search_docs REFERENCING NEW TABLE AS new_docs",
    "search_docs_terms_au": "AFTER UPDATE ON search_docs REFERENCING OLD TABLE AS old_docs NEW TABLE AS new_docs",
    "search_docs_terms_ad": "AFTER DELETE ON search_docs REFERENCING OLD TABLE AS old_docs",
}


def _upgrade_postgresql() -> None:
    op.execute("DROP TRIGGER IF EXISTS search_docs_stats ON search_docs")
    op.execute("DROP FUNCTION IF EXISTS search_stats_track()")
    # emptied first, so the new triggers count every row from zero as the rebuild writes it
    op.execute("DELETE FROM search_docs")
    op.execute("DELETE FROM search_text")
    op.execute("UPDATE search_stats SET docs = 0, tokens = 0")
    op.execute("CREATE TABLE search_terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL)")
    op.execute("ALTER TABLE search_docs ADD COLUMN day DATE, ADD COLUMN grams TSVECTOR NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE search_docs ALTER COLUMN grams DROP DEFAULT")
    # out of line and uncompressed: the heap row is ~60 bytes, so scanning many matches reads few pages
    op.execute(
        "ALTER TABLE search_docs ALTER COLUMN terms SET STORAGE EXTERNAL, ALTER COLUMN grams SET STORAGE EXTERNAL"
    )
    op.execute("ALTER TABLE search_docs SET (toast_tuple_target = 128)")
    op.execute("DROP INDEX ix_search_docs_terms")  # one index for both: the planner cannot split them
    op.execute("CREATE INDEX ix_search_docs_terms ON search_docs USING GIN (terms, grams)")
    op.execute("ALTER TABLE search_text ADD COLUMN title TEXT[] NOT NULL DEFAULT '{}'")
    op.execute(_TERMS_FUNCTION)
    for name, when in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION search_terms_track()")


def _downgrade_postgresql() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON search_docs")
    op.execute("DROP FUNCTION IF EXISTS search_terms_track()")
    op.execute("DROP TABLE IF EXISTS search_terms")
    op.execute("DROP INDEX IF EXISTS ix_search_docs_terms")
    op.execute("ALTER TABLE search_docs DROP COLUMN IF EXISTS day, DROP COLUMN IF EXISTS grams")
    op.execute("CREATE INDEX ix_search_docs_terms ON search_docs USING GIN (terms)")
    op.execute("ALTER TABLE search_docs ALTER COLUMN terms SET STORAGE EXTENDED")
    op.execute("ALTER TABLE search_docs RESET (toast_tuple_target)")
    op.execute("ALTER TABLE search_text DROP COLUMN IF EXISTS title")
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


_SQLITE_DAYS = (
    "CREATE TABLE search_days ( article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, day DATE)"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        op.execute(_SQLITE_DAYS)
        op.execute(
            "INSERT INTO search_days (article_id, day) "
            "SELECT d.article_id, a.published_on FROM search_docs d JOIN articles a ON a.id = d.article_id"
        )
        from bot.search.index import index_articles  # articles from before 0002 have no index rows yet

        missing = "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM search_docs)"
        index_articles(bind, [r[0] for r in bind.exec_driver_sql(missing)])
        return
    _upgrade_postgresql()
    from bot.search.index import reindex_all  # every article again, with the new columns

    reindex_all(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _downgrade_postgresql()
    else:
        op.execute("DROP TABLE IF EXISTS search_days")
