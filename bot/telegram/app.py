"""The python-telegram-bot Application: built from config, the handler table (commands by name,
button presses by pattern), the jobs, and running it (long polling or webhook).

Jobs (PTB's JobQueue, i.e. APScheduler):
* one cron job per digest edition, rebuilt whenever the config changes;
* one job per live source (`source:<name>`, its `every` interval or cron line), rebuilt likewise;
* a tick every `TICK_SECONDS`: keyword alerts for new articles, and any ledger rows that are
  due (deferred flood waits, rows left by a crashed run), plus a config-file check;
* at start, editions that fired while the bot was down are caught up (within the grace).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from datetime import UTC, time
from typing import Any
from zoneinfo import ZoneInfo

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot.config.runtime import Runtime
from bot.ops.logs import redact_records
from bot.ops.redact import add_secret
from bot.telegram import handlers as h
from bot.telegram.handlers.buttons import noop, stale
from bot.telegram.request import request_backend
from bot.telegram.services import BotServices
from bot.ui import buttons as cb
from bot.ui.i18n import t

log = logging.getLogger(__name__)
TICK_SECONDS = 60.0

COMMANDS = [
    ("start", "menu.start"),
    ("help", "menu.help"),
    ("digest", "menu.digest"),
    ("latest", "menu.latest"),
    ("search", "menu.search"),
    ("keywords", "menu.keywords"),
    ("subscribe", "menu.subscribe"),
    ("unsubscribe", "menu.unsubscribe"),
    ("follow", "menu.follow"),
    ("following", "menu.following"),
    ("settings", "menu.settings"),
]


class DigestApplication(Application):
    """PTB's Application, stopping the broadcast first: `Application.stop` waits for running
    jobs, and a broadcast job would otherwise send to every remaining chat before it returns."""

    async def stop(self) -> None:
        services = self.bot_data.get("services")
        if services is not None:
            services.begin_shutdown()
        await super().stop()
        if services is not None:
            await services.sources.close()


def build_application(runtime: Runtime, token: str, api_url: str | None = None) -> Application:
    """A PTB Application with our handlers, defaults and jobs (not started)."""
    settings = runtime.settings
    add_secret(token)
    redact_records()  # before the Bot exists: PTB logs its URL, token included, at DEBUG
    requests = [request_backend(settings), request_backend(settings, polling=True)]
    builder: ApplicationBuilder = (
        Application.builder()
        .token(token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                tzinfo=ZoneInfo(settings.telegram.timezone),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(True)
        .request(requests[0])
        .get_updates_request(requests[1])
        .application_class(DigestApplication)
        .post_init(_post_init)
    )
    if api_url:
        builder = builder.base_url(api_url)
    app = builder.build()
    app.bot_data["runtime"] = runtime
    app.bot_data["requests"] = requests
    app.bot_data["services"] = BotServices(runtime, app)
    register_handlers(app)
    return app


def register_handlers(app: Application) -> None:
    """Commands by name (new messages and channel posts; an edited command does not run again),
    presses by their pattern, then chat events, unknown commands and private-chat searches."""
    channel = filters.UpdateType.CHANNEL_POST
    for name, callback in h.COMMANDS.items():
        app.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
    # channels: only posting admins can write there, so subscribing from a post is an admin act;
    # every command answers there (the bot's own admin commands refuse: a post has no user)
    for name, callback in h.COMMANDS.items():
        app.add_handler(CommandHandler(name, callback, filters=channel))
    for kind, callback in h.BUTTONS.items():
        app.add_handler(CallbackQueryHandler(callback, pattern=cb.PATTERNS[kind]))
    app.add_handler(CallbackQueryHandler(noop, pattern=rf"^{cb.NOOP}\Z"))
    app.add_handler(CallbackQueryHandler(stale))  # anything else: forged, or from an older version
    app.add_handler(ChatMemberHandler(h.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, h.migration))
    app.add_handler(MessageHandler(filters.COMMAND & ~filters.UpdateType.EDITED_MESSAGE, h.unknown_command))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED_MESSAGE,
            h.plain_text,
        )
    )
    app.add_error_handler(h.on_error)


async def set_command_menu(app: Application) -> None:
    for lang, code in (("zh", None), ("en", "en")):
        menu = [BotCommand(name, t(lang, key)) for name, key in COMMANDS]
        await app.bot.set_my_commands(menu, language_code=code)


async def _post_init(app: Application) -> None:
    services: BotServices = app.bot_data["services"]
    try:
        await set_command_menu(app)
    except Exception as exc:
        log.warning("could not set the command menu: %s", exc)
    services.schedule_editions()
    services.schedule_sources()  # with the editions: see BotServices.schedule_sources
    services.schedule_config_watch()
    app.job_queue.run_repeating(services.tick, interval=TICK_SECONDS, first=1.0, name="tick")

    app.job_queue.run_daily(services.forget_queries, time=time(4, 0, tzinfo=UTC), name="forget-queries")

    async def catch_up(context: Any) -> None:
        await services.catch_up()

    # a job rather than a task: post_init runs before the application starts (a task created now
    # is never awaited, and PTB warns), and Application.stop waits for running jobs
    app.job_queue.run_once(catch_up, when=0, name="catch-up")
    try:
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: app.create_task(services.reload_and_notify(), name="sighup-reload")
        )
    except (NotImplementedError, RuntimeError, ValueError):  # not on this platform / not the main thread
        pass


def run(runtime: Runtime, token: str, api_url: str | None, webhook_url: str | None, role: str = "all") -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when a URL is given, while
    this instance leads; sending in every instance whose role sends (bot.telegram.instance)."""
    from bot.telegram import instance

    instance.run(runtime, token, api_url, webhook_url, role)


@contextlib.asynccontextmanager
async def serving(
    app: Application, poll_timeout: float = 1.0, started: Callable[[Application], None] | None = None
) -> AsyncIterator[Application]:
    """What `Application.run_polling` does, minus signals and the blocking loop: initialise,
    `post_init` (command menu, edition jobs, tick), start, long-poll; the reverse on exit.
    For the offline console and tests, which drive the loop themselves. `started` runs after
    start and before polling (e.g. to remove a job)."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        if started is not None:
            started(app)
        await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
