"""Composing a chat's digest: what is new for it, most important first, rendered for Telegram.

What is new follows a per-chat cursor (the highest article id already sent); a chat with no
cursor yet gets the latest day's articles. The order is the one the README promises: every
page's lead story first (the editor's own ranking), then centrality among the candidates (how
much an article's keywords overlap with the others': the day's main story shares its terms
with the commentary and follow-ups), then recency. The header says which day the articles are
from when they carry a publication date, and "the latest N" when they do not. The result is a list of `Message`s that
the delivery path sends and `digestbot digest --preview` prints unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.config import Settings
from bot.digest.render import DigestEntry, empty_digest, render_digest
from bot.digest.schedule import Edition
from bot.search.keywords import top_keywords
from bot.store.articles import keyword_weights, original
from bot.store.chats import ChatView
from bot.store.db import Store
from bot.store.models import Article
from bot.ui.i18n import language_of
from bot.ui.messages import Message
from bot.ui.when import edition_title

SummaryFor = Callable[[Article, int], list[str]]
LATEST_DAY_WINDOW = 500  # how far back a first digest looks for "the latest day"
MAX_CANDIDATES = 500  # a chat far behind (digests off for months) gets the newest 500, not all


def stored_summary(article: Article, sentences: int) -> list[str]:
    """The stored summary cut to `sentences` (already whole sentences, in article order)."""
    return list(article.summary or [])[:sentences]


@dataclass
class Digest:
    day: date
    language: str
    edition: str | None
    entries: list[DigestEntry]
    more: int
    trending: list[str]
    cursor: int | None
    messages: list[Message] = field(default_factory=list)
    published: tuple[date, date] | None = None  # first and last publication date; None if any is undated
    edition_title: str | None = None  # what readers call the edition (bot.ui.when.edition_title)

    @property
    def article_ids(self) -> list[int]:
        return [e.article_id for e in self.entries]

    def to_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "language": self.language,
            "edition": self.edition,
            "articles": self.article_ids,
            "more": self.more,
            "trending": self.trending,
            "cursor": self.cursor,
            "published": [d.isoformat() for d in self.published] if self.published else None,
            "messages": [m.to_dict() for m in self.messages],
        }


def summary_length(chat: ChatView | None, settings: Settings) -> int:
    """Sentences per summary for this chat: its own choice in /settings, else the digest default."""
    return (chat.summary_sentences if chat is not None else None) or settings.digest.summary_sentences


def article_day(article: Article, tz: ZoneInfo) -> date:
    return article.published_on or article.ingested_at.astimezone(tz).date()


def centrality_order(articles: list[Article]) -> list[Article]:
    """Most important first: every page's lead story (position 0, the editor's own ranking),
    then keyword centrality among the candidates (sum of cosines of their keyword vectors,
    scaled to 0..1), then newest. Leads are ordered among themselves the same way."""
    vectors = []
    for a in articles:
        vec = keyword_weights(a.keywords)
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    central = []
    for i, vi in enumerate(vectors):
        central.append(sum(sum(v * vj.get(w, 0.0) for w, v in vi.items()) for j, vj in enumerate(vectors) if j != i))
    top = max(central, default=0.0) or 1.0
    scores = [c / top for c in central]
    order = sorted(
        range(len(articles)), key=lambda i: (articles[i].position != 0, -round(scores[i], 9), -articles[i].id)
    )
    return [articles[i] for i in order]


def publication_span(articles: list[Article]) -> tuple[date, date] | None:
    """The first and last publication date of what a digest shows; None when any is undated
    (then the date the digest is sent says nothing about them)."""
    dates = [a.published_on for a in articles]
    if not dates or any(d is None for d in dates):
        return None
    known = [d for d in dates if d is not None]
    return min(known), max(known)


class DigestComposer:
    """Composes digests for many chats in one run, sharing work between identical ones."""

    def __init__(self, store: Store, settings: Settings, summary_for: SummaryFor | None = None):
        self.store = store
        self.settings = settings
        self.summary_for = summary_for or stored_summary
        self.tz = ZoneInfo(settings.digest.timezone)
        self._cache: dict[tuple, Digest | None] = {}

    def for_chat(self, chat: ChatView | None, edition: Edition | None, now: datetime | None = None) -> Digest | None:
        """The digest this chat would get now, or None when there is nothing to send."""
        return self._for(chat, edition, now, chat.digest_cursor if chat else None, self.settings.digest.when_empty)

    def today(self, chat: ChatView | None, edition: Edition | None, now: datetime | None = None) -> Digest | None:
        """What /digest shows: the latest day's articles, whatever this chat was already sent;
        None when there are none."""
        return self._for(chat, edition, now, None, "skip")

    def _for(
        self, chat: ChatView | None, edition: Edition | None, now: datetime | None, cursor: int | None, when_empty: str
    ) -> Digest | None:
        now = now or datetime.now(UTC)
        tz = edition.tz if edition else self.tz
        lang = language_of(chat.language if chat else None, self.settings.telegram.language)
        sentences = summary_length(chat, self.settings)
        day = now.astimezone(tz).date()
        key = (cursor, lang, sentences, edition.name if edition else None, day, when_empty)
        if key not in self._cache:
            self._cache[key] = self._compose(cursor, lang, sentences, edition, day, tz, when_empty)
        return self._cache[key]

    def _candidates(self, cursor: int | None, tz: ZoneInfo) -> list[Article]:
        """Articles after the cursor; without one, the latest day's (by date, then ingest)."""
        with self.store.session() as s:
            q = select(Article).where(Article.kind == "article", original())  # each story once
            if cursor is not None:
                newest = s.scalars(q.where(Article.id > cursor).order_by(Article.id.desc()).limit(MAX_CANDIDATES))
                return sorted(newest, key=lambda a: a.id)
            recent = list(s.scalars(q.order_by(Article.id.desc()).limit(LATEST_DAY_WINDOW)))
        if not recent:
            return []
        latest = max(article_day(a, tz) for a in recent)
        return sorted((a for a in recent if article_day(a, tz) == latest), key=lambda a: a.id)

    def _compose(
        self,
        cursor: int | None,
        lang: str,
        sentences: int,
        edition: Edition | None,
        day: date,
        tz: ZoneInfo,
        when_empty: str,
    ) -> Digest | None:
        candidates = self._candidates(cursor, tz)
        if not candidates:
            if when_empty == "skip":
                return None
            digest = Digest(day, lang, edition.name if edition else None, [], 0, [], cursor)
            digest.messages = [empty_digest(lang)]
            return digest
        ids = [a.id for a in candidates]
        ranked = centrality_order(candidates)
        shown = ranked[: self.settings.digest.max_articles]
        entries = [DigestEntry.of(a, self.summary_for(a, sentences)) for a in shown]
        digest = Digest(
            day=day,
            language=lang,
            edition=edition.name if edition else None,
            entries=entries,
            more=len(ranked) - len(shown),
            trending=[w for w, _ in top_keywords(self.store, self.settings.digest.trending_keywords, article_ids=ids)],
            cursor=max(a.id for a in candidates),
            published=publication_span(shown),
            edition_title=edition_title(lang, edition) if edition else None,
        )
        digest.messages = render_digest(digest, multiple_editions=len(self.settings.digest.editions) > 1)
        return digest
