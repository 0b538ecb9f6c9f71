"""Bot commands: run the bot, try it offline, push an edition, show statistics."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable

import click

from bot.cli.common import CliError, Context, command, emit_json, main
from bot.config.settings import check_http_url, check_webhook_url
from bot.ops.logs import set_level
from bot.ops.redact import redact

TOKEN_HELP = (
    "set TELEGRAM_BOT_TOKEN to your bot's token (from @BotFather); to try the bot without one, run: digestbot chat"
)


def _checked_url(option: str, value: str | None, check: Callable[[str], str] = check_http_url) -> str | None:
    if value:
        try:
            check(value)
        except ValueError as exc:
            raise CliError(f"{option} {redact(value)!r} {exc}", "usage", exit_code=2) from None
    return value


def _token(ctx: Context) -> str:
    token = ctx.settings.telegram.token
    if token is None or not token.get_secret_value().strip():
        raise CliError(TOKEN_HELP, "no_token")
    return token.get_secret_value().strip()


@main.command()
@click.option(
    "--api-url", metavar="URL", help="Bot API base URL in PTB's base_url form, e.g. http://127.0.0.1:8081/bot."
)
@click.option("--webhook", "webhook_url", metavar="URL", help="Receive updates by webhook at this public URL.")
@click.option(
    "--role",
    type=click.Choice(["all", "sender", "poller"]),
    default="all",
    show_default=True,
    help="With several instances: all = may lead (poll, schedule) and sends; sender = only sends; "
    "poller = may lead, never sends.",
)
@command
def run(ctx: Context, api_url: str | None, webhook_url: str | None, role: str) -> None:
    """Run the bot (long polling, or webhook mode) until Ctrl-C / SIGTERM."""
    from bot.config.runtime import Runtime
    from bot.ops.instances import InstanceError
    from bot.telegram.app import run as run_bot

    set_level(logging.INFO if not ctx.verbose else logging.DEBUG)
    token = _token(ctx)
    api = _checked_url("--api-url", api_url) or ctx.settings.telegram.api_url or None
    hook = _checked_url("--webhook", webhook_url, check_webhook_url) or ctx.settings.telegram.webhook_url or None
    runtime = Runtime(ctx.loaded, ctx.store, ctx.config_path)
    try:
        run_bot(runtime, token, api, hook, role)  # logs "digestbot running as @name …" once connected
    except InstanceError as exc:
        raise CliError(str(exc), "instance") from None


@main.command()
@click.option("--not-admin", is_flag=True, help="Do not make the console user an admin (/stats, /push refused).")
@command
def chat(ctx: Context, not_admin: bool) -> None:
    """Try the bot offline: type as a Telegram user, see the replies (no token, no network)."""
    from bot.cli.console import run_console

    set_level(logging.ERROR if not ctx.verbose else logging.INFO)
    os.environ.pop("TELEGRAM_BOT_TOKEN", None)  # the console never talks to Telegram
    try:
        code = asyncio.run(run_console(ctx.loaded, admin=not not_admin))
    except KeyboardInterrupt:  # Ctrl-C before the console could take it over: leave quietly
        code = 130
    raise SystemExit(code)


@main.command()
@click.option("--edition", help="Edition name (default: the first).")
@click.option("--api-url", metavar="URL", help="Bot API base URL (PTB base_url form).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@command
def push(ctx: Context, edition: str | None, api_url: str | None, as_json: bool) -> None:
    """Plan today's digest for every subscribed chat and send it now (what /push does)."""
    from bot.digest.schedule import find_edition
    from bot.ops.instances import InstanceError, sole_sender
    from bot.telegram.services import push_now

    chosen = find_edition(ctx.settings.digest, edition)
    if chosen is None or (edition and chosen.name != edition):
        names = ", ".join(e.name for e in ctx.settings.digest.editions) or "none"
        raise CliError(f"no edition named {edition!r} (configured: {names})", "not_found")
    token = _token(ctx)
    url = _checked_url("--api-url", api_url)
    try:
        with sole_sender(ctx.store, ctx.settings.delivery.redis_url):
            report, stats = asyncio.run(push_now(ctx.store, ctx.settings, chosen, token, url))
    except InstanceError as exc:
        raise CliError(str(exc), "instance") from None
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
    from bot.ops.stats import collect, instances_line

    data = collect(ctx.store, ctx.settings)
    if as_json:
        emit_json(data)
        return
    for section, values in data.items():
        if section == "instances":
            click.echo(f"instances: {instances_line(values)}")
            continue
        click.echo(
            f"{section}: "
            + (", ".join(f"{k} {_shown(v)}" for k, v in values.items()) if isinstance(values, dict) else str(values))
        )


def _shown(value: object) -> str:
    """A stats value for the terminal; a source's state reads `status ×failures +new`."""
    if isinstance(value, dict) and "status" in value:
        failures, new = value.get("failures"), value.get("new")
        return str(value["status"]) + (f" ×{failures}" if failures else "") + (f" +{new}" if new else "")
    return str(value)
