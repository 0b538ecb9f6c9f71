"""Search commands: search, keywords, related, reindex."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from bot.cli.common import CliError, Context, command, emit_json, main
from bot.search import Hit, QueryError, Snippet, rebuild_index, related, search, top_keywords, usable_text


def _styled(snippet: Snippet, color: bool) -> str:
    if not color:
        return snippet.marked()
    return "".join(click.style(t, bold=True, fg="yellow") if m else t for t, m in snippet.parts)


def _hit_lines(rank: int, hit: Hit, color: bool) -> list[str]:
    title = _styled(hit.title_parts, color) or ("(图片说明)" if hit.kind == "caption" else "(无题)")
    meta = [f"#{hit.id}"]
    if hit.byline:
        meta.append(hit.byline)
    if hit.published_on:
        meta.append(hit.published_on)
    meta.append(f"score {hit.score:.3g}")
    lines = [f"{rank:>3}. {title}", "     " + " · ".join(meta)]
    if hit.snippet.parts:
        lines.append("     " + _styled(hit.snippet, color))
    if hit.shared_keywords:
        lines.append("     共同关键词: " + " ".join(hit.shared_keywords))
    elif hit.keywords:
        lines.append("     关键词: " + " ".join(hit.keywords[:8]))
    return lines


@main.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result page as JSON.")
@click.option(
    "--limit", type=click.IntRange(1, 100), default=None, help="Hits per page (default: search.page_size, 5)."
)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="Which page of hits.")
@command
def search_command(ctx: Context, query: tuple[str, ...], as_json: bool, limit: int | None, page: int) -> None:
    """Search the articles: words are ANDed, "a phrase" must occur as written, -word excludes,
    #keyword matches the articles' keywords. Quote the query for your shell:

        digestbot search '清洁生产 -钟楼'
    """
    text = usable_text(" ".join(query))  # argv may hold undecodable bytes as lone surrogates
    settings = ctx.settings.search
    try:
        result = search(ctx.store, text, page, limit or settings.page_size, snippet_chars=settings.snippet_chars)
    except QueryError as exc:
        extra = {"params": exc.params} if exc.params else {}
        raise CliError(exc.message, exc.code, query=text, **extra) from None
    if as_json:
        emit_json(result.to_dict())
        return
    for notice in result.notices:
        click.echo(f"note: {notice.message}", err=True)
    if not result.total:
        click.echo(f"No articles match {text}.")
        return
    color = sys.stdout.isatty()
    verb = "articles match" if result.total != 1 or result.total_capped else "article matches"
    more = "+" if result.total_capped else ""  # more matches than were counted
    click.echo(f"{result.total}{more} {verb} {text} (page {result.page} of {result.pages}{more})")
    for rank, hit in enumerate(result.hits, start=(result.page - 1) * result.page_size + 1):
        click.echo("")
        click.echo("\n".join(_hit_lines(rank, hit, color)))
    if result.has_next:
        click.echo(f"\nmore: digestbot search --page {result.page + 1} ...")


@main.command("keywords")
@click.option("--top", type=click.IntRange(1, 1000), default=20, show_default=True, help="How many keywords.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The articles from this day on (YYYY-MM-DD); default: the latest day's.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the keywords as JSON.")
@command
def keywords_command(ctx: Context, top: int, since: datetime | None, as_json: bool) -> None:
    """Trending keywords: unusually frequent in the latest day's articles (or since a day) against
    the corpus' usual rate, with how many of those articles have each."""
    day = since.date() if since else None
    items = top_keywords(ctx.store, top=top, since=day)
    if as_json:
        emit_json(
            {
                "top": top,
                "since": day.isoformat() if day else None,
                "keywords": [{"word": w, "count": n} for w, n in items],
            }
        )
        return
    if not items:
        click.echo("No keywords yet: they are set when articles are summarised at ingest.")
        return
    width = max(len(str(n)) for _, n in items)
    for rank, (word, n) in enumerate(items, start=1):
        click.echo(f"{rank:>3}. {n:>{width}}  {word}")


@main.command("related")
@click.argument("article_id", type=int)
@click.option("-n", "--limit", type=click.IntRange(1, 50), default=5, show_default=True, help="How many articles.")
@click.option("--json", "as_json", is_flag=True, help="Print the related articles as JSON.")
@command
def related_command(ctx: Context, article_id: int, limit: int, as_json: bool) -> None:
    """Articles related to one article, by shared keywords (or shared terms)."""
    try:
        hits = related(ctx.store, article_id, limit, snippet_chars=ctx.settings.search.snippet_chars)
    except LookupError:
        raise CliError(f"no article with id {article_id} (list them with: digestbot articles)", "not_found") from None
    if as_json:
        emit_json({"article_id": article_id, "related": [h.to_dict() for h in hits]})
        return
    if not hits:
        click.echo(f"No articles related to #{article_id}.")
        return
    color = sys.stdout.isatty()
    for rank, hit in enumerate(hits, start=1):
        if rank > 1:
            click.echo("")
        click.echo("\n".join(_hit_lines(rank, hit, color)))


@main.command("reindex")
@click.option("--json", "as_json", is_flag=True, help="Print the count as JSON.")
@command
def reindex_command(ctx: Context, as_json: bool) -> None:
    """Rebuild the search index from the stored articles (it is kept current automatically;
    this is for after changing the tokenisation or weights)."""
    count = rebuild_index(ctx.store)
    if as_json:
        emit_json({"indexed": count})
    else:
        click.echo(f"indexed {count} article{'s' if count != 1 else ''}")
