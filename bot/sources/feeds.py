"""Feeds (RSS 0.9x/2.0, Atom 0.3/1.0, RDF/RSS 1.0) to entries, with feedparser.

feedparser reads every dialect, guesses the encoding from the XML declaration and the HTTP
header, sanitises entry HTML and recovers what it can from XML that is not well-formed. This
module decides what the result means:

* no entries and no feed dialect recognised: `not_a_feed` (an HTML page served at the feed's
  URL, a login wall, an error page) or `malformed` (XML feedparser could not read);
* entries from XML that is not well-formed: the entries are used, with a warning;
* each entry: GUID (`id`), link, title as text, author, published (or updated) time in UTC, and
  its richest HTML (full `content` if the feed carries it, else the summary).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.sources.errors import SourceProblem
from bot.sources.extract import clean, html_blocks


class FeedError(SourceProblem, ValueError):
    """Not a feed we can read; `kind` is the status (`not_a_feed`, `malformed`)."""


@dataclass
class FeedEntry:
    guid: str | None
    link: str | None
    title: str
    author: str | None
    published: datetime | None
    html: str
    full_content: bool  # the feed carried the article's content, not only a summary

    def text(self) -> str:
        return "\n".join(b.text for b in html_blocks(self.html))


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    warning: str | None = None


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _richest(entry: Any) -> tuple[str, bool]:
    contents = [c.get("value") or "" for c in entry.get("content") or [] if isinstance(c, dict)]
    best = max(contents, key=len, default="")
    summary = entry.get("summary") or ""
    if len(clean(best)) >= len(clean(summary)) and best.strip():
        return best, True
    return summary, False


def _title(entry: Any) -> str:
    raw = entry.get("title") or ""
    if "<" in raw:  # a title of type html: its text only
        return " ".join(b.text for b in html_blocks(raw))
    return clean(raw)


def _entry(entry: Any) -> FeedEntry:
    html, full = _richest(entry)
    return FeedEntry(
        guid=(entry.get("id") or "").strip() or None,
        link=(entry.get("link") or "").strip() or None,
        title=_title(entry),
        author=clean(entry.get("author")) or None,
        published=_when(entry),
        html=html,
        full_content=full,
    )


def _looks_like_html(body: bytes, content_type: str | None) -> bool:
    head = body[:2048].lower()
    return (content_type or "").startswith("text/html") or b"<html" in head or b"<!doctype html" in head


def _problem(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "unreadable"


def parse_feed(body: bytes, content_type: str | None = None, url: str | None = None) -> ParsedFeed:
    """Entries of a feed document, newest as the feed orders them; FeedError if it is none."""
    headers = {"content-type": content_type} if content_type else {}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    entries = [_entry(e) for e in parsed.entries]
    exc = parsed.get("bozo_exception")
    broken = bool(parsed.get("bozo")) and not isinstance(exc, feedparser.CharacterEncodingOverride)
    if not entries:
        if not parsed.get("version") and _looks_like_html(body, content_type):
            shown = content_type or "HTML"
            raise FeedError("not_a_feed", f"got a web page ({shown}), not an RSS/Atom feed")
        if broken:
            raise FeedError("malformed", f"not a readable feed: {_problem(parsed)}"[:300])
        if not parsed.get("version"):
            raise FeedError("not_a_feed", "no RSS/Atom/RDF feed in the response")
    warning = None
    if broken and entries:
        warning = f"feed is not well-formed XML ({_problem(parsed)}); {len(entries)} entries read anyway"[:300]
    return ParsedFeed(clean(parsed.feed.get("title")) or None, entries, warning)
