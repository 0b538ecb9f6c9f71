"""What a source has already delivered, so that nothing it repeats is ingested twice.

An entry is known by three things, any one of which makes it "seen" for its source:

* its key: the hash of its GUID (else its link, else its title and date);
* its link (the article URL), so a feed that changes GUIDs but keeps links repeats nothing;
* its content hash (title and text, whitespace and width folded), so a feed that re-issues
  every entry under new GUIDs and links is recognised too: those count as `repeated`.

The three are written in the same transaction as the entry's article (`remember`), and the
(source, key) pair is unique in the database: two pollers racing on one entry store it once.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.store.models import SourceEntry, utcnow


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fold(text: str) -> str:
    """Text for comparison: NFKC (full-width -> half-width), lower case, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def content_hash(title: str, text: str) -> str:
    return digest(fold(title) + "\n" + fold(text))


def link_hash(link: str | None) -> str | None:
    return digest(link.strip()) if link and link.strip() else None


@dataclass(frozen=True)
class Identity:
    key: str
    link: str | None
    link_hash: str | None
    content_hash: str


def identity(guid: str | None, link: str | None, title: str, text: str, published: str | None = None) -> Identity:
    """How an entry is known: its GUID, else its link, else its title and date."""
    raw = f"guid:{guid}" if guid else f"link:{link}" if link else f"title:{fold(title)}:{published or ''}"
    return Identity(digest(raw), link, link_hash(link), content_hash(title, text))


def seen_as(session: Session, source: str, who: Identity) -> str | None:
    """ "key" (same GUID), "link" or "content" (repeated under a new GUID), or None when new."""
    clauses = [SourceEntry.key == who.key, SourceEntry.content_hash == who.content_hash]
    if who.link_hash:
        clauses.append(SourceEntry.link_hash == who.link_hash)
    rows = session.execute(
        select(SourceEntry.key, SourceEntry.link_hash, SourceEntry.content_hash)
        .where(SourceEntry.source_name == source, or_(*clauses))
        .limit(5)
    ).all()
    if any(r.key == who.key for r in rows):
        return "key"
    if who.link_hash and any(r.link_hash == who.link_hash for r in rows):
        return "link"
    return "content" if rows else None


def remember(session: Session, source: str, who: Identity, page_id: int | None) -> None:
    now = utcnow()
    session.add(
        SourceEntry(
            source_name=source,
            key=who.key,
            link=who.link,
            link_hash=who.link_hash,
            content_hash=who.content_hash,
            page_id=page_id,
            first_seen_at=now,
            last_seen_at=now,
        )
    )


def page_entry(session: Session, source: str, url: str) -> SourceEntry | None:
    """A page source's row for one URL (it carries that URL's ETag / Last-Modified)."""
    return session.scalars(
        select(SourceEntry).where(SourceEntry.source_name == source, SourceEntry.key == digest(f"url:{url}"))
    ).one_or_none()


def remember_page(
    session: Session, source: str, url: str, page_id: int | None, etag: str | None, last_modified: str | None
) -> None:
    row = page_entry(session, source, url)
    now = utcnow()
    if row is None:
        row = SourceEntry(source_name=source, key=digest(f"url:{url}"), link=url, link_hash=link_hash(url))
        row.first_seen_at = now
        session.add(row)
    row.page_id = page_id if page_id is not None else row.page_id
    row.etag, row.last_modified, row.last_seen_at = etag, last_modified, now
