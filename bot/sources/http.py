"""HTTP for live sources: one polite, bounded GET at a time per host.

Every request names the bot (User-Agent), asks only for what changed (If-None-Match /
If-Modified-Since from the last answer), and is bounded every way a server can misbehave:

* per host, one request at a time (a lock per host:port, held for one hop of a redirect chain);
* a timeout per hop that covers connecting, waiting and reading the body (a server that
  trickles bytes is cut off like one that never answers);
* a size limit on the body as it is streamed (after decompression): a Content-Length over it
  is refused before reading, and a body that grows past it is dropped at the limit, so a 2 GB
  answer costs at most the limit in memory and time;
* redirects followed by hand, at most `max_redirects`, a URL seen twice being a loop.

Failures come out as `FetchError(kind, message)`; `kind` is the status `digestbot sources`
shows. This module knows nothing of feeds, the store or the config.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.sources.errors import SourceProblem

CHUNK = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class Limits:
    """What one fetch may cost: seconds per hop, bytes of body, redirects."""

    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5


class FetchError(SourceProblem):
    """A fetch that gave nothing usable; `kind` is a short status, `str()` says what happened."""


@dataclass
class Response:
    url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str | None = None
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def human_bytes(n: float) -> str:
    if n < 1000:
        return f"{int(n)} bytes"
    for unit in ("KB", "MB", "GB"):
        n /= 1000
        if n < 1000 or unit == "GB":
            return f"{n:.1f} {unit}"
    return str(n)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    return max(0.0, (moment - datetime.now(UTC)).total_seconds()) if moment.tzinfo else None


def _host(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("bad_url", f"not an http(s) URL: {url[:200]!r}")
    return f"{parts.hostname.lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


class Fetcher:
    """A shared HTTP client for all sources of one process (`async with Fetcher(ua) as f`)."""

    def __init__(self, user_agent: str, accept_language: str | None = None):
        self.user_agent = user_agent
        self.accept_language = accept_language
        self._session: aiohttp.ClientSession | None = None
        self._locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={"User-Agent": self.user_agent},
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    def _lock(self, host: str) -> asyncio.Lock:
        return self._locks.setdefault(host, asyncio.Lock())

    async def get(
        self,
        url: str,
        limits: Limits,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = PAGE_ACCEPT,
        language: str | None = None,
    ) -> Response:
        """GET `url`, following redirects; raises FetchError for anything but a usable answer
        (a 2xx with its body, or 304 Not Modified when validators were given)."""
        headers = {"Accept": accept}
        if language or self.accept_language:
            headers["Accept-Language"] = language or self.accept_language or ""
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen: list[str] = [url]
        current = url
        while True:
            response, location = await self._hop(current, headers, limits)
            if location is None:
                response.redirects = seen[1:]
                return response
            target = urljoin(current, location)
            if target in seen:
                chain = " -> ".join([*seen[seen.index(target) :], target])
                raise FetchError("redirect_loop", f"redirect loop: {chain[:300]}")
            if len(seen) > limits.max_redirects:
                raise FetchError(
                    "too_many_redirects", f"more than {limits.max_redirects} redirects (fetch.max_redirects)"
                )
            seen.append(target)
            current = target

    async def _hop(self, url: str, headers: dict[str, str], limits: Limits) -> tuple[Response, str | None]:
        host = _host(url)
        async with self._lock(host):
            try:
                async with asyncio.timeout(limits.timeout):
                    return await self._request(url, headers, limits)
            except TimeoutError:
                raise FetchError("timeout", f"no complete answer within {limits.timeout:g} s from {host}") from None
            except aiohttp.InvalidURL:
                raise FetchError("bad_url", f"not a valid URL: {url[:200]!r}") from None
            except aiohttp.ClientError as exc:
                raise FetchError("network", f"cannot fetch from {host}: {type(exc).__name__}: {exc}") from None

    async def _request(self, url: str, headers: dict[str, str], limits: Limits) -> tuple[Response, str | None]:
        async with self._client().get(url, headers=headers, allow_redirects=False) as resp:
            if resp.status in REDIRECTS:
                location = resp.headers.get("Location")
                if not location:
                    raise FetchError("http_error", f"HTTP {resp.status} redirect without a Location header")
                return Response(url, resp.status), location
            if resp.status == 304:
                return self._response(url, resp, b""), None
            if resp.status >= 400 or resp.status < 200:
                retry = _retry_after(resp.headers.get("Retry-After")) if resp.status in (429, 503) else None
                raise FetchError("http_error", f"HTTP {resp.status} {resp.reason or ''}".strip(), retry)
            body = await _read_limited(resp, limits.max_bytes)
            return self._response(url, resp, body), None

    @staticmethod
    def _response(url: str, resp: aiohttp.ClientResponse, body: bytes) -> Response:
        return Response(
            url=str(url),
            status=resp.status,
            body=body,
            content_type=resp.content_type if resp.headers.get("Content-Type") else None,
            charset=resp.charset,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
        )


async def _read_limited(resp: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, streamed; past `max_bytes` the connection is dropped and FetchError raised."""
    declared = resp.content_length
    limit_note = f"over the {human_bytes(max_bytes)} limit (fetch.max_bytes)"
    if declared is not None and declared > max_bytes:
        resp.close()
        raise FetchError("too_large", f"response is {human_bytes(declared)}, {limit_note}; not read")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            resp.close()  # do not drain the rest: drop the connection
            raise FetchError("too_large", f"response grew {limit_note}; stopped reading at {human_bytes(size)}")
        chunks.append(chunk)
    return b"".join(chunks)
