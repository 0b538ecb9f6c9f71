"""Ingest page files into the store: one transaction per file, idempotent on re-ingest.

A page's articles are matched to what is stored by title (then by position), so an edited
page updates its articles in place and keeps their ids; pieces that vanished are removed.
A bad file is reported and skipped; the others are still ingested.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db import Store
from bot.models import Article, Block, Page, utcnow
from bot.pages import Piece, parse_page
from bot.textfiles import PAGE_SUFFIXES, BadFile, read_page_file

log = logging.getLogger(__name__)

# Called for every new or changed article inside its file's transaction (summaries, keywords).
Enricher = Callable[[Session, Article], None]


@dataclass
class FileResult:
    path: str
    source: str
    status: str = "unchanged"  # new | updated | unchanged | error
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    encoding: str | None = None
    error: str | None = None
    article_ids: list[int] = field(default_factory=list)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.results)

    @property
    def errors(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "error"]

    @property
    def new_article_ids(self) -> list[int]:
        return [i for r in self.results for i in r.article_ids]

    def summary_line(self) -> str:
        return (
            f"{len(self.results)} files: {self.total('new')} new, {self.total('updated')} updated, "
            f"{self.total('unchanged')} unchanged, {self.total('removed')} removed articles; "
            f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}"
        )

    def to_dict(self) -> dict:
        return {
            "files": len(self.results),
            "articles": {k: self.total(k) for k in ("new", "updated", "unchanged", "removed")},
            "errors": [{"path": r.path, "error": r.error} for r in self.errors],
            "results": [asdict(r) for r in self.results],
        }


def source_key(path: Path) -> str:
    """How a page is known in the store: relative to the working directory when inside it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, str | None]]:
    """Yield (file, problem) for every page file under the given files and directories."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
            if not found:
                yield path, f"no {'/'.join(PAGE_SUFFIXES)} files in this directory"
            yield from ((p, None) for p in found)
        elif path.is_file():
            if path.suffix.lower() in PAGE_SUFFIXES:
                yield path, None
            else:
                yield (
                    path,
                    f"unsupported file type {path.suffix or '(none)'!r}: only {', '.join(PAGE_SUFFIXES)} pages are ingested",
                )
        else:
            yield path, "no such file or directory"


def _hash(data: object) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def piece_hash(piece: Piece) -> str:
    return _hash(
        [piece.kind, piece.title, piece.kicker, piece.subtitle, piece.byline, [(b.type, b.text) for b in piece.blocks]]
    )


def _apply(article: Article, piece: Piece, position: int) -> None:
    article.position = position
    article.kind = piece.kind
    article.title = piece.title
    article.kicker = piece.kicker
    article.subtitle = piece.subtitle
    article.byline = piece.byline
    article.content_hash = piece_hash(piece)
    # rewrite blocks in place: replacing the list would insert new rows before deleting old ones
    # and trip the (article, position) unique constraint
    blocks = article.blocks
    for i, b in enumerate(piece.blocks):
        if i < len(blocks):
            blocks[i].type, blocks[i].text = b.type, b.text
        else:
            blocks.append(Block(position=i, type=b.type, text=b.text))
    del blocks[len(piece.blocks) :]


def _resembles(article: Article, piece: Piece) -> bool:
    first = next((b.text for b in article.blocks if b.type == "paragraph"), None)
    return article.byline == piece.byline or first == next(iter(piece.paragraphs()), None)


def _match(existing: list[Article], pieces: list[Piece]) -> list[Article | None]:
    """Pair each new piece with a stored article: same title first, then the same position
    if it still looks like the same story (same byline or same opening paragraph)."""
    free = list(existing)
    matched: list[Article | None] = [None] * len(pieces)
    for i, piece in enumerate(pieces):
        same = next((a for a in free if a.kind == piece.kind and a.title == piece.title and a.title), None)
        if same is not None:
            matched[i] = same
            free.remove(same)
    for i, piece in enumerate(pieces):
        if matched[i] is None:
            same = next((a for a in free if a.position == i and a.kind == piece.kind and _resembles(a, piece)), None)
            if same is not None:
                matched[i] = same
                free.remove(same)
    return matched


class Ingestor:
    def __init__(self, store: Store, max_file_bytes: int, enrich: Enricher | None = None):
        self.store = store
        self.max_file_bytes = max_file_bytes
        self.enrich = enrich

    def ingest(
        self, paths: Iterable[str | os.PathLike[str]], progress: Callable[[FileResult], None] | None = None
    ) -> IngestReport:
        report = IngestReport()
        for path, problem in expand_paths(paths):
            result = FileResult(path=str(path), source=source_key(path))
            if problem:
                result.status, result.error = "error", problem
            else:
                self._ingest_file(path, result)
            if result.status == "error":
                log.info("skipped %s: %s", result.path, result.error)
            report.results.append(result)
            if progress:
                progress(result)
        return report

    def _ingest_file(self, path: Path, result: FileResult) -> None:
        try:
            text, result.encoding = read_page_file(path, self.max_file_bytes)
            parsed = parse_page(text, path.name)
            if not parsed.pieces:
                raise BadFile("no articles found (no paragraph text on the page)")
            with self.store.session.begin() as session:
                self._store_page(session, result, parsed.pieces, parsed.published_on, _hash(text))
        except BadFile as exc:
            self._failed(result, str(exc))
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None) or exc
            self._failed(result, f"database error: {type(orig).__name__}: {orig}")
        except Exception as exc:  # a bug must cost one file, not the run: report it and go on
            log.exception("unexpected error while ingesting %s", path)
            self._failed(result, f"unexpected {type(exc).__name__}: {exc}")

    @staticmethod
    def _failed(result: FileResult, reason: str) -> None:
        result.status, result.error = "error", reason
        result.new = result.updated = result.unchanged = result.removed = 0
        result.article_ids = []

    def _store_page(self, session: Session, result: FileResult, pieces: list[Piece], published, page_hash: str) -> None:
        page = session.scalars(select(Page).where(Page.source == result.source)).one_or_none()
        if page is not None and page.content_hash == page_hash:
            result.unchanged = len(page.articles)
            return
        if page is None:
            twin = session.scalars(select(Page).where(Page.content_hash == page_hash).limit(1)).one_or_none()
            if twin is not None:  # same page reached by another path: nothing new
                result.unchanged = len(twin.articles)
                return
            page = Page(source=result.source, content_hash=page_hash, published_on=published)
            session.add(page)
            result.status = "new"
        else:
            result.status = "updated"
        now = utcnow()
        page.content_hash, page.published_on, page.updated_at = page_hash, published, now

        existing = list(page.articles)
        matched = _match(existing, pieces)
        for gone in (a for a in existing if a not in matched):
            page.articles.remove(gone)
            result.removed += 1
        # park positions out of the way so the (page, position) constraint holds while reordering
        for article in page.articles:
            article.position = -article.id
        session.flush()

        touched: list[Article] = []
        created: list[Article] = []
        for position, (piece, article) in enumerate(zip(pieces, matched, strict=True)):
            if article is None:
                article = Article(published_on=published, ingested_at=now, updated_at=now)
                _apply(article, piece, position)
                page.articles.append(article)
                result.new += 1
                touched.append(article)
                created.append(article)
            elif article.content_hash != piece_hash(piece):
                _apply(article, piece, position)
                article.updated_at, article.published_on = now, published
                result.updated += 1
                touched.append(article)
            else:
                article.position = position
                result.unchanged += 1
        session.flush()
        if self.enrich is not None:
            for article in touched:
                self.enrich(session, article)
        result.article_ids = [a.id for a in created]
        if result.status == "updated" and not (result.new or result.updated or result.removed):
            result.status = "unchanged"
