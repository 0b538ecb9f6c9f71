"""`digestbot summarize`: summaries and keywords of a page file, a stored article, or a JSONL batch.

Nothing is stored: a file is parsed like ingest would and each piece summarized; an ID reads
the stored article and summarizes it with the given options. `--jsonl` runs a whole batch in
one process (jieba is loaded once), one output line per good input line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from bot.cli.common import CliError, Context, command, emit_json, main
from bot.nlp.summarizer import MODES, Options, Summary, summarize, summarize_text


def _render(title: str, result: Summary) -> str:
    lines = [f"【{title}】"] if title else []
    lines += [f"  {s}" for s in result.sentences] or ["  (没有可摘要的句子)"]
    if result.keywords:
        lines.append("  关键词: " + " ".join(k["word"] for k in result.keywords))
    return "\n".join(lines)


def _piece_dict(result: Summary) -> dict[str, Any]:
    return {"summary": result.sentences, "keywords": result.keywords}


def _summarize_file(ctx: Context, path: Path, options: Options, as_json: bool) -> None:
    from bot.corpus.pages import parse_page
    from bot.corpus.textfiles import BadFile, read_page_file

    try:
        text, _ = read_page_file(path, ctx.settings.ingest.max_file_bytes)
    except BadFile as exc:
        raise CliError(f"{path}: {exc}") from None
    pieces = parse_page(text, path.name).pieces
    if not pieces:
        raise CliError(f"{path}: no articles found (no paragraph text on the page)")
    items = []
    for position, piece in enumerate(pieces):
        result = summarize(piece.paragraphs(), options, piece.title or None)
        items.append({"position": position, "kind": piece.kind, "title": piece.title, **_piece_dict(result)})
    if as_json:
        emit_json({"source": str(path), "mode": options.mode, "pieces": items})
        return
    blocks = []
    for item, piece in zip(items, pieces, strict=True):
        label = piece.title or ("(图片说明)" if piece.kind == "caption" else "(无题)")
        blocks.append(_render(label, Summary(item["summary"], item["keywords"])))
    click.echo("\n\n".join(blocks))


def _summarize_id(ctx: Context, article_id: int, options: Options, as_json: bool) -> None:
    from bot.corpus.enrich import summarize_stored
    from bot.store.articles import get_article

    article = get_article(ctx.store, article_id)
    if article is None:
        raise CliError(f"no article with id {article_id} (list them with: digestbot articles)", "not_found")
    result = summarize_stored(ctx.store, article, options)
    if as_json:
        emit_json(
            {"id": article.id, "kind": article.kind, "title": article.title, "mode": options.mode} | _piece_dict(result)
        )
    else:
        click.echo(_render(article.title or f"#{article.id}", result))


def _batch(stream: TextIO, name: str, options: Options) -> int:
    """Summarize {"id","text"} lines to stdout; report bad lines on stderr; return how many."""
    bad = 0
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        problem = None
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            record, problem = None, f"not valid JSON ({exc.msg})"
        if problem is None:
            if not isinstance(record, dict):
                problem = 'expected an object like {"id": ..., "text": "..."}'
            elif "id" not in record:
                problem = 'missing "id"'
            elif not isinstance(record.get("text"), str):
                problem = '"text" must be a string'
            elif not isinstance(record.get("title", ""), str | None):
                problem = '"title" must be a string'
        if problem is not None:
            click.echo(f"Error: {name}:{number}: {problem}; line skipped", err=True)
            bad += 1
            continue
        assert isinstance(record, dict)
        result = summarize_text(record["text"], options, record.get("title") or None)
        out = {"id": record["id"]} | _piece_dict(result)
        click.echo(json.dumps(out, ensure_ascii=False))
    return bad


@main.command("summarize")
@click.argument("target", required=False, metavar="FILE|ID")
@click.option(
    "--jsonl", "jsonl", metavar="IN.jsonl", help='Batch: summarize {"id","text"[,"title"]} lines (- for stdin).'
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--sentences", type=click.IntRange(1, 20), help="Sentences per summary (default: config).")
@click.option("--chars", type=click.IntRange(1, 5000), help="Character budget instead of a sentence count.")
@click.option("--mode", type=click.Choice(MODES), help="Summarizer (default: config, normally news).")
@command
def summarize_command(
    ctx: Context,
    target: str | None,
    jsonl: str | None,
    as_json: bool,
    sentences: int | None,
    chars: int | None,
    mode: str | None,
) -> None:
    """Summarize a page file or a stored article (by ID), without storing anything.

    With --chars N, sentences are taken best first until the summary reaches N characters
    (at least one), then shown in article order. --jsonl reads {"id","text"} lines and
    writes {"id","summary","keywords"} lines; bad lines are reported and skipped (exit 1).
    """
    from bot.corpus.enrich import options_for

    if sentences is not None and chars is not None:
        raise click.UsageError("give --sentences or --chars, not both")
    if (target is None) == (jsonl is None):
        raise click.UsageError("give a FILE or an article ID, or --jsonl IN.jsonl")
    overrides: dict[str, object] = {"mode": mode}
    if sentences is not None:
        overrides |= {"sentences": sentences, "chars": 0}
    if chars is not None:
        overrides["chars"] = chars
    options = options_for(ctx.settings, **overrides)

    if jsonl is not None:
        if jsonl == "-":
            bad = _batch(sys.stdin, "<stdin>", options)
        else:
            try:
                with open(jsonl, encoding="utf-8-sig") as stream:
                    bad = _batch(stream, jsonl, options)
            except OSError as exc:
                raise CliError(f"cannot read {jsonl}: {exc.strerror or exc}") from None
            except UnicodeDecodeError:
                raise CliError(f"{jsonl}: not UTF-8 text") from None
        if bad:
            sys.exit(1)
        return
    assert target is not None
    path = Path(target)
    if path.is_file():
        _summarize_file(ctx, path, options, as_json)
    elif target.isdigit():
        _summarize_id(ctx, int(target), options, as_json)
    else:
        raise CliError(f"{target}: no such file, and not an article ID")
