"""Corpus commands: ingest, articles, show, db, config."""

from __future__ import annotations

import sys
from typing import Any

import click

from bot.cli.common import CliError, Context, command, emit_json, fit, main
from bot.store import articles as article_service
from bot.store.db import current_revision, redact_url, upgrade


def _progress_bar(paths: tuple[str, ...]) -> Any:
    """A tqdm bar on stderr when it is a terminal, else nothing (and no second walk to count)."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    from bot.corpus.walk import expand_paths

    total = sum(1 for _ in expand_paths(paths))
    return tqdm(total=total, unit="file", file=sys.stderr, leave=False, dynamic_ncols=True)


@main.command()
@click.argument("paths", nargs=-1, required=True)  # every path is checked (and reported) by the ingest
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@command
def ingest(ctx: Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Ingest page files (.txt, .md) or directories of them, recursively.

    One transaction per file; unchanged pages change nothing. Every path ends as ingested,
    unchanged, or one error line (unreadable, not a regular file, dangling link, loop, too deep,
    too big, binary, undecodable); the rest are still ingested, and the exit status is 1. Doubts
    about how a page split (the warnings of `digestbot pages`) are counted in the summary and
    listed with -v.
    """
    from bot.corpus import ingest_paths
    from bot.corpus.ingest import FileResult

    bar = None if as_json else _progress_bar(paths)

    def progress(result: FileResult) -> None:
        if bar is not None:
            bar.set_postfix_str(result.source[-40:], refresh=False)
            bar.update(1)
        if result.status == "error" and not as_json:
            click.echo(f"Error: {result.path}: {result.error}", err=True)
        if ctx.verbose and not as_json:
            for w in result.warnings:
                click.echo(f"Warning: {result.path}: [{w['piece'] + 1}] {w['title']}: {w['message']}", err=True)

    from bot.sources.near_duplicates import marker

    # the same story already ingested from a live source (or another page) is linked, not repeated
    report = ingest_paths(ctx.store, ctx.settings, paths, progress=progress, also=marker())
    if bar is not None:
        bar.close()
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(report.summary_line())
    if report.errors:
        sys.exit(1)


def _label(item: dict[str, Any]) -> str:
    return item["title"] or ("(图片说明)" if item["kind"] == "caption" else "(无题)")


@main.command("articles")
@click.option("--json", "as_json", is_flag=True, help="Print the articles as a JSON list.")
@click.option("--kind", type=click.Choice(["article", "caption"]), help="Only this kind of piece.")
@command
def list_articles(ctx: Context, as_json: bool, kind: str | None) -> None:
    """List the stored articles in page order."""
    items = [article_service.article_dict(a) for a in article_service.articles_in_page_order(ctx.store, kind)]
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("No articles yet. Ingest some pages: digestbot ingest seeds/")
        return
    for item in items:
        kind_mark = "图" if item["kind"] == "caption" else " "
        click.echo(
            f"{item['id']:>5} {kind_mark} {fit(_label(item), 44)}  {fit(item['byline'] or '', 22)}  {item['source']}#{item['position']}"
        )
    captions = sum(1 for i in items if i["kind"] == "caption")
    click.echo(f"{len(items) - captions} articles, {captions} caption{'' if captions == 1 else 's'}")


def render_article(item: dict[str, Any]) -> str:
    lines = []
    if item["kicker"]:
        lines.append(item["kicker"])
    lines.append(f"【{_label(item)}】")
    if item["subtitle"]:
        lines.append(item["subtitle"])
    if item["byline"]:
        lines.append(item["byline"])
    lines.append(f"#{item['id']} · {item['source']}#{item['position']} · {item['kind']}")
    if item["summary"]:
        lines += ["", "摘要:"] + [f"  {s}" for s in item["summary"]]
    if item["keywords"]:
        lines += ["关键词: " + " ".join(k["word"] if isinstance(k, dict) else str(k) for k in item["keywords"])]
    lines.append("")
    for block in item["blocks"]:
        lines.append(f"■ {block['text']}" if block["type"] == "heading" else f"  {block['text']}")
    return "\n".join(lines)


@main.command()
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@command
def show(ctx: Context, article_id: int, as_json: bool) -> None:
    """Show one article in full."""
    article = article_service.get_article(ctx.store, article_id)
    if article is None:
        raise CliError(f"no article with id {article_id} (list them with: digestbot articles)", "not_found")
    item = article_service.article_dict(article)
    emit_json(item) if as_json else click.echo(render_article(item))


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@command
def db_upgrade(ctx: Context) -> None:
    """Apply pending migrations (also done automatically on every start)."""
    from bot.store.db import make_engine

    engine = make_engine(ctx.settings.storage.resolved_url())
    try:
        upgrade(engine)
        click.echo(f"{redact_url(str(engine.url))} is at revision {current_revision(engine)}")
    finally:
        engine.dispose()


@main.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print the effective settings as JSON.")
@command
def show_config(ctx: Context, as_json: bool) -> None:
    """Show the effective settings (secrets are never printed) and where they came from."""
    data = ctx.settings.model_dump(mode="json")
    data["telegram"]["token"] = "<set>" if ctx.settings.telegram.token else None
    data["telegram"]["webhook_secret"] = "<set>" if ctx.settings.telegram.webhook_secret else None
    data["storage"]["database_url"] = redact_url(ctx.settings.storage.resolved_url())
    data["delivery"]["redis_url"] = (
        redact_url(ctx.settings.delivery.redis_url) if ctx.settings.delivery.redis_url else ""
    )
    if as_json:
        emit_json({"source": str(ctx.loaded.path) if ctx.loaded.path else "built-in defaults", "settings": data})
        return
    click.echo(f"# from {ctx.loaded.path or 'built-in defaults'}")
    for section, values in data.items():
        tables = values if isinstance(values, list) else [values]
        for table in tables:
            click.echo(f"[[{section}]]" if isinstance(values, list) else f"[{section}]")
            for key, value in table.items():
                click.echo(f"  {key} = {value!r}")
