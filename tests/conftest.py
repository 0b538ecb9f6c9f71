"""Shared fixtures: a fresh store on SQLite and, where a server is configured, PostgreSQL.

PostgreSQL tests run when DIGESTBOT_TEST_POSTGRES_URL is set (CI sets it, see .ci/run), and
each test gets its own schema. Without it they skip with the reason; with
DIGESTBOT_REQUIRE_POSTGRES=1 a missing or unreachable server is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from bot.config import Settings
from bot.store.db import Store, open_store

pytest.register_assert_rewrite("e2e_harness")  # the end-to-end tests' shared harness

# Property tests run the same examples on every run ("ci"), so a red build always means a
# change in the code; HYPOTHESIS_PROFILE=explore searches new random examples instead.
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PG_URL = os.environ.get("DIGESTBOT_TEST_POSTGRES_URL", "")
REQUIRE_PG = os.environ.get("DIGESTBOT_REQUIRE_POSTGRES") == "1"


def _pg_unavailable() -> str | None:
    if not PG_URL:
        return (
            "PostgreSQL tests need DIGESTBOT_TEST_POSTGRES_URL (e.g. postgresql://127.0.0.1:5432/test); .ci/run sets it"
        )
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed: pip install -e '.[test]'"
    try:
        with psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            pass
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_URL} is unreachable: {exc}"
    return None


_PG_PROBLEM: str | None = None
_PG_CHECKED = False


def pg_problem() -> str | None:
    global _PG_PROBLEM, _PG_CHECKED
    if not _PG_CHECKED:
        _PG_PROBLEM, _PG_CHECKED = _pg_unavailable(), True
    return _PG_PROBLEM


def require_postgres() -> None:
    problem = pg_problem()
    if problem:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here (DIGESTBOT_REQUIRE_POSTGRES=1): {problem}")
        pytest.skip(problem)


def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, private schema; dropped afterwards."""
    import psycopg

    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty store, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'digestbot.sqlite3'}"
    else:
        yield from postgres_schema_url()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'data' / 'digestbot.sqlite3'}")
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    s = Settings()
    s.storage.database_url = db_url
    s.storage.data_dir = tmp_path / "data"
    return s


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seed pages that a test may edit."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's config or token, and run in a scratch directory."""
    for var in (
        "DIGESTBOT_CONFIG",
        "TELEGRAM_BOT_TOKEN",
        "DIGESTBOT_DATABASE_URL",
        "DIGESTBOT_DATA_DIR",
        "DIGESTBOT_API_URL",
        "DIGESTBOT_WEBHOOK_URL",
        "DIGESTBOT_WEBHOOK_SECRET",
        "DIGESTBOT_ADMINS",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


# -- Redis (the shared send budget) --------------------------------------------------------------

REDIS_URL = os.environ.get("DIGESTBOT_TEST_REDIS_URL", "")
REQUIRE_REDIS = os.environ.get("DIGESTBOT_REQUIRE_REDIS") == "1"


def _redis_unavailable() -> str | None:
    if not REDIS_URL:
        return "Redis tests need DIGESTBOT_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0); .ci/run sets it"
    try:
        import redis
    except ImportError:
        return "redis-py is not installed: pip install -e '.[test]'"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} is unreachable: {exc}"
    return None


def require_redis() -> None:
    problem = _redis_unavailable()
    if problem:
        if REQUIRE_REDIS:
            pytest.fail(f"Redis is required here (DIGESTBOT_REQUIRE_REDIS=1): {problem}")
        pytest.skip(problem)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A private key prefix on the test Redis server (`DIGESTBOT_TEST_REDIS_URL`); its keys are
    deleted afterwards. The server itself is shared and never stopped or flushed."""
    import redis

    require_redis()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
