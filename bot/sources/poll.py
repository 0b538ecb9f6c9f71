"""One poll of one source, end to end: fetch, read, skip what was seen, store, record the state.

* feed: one conditional GET of the feed; up to `max_items` entries in the feed's order; an entry
  seen before (GUID, link or text) is skipped, a teaser is replaced by the linked page's article
  when that page has more text (the teaser stays if the page fails: nothing is lost);
* page: each URL with its own ETag/Last-Modified; an edited page updates its article in place;
* inbox: the files that are complete are moved to done/ and ingested, failures go to failed/.

Every item is its own transaction (its article, its summary, its "seen" row and its duplicate
link commit together), and an item that fails costs that item only: the poll goes on, and is
`partial` with the reasons in its detail. A source that yields nothing usable gets the failure's
status. The state is recorded whatever happened, so `digestbot sources` always tells.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.config import Settings, SourceSettings
from bot.corpus import ingest_paths
from bot.corpus.enrich import enricher_for
from bot.corpus.ingest import Enricher, FileResult, store_document
from bot.corpus.pages import Piece
from bot.corpus.textfiles import PAGE_SUFFIXES
from bot.sources import inbox, near_duplicates, seen, state
from bot.sources.errors import SourceProblem
from bot.sources.extract import Extracted, ExtractError, decode_html, extract_article, html_blocks, looks_truncated
from bot.sources.feeds import FeedEntry, parse_feed
from bot.sources.http import FEED_ACCEPT, Fetcher, FetchError, Limits
from bot.store.db import Store
from bot.store.models import Article, Page

log = logging.getLogger(__name__)
MAX_PROBLEMS_SHOWN = 3
T = TypeVar("T")


class SourceError(SourceProblem):
    """A source that cannot be polled at all (e.g. its folder is missing); `kind` is the status."""


@dataclass
class Context:
    """What polls share: the store, one HTTP client, the limits, and how articles are enriched."""

    store: Store
    settings: Settings
    fetcher: Fetcher
    enrich: Enricher
    also: Callable[[Session, Article], None]

    @property
    def timezone(self) -> str:
        return self.settings.digest.timezone

    def limits(self, source: SourceSettings) -> Limits:
        f = self.settings.fetch
        return Limits(source.timeout or f.timeout_seconds, f.max_bytes, f.max_redirects)

    def schedule(self, source: SourceSettings) -> state.Schedule:
        return state.Schedule(source.every, self.timezone, timedelta(minutes=self.settings.fetch.max_backoff_minutes))


def context_for(store: Store, settings: Settings, fetcher: Fetcher) -> Context:
    duplicates = near_duplicates.marker()
    return Context(store, settings, fetcher, enricher_for(settings, also=duplicates), duplicates)


def _off(fn: Callable[..., T], *args: object, **kwargs: object) -> Awaitable[T]:
    """Database and CPU work off the event loop (the bot keeps answering while a poll runs)."""
    return asyncio.to_thread(fn, *args, **kwargs)


def _summary(out: state.Outcome, problems: list[str], notes: list[str]) -> None:
    parts = [f"{out.seen} seen, {out.new} new"]
    if out.repeated:
        parts.append(f"{out.repeated} repeated earlier entries under new GUIDs/links (skipped)")
    parts += notes
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = f" (+{len(problems) - MAX_PROBLEMS_SHOWN} more)" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        parts.append(f"{len(problems)} problem(s): {shown}{more}")
        if out.status == "ok":
            out.status = "partial"
    out.detail = "; ".join(parts)


# -- feeds ---------------------------------------------------------------------------------------


def _title_of(entry: FeedEntry, piece_blocks: list) -> str:
    if entry.title:
        return entry.title
    first = next((b.text for b in piece_blocks if b.type == "paragraph"), "")
    return first[:30] + ("…" if len(first) > 30 else "")


async def _linked_article(ctx: Context, source: SourceSettings, link: str) -> Extracted:
    response = await ctx.fetcher.get(link, ctx.limits(source), language=source.language)
    html = decode_html(response.body, response.charset)
    return await _off(extract_article, html, response.url)


async def _entry_piece(ctx: Context, source: SourceSettings, entry: FeedEntry, problems: list[str]) -> Piece | None:
    blocks = html_blocks(entry.html)
    text = "".join(b.text for b in blocks)
    title, byline = entry.title, entry.author
    short = not entry.full_content and len(text) < ctx.settings.fetch.teaser_chars
    teaser = ctx.settings.fetch.teaser_chars > 0 and (short or looks_truncated(text))
    if teaser and entry.link:
        try:
            page = await _linked_article(ctx, source, entry.link)
            if page.text_length() > len(text):
                blocks, title, byline = page.blocks, title or page.title, byline or page.byline
        except (FetchError, ExtractError) as exc:
            problems.append(f"linked page {entry.link[:120]}: {exc} (the feed's teaser was kept)")
    if not any(b.type == "paragraph" for b in blocks):
        return None
    return Piece(kind="article", title=_title_of(entry, blocks) if not title else title, byline=byline, blocks=blocks)


def _store_entry(
    ctx: Context, source: SourceSettings, piece: Piece, entry: FeedEntry, who: seen.Identity
) -> FileResult:
    published = entry.published.astimezone(ZoneInfo(ctx.timezone)).date() if entry.published else None
    return store_document(
        ctx.store,
        f"feed:{source.name}:{who.key[:40]}",
        [piece],
        published,
        url=entry.link,
        source_name=source.name,
        enrich=ctx.enrich,
        also=lambda session, page: seen.remember(session, source.name, who, page.id),
    )


def _seen_as(store: Store, source: str, who: seen.Identity) -> str | None:
    with store.session() as s:
        return seen.seen_as(s, source, who)


async def _take_entry(
    ctx: Context, source: SourceSettings, entry: FeedEntry, out: state.Outcome, problems: list[str]
) -> None:
    who = seen.identity(
        entry.guid, entry.link, entry.title, entry.text(), entry.published.isoformat() if entry.published else None
    )
    known = await _off(_seen_as, ctx.store, source.name, who)
    if known == "content":
        out.repeated += 1
    if known:
        return
    piece = await _entry_piece(ctx, source, entry, problems)
    if piece is None:
        out.failed += 1
        problems.append(f"entry {(entry.title or entry.link or '?')[:60]!r} has no text")
        return
    try:
        result = await _off(_store_entry, ctx, source, piece, entry, who)
    except IntegrityError:  # another poller stored this very entry a moment ago
        return
    out.new += result.new
    out.article_ids += result.article_ids


async def poll_feed(ctx: Context, source: SourceSettings) -> state.Outcome:
    etag, last_modified = await _off(state.validators, ctx.store, source.name)
    url = source.url or ""
    response = await ctx.fetcher.get(
        url, ctx.limits(source), etag=etag, last_modified=last_modified, accept=FEED_ACCEPT, language=source.language
    )
    if response.not_modified:
        return state.Outcome("not_modified", "the feed has not changed since the last poll (HTTP 304)")
    feed = await _off(parse_feed, response.body, response.content_type, response.url)
    entries = feed.entries[: source.max_items]
    out = state.Outcome("ok", seen=len(entries), etag=response.etag, last_modified=response.last_modified)
    problems: list[str] = []
    for entry in entries:
        try:
            await _take_entry(ctx, source, entry, out, problems)
        except Exception as exc:  # a bug costs one entry, not the poll
            log.exception("source %s: entry %r failed", source.name, entry.link or entry.guid)
            out.failed += 1
            problems.append(f"entry {(entry.title or '?')[:40]!r}: unexpected {type(exc).__name__}: {exc}")
    if feed.warning:
        problems.insert(0, feed.warning)
    notes = []
    if response.redirects:
        notes.append(f"redirected to {response.url[:200]}")
    _summary(out, problems, notes)
    return out


# -- pages ---------------------------------------------------------------------------------------


def _page_validators(store: Store, source: str, url: str) -> tuple[str | None, str | None]:
    with store.session() as s:
        row = seen.page_entry(s, source, url)
        return (row.etag, row.last_modified) if row is not None else (None, None)


async def _take_page(ctx: Context, source: SourceSettings, url: str, out: state.Outcome) -> None:
    etag, last_modified = await _off(_page_validators, ctx.store, source.name, url)
    response = await ctx.fetcher.get(
        url, ctx.limits(source), etag=etag, last_modified=last_modified, language=source.language
    )
    if response.not_modified:
        return
    found = await _off(extract_article, decode_html(response.body, response.charset), response.url)
    piece = Piece(kind="article", title=found.title or url, byline=found.byline, blocks=found.blocks)

    def also(session: Session, page: Page) -> None:
        seen.remember_page(session, source.name, url, page.id, response.etag, response.last_modified)

    key = f"page:{source.name}:{seen.digest(url)[:40]}"
    result = await _off(
        store_document,
        ctx.store,
        key,
        [piece],
        found.published,
        url=response.url,
        source_name=source.name,
        enrich=ctx.enrich,
        also=also,
    )
    out.new += result.new
    out.article_ids += result.article_ids


async def poll_pages(ctx: Context, source: SourceSettings) -> state.Outcome:
    urls = source.page_urls()
    out = state.Outcome("ok", seen=len(urls))
    errors: list[tuple[str, Exception]] = []
    for url in urls:
        try:
            await _take_page(ctx, source, url, out)
        except (FetchError, ExtractError) as exc:
            errors.append((url, exc))
        except IntegrityError:
            continue
    if errors and len(errors) == len(urls):
        first = errors[0][1]
        kind = getattr(first, "kind", "error")
        more = f" (and {len(urls) - 1} other URL(s) failed too)" if len(urls) > 1 else ""
        raise FetchError(kind, f"{errors[0][0][:120]}: {first}{more}", getattr(first, "retry_after", None))
    out.failed = len(errors)
    _summary(out, [f"{url[:120]}: {exc}" for url, exc in errors], [])
    return out


# -- inbox ---------------------------------------------------------------------------------------


def _label_inbox_articles(store: Store, sources: list[str], name: str) -> None:
    with store.session.begin() as s:
        page_ids = select(Page.id).where(Page.source.in_(sources))
        s.execute(update(Article).where(Article.page_id.in_(page_ids)).values(source_name=name))


def poll_inbox_now(ctx: Context, source: SourceSettings) -> state.Outcome:
    folder = Path(source.path or ".")
    if not folder.is_dir():
        raise SourceError("missing_folder", f"the inbox folder {folder} does not exist (create it or fix its path)")
    looked = inbox.look(folder, ctx.settings.fetch.inbox_settle_seconds)
    out = state.Outcome("ok", seen=len(looked.ready))
    problems: list[str] = []
    claimed = []
    for path in looked.ready:
        if path.suffix.lower() not in PAGE_SUFFIXES:
            inbox.fail(path, folder, f"not a page file: only {', '.join(PAGE_SUFFIXES)} files are ingested")
            out.failed += 1
            problems.append(f"{path.name}: not a page file")
            continue
        claimed.append(inbox.claim(path))
    if claimed:
        try:
            report = ingest_paths(ctx.store, ctx.settings, claimed, also=ctx.also)
        except Exception:  # the store is down, say: the files go back for the next poll
            for path in claimed:
                inbox.unclaim(path, folder)
            raise
        for path, result in zip(claimed, report.results, strict=True):
            if result.status == "error":
                inbox.fail(path, folder, result.error or "could not be ingested")
                out.failed += 1
                problems.append(f"{path.name}: {result.error}")
            else:
                out.new += result.new
                out.article_ids += result.article_ids
        _label_inbox_articles(ctx.store, [r.source for r in report.results if r.status != "error"], source.name)
    notes = [f"{len(looked.waiting)} file(s) still being written (taken once unchanged)"] if looked.waiting else []
    _summary(out, problems, notes)
    return out


async def poll_inbox(ctx: Context, source: SourceSettings) -> state.Outcome:
    return await _off(poll_inbox_now, ctx, source)


# -- any source ----------------------------------------------------------------------------------

POLLERS = {"feed": poll_feed, "page": poll_pages, "inbox": poll_inbox}


async def poll_source(ctx: Context, source: SourceSettings, *, force: bool = False) -> state.Outcome | None:
    """Poll one source and record the outcome; None when it is in backoff (and not forced)."""
    if not force and await _off(state.in_backoff, ctx.store, source.name):
        return None
    try:
        outcome = await POLLERS[source.kind](ctx, source)
    except SourceProblem as exc:
        outcome = state.Outcome(exc.kind, str(exc), retry_after=exc.retry_after)
    except OSError as exc:
        outcome = state.Outcome("error", f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug: logged in full, shown in one line, the other sources go on
        log.exception("source %s: poll failed", source.name)
        outcome = state.Outcome("error", f"unexpected {type(exc).__name__}: {exc}")
    await _off(state.record, ctx.store, source.name, source.kind, outcome, ctx.schedule(source))
    level = logging.INFO if outcome.good else logging.WARNING
    log.log(level, "source %s: %s %s", source.name, outcome.status, outcome.detail)
    return outcome


async def poll_all(
    ctx: Context, sources: list[SourceSettings], *, force: bool = False
) -> dict[str, state.Outcome | None]:
    """Every source at once (one request at a time per host); one failing never stops another."""
    results = await asyncio.gather(*(poll_source(ctx, s, force=force) for s in sources))
    return {s.name: r for s, r in zip(sources, results, strict=True)}
