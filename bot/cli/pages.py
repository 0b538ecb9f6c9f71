"""`digestbot pages`: how page files split into pieces, and what looks wrong, before any storing.

An admin onboarding a new paper runs this first: for every piece its kind, kicker, title,
subtitle, byline, first and last sentence and block count, with the parser's doubts
(`bot.corpus.pages.diagnostics`) under it. Nothing is read from or written to the store.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.common import Context, command, emit_json, main

if TYPE_CHECKING:  # the parser is imported when a command runs, not at start-up
    from bot.corpus.pages import Piece


def _sentences(piece: Piece) -> tuple[str, str]:
    from bot.nlp.sentences import split_paragraph

    paragraphs = piece.paragraphs()
    if not paragraphs:
        return "", ""
    first = split_paragraph(paragraphs[0])
    last = split_paragraph(paragraphs[-1])
    return (first[0].text if first else ""), (last[-1].text if last else "")


def piece_summary(piece: Piece, index: int) -> dict[str, Any]:
    first, last = _sentences(piece)
    return {
        "index": index,
        "kind": piece.kind,
        "kicker": piece.kicker,
        "title": piece.title,
        "subtitle": piece.subtitle,
        "byline": piece.byline,
        "first_sentence": first,
        "last_sentence": last,
        "blocks": len(piece.blocks),
        "paragraphs": len(piece.paragraphs()),
        "continued_on": piece.continued_on,
    }


def inspect_file(path: Path, max_bytes: int) -> dict[str, Any]:
    """One file's split and warnings as a JSON-ready dict (`error` set when it cannot be read)."""
    from bot.corpus.pages import parse_page
    from bot.corpus.pages.diagnostics import diagnose
    from bot.corpus.textfiles import BadFile, read_page_file

    result: dict[str, Any] = {"path": str(path), "encoding": None, "error": None, "pieces": [], "warnings": []}
    try:
        text, result["encoding"] = read_page_file(path, max_bytes)
    except BadFile as exc:
        result["error"] = str(exc)
        return result
    page = parse_page(text, path.name)
    result["published_on"] = page.published_on.isoformat() if page.published_on else None
    result["pieces"] = [piece_summary(p, i) for i, p in enumerate(page.pieces)]
    result["warnings"] = [w.to_dict() for w in diagnose(page)]
    if not page.pieces:
        result["error"] = "no articles found (no paragraph text on the page)"
    return result


def _render_piece(piece: dict[str, Any], warnings: list[dict[str, Any]]) -> list[str]:
    kind = "caption" if piece["kind"] == "caption" else "article"
    lines = [
        f"  [{piece['index'] + 1}] {kind}: {piece['title'] or ('(photo caption)' if kind == 'caption' else '(no title)')}"
    ]
    for label in ("kicker", "subtitle", "byline"):
        if piece[label]:
            lines.append(f"      {label}: {piece[label]}")
    lines.append(f"      first: {piece['first_sentence']}")
    if piece["paragraphs"] > 1 or piece["last_sentence"] != piece["first_sentence"]:
        lines.append(f"      last:  {piece['last_sentence']}")
    jump = f", continued on {piece['continued_on']}" if piece["continued_on"] else ""
    n = piece["paragraphs"]
    lines.append(f"      blocks: {piece['blocks']} ({n} paragraph{'s' * (n != 1)}{jump})")
    lines += [f"      ! {w['message']}" for w in warnings if w["piece"] == piece["index"]]
    return lines


def render_file(result: dict[str, Any]) -> str:
    if result["error"] and not result["pieces"]:
        return f"{result['path']}: error: {result['error']}"
    articles = sum(1 for p in result["pieces"] if p["kind"] == "article")
    captions = len(result["pieces"]) - articles
    n = len(result["warnings"])
    head = (
        f"{result['path']}: {articles} article{'s' * (articles != 1)}, "
        f"{captions} caption{'s' * (captions != 1)}, {n} warning{'s' * (n != 1)}"
    )
    lines = [head]
    for piece in result["pieces"]:
        lines += _render_piece(piece, result["warnings"])
    return "\n".join(lines)


@main.command("pages")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the splits as JSON.")
@command
def pages(ctx: Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Show how page files (or directories of them) split into articles, with warnings.

    Nothing is stored: run this on a new paper's pages before `digestbot ingest`. The exit
    status is 1 when a file cannot be read or has no articles.
    """
    from bot.corpus.ingest import expand_paths

    results = []
    for path, problem in expand_paths(paths):
        if problem:
            results.append({"path": str(path), "error": problem, "pieces": [], "warnings": []})
        else:
            results.append(inspect_file(path, ctx.settings.ingest.max_file_bytes))
    if as_json:
        emit_json(results)
    else:
        click.echo("\n\n".join(render_file(r) for r in results))
        total = sum(len(r["warnings"]) for r in results)
        bad = sum(1 for r in results if r["error"])
        click.echo(f"\n{len(results)} files, {total} warning{'s' * (total != 1)}, {bad} error{'s' * (bad != 1)}")
    if any(r["error"] for r in results):
        sys.exit(1)
