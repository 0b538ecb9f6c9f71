"""Ingest hardening: one page per content (unique pages.content_hash); stored duplicates merged.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 15:00:00

Two ingests at once used to store the same page twice (the twin check was check-then-insert).
The content hash is now unique, and ingest claims a page with ON CONFLICT DO NOTHING. Copies
stored before this revision are removed first: of each set of pages with the same content the
oldest (lowest id) stays, and the others go with their articles (blocks and search rows follow
by foreign-key cascade). Their articles are the same stories as the page that stays.
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    copies = (
        bind.execute(
            sa.text(
                "SELECT id FROM pages p WHERE EXISTS "
                "(SELECT 1 FROM pages q WHERE q.content_hash = p.content_hash AND q.id < p.id)"
            )
        )
        .scalars()
        .all()
    )
    if copies:
        ids = sa.bindparam("ids", expanding=True)
        bind.execute(sa.text("DELETE FROM articles WHERE page_id IN :ids").bindparams(ids), {"ids": list(copies)})
        bind.execute(sa.text("DELETE FROM pages WHERE id IN :ids").bindparams(ids), {"ids": list(copies)})
        log.warning("removed %d page(s) stored twice with the same content (the oldest copy stays)", len(copies))
    op.drop_index("ix_pages_content_hash", table_name="pages")
    op.create_index("ix_pages_content_hash", "pages", ["content_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_pages_content_hash", table_name="pages")
    op.create_index("ix_pages_content_hash", "pages", ["content_hash"], unique=False)
