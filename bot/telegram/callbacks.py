"""Inline-button callback data: short, typed, and checked on the way back in.

Telegram allows 64 bytes of callback data and anyone can forge a press, so data is a tiny
grammar (`a:12`, `q:3f2a9c1b0d:2`, `s:len:2`) parsed strictly; anything else is "stale".
Queries are too long for 64 bytes, so a search button carries the id of the query text kept
in the store (`remember_query`), which also survives restarts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.db import Store
from bot.models import State, utcnow

NOOP = "noop"
MAX_BYTES = 64
_PATTERNS = {
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
    m = _PATTERNS.get(data[0])
    match = m.match(data) if m else None
    return Press(data[0], match.groups()) if match else None


def _checked(data: str) -> str:
    assert len(data.encode()) <= MAX_BYTES and parse(data) is not None, data
    return data


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


# -- remembered queries ------------------------------------------------------------------------

QUERY_TTL = timedelta(days=30)


def query_id(query: str) -> str:
    return hashlib.sha1(query.encode()).hexdigest()[:10]


def remember_query(store: Store, query: str) -> str:
    qid = query_id(query)
    for attempt in (1, 2):
        try:
            with store.session.begin() as s:
                row = s.get(State, f"q:{qid}")
                if row is None:
                    s.add(State(name=f"q:{qid}", value={"q": query}, updated_at=utcnow()))
                else:
                    row.updated_at = utcnow()
            break
        except IntegrityError:  # two chats searched the same words at once: the other one stored it
            if attempt == 2:
                raise
    return qid


def recall_query(store: Store, qid: str) -> str | None:
    with store.session() as s:
        row = s.get(State, f"q:{qid}")
        return row.value.get("q") if row and row.value else None


def forget_old_queries(store: Store) -> int:
    with store.session.begin() as s:
        result = s.execute(delete(State).where(State.name.like("q:%"), State.updated_at < utcnow() - QUERY_TTL))
        return result.rowcount or 0
