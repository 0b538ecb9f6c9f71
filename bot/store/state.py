"""Small named values kept across restarts: an edition's last fire, the alerts cursor, and the
search queries behind inline buttons.

Telegram allows 64 bytes of callback data, too few for a query, so a search button carries the
id of the query text remembered here (`remember_query`); it survives restarts and is forgotten
after `QUERY_TTL` without use.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.db import Store
from bot.store.models import State, utcnow

QUERY_TTL = timedelta(days=30)


def read_state(store: Store, name: str) -> dict[str, Any] | None:
    with store.session() as s:
        row = s.get(State, name)
        return dict(row.value) if row and row.value is not None else None


def write_state(session: Session, name: str, value: dict[str, Any]) -> None:
    """Set a named value inside the caller's transaction."""
    row = session.get(State, name)
    if row is None:
        session.add(State(name=name, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()


def query_id(query: str) -> str:
    return hashlib.sha1(query.encode()).hexdigest()[:10]


def remember_query(store: Store, query: str) -> str:
    """Keep a query for its buttons; returns the id they carry."""
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
