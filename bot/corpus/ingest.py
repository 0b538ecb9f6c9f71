"""Ingest page files into the store: one transaction per file, idempotent on re-ingest.

A page's articles are matched to what is stored by title (then by position), so an edited
page updates its articles in place and keeps their ids; pieces that vanished are removed.
A bad file is reported and skipped; the others are still ingested. Summaries and keywords of a
file's new and changed pieces are computed before its write transaction opens (`Enricher.
prepare`), so the write lock is held for writing only, never while text is being ranked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from bot.corpus.claims import claim_new_page, lock_page, twin_of
from bot.corpus.pages import Piece, parse_page
from bot.corpus.pages.diagnostics import diagnose
from bot.corpus.textfiles import BadFile, read_page_file
from bot.corpus.walk import expand_paths
from bot.store.db import Store
from bot.store.models import Article, Block, Page, utcnow
from bot.ui.printable import printable

log = logging.getLogger(__name__)


class Enricher(Protocol):
    """Summaries and keywords for new and changed articles: `prepare` runs before a file's write
    transaction (on the pieces that are not stored as they are), `apply` inside it, once per new
    or changed article, with what was prepared for its content hash (None if nothing was)."""

    def prepare(self, store: Store, pieces: list[Piece]) -> dict[str, Any]: ...

    def apply(self, session: Session, article: Article, prepared: Any) -> None: ...


class _Inline:
    """A plain `(session, article)` function as an Enricher: nothing prepared, all inside."""

    def __init__(self, fn: Callable[[Session, Article], None]):
        self.fn = fn

    def prepare(self, store: Store, pieces: list[Piece]) -> dict[str, Any]:
        return {}

    def apply(self, session: Session, article: Article, prepared: Any) -> None:
        self.fn(session, article)


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
    warnings: list[dict] = field(default_factory=list)  # doubts about the split (pages.diagnostics)
    path_hex: str | None = None  # the name's exact bytes when it is not valid UTF-8 (`path` escapes them)


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
            f"{len(self.errors)} error{'s' if len(self.errors) != 1 else ''}; "
            f"{self.warning_count} warning{'s' if self.warning_count != 1 else ''}"
        )

    @property
    def warning_count(self) -> int:
        return sum(len(r.warnings) for r in self.results)

    def to_dict(self) -> dict:
        return {
            "files": len(self.results),
            "articles": {k: self.total(k) for k in ("new", "updated", "unchanged", "removed")},
            "errors": [{"path": r.path, "error": r.error} for r in self.errors],
            "results": [asdict(r) for r in self.results],
        }


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop: reported by the walk; still needs a name
        return Path(os.path.abspath(path))


def source_key(path: Path) -> str:
    """How a page is known in the store: its absolute path (symlinks resolved), so the same file
    is the same page whichever directory `digestbot ingest` runs from. Bytes of a name that are
    not UTF-8 are written as \\xNN escapes (the store holds text)."""
    return printable(_resolved(path).as_posix())


def _legacy_key(path: Path) -> str | None:
    """The key stores written before 0.2 used: the path relative to the working directory."""
    try:
        return printable(_resolved(path).relative_to(Path.cwd().resolve()).as_posix())
    except ValueError:
        return None


def new_result(path: Path) -> FileResult:
    """A file's result, its name shown as printable text (and its bytes kept when not UTF-8)."""
    shown = printable(str(path))
    exact = None if shown == str(path) else os.fsencode(path).hex()
    return FileResult(path=shown, source=source_key(path), path_hex=exact)


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
    def __init__(
        self, store: Store, max_file_bytes: int, enrich: Enricher | Callable[[Session, Article], None] | None = None
    ):
        self.store = store
        self.max_file_bytes = max_file_bytes
        self.enrich: Enricher | None = enrich if enrich is None or hasattr(enrich, "prepare") else _Inline(enrich)

    def ingest(
        self, paths: Iterable[str | os.PathLike[str]], progress: Callable[[FileResult], None] | None = None
    ) -> IngestReport:
        return self.ingest_found(expand_paths(paths), progress)

    def ingest_found(
        self, found: Iterable[tuple[Path, str | None]], progress: Callable[[FileResult], None] | None = None
    ) -> IngestReport:
        """Ingest what a walk found (`walk.expand_paths`): each page, or its problem, in turn."""
        report = IngestReport()
        for path, problem in found:
            result = new_result(path)
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
            parsed = parse_page(text, printable(path.name))
            result.warnings = [w.to_dict() for w in diagnose(parsed)]
            if not parsed.pieces:
                raise BadFile("no articles found (no paragraph text on the page)")
            self._write(result, parsed.pieces, parsed.published_on, _hash(text), _legacy_key(path))
        except BadFile as exc:
            self._failed(result, str(exc))
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None) or exc
            self._failed(result, f"database error: {type(orig).__name__}: {orig}")
        except Exception as exc:  # a bug must cost one file, not the run: report it and go on
            log.exception("unexpected error while ingesting %s", path)
            self._failed(result, f"unexpected {type(exc).__name__}: {exc}")

    def _write(
        self, result: FileResult, pieces: list[Piece], published: date | None, page_hash: str, legacy: str | None
    ) -> None:
        """One write transaction for the page, holding its lock (`claims.lock_page`), with the
        summaries and keywords prepared before it opened. A race lost to another process that
        stored the same page (a unique constraint) is retried once, and the retry finds that
        page: "unchanged", not an error."""
        prepared = self._prepare(result.source, legacy, page_hash, pieces)
        for attempt in (1, 2):
            try:
                with self.store.session.begin() as session:
                    lock_page(session, result.source)
                    self._store_page(session, result, pieces, published, page_hash, legacy, prepared)
                return
            except IntegrityError:
                if attempt == 2:
                    raise
                self._reset(result)

    @staticmethod
    def _reset(result: FileResult) -> None:
        result.status = "unchanged"
        result.new = result.updated = result.unchanged = result.removed = 0
        result.article_ids = []

    def _prepare(self, source: str, legacy_key: str | None, page_hash: str, pieces: list[Piece]) -> dict[str, Any]:
        """The enrichment of the pieces this file adds or changes, computed from a read, before
        the write transaction (nothing for a page stored as it is)."""
        if self.enrich is None:
            return {}
        with self.store.session() as session:
            page = session.scalars(select(Page).where(Page.source.in_([source, legacy_key or source]))).first()
            if page is None and session.scalars(select(Page.id).where(Page.content_hash == page_hash)).first():
                return {}  # a twin: nothing will be written
            if page is not None and page.content_hash == page_hash:
                return {}
            stored = {a.content_hash for a in page.articles} if page is not None else set()
        return self.enrich.prepare(self.store, [p for p in pieces if piece_hash(p) not in stored])

    @staticmethod
    def _failed(result: FileResult, reason: str) -> None:
        result.status, result.error = "error", reason
        result.new = result.updated = result.unchanged = result.removed = 0
        result.article_ids = []

    @staticmethod
    def _page_to_write(
        session: Session, result: FileResult, published: date | None, page_hash: str, legacy_key: str | None
    ) -> Page | None:
        """The stored page to bring up to date (claimed if new), or None when there is nothing
        to write: unchanged, the same content already stored under another path (or by another
        process a moment ago), or an edit that made it a copy of another page (removed: one copy)."""
        page = session.scalars(select(Page).where(Page.source == result.source)).one_or_none()
        if page is None and legacy_key and legacy_key != result.source:
            page = session.scalars(select(Page).where(Page.source == legacy_key)).one_or_none()
            if page is not None:  # stored by an older version under its relative path: adopt it
                page.source = result.source
        if page is not None and page.content_hash == page_hash:
            result.unchanged = len(page.articles)
            return None
        twin = twin_of(session, page_hash, page)
        if twin is not None and page is not None:
            result.status, result.removed = "updated", len(page.articles)
            session.delete(page)
            return None
        if page is None:
            page = claim_new_page(session, result.source, page_hash, published) if twin is None else None
            if page is None:
                twin = twin or twin_of(session, page_hash, None)
                result.unchanged = len(twin.articles) if twin is not None else 0
                return None
            result.status = "new"
        else:
            result.status = "updated"
        return page

    def _store_page(
        self,
        session: Session,
        result: FileResult,
        pieces: list[Piece],
        published: date | None,
        page_hash: str,
        legacy_key: str | None = None,
        prepared: dict[str, Any] | None = None,
    ) -> None:
        page = self._page_to_write(session, result, published, page_hash, legacy_key)
        if page is None:
            return
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
                self.enrich.apply(session, article, (prepared or {}).get(article.content_hash))
        result.article_ids = [a.id for a in created]
        if result.status == "updated" and not (result.new or result.updated or result.removed):
            result.status = "unchanged"


def store_document(
    store: Store,
    source: str,
    pieces: list[Piece],
    published: date | None = None,
    *,
    url: str | None = None,
    source_name: str | None = None,
    enrich: Enricher | None = None,
    also: Callable[[Session, Page], None] | None = None,
) -> FileResult:
    """Store pieces that come from no page file (a feed entry, a fetched web page) as the page
    `source` (e.g. `feed:<name>:<hash>`), exactly as a file's pieces are stored: idempotent,
    matched by title, enriched. Every article of the page gets `url` and `source_name`; `also`
    runs inside the same transaction (to record what else must commit with it). Database
    errors propagate: the caller decides what a failed item means."""
    result = FileResult(path=url or source, source=source)
    page_hash = _hash([source, url, [piece_hash(p) for p in pieces]])
    ingestor = Ingestor(store, 0, enrich)
    prepared = ingestor._prepare(source, None, page_hash, pieces)  # before the write lock, as for files
    with store.session.begin() as session:
        lock_page(session, source)
        ingestor._store_page(session, result, pieces, published, page_hash, None, prepared)
        page = session.scalars(select(Page).where(Page.source == source)).one()
        for article in page.articles:
            article.url, article.source_name = url, source_name
        if also is not None:
            also(session, page)
    return result
