"""Live sources: articles carry their link and source; source poll state, seen entries, near-duplicates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00

* `articles.url`, `articles.source_name`: plain nullable columns (ALTER TABLE ADD COLUMN on both
  stores; SQLite never has to rebuild the table, which would cascade into blocks).
* `source_state`: one row per configured source name (status, validators, counters, backoff).
* `source_entries`: what each source has delivered (GUID/link/URL key, link and content hashes).
* `article_duplicates`: article -> the earlier article telling the same story.
* `duplicate_bands`: MinHash LSH band keys per article, to find those candidates by index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("url", sa.Text(), nullable=True))
    op.add_column("articles", sa.Column("source_name", sa.String(64), nullable=True))
    op.create_table(
        "source_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text()),
        sa.Column("last_poll_at", sa.DateTime(timezone=True)),
        sa.Column("last_ok_at", sa.DateTime(timezone=True)),
        sa.Column("retry_after", sa.DateTime(timezone=True)),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        *(
            sa.Column(name, sa.Integer(), nullable=False, server_default="0")
            for name in ("seen", "new", "repeated", "failed", "total_new", "polls", "failures")
        ),
        sa.Column("alerted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "source_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_name", sa.String(64), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("link", sa.Text()),
        sa.Column("link_hash", sa.String(64)),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("page_id", sa.Integer(), sa.ForeignKey("pages.id", ondelete="SET NULL")),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source_name", "key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_source_entries_link", "source_entries", ["source_name", "link_hash"])
    op.create_index("ix_source_entries_content", "source_entries", ["source_name", "content_hash"])
    op.create_table(
        "article_duplicates",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("original_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_article_duplicates_original_id", "article_duplicates", ["original_id"])
    op.create_table(
        "duplicate_bands",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("band", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(32), nullable=False),
    )
    op.create_index("ix_duplicate_bands_key", "duplicate_bands", ["key"])


def downgrade() -> None:
    op.drop_table("duplicate_bands")
    op.drop_table("article_duplicates")
    op.drop_table("source_entries")
    op.drop_table("source_state")
    op.drop_column("articles", "source_name")
    op.drop_column("articles", "url")
