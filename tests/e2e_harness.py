"""Shared harness for the end-to-end bot tests: the real Application against the Bot API stand-in.

`run_bot(env, scenario)` starts a stand-in, builds the bot with `build_application` exactly as
`digestbot run` does (initialise, `post_init`: command menu, edition jobs; start; long polling),
runs `await scenario(bot)` and stops everything, bounded in time. `bot` (a `BotRun`) acts as
users and returns what each chat received; afterwards every run is checked for what must hold
whatever the scenario did: no message or edit refused by the stand-in's Telegram-like checks,
callback data within 64 bytes, no text over 4096, and no handler error unless the test asked
for one.

The periodic tick and config-watch jobs are removed after start: tests call `services.tick()` and
`services.check_config()` themselves, so that alerts, deliveries and reloads happen exactly when
a test says (and never behind its back), and the
edition's cron is set to fire half a day from now, so no scheduled edition fires mid-test.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application

from bot.config import LoadedConfig, Settings
from bot.config.runtime import Runtime
from bot.corpus import ingest_paths
from bot.standin import Standin
from bot.standin.model import CallbackQuery, Chat, Message, User
from bot.store.db import Store, open_store
from bot.telegram.app import build_application, serving
from bot.ui.messages import utf16_len
from conftest import SEEDS

T = TypeVar("T")
ADMIN_ID = 9001
WAIT = 10.0  # generous upper bound for one reply; a passing test never waits this long
TZ = "Asia/Shanghai"


def edition_hour() -> int:
    """An hour of the day half a day away, so that the edition never fires during a test."""
    return (datetime.now(ZoneInfo(TZ)).hour + 12) % 24


def e2e_settings(db_url: str, **telegram: Any) -> Settings:
    settings = Settings()
    settings.storage.database_url = db_url
    settings.telegram.admins = [ADMIN_ID]
    settings.digest.editions[0].cron = f"0 {edition_hour()} * * *"
    settings.digest.catchup_grace_minutes = 0  # no catch-up edition at start: the tests decide
    for key, value in telegram.items():
        setattr(settings.telegram, key, value)
    return settings


def ingest(store: Store, settings: Settings, *paths: Path) -> Any:
    report = ingest_paths(store, settings, list(paths) or [SEEDS])
    assert not report.errors, report.errors
    return report


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store (WAL included) through the backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


@dataclass
class Env:
    """What a bot runs on: settings, an open store (seeds ingested), and a config path if any."""

    settings: Settings
    store: Store
    config_path: Path | None = None


def write_page(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- running the bot ---------------------------------------------------------------------------------


def running(app: Application) -> contextlib.AbstractAsyncContextManager[Application]:
    """The bot as `digestbot run` starts it, with the tick and config-watch jobs removed: the
    tests call services.tick() and services.check_config() themselves."""

    def drop_tick(started: Application) -> None:
        for job in (*started.job_queue.get_jobs_by_name("tick"), *started.job_queue.get_jobs_by_name("config-watch")):
            job.schedule_removal()

    return serving(app, started=drop_tick)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class BotRun:
    """The running bot and its stand-in, with helpers that act as users and wait for the answer."""

    tg: Standin
    app: Application
    runtime: Runtime
    errors: list[logging.LogRecord] = field(default_factory=list)

    @property
    def services(self) -> Any:
        return self.app.bot_data["services"]

    @property
    def store(self) -> Store:
        return self.runtime.store

    def admin(self, first_name: str = "Admin") -> User:
        return self.tg.user(first_name, id=ADMIN_ID)

    def new(self, chat: Chat | User, mark: int) -> list[Message]:
        return self.tg.bot_messages(chat, since=mark)

    async def say(
        self, user: User, chat: Chat | User, text: str, *, count: int = 1, timeout: float = WAIT
    ) -> list[Message]:
        """`user` writes `text` in `chat`; returns every bot message that followed (at least `count`)."""
        mark = self.tg.mark()
        self.tg.send_message(user, chat, text)
        return await self._replies(chat, mark, count, timeout)

    async def command(
        self, user: User, chat: Chat | User, name: str, args: str = "", *, count: int = 1, timeout: float = WAIT
    ) -> list[Message]:
        """/name [args] as a client sends it (/name@bot in groups); returns the bot's messages."""
        mark = self.tg.mark()
        self.tg.command(user, chat, name, args)
        return await self._replies(chat, mark, count, timeout)

    async def reply(self, user: User, chat: Chat | User, text: str) -> Message:
        """Exactly one reply expected."""
        messages = await self.say(user, chat, text)
        assert len(messages) == 1, [m.text for m in messages]
        return messages[0]

    async def silence(self, user: User, chat: Chat | User, text: str) -> Message:
        """`user` writes `text` and the bot (having fetched it, or not been sent it) says nothing."""
        mark = self.tg.mark()
        sent = self.tg.send_message(user, chat, text)
        await self.tg.settle(quiet=0.3)
        assert self.new(chat, mark) == [], [m.text for m in self.new(chat, mark)]
        return sent

    async def press(
        self, user: User, message: Message, button: str | None = None, *, data: str | None = None
    ) -> tuple[CallbackQuery, list[Message]]:
        """Press a button; waits for the answer to the query, then for the chat to go quiet.

        Returns the query (with `.answer`) and the new messages in the message's chat (edits show
        on `message` itself)."""
        mark = self.tg.mark()
        query = self.tg.press_button(user, message, button, data=data)
        await self.tg.wait_for_answer(query, timeout=WAIT)
        await self.tg.settle()
        return query, self.new(message.chat, mark)

    async def press_for(
        self, user: User, message: Message, button: str | None = None, *, data: str | None = None, count: int = 1
    ) -> tuple[CallbackQuery, list[Message]]:
        """Press a button that answers with `count` new message(s)."""
        mark = self.tg.mark()
        query = self.tg.press_button(user, message, button, data=data)
        await self.tg.wait_for_answer(query, timeout=WAIT)
        messages = await self._replies(message.chat, mark, count, WAIT)
        return query, messages

    async def _replies(self, chat: Chat | User, mark: int, count: int, timeout: float) -> list[Message]:
        await self.tg.wait_for_messages(chat, count, since=mark, timeout=timeout)
        await self.tg.settle()
        return self.new(chat, mark)

    # -- invariants ----------------------------------------------------------------------------------

    def refused_calls(self) -> list[Any]:
        """Calls the stand-in refused, other than ones a test injected as faults."""
        return [c for c in self.tg.log if c.method != "getUpdates" and c.status >= 400 and c.fault is None]

    def check_invariants(self, allow_refused: Callable[[Any], bool] | None = None) -> None:
        refused = [c for c in self.refused_calls() if not (allow_refused and allow_refused(c))]
        assert refused == [], [(c.method, c.status, c.description, c.params.get("text", "")[:200]) for c in refused]
        for chat in list(self.tg.world.chats.values()):
            for message in chat.messages:
                if not message.from_bot:
                    continue
                for version in [*message.edits, message.version()]:
                    if version.text is not None:
                        assert 1 <= utf16_len(version.text) <= 4096, (chat.id, message.message_id)
                    for row in (version.reply_markup or {}).get("inline_keyboard", []):
                        for button in row:
                            data = button.get("callback_data")
                            assert data is None or 1 <= len(data.encode()) <= 64, data


async def _run(
    env: Env,
    scenario: Callable[[BotRun], Awaitable[T]],
    timeout: float,
    standin: dict,
    setup: Callable[[Standin], None] | None = None,
) -> T:
    collector = _Collect()  # handler failures (on_error) and failed ticks; not e.g. a refused config
    bot_logger = logging.getLogger("bot.telegram")
    bot_logger.addHandler(collector)
    try:
        async with Standin(**standin) as tg:
            if setup is not None:  # the world as it is before the bot starts
                setup(tg)
            runtime = Runtime(LoadedConfig(env.settings, env.config_path), env.store, env.config_path)
            app = build_application(runtime, tg.token, tg.base_url)
            run = BotRun(tg, app, runtime, collector.records)
            async with running(app):
                result = await asyncio.wait_for(scenario(run), timeout)
                await tg.settle()
            return result
    finally:
        bot_logger.removeHandler(collector)


def run_bot(
    env: Env,
    scenario: Callable[[BotRun], Awaitable[T]],
    *,
    timeout: float = 60.0,
    expect_errors: bool = False,
    allow_refused: Callable[[Any], bool] | None = None,
    setup: Callable[[Standin], None] | None = None,
    **standin: Any,
) -> T:
    """Run `scenario` against the real bot on a fresh stand-in; then check the run's invariants.

    `setup(tg)` runs before the bot starts; `standin` options go to `Standin(...)`."""
    holder: dict[str, BotRun] = {}

    async def wrapped(run: BotRun) -> T:
        holder["run"] = run
        return await scenario(run)

    result = asyncio.run(_run(env, wrapped, timeout, standin, setup))
    run = holder["run"]
    run.check_invariants(allow_refused)
    if not expect_errors:
        assert run.errors == [], [r.getMessage() for r in run.errors]
    return result


def seeded_env(template: Path, folder: Path, **telegram: Any) -> Env:
    """A private SQLite copy of the seeded template store, with e2e settings."""
    target = folder / "bot.sqlite3"
    sqlite_copy(template, target)
    url = f"sqlite:///{target}"
    return Env(e2e_settings(url, **telegram), open_store(url))


def open_seeded(db_url: str) -> Env:
    settings = e2e_settings(db_url)
    store = open_store(db_url)
    ingest(store, settings)
    return Env(settings, store)


# -- fixtures (test modules load this file with `pytest_plugins = ["e2e_harness"]`) -------------------


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds ingested once (with summaries) into a SQLite file that tests copy."""
    path = tmp_path_factory.mktemp("e2e") / "seeded.sqlite3"
    url = f"sqlite:///{path}"
    store = open_store(url)
    try:
        ingest(store, e2e_settings(url))
    finally:
        store.dispose()
    return path


@pytest.fixture
def env(seeded_template: Path, tmp_path: Path) -> Iterator[Env]:
    """A private copy of the seeded SQLite store with e2e settings (admin: ADMIN_ID)."""
    e = seeded_env(seeded_template, tmp_path / "db")
    try:
        yield e
    finally:
        e.store.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def both_env(request: pytest.FixtureRequest, seeded_template: Path, tmp_path: Path) -> Iterator[Env]:
    """`env` on SQLite, then on PostgreSQL (a fresh schema, the seeds ingested into it)."""
    if request.param == "sqlite":
        e = seeded_env(seeded_template, tmp_path / "db")
        try:
            yield e
        finally:
            e.store.dispose()
        return
    from conftest import postgres_schema_url

    urls = postgres_schema_url()
    e = open_seeded(next(urls))
    try:
        yield e
    finally:
        e.store.dispose()
        urls.close()


def visible(messages: list[Message]) -> str:
    return "\n".join(m.text or "" for m in messages)


__all__ = [
    "ADMIN_ID",
    "BotRun",
    "Env",
    "e2e_settings",
    "ingest",
    "open_seeded",
    "run_bot",
    "seeded_env",
    "sqlite_copy",
    "visible",
    "write_page",
]
