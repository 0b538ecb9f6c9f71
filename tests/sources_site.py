"""A local web site for the live-source tests: aiohttp on 127.0.0.1, in its own thread.

`Site()` starts a server on a free loopback port; `site.page(path, body, ...)` serves a body
(with optional ETag / Last-Modified, honoured with 304s), `site.redirect(path, to)`, `site.slow`
(waits before answering), `site.endless` (streams without end until the client hangs up, at
most `cap` bytes), `site.huge_declared` (declares a 2 GB Content-Length). Every request is
logged (path, headers), and the most requests in flight at once is kept. Everything the site
serves is written by the tests; it stops by itself when the test ends.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MAX_SLOW = 5.0  # a slow handler never waits longer than this
ENDLESS_CAP = 64 * 1024 * 1024  # an endless body stops by itself here


@dataclass
class Logged:
    path: str
    headers: dict[str, str]


@dataclass
class Site:
    routes: dict[str, Callable[[web.Request], Any]] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    port: int = 0

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-site", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test site did not start")

    # -- serving ---------------------------------------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = self._runner.addresses[0][1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.log.append(Logged(request.path, dict(request.headers)))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            handler = self.routes.get(request.path)
            if handler is None:
                return web.Response(status=404, text="not here", content_type="text/html")
            return await handler(request)
        finally:
            self.in_flight -= 1

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what it serves ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self, path: str) -> list[Logged]:
        return [r for r in self.log if r.path == path]

    def page(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        *,
        status: int = 200,
        etag: str | None = None,
        last_modified: str | None = None,
        delay: float = 0.0,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body

        async def handler(request: web.Request) -> web.Response:
            if delay:
                await asyncio.sleep(min(delay, MAX_SLOW))
            headers = {}
            if etag:
                headers["ETag"] = etag
                if request.headers.get("If-None-Match") == etag:
                    return web.Response(status=304, headers=headers)
            if last_modified:
                headers["Last-Modified"] = last_modified
                if not etag and request.headers.get("If-Modified-Since") == last_modified:
                    return web.Response(status=304, headers=headers)
            return web.Response(status=status, body=data, headers={**headers, "Content-Type": content_type})

        self.routes[path] = handler

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        async def handler(request: web.Request) -> web.Response:
            return web.Response(status=status, headers={"Location": to})

        self.routes[path] = handler

    def endless(self, path: str, content_type: str = "application/rss+xml") -> None:
        """A body that never ends (no Content-Length): the client must stop reading."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            await response.prepare(request)
            chunk = b"<rss><channel>" + b"<item><title>x</title></item>" * 2000
            sent = 0
            try:
                while sent < ENDLESS_CAP:
                    await response.write(chunk)
                    sent += len(chunk)
            except (ConnectionError, RuntimeError):
                pass  # the client hung up, as it should
            return response

        self.routes[path] = handler

    def huge_declared(self, path: str, size: int = 2_000_000_000) -> None:
        """Declares a 2 GB body and sends only a little of it."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
            response.content_length = size
            await response.prepare(request)
            try:
                await response.write(b"<rss>" + b" " * 65536)
            except (ConnectionError, RuntimeError):
                pass
            return response

        self.routes[path] = handler
