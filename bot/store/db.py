"""Engine and session set-up for the embedded SQLite default and PostgreSQL by URL.

Migrations run through Alembic on every start (`open_store`) and on `digestbot db upgrade`,
so a fresh data directory and an old one both end at the current schema.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(RuntimeError):
    """The database cannot be opened or migrated; the message is safe to show."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def redact_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite also create the data directory and turn on WAL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"database URL is not valid: {redact_url(url)!r} (expected e.g. sqlite:///data/x.sqlite3 or postgresql://host/db)"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_pre_ping=True)
        except ModuleNotFoundError:
            raise StoreError("PostgreSQL support is not installed: pip install 'digestbot[postgres]'") from None
    raise StoreError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to `revision`. On PostgreSQL under an advisory lock (per schema), so instances
    that start at the same moment migrate one after the other instead of racing."""
    try:
        if engine.dialect.name != "postgresql":
            command.upgrade(alembic_config(engine), revision)
            return
        with engine.connect() as lock:
            key = "hashtext('digestbot:migrate'), hashtext(current_schema())"
            lock.exec_driver_sql(f"SELECT pg_advisory_lock({key})")
            try:
                command.upgrade(alembic_config(engine), revision)
            finally:
                lock.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")
                lock.commit()
    except OperationalError as exc:
        raise StoreError(f"cannot open the database {redact_url(str(engine.url))}: {exc.orig}") from None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class Store:
    """An engine plus a session factory: what every service function takes."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.session = sessionmaker(engine, expire_on_commit=False)
        from bot.search.index import track  # the search index follows every commit

        track(self.session)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, migrate: bool = True) -> Store:
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Store(engine)


__all__ = ["Store", "StoreError", "Session", "open_store", "make_engine", "upgrade", "redact_url"]
