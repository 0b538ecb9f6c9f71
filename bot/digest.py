"""Composing a chat's digest: what is new for it, most important first, rendered for Telegram.

What is new follows a per-chat cursor (the highest article id already sent); a chat with no
cursor yet gets the latest day's articles. Importance is centrality among the candidates (how
much an article's keywords overlap with the others': the day's main story shares its terms
with the commentary and follow-ups), then recency. The result is a list of `Message`s that
the delivery path sends and `digestbot digest --preview` prints unchanged.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.chats import ChatView
from bot.config import Settings
from bot.db import Store
from bot.i18n import format_date, language_of, t
from bot.messages import Message, clip, escape, group_blocks
from bot.models import Article
from bot.schedule import Edition

SummaryFor = Callable[[Article, int], list[str]]
LATEST_DAY_WINDOW = 500  # how far back a first digest looks for "the latest day"
MAX_CANDIDATES = 500  # a chat far behind (digests off for months) gets the newest 500, not all
SUMMARY_CHARS, TITLE_CHARS = 1000, 200  # an entry always fits a message, whatever the corpus holds


def stored_summary(article: Article, sentences: int) -> list[str]:
    """The stored summary cut to `sentences` (already whole sentences, in article order)."""
    return list(article.summary or [])[:sentences]


def keyword_words(article: Article) -> list[str]:
    return [k["word"] if isinstance(k, dict) else str(k) for k in (article.keywords or [])]


def hashtag(word: str) -> str | None:
    """`#武进`; Telegram hashtags take letters, digits and _ only."""
    tag = "".join(ch for ch in word if ch.isalnum() or ch == "_")
    return f"#{tag}" if tag and not tag.isdigit() else None


@dataclass
class DigestEntry:
    article_id: int
    title: str
    byline: str | None
    summary: list[str]
    keywords: list[str]


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
            "messages": [m.to_dict() for m in self.messages],
        }


def article_day(article: Article, tz: ZoneInfo) -> date:
    return article.published_on or article.ingested_at.astimezone(tz).date()


LEAD_BONUS = 0.5  # a page's lead story (position 0) is an editor's own importance signal


def centrality_order(articles: list[Article]) -> list[Article]:
    """Most important first: keyword centrality among the candidates (sum of cosines of their
    keyword vectors, scaled to 0..1), plus a bonus for a page's lead story; then newest."""
    vectors = []
    for a in articles:
        vec = {}
        for k in a.keywords or []:
            word, weight = (k["word"], float(k.get("weight", 1.0))) if isinstance(k, dict) else (str(k), 1.0)
            vec[word] = weight
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vectors.append({w: v / norm for w, v in vec.items()})
    central = []
    for i, vi in enumerate(vectors):
        central.append(sum(sum(v * vj.get(w, 0.0) for w, v in vi.items()) for j, vj in enumerate(vectors) if j != i))
    top = max(central, default=0.0) or 1.0
    scores = [c / top + (LEAD_BONUS if a.position == 0 else 0.0) for c, a in zip(central, articles, strict=True)]
    order = sorted(range(len(articles)), key=lambda i: (-round(scores[i], 9), -articles[i].id))
    return [articles[i] for i in order]


def trending_words(articles: list[Article], n: int) -> list[str]:
    """The keywords most articles share (ties: higher summed weight)."""
    counts: Counter[str] = Counter()
    weights: Counter[str] = Counter()
    for a in articles:
        for k in a.keywords or []:
            word, weight = (k["word"], float(k.get("weight", 0))) if isinstance(k, dict) else (str(k), 0.0)
            counts[word] += 1
            weights[word] += weight
    ranked = sorted(counts, key=lambda w: (-counts[w], -weights[w], w))
    return [w for w in ranked if counts[w] > 1][:n] or ranked[:n]


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
        now = now or datetime.now(UTC)
        tz = edition.tz if edition else self.tz
        lang = language_of(chat.language if chat else None, self.settings.telegram.language)
        sentences = (
            chat.summary_sentences if chat and chat.summary_sentences else None
        ) or self.settings.digest.summary_sentences
        cursor = chat.digest_cursor if chat else None
        key = (cursor, lang, sentences, edition.name if edition else None, now.astimezone(tz).date())
        if key not in self._cache:
            self._cache[key] = self._compose(cursor, lang, sentences, edition, now.astimezone(tz).date(), tz)
        return self._cache[key]

    def _candidates(self, cursor: int | None, tz: ZoneInfo) -> list[Article]:
        """Articles after the cursor; without one, the latest day's (by date, then ingest)."""
        with self.store.session() as s:
            q = select(Article).where(Article.kind == "article")
            if cursor is not None:
                newest = s.scalars(q.where(Article.id > cursor).order_by(Article.id.desc()).limit(MAX_CANDIDATES))
                return sorted(newest, key=lambda a: a.id)
            recent = list(s.scalars(q.order_by(Article.id.desc()).limit(LATEST_DAY_WINDOW)))
        if not recent:
            return []
        latest = max(article_day(a, tz) for a in recent)
        return sorted((a for a in recent if article_day(a, tz) == latest), key=lambda a: a.id)

    def _compose(self, cursor, lang, sentences, edition, day, tz) -> Digest | None:  # type: ignore[no-untyped-def]
        candidates = self._candidates(cursor, tz)
        if not candidates:
            if self.settings.digest.when_empty == "skip":
                return None
            digest = Digest(day, lang, edition.name if edition else None, [], 0, [], cursor)
            digest.messages = [Message(t(lang, "digest.empty"))]
            return digest
        ranked = centrality_order(candidates)
        shown = ranked[: self.settings.digest.max_articles]
        entries = [
            DigestEntry(a.id, a.title, a.byline, self.summary_for(a, sentences), keyword_words(a)[:4]) for a in shown
        ]
        digest = Digest(
            day=day,
            language=lang,
            edition=edition.name if edition else None,
            entries=entries,
            more=len(ranked) - len(shown),
            trending=trending_words(candidates, self.settings.digest.trending_keywords),
            cursor=max(a.id for a in candidates),
        )
        digest.messages = render(digest, multiple_editions=len(self.settings.digest.editions) > 1)
        return digest


def render_entry(n: int, entry: DigestEntry) -> str:
    lines = [f"<b>{n}. {escape(clip(entry.title, TITLE_CHARS))}</b>"]
    if entry.byline:
        lines.append(f"<i>{escape(clip(entry.byline, TITLE_CHARS))}</i>")
    if entry.summary:
        lines.append(escape(clip("".join(entry.summary), SUMMARY_CHARS)))
    tags = [tag for tag in (hashtag(w) for w in entry.keywords) if tag]
    if tags:
        lines.append(" ".join(tags))
    return "\n".join(lines)


def render(digest: Digest, multiple_editions: bool = False) -> list[Message]:
    lang = digest.language
    when = format_date(lang, digest.day)
    if multiple_editions and digest.edition:
        head = [t(lang, "digest.title_edition", edition=escape(digest.edition), date=when)]
    else:
        head = [t(lang, "digest.title", date=when)]
    tags = [tag for tag in (hashtag(w) for w in digest.trending) if tag]
    if tags:
        head.append(t(lang, "digest.trending", tags=" ".join(tags)))
    head.append(t(lang, "digest.count", n=len(digest.entries) + digest.more))
    blocks = ["\n".join(head)] + [render_entry(i + 1, e) for i, e in enumerate(digest.entries)]
    if digest.more:
        blocks.append(t(lang, "digest.more", n=digest.more))
    messages = []
    for group in group_blocks(blocks):
        entry_numbers = [i for i in group if 1 <= i <= len(digest.entries)]
        buttons = [(t(lang, "button.read", n=i), f"a:{digest.entries[i - 1].article_id}") for i in entry_numbers]
        rows = [buttons[k : k + 5] for k in range(0, len(buttons), 5)]
        messages.append(Message("\n\n".join(blocks[i] for i in group), rows))
    return messages
