"""The python-telegram-bot Application: built from config, one handler per command, jobs for
the schedule, and the delivery path.

Jobs (PTB's JobQueue, i.e. APScheduler):
* one cron job per digest edition, rebuilt whenever the config changes;
* a tick every `TICK_SECONDS`: keyword alerts for new articles, and any ledger rows that are
  due (deferred flood waits, rows left by a crashed run), plus a config-file check;
* at start, editions that fired while the bot was down are caught up (within the grace).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from telegram import BotCommand, LinkPreviewOptions, Update
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

from bot import editions as edition_service
from bot.delivery import Broadcaster, BroadcastStats
from bot.i18n import t
from bot.logs import add_secret, redact_records
from bot.messages import escape
from bot.runtime import Runtime
from bot.schedule import Edition, editions
from bot.summaries import summary_for
from bot.telegram import callbacks as cb
from bot.telegram import handlers as h
from bot.telegram.request import AiohttpRequest

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


class BotServices:
    """The bot's long-lived work: editions, delivery, alerts, config reload."""

    def __init__(self, runtime: Runtime, application: Application):
        self.runtime = runtime
        self.app = application
        self._delivery_lock = asyncio.Lock()
        self._broadcaster: Broadcaster | None = None
        self._stopping = False
        self._summary_key: Any = None
        self._summary_fn: Any = None

    def summary_for(self, settings: Any) -> Any:
        key = settings.summary.model_dump_json()
        if key != self._summary_key:
            self._summary_key, self._summary_fn = key, summary_for(settings)
        return self._summary_fn

    # -- schedule ----------------------------------------------------------------------------------

    def schedule_editions(self) -> None:
        queue = self.app.job_queue
        for job in queue.jobs():
            if job.name and job.name.startswith("edition:"):
                job.schedule_removal()
        grace = max(60, self.runtime.settings.digest.catchup_grace_minutes * 60)
        for edition in editions(self.runtime.settings.digest):
            queue.run_custom(
                self._edition_job,
                job_kwargs={"trigger": edition.trigger(), "misfire_grace_time": grace, "coalesce": True},
                name=f"edition:{edition.name}",
                data=edition,
            )
        log.info(
            "scheduled editions: %s",
            ", ".join(f"{e.name} ({e.cron} {e.timezone})" for e in editions(self.runtime.settings.digest)) or "none",
        )

    async def _edition_job(self, context: Any) -> None:
        edition: Edition = context.job.data
        fire = edition.last_fire_time(datetime.now(UTC)) or datetime.now(UTC)
        await self.run_edition(edition, fire)

    async def run_edition(
        self, edition: Edition, fire_time: datetime
    ) -> tuple[edition_service.PlanReport, BroadcastStats]:
        settings = self.runtime.settings
        report = await asyncio.to_thread(
            edition_service.plan_edition, self.runtime.store, settings, edition, fire_time, self.summary_for(settings)
        )
        stats = await self.deliver(edition.name)
        return report, stats

    async def catch_up(self) -> None:
        now = datetime.now(UTC)
        for edition, fire in await asyncio.to_thread(
            edition_service.missed_fires, self.runtime.store, self.runtime.settings, now
        ):
            log.info("catching up edition %s that fired at %s while the bot was down", edition.name, fire)
            await self.run_edition(edition, fire)

    # -- delivery ----------------------------------------------------------------------------------

    async def deliver(self, edition: str | None = None) -> BroadcastStats:
        async with self._delivery_lock:
            if self._stopping:
                return BroadcastStats()
            self._broadcaster = Broadcaster(self.runtime.store, self.app.bot, self.runtime.settings.delivery)
            try:
                return await self._broadcaster.run(edition)
            finally:
                await self._broadcaster.close()
                self._broadcaster = None

    async def tick(self, context: Any = None) -> None:
        try:
            planned = await asyncio.to_thread(edition_service.plan_alerts, self.runtime.store, self.runtime.settings)
            if planned:
                log.info("%d keyword alert(s) planned", planned)
            await self.deliver()
        except Exception:
            log.exception("periodic delivery tick failed")

    def begin_shutdown(self) -> None:
        """Graceful shutdown: messages in flight finish and are recorded; nothing new starts.
        The rest stays pending in the ledger for the next start (or another instance)."""
        self._stopping = True
        if self._broadcaster is not None:
            self._broadcaster.stop()

    # -- config ------------------------------------------------------------------------------------

    async def check_config(self, context: Any = None) -> None:
        """The file watch (its own job, so a long broadcast in the tick never delays it)."""
        try:
            if self.runtime.file_changed():
                await self.reload_and_notify()
        except Exception:
            log.exception("config check failed")

    def schedule_config_watch(self) -> None:
        queue = self.app.job_queue
        if queue is None or self.runtime.config_path is None:
            return
        interval = self.runtime.settings.digest.reload_poll_seconds
        current = queue.get_jobs_by_name("config-watch")
        if current and current[0].job.trigger.interval.total_seconds() == interval:
            return
        for job in current:
            job.schedule_removal()
        queue.run_repeating(self.check_config, interval=interval, first=interval, name="config-watch")

    async def reload(self, lang: str) -> str:
        result = self.runtime.reload()
        if not result.ok:
            return t(lang, "reload.failed", error=escape(result.error or ""))
        self.apply_settings()
        changes = (
            t(lang, "reload.changed", keys=escape(", ".join(result.changed)))
            if result.changed
            else t(lang, "reload.unchanged")
        )
        if result.restart_needed:
            changes += " " + t(lang, "reload.restart", keys=escape(", ".join(result.restart_needed)))
        return t(lang, "reload.ok", source=escape(str(self.runtime.config_path or "defaults")), changes=changes)

    async def reload_and_notify(self) -> None:
        """Reload on a file change or SIGHUP; tell the admins when the new file is refused."""
        result = self.runtime.reload()
        if result.ok:
            self.apply_settings()
            return
        lang = self.runtime.settings.telegram.language
        for admin in self.runtime.settings.telegram.admins:
            try:
                await self.app.bot.send_message(
                    admin, t(lang, "config.refused_admin", error=escape(result.error or ""))
                )
            except Exception as exc:  # an admin who never started the bot cannot be told
                log.warning("could not notify admin %s about the refused config: %s", admin, exc)

    def apply_settings(self) -> None:
        self.schedule_editions()
        self.schedule_config_watch()


class DigestApplication(Application):
    """PTB's Application, stopping the broadcast first: `Application.stop` waits for running
    jobs, and a broadcast job would otherwise send to every remaining chat before it returns."""

    async def stop(self) -> None:
        services = self.bot_data.get("services")
        if services is not None:
            services.begin_shutdown()
        await super().stop()


def build_application(runtime: Runtime, token: str, api_url: str | None = None) -> Application:
    """A PTB Application with our handlers, defaults and jobs (not started)."""
    settings = runtime.settings
    add_secret(token)
    redact_records()  # before the Bot exists: PTB logs its URL, token included, at DEBUG
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
        .request(
            AiohttpRequest(
                pool_size=max(64, settings.delivery.concurrency + 8),
                read_timeout=settings.delivery.request_timeout_seconds,
                write_timeout=settings.delivery.request_timeout_seconds,
                pool_timeout=settings.delivery.request_timeout_seconds,
            )
        )
        .get_updates_request(AiohttpRequest(pool_size=1, read_timeout=settings.delivery.request_timeout_seconds))
        .application_class(DigestApplication)
        .post_init(_post_init)
    )
    if api_url:
        builder = builder.base_url(api_url)
    app = builder.build()
    app.bot_data["runtime"] = runtime
    app.bot_data["services"] = BotServices(runtime, app)
    register_handlers(app)
    return app


def register_handlers(app: Application) -> None:
    commands = {
        "start": h.start,
        "help": h.help_command,
        "subscribe": h.subscribe,
        "unsubscribe": h.unsubscribe,
        "digest": h.digest_now,
        "latest": h.latest,
        "search": h.search_command,
        "article": h.article_command,
        "keywords": h.keywords,
        "follow": h.follow,
        "unfollow": h.unfollow,
        "following": h.following,
        "settings": h.settings_command,
        "stats": h.stats,
        "reload": h.reload_command,
        "push": h.push,
    }
    for name, callback in commands.items():  # new messages only: editing a command must not run it again
        app.add_handler(CommandHandler(name, callback, filters=filters.UpdateType.MESSAGE))
    # channels: only posting admins can write there, so subscribing from a post is an admin act;
    # every command answers there (the bot's own admin commands refuse: a post has no user)
    channel = filters.UpdateType.CHANNEL_POST
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=channel))
    app.add_handler(CallbackQueryHandler(h.on_button))
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
    services.schedule_config_watch()
    app.job_queue.run_repeating(services.tick, interval=TICK_SECONDS, first=1.0, name="tick")

    async def forget_queries(context: Any) -> None:
        await asyncio.to_thread(cb.forget_old_queries, services.runtime.store)

    app.job_queue.run_daily(forget_queries, time=time(4, 0, tzinfo=UTC), name="forget-queries")

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


def run(runtime: Runtime, token: str, api_url: str | None, webhook_url: str | None) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when a URL is given."""
    app = build_application(runtime, token, api_url)
    tg = runtime.settings.telegram
    if webhook_url:
        secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else secrets.token_urlsafe(32)
        add_secret(secret)
        path = "telegram"
        app.run_webhook(
            listen=tg.webhook_listen,
            port=tg.webhook_port,
            url_path=path,
            webhook_url=webhook_url.rstrip("/") + ("" if webhook_url.rstrip("/").endswith(path) else f"/{path}"),
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)


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
