"""The store: SQLAlchemy models and Alembic migrations for SQLite and PostgreSQL, and the
service functions that read and write articles, chats, follows and small named state.

    from bot.store import open_store
    store = open_store("sqlite:///data/digestbot.sqlite3")   # migrates to the current schema
    with store.session() as s: ...

Everything above this package (corpus, search, digest, delivery, telegram) reads one schema
through it; nothing here knows about Telegram, summaries or search ranking.
"""

from bot.store.db import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
