"""The store's tables as SQLAlchemy 2 typed models.

One page file (`Page`) holds several pieces (`Article`, kind `article` or `caption`), each with
ordered body `Block`s. Chats, keyword follows and the delivery ledger live here too, so every
feature reads one schema. Alembic owns the DDL (bot/migrations); these classes describe it.
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
    """One ingested file; re-ingest compares `content_hash` to skip unchanged pages."""

    __tablename__ = "pages"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(1024), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
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

    page: Mapped[Page] = relationship(back_populates="articles")
    blocks: Mapped[list[Block]] = relationship(
        back_populates="article", order_by="Block.position", cascade="all, delete-orphan", lazy="selectin"
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


class Counter(Base):
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
