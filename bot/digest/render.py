"""How a digest and a keyword alert read: HTML `Message`s with their buttons, ready for the ledger.

An entry is rendered once, the same way in a digest and in an alert; every corpus string is
escaped and clipped, so a message always fits Telegram's 4096 characters whatever the corpus
holds; buttons come from the grammar in bot.ui.buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.store.articles import keyword_words
from bot.store.models import Article
from bot.ui import buttons
from bot.ui.i18n import format_date, t
from bot.ui.messages import Message, clip, escape, group_blocks

if TYPE_CHECKING:
    from bot.digest.compose import Digest

SUMMARY_CHARS, TITLE_CHARS = 1000, 200  # an entry always fits a message, whatever the corpus holds
HASHTAGS = 4  # keywords shown as hashtags under an entry


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
    url: str | None = None  # the original's link (live sources): a 🔗 原文 button

    @classmethod
    def of(cls, article: Article, summary: list[str]) -> DigestEntry:
        return cls(article.id, article.title, article.byline, summary, keyword_words(article.keywords), article.url)


def render_entry(entry: DigestEntry, number: int | None = None, tags: bool = True) -> str:
    """Title (numbered in a digest), byline, summary and, when `tags`, keywords as hashtags."""
    title = escape(clip(entry.title, TITLE_CHARS))
    lines = [f"<b>{number}. {title}</b>" if number is not None else f"<b>{title}</b>"]
    if entry.byline:
        lines.append(f"<i>{escape(clip(entry.byline, TITLE_CHARS))}</i>")
    if entry.summary:
        lines.append(escape(clip("".join(entry.summary), SUMMARY_CHARS)))
    shown = [tag for tag in (hashtag(w) for w in entry.keywords[:HASHTAGS]) if tag] if tags else []
    if shown:
        lines.append(" ".join(shown))
    return "\n".join(lines)


def empty_digest(lang: str) -> Message:
    return Message(t(lang, "digest.empty"))


def alert_message(lang: str, word: str, entry: DigestEntry) -> Message:
    """A keyword alert: which followed word matched, the entry, and a button to open it."""
    text = t(lang, "alert.title", word=escape(word)) + "\n" + render_entry(entry, tags=False)
    row = [(t(lang, "button.read_one"), buttons.article(entry.article_id))]
    url = buttons.link(entry.url)
    if url:
        row.append((t(lang, "button.original"), url))
    return Message(text, [row])


def headline(digest: Digest, multiple_editions: bool = False) -> str:
    """📰 今日新闻摘要 · 2024年12月8日 星期日: the articles' own date (or dates), or "the latest N"
    when they have none; 今日 only when that date is the day the digest is sent."""
    lang, span = digest.language, digest.published
    if span is None:
        when = t(lang, "digest.latest", n=len(digest.entries) + digest.more)
    elif span[0] == span[1]:
        when = format_date(lang, span[0])
    else:
        when = t(lang, "digest.span", first=format_date(lang, span[0]), last=format_date(lang, span[1]))
    if multiple_editions and digest.edition:
        name = t(lang, "digest.name_edition", edition=escape(digest.edition_title or digest.edition))
    elif span is not None and span[1] == digest.day:
        name = t(lang, "digest.name_today")
    else:
        name = t(lang, "digest.name")
    return t(lang, "digest.title", name=name, when=when)


def render_digest(digest: Digest, multiple_editions: bool = False) -> list[Message]:
    """The digest as messages split at entry boundaries, each entry with its 查看 button (and
    🔗 原文 N to the original when the article came from a live source with a link)."""
    lang = digest.language
    head = [headline(digest, multiple_editions)]
    tags = [tag for tag in (hashtag(w) for w in digest.trending) if tag]
    if tags:
        head.append(t(lang, "digest.trending", tags=" ".join(tags)))
    head.append(t(lang, "digest.count", n=len(digest.entries) + digest.more))
    blocks = ["\n".join(head)] + [render_entry(e, i + 1) for i, e in enumerate(digest.entries)]
    if digest.more:
        blocks.append(t(lang, "digest.more", n=digest.more))
    messages = []
    for group in group_blocks(blocks):
        entry_numbers = [i for i in group if 1 <= i <= len(digest.entries)]
        row = [(t(lang, "button.read", n=i), buttons.article(digest.entries[i - 1].article_id)) for i in entry_numbers]
        rows = [row[k : k + 5] for k in range(0, len(row), 5)]
        links = [
            (t(lang, "button.original_n", n=i), url)
            for i in entry_numbers
            if (url := buttons.link(digest.entries[i - 1].url))
        ]
        rows += [links[k : k + 4] for k in range(0, len(links), 4)]
        messages.append(Message("\n\n".join(blocks[i] for i in group), rows))
    return messages
