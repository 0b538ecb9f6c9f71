"""Bot commands: run the bot, try it offline, push an edition, show statistics."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import UTC, datetime

import click

from bot.cli.common import Context, command, emit_json, main

TOKEN_HELP = (
    "set TELEGRAM_BOT_TOKEN to your bot's token (from @BotFather); to try the bot without one, run: digestbot chat"
)


def _token(ctx: Context) -> str:
    token = ctx.settings.telegram.token
    if token is None or not token.get_secret_value().strip():
        raise click.ClickException(TOKEN_HELP)
    return token.get_secret_value().strip()


@main.command()
@click.option(
    "--api-url", metavar="URL", help="Bot API base URL in PTB's base_url form, e.g. http://127.0.0.1:8081/bot."
)
@click.option("--webhook", "webhook_url", metavar="URL", help="Receive updates by webhook at this public URL.")
@command
def run(ctx: Context, api_url: str | None, webhook_url: str | None) -> None:
    """Run the bot (long polling, or webhook mode) until Ctrl-C / SIGTERM."""
    from bot.runtime import Runtime
    from bot.telegram.app import run as run_bot

    logging.getLogger().setLevel(logging.INFO if not ctx.verbose else logging.DEBUG)
    token = _token(ctx)
    api = api_url or ctx.settings.telegram.api_url or None
    hook = webhook_url or ctx.settings.telegram.webhook_url or None
    runtime = Runtime(ctx.loaded, ctx.store, ctx.config_path)
    click.echo(
        f"digestbot running ({'webhook ' + hook if hook else 'long polling'}"
        f"{', Bot API at ' + api if api else ''}); Ctrl-C stops it.",
        err=True,
    )
    run_bot(runtime, token, api, hook)


@main.command()
@click.option("--not-admin", is_flag=True, help="Do not make the console user an admin (/stats, /push refused).")
@command
def chat(ctx: Context, not_admin: bool) -> None:
    """Try the bot offline: type as a Telegram user, see the replies (no token, no network)."""
    from bot.console import run_console

    logging.getLogger().setLevel(logging.ERROR if not ctx.verbose else logging.INFO)
    os.environ.pop("TELEGRAM_BOT_TOKEN", None)  # the console never talks to Telegram
    raise SystemExit(asyncio.run(run_console(ctx.loaded, admin=not not_admin)))


@main.command()
@click.option("--edition", help="Edition name (default: the first).")
@click.option("--api-url", metavar="URL", help="Bot API base URL (PTB base_url form).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@command
def push(ctx: Context, edition: str | None, api_url: str | None, as_json: bool) -> None:
    """Plan today's digest for every subscribed chat and send it now (what /push does)."""
    from telegram import Bot

    from bot.delivery import Broadcaster
    from bot.editions import plan_edition
    from bot.schedule import find_edition
    from bot.summaries import summary_for
    from bot.telegram.request import AiohttpRequest

    chosen = find_edition(ctx.settings.digest, edition)
    if chosen is None or (edition and chosen.name != edition):
        names = ", ".join(e.name for e in ctx.settings.digest.editions) or "none"
        raise click.ClickException(f"no edition named {edition!r} (configured: {names})")
    token = _token(ctx)
    report = plan_edition(ctx.store, ctx.settings, chosen, datetime.now(UTC), summary_for(ctx.settings))

    async def deliver():  # type: ignore[no-untyped-def]
        d = ctx.settings.delivery
        request = AiohttpRequest(
            pool_size=d.concurrency + 8,
            read_timeout=d.request_timeout_seconds,
            write_timeout=d.request_timeout_seconds,
            pool_timeout=d.request_timeout_seconds,
        )
        bot = Bot(
            token, base_url=api_url or ctx.settings.telegram.api_url or "https://api.telegram.org/bot", request=request
        )
        async with bot:
            broadcaster = Broadcaster(ctx.store, bot, d)
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):  # stop gracefully: finish what is in flight
                loop.add_signal_handler(sig, broadcaster.stop)
            try:
                return await broadcaster.run(chosen.name)
            finally:
                await broadcaster.close()

    stats = asyncio.run(deliver())
    result = {"plan": report.to_dict(), "delivery": stats.to_dict()}
    if as_json:
        emit_json(result)
    else:
        click.echo(
            f"{chosen.name} {report.key}: {report.planned} planned, {report.skipped} nothing new, "
            f"{report.already} already done; sent: {dict(stats.outcomes) or 'nothing'}"
        )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@command
def stats(ctx: Context, as_json: bool) -> None:
    """Corpus, subscribers and delivery statistics (what /stats shows)."""
    from bot.stats import collect

    data = collect(ctx.store, ctx.settings)
    if as_json:
        emit_json(data)
        return
    for section, values in data.items():
        click.echo(
            f"{section}: "
            + (", ".join(f"{k} {v}" for k, v in values.items()) if isinstance(values, dict) else str(values))
        )
