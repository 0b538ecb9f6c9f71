"""Two ingests at once store each page once: locks and a claim, not check-then-insert.

* `lock_page` starts the page's write transaction holding a lock, so whatever the transaction
  reads is not changed under it by another ingest of the same file: on SQLite `BEGIN IMMEDIATE`
  (the database's write lock, taken before the first read; other writers wait up to the busy
  timeout); on PostgreSQL a transaction-scoped advisory lock on the page's source key.
* `claim_new_page` inserts the page row with `ON CONFLICT DO NOTHING`: `pages.source` and
  `pages.content_hash` are unique (migration 0003), so of two processes storing the same
  content (one path or two), one gets the row and the other gets nothing and reports the page
  as unchanged.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.models import Page, utcnow


def _lock_key(source: str) -> int:
    """A signed 64-bit advisory-lock key for a page's source."""
    return int.from_bytes(hashlib.sha256(source.encode()).digest()[:8], "big", signed=True)


def lock_page(session: Session, source: str) -> None:
    """Call first in the page's write transaction (see the module docstring)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%(key)s)", {"key": _lock_key(source)})


def twin_of(session: Session, page_hash: str, page: Page | None) -> Page | None:
    """Another stored page with exactly this content, if any."""
    query = select(Page).where(Page.content_hash == page_hash)
    if page is not None and page.id is not None:
        query = query.where(Page.id != page.id)
    return session.scalars(query.limit(1)).one_or_none()


def claim_new_page(session: Session, source: str, page_hash: str, published: date | None) -> Page | None:
    """Insert the page row unless the same source or content is already stored; the new Page,
    or None when another process got there first."""
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = (
        insert(Page)
        .values(source=source, content_hash=page_hash, published_on=published, ingested_at=now, updated_at=now)
        .on_conflict_do_nothing()
        .returning(Page.id)
    )
    page_id = session.execute(stmt).scalar_one_or_none()
    return None if page_id is None else session.get(Page, page_id)
