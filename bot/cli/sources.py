"""Live-source commands: `digestbot sources` (what each source is doing) and `digestbot fetch`
(poll now, as the running bot would on its schedule)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from bot.cli.common import Context, command, emit_json, fit, main


def _when(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "—"


@main.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as a JSON list.")
@command
def list_sources(ctx: Context, as_json: bool) -> None:
    """The configured sources: status, last poll, items seen/new, next poll."""
    from bot.sources.state import overview

    rows = overview(ctx.store, ctx.settings.sources, ctx.settings.digest.timezone)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No sources configured. Add [[sources]] tables to the config (see config/digestbot.toml).")
        return
    click.echo(
        f"{fit('name', 16)} {fit('kind', 5)} {fit('status', 14)} {fit('last poll (UTC)', 16)} "
        f"{'seen':>5} {'new':>4} {fit('next poll (UTC)', 16)}"
    )
    for r in rows:
        failures = f" ×{r['failures']}" if r["failures"] else ""
        click.echo(
            f"{fit(r['name'], 16)} {fit(r['kind'], 5)} {fit(r['status'] + failures, 14)} {fit(_when(r['last_poll']), 16)} "
            f"{r['seen']:>5} {r['new']:>4} {fit(_when(r['next_poll']), 16)}"
        )
        if r["detail"]:
            click.echo(f"    {r['detail']}")


async def _poll(ctx: Context, name: str | None) -> dict[str, Any]:
    from bot.sources.http import Fetcher
    from bot.sources.poll import context_for, poll_all

    sources = [s for s in ctx.settings.sources if name is None or s.name == name]
    async with Fetcher(ctx.settings.fetch.user_agent) as fetcher:
        return await poll_all(context_for(ctx.store, ctx.settings, fetcher), sources, force=True)


@main.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print each source's outcome as JSON.")
@command
def fetch(ctx: Context, name: str | None, as_json: bool) -> None:
    """Poll the sources now (or only NAME), whatever their schedule or backoff.

    New articles get summaries and reach followers and the next digest as ingested pages do.
    The exit status is 1 when a polled source failed.
    """
    names = [s.name for s in ctx.settings.sources]
    if name is not None and name not in names:
        raise click.ClickException(f"no source named {name!r}; configured: {', '.join(names) or 'none'}")
    if not names:
        raise click.ClickException("no sources configured: add [[sources]] tables to the config")
    outcomes = asyncio.run(_poll(ctx, name))
    if as_json:
        emit_json({n: o.to_dict() if o else None for n, o in outcomes.items()})
    else:
        for n, o in outcomes.items():
            click.echo(f"{n}: {o.status if o else 'skipped'}" + (f" — {o.detail}" if o and o.detail else ""))
    if any(o is not None and not o.good for o in outcomes.values()):
        sys.exit(1)
