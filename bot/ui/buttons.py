"""Inline-button callback data: short, typed, and checked on the way back in.

Telegram allows 64 bytes of callback data and anyone can forge a press, so data is a tiny
grammar (`a:12`, `q:3f2a9c1b0d:2`, `s:len:2`) parsed strictly; anything else is "stale".
`PATTERNS` are what the Telegram handler table routes presses by; the builders below are how
digests, alerts and views write buttons. Queries are too long for 64 bytes, so a search button
carries the id of the query text kept in the store (bot.store.state.remember_query).
A URL button (`link`) is written as its URL in the same place; `is_link` tells them apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NOOP = "noop"
MAX_BYTES = 64
# kind -> the whole grammar of its data; the groups are the press's arguments
PATTERNS = {
    "a": re.compile(r"^a:(\d{1,9})$"),  # show article
    "f": re.compile(r"^f:(\d{1,9})$"),  # full text
    "r": re.compile(r"^r:(\d{1,9})$"),  # related articles
    "k": re.compile(r"^k:(\d{1,9}):(\d{1,2})$"),  # search an article's n-th keyword
    "q": re.compile(r"^q:([0-9a-f]{10}):(\d{1,4})$"),  # search page of a remembered query
    "s": re.compile(r"^s:(len|lang|dig|ed):([A-Za-z0-9_-]{1,32})$"),  # a setting
    "m": re.compile(r"^m:(sub|digest|keywords)$"),  # start-menu shortcuts
}


@dataclass(frozen=True)
class Press:
    kind: str
    args: tuple[str, ...]


def parse(data: str | None) -> Press | None:
    """The press, or None for stale/forged data."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    if data == NOOP:
        return Press(NOOP, ())
    m = PATTERNS.get(data[0])
    match = m.match(data) if m else None
    return Press(data[0], match.groups()) if match else None


def _checked(data: str) -> str:
    assert len(data.encode()) <= MAX_BYTES and parse(data) is not None, data
    return data


MAX_URL = 2048


def link(url: str | None) -> str | None:
    """A URL button's target (a 🔗 原文 button): an http(s) URL without spaces, else None (no
    button). Callback data never starts with a scheme, so a button's data tells which it is."""
    if not url or len(url) > MAX_URL or any(ch.isspace() for ch in url):
        return None
    return url if url.lower().startswith(("http://", "https://")) and len(url) > 8 else None


def is_link(data: str) -> bool:
    return data.lower().startswith(("http://", "https://"))


def article(article_id: int) -> str:
    return _checked(f"a:{article_id}")


def full_text(article_id: int) -> str:
    return _checked(f"f:{article_id}")


def related(article_id: int) -> str:
    return _checked(f"r:{article_id}")


def keyword(article_id: int, index: int) -> str:
    return _checked(f"k:{article_id}:{index}")


def search_page(query_id: str, page: int) -> str:
    return _checked(f"q:{query_id}:{page}")


def setting(name: str, value: str) -> str:
    return _checked(f"s:{name}:{value}")


def menu(name: str) -> str:
    return _checked(f"m:{name}")
