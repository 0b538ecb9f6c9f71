"""The store's tables as SQLAlchemy 2 typed models.

One page file (`Page`) holds several pieces (`Article`, kind `article` or `caption`), each with
ordered body `Block`s. Chats, keyword follows and the delivery ledger live here too, so every
feature reads one schema. Alembic owns the DDL (bot/migrations); these classes describe it.

Live sources (bot/sources) add: an article's `url` and `source_name`, the poll state of each
configured source (`SourceState`), the entries a source has already delivered (`SourceEntry`),
near-duplicate links (`ArticleDuplicate`: this article is the same story as an earlier one)
and the MinHash LSH band keys that find them (`DuplicateBand`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Page(Base):
    """One ingested file; re-ingest compares `content_hash` to skip unchanged pages. The same
    content is stored once (unique, migration 0003), whichever paths or processes bring it."""

    __tablename__ = "pages"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(1024), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True, unique=True)
    published_on: Mapped[date | None] = mapped_column(Date)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    articles: Mapped[list[Article]] = relationship(
        back_populates="page", order_by="Article.position", cascade="all, delete-orphan"
    )


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("page_id", "position"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="article")
    title: Mapped[str] = mapped_column(Text, default="")
    kicker: Mapped[str | None] = mapped_column(Text)
    subtitle: Mapped[str | None] = mapped_column(Text)
    byline: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    published_on: Mapped[date | None] = mapped_column(Date, index=True)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # filled by the summarizer; `summary_version` says which settings produced them
    summary: Mapped[list[Any] | None] = mapped_column(JSON)
    keywords: Mapped[list[Any] | None] = mapped_column(JSON)
    summary_version: Mapped[str | None] = mapped_column(String(64))
    # where a live source found it (the original's link) and which configured source that was
    url: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(64))

    page: Mapped[Page] = relationship(back_populates="articles")
    blocks: Mapped[list[Block]] = relationship(
        back_populates="article", order_by="Block.position", cascade="all, delete-orphan", lazy="selectin"
    )
    # set when this article is a near-duplicate of an earlier one (shown once, "also in" there)
    duplicate: Mapped[ArticleDuplicate | None] = relationship(
        foreign_keys="ArticleDuplicate.article_id", cascade="all, delete-orphan", lazy="selectin", uselist=False
    )

    @property
    def source(self) -> str:
        return self.page.source


class Block(Base):
    __tablename__ = "blocks"
    __table_args__ = (UniqueConstraint("article_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))  # "paragraph" | "heading"
    text: Mapped[str] = mapped_column(Text)

    article: Mapped[Article] = relationship(back_populates="blocks")


class ArticleDuplicate(Base):
    """`article_id` tells the same story as `original_id` (an earlier article, never itself a
    duplicate): digests, alerts, /latest and search show the original only, and its card lists
    the duplicates as "also in". Both sides cascade: a deleted original frees its duplicates."""

    __tablename__ = "article_duplicates"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    similarity: Mapped[float] = mapped_column(Float)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateBand(Base):
    """One MinHash LSH band of an article's text (bot.sources.near_duplicates): two articles
    sharing a (band, key) are candidates for the same story."""

    __tablename__ = "duplicate_bands"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), index=True)


class SourceState(Base):
    """The poll state of one configured source (by its name): what `digestbot sources` shows."""

    __tablename__ = "source_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32), default="never")
    detail: Mapped[str | None] = mapped_column(Text)
    last_poll_at: Mapped[datetime | None] = mapped_column()
    last_ok_at: Mapped[datetime | None] = mapped_column()
    retry_after: Mapped[datetime | None] = mapped_column()  # backoff: no scheduled poll before this
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    seen: Mapped[int] = mapped_column(Integer, default=0)  # items in the last poll
    new: Mapped[int] = mapped_column(Integer, default=0)  # of which stored as new articles
    repeated: Mapped[int] = mapped_column(Integer, default=0)  # same text under a new GUID/link
    failed: Mapped[int] = mapped_column(Integer, default=0)  # items that failed in the last poll
    total_new: Mapped[int] = mapped_column(Integer, default=0)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failed polls
    alerted: Mapped[bool] = mapped_column(Boolean, default=False)  # admins told it is failing
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SourceEntry(Base):
    """An item a source has delivered once (a feed entry by GUID or link, a page by URL, an
    inbox file): never ingested again, also when it comes back under a new GUID (`content_hash`)."""

    __tablename__ = "source_entries"
    __table_args__ = (
        UniqueConstraint("source_name", "key"),
        Index("ix_source_entries_link", "source_name", "link_hash"),
        Index("ix_source_entries_content", "source_name", "content_hash"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64))  # hash of the GUID (or link, or URL)
    link: Mapped[str | None] = mapped_column(Text)
    link_hash: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"))
    etag: Mapped[str | None] = mapped_column(Text)  # page sources: validators per URL
    last_modified: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeywordDoc(Base):
    """What keywords are ranked from, per article: its distinct candidate terms (counted once per
    article in `keyword_stats`), the best candidates' local weights and the merged phrases among
    them, and how many articles the corpus held when its keywords were last ranked. Goes with
    its article (foreign-key cascade); triggers keep `keyword_stats` in step on every insert,
    change of `terms` and delete (bot/store/migrations/versions/0006_keyword_stats.py)."""

    __tablename__ = "keyword_docs"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    terms: Mapped[list[Any]] = mapped_column(JSON)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    phrases: Mapped[dict[str, Any]] = mapped_column(JSON)
    corpus_docs: Mapped[int] = mapped_column(Integer, default=0, index=True)


class KeywordStat(Base):
    """Corpus document frequencies: how many articles have each term (`df`); the row with the
    empty term counts the articles. Written only by the triggers on `keyword_docs`."""

    __tablename__ = "keyword_stats"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    df: Mapped[int] = mapped_column(Integer, default=0)


class Chat(Base):
    """A Telegram chat the bot knows. `telegram_id` may change (group -> supergroup migration)."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    type: Mapped[str] = mapped_column(String(16), default="private")
    title: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    summary_sentences: Mapped[int | None] = mapped_column(Integer)
    digests_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    edition: Mapped[str | None] = mapped_column(String(32))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    subscribed_at: Mapped[datetime | None] = mapped_column()
    unsubscribed_reason: Mapped[str | None] = mapped_column(String(64))
    # digest cursor: highest article id already sent in a digest to this chat
    digest_cursor: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    follows: Mapped[list[Follow]] = relationship(back_populates="chat", cascade="all, delete-orphan")


class Follow(Base):
    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("chat_id", "word"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    word: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chat: Mapped[Chat] = relationship(back_populates="follows")


class Delivery(Base):
    """The delivery ledger: one row per (chat, edition, key), written before sending.

    For digests `key` is the edition's local date (YYYY-MM-DD); for keyword alerts the edition
    is "alert" and `key` the article id. The unique constraint is what makes a second copy
    impossible, whatever restarts or second instances do.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("chat_id", "edition", "key"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    edition: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    message_ids: Mapped[list[Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column()
    not_before: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Total(Base):
    """Named totals shown in /stats (delivery outcomes, ingests) that survive restarts."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float] = mapped_column(Float, default=0)


class State(Base):
    """Small named values the scheduler keeps across restarts (e.g. an edition's last fire time)."""

    __tablename__ = "state"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Instance(Base):
    """A running `digestbot run` process and its heartbeat: who is up, in which role, and which
    one leads (polls Telegram and runs the schedule). Rows of stopped processes are removed at
    a clean stop; a crashed one's row simply stops being refreshed."""

    __tablename__ = "instances"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    pacer: Mapped[str] = mapped_column(String(16))
    leader: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
