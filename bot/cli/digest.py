"""Digest commands: preview what a chat would get, and show the schedule."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from bot.cli.common import CliError, Context, command, emit_json, main
from bot.digest.schedule import find_edition, schedule_report
from bot.store.chats import get_chat
from bot.ui.messages import Message, plain_text


def render_for_terminal(messages: list[Message]) -> str:
    out = []
    for i, message in enumerate(messages, 1):
        if len(messages) > 1:
            out.append(f"─── message {i}/{len(messages)} ───")
        out.append(plain_text(message.text))
        for row in message.buttons:
            out.append("  ".join(f"[{label}]" for label, _ in row))
    return "\n".join(out)


@main.command()
@click.option("--preview", is_flag=True, help="Print the digest instead of sending it.")
@click.option(
    "--chat", "chat_id", type=int, help="Telegram chat id whose digest to preview (default: a new subscriber)."
)
@click.option("--edition", help="Edition name (default: the chat's, else the first).")
@click.option("--json", "as_json", is_flag=True, help="Print the messages as JSON (HTML text + buttons).")
@command
def digest(ctx: Context, preview: bool, chat_id: int | None, edition: str | None, as_json: bool) -> None:
    """Show exactly what a digest would send now (sending happens in the running bot)."""
    from bot.corpus.enrich import summary_for
    from bot.digest.compose import DigestComposer

    if not preview:
        raise click.UsageError("use --preview to print the digest; the running bot sends it on schedule (or /push)")
    chat = None
    if chat_id is not None:
        chat = get_chat(ctx.store, chat_id)
        if chat is None:
            raise CliError(f"no chat with id {chat_id} is known to the bot", "not_found")
    chosen = find_edition(ctx.settings.digest, edition or (chat.edition if chat else None))
    composer = DigestComposer(ctx.store, ctx.settings, summary_for(ctx.settings))
    result = composer.for_chat(chat, chosen, datetime.now(UTC))
    if as_json:
        emit_json(result.to_dict() if result else {"messages": [], "articles": [], "note": "nothing new"})
    elif result is None:
        click.echo('Nothing new to send (digest.when_empty = "skip"). Ingest pages first: digestbot ingest seeds/')
    else:
        click.echo(render_for_terminal(result.messages))


@main.command()
@click.option("--count", default=3, show_default=True, help="Fire times to show per edition.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@command
def schedule(ctx: Context, count: int, as_json: bool) -> None:
    """Print each digest edition's next fire times."""
    report = schedule_report(ctx.settings.digest, count)
    if as_json:
        emit_json(report)
        return
    if not report:
        click.echo("No editions configured ([[digest.editions]] in the config).")
    for item in report:
        click.echo(f"{item['edition']}: {item['cron']} ({item['timezone']})")
        for when in item["next"]:
            click.echo(f"  {when}")
        if item["fires_per_day"] > 1:
            click.echo(
                f"  note: fires {item['fires_per_day']} times a day, but an edition delivers at most once per "
                "chat per day; define one edition per time instead"
            )
