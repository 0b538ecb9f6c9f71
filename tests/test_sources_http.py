"""The sources' HTTP client against a real local server: conditional GET, redirects and loops,
timeouts, size limits (declared and streamed), errors, politeness (User-Agent, one per host)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from sources_site import Site

from bot.sources.http import FEED_ACCEPT, Fetcher, FetchError, Limits

UA = "digestbot-test/1 (tests)"


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


def fetch(url: str, limits: Limits = Limits(timeout=5), **kwargs):
    async def go():
        async with Fetcher(UA) as f:
            return await f.get(url, limits, **kwargs)

    return asyncio.run(go())


def failure(url: str, limits: Limits = Limits(timeout=5), **kwargs) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, limits, **kwargs)
    return info.value


def test_a_page_with_its_validators_then_304_when_unchanged(site: Site):
    site.page("/feed", "<rss/>", "application/rss+xml", etag='"v1"', last_modified="Tue, 03 Dec 2024 00:00:00 GMT")
    first = fetch(site.url("/feed"), accept=FEED_ACCEPT)
    assert (first.status, first.body, first.etag) == (200, b"<rss/>", '"v1"')
    assert first.last_modified == "Tue, 03 Dec 2024 00:00:00 GMT"
    again = fetch(site.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    sent = site.requests("/feed")
    assert sent[0].headers["User-Agent"] == UA and "If-None-Match" not in sent[0].headers
    assert sent[1].headers["If-None-Match"] == '"v1"'
    assert sent[1].headers["If-Modified-Since"] == "Tue, 03 Dec 2024 00:00:00 GMT"
    assert "rss+xml" in sent[0].headers["Accept"]


def test_last_modified_alone_also_gives_304(site: Site):
    site.page("/lm", "x", last_modified="Mon, 02 Dec 2024 10:00:00 GMT")
    assert fetch(site.url("/lm"), last_modified="Mon, 02 Dec 2024 10:00:00 GMT").not_modified


def test_redirects_are_followed_and_counted(site: Site):
    site.page("/final", "arrived")
    site.redirect("/a", "/b", 301)
    site.redirect("/b", site.url("/final"), 307)
    response = fetch(site.url("/a"))
    assert response.body == b"arrived" and response.url == site.url("/final")
    assert response.redirects == [site.url("/b"), site.url("/final")]
    too_many = failure(site.url("/a"), Limits(timeout=5, max_redirects=1))
    assert too_many.kind == "too_many_redirects" and "fetch.max_redirects" in str(too_many)


def test_a_redirect_loop_is_recognised_not_followed_to_the_limit(site: Site):
    site.redirect("/loop1", "/loop2")
    site.redirect("/loop2", "/loop1")
    err = failure(site.url("/loop1"), Limits(timeout=5, max_redirects=20))
    assert err.kind == "redirect_loop" and "loop1" in str(err)
    assert len(site.requests("/loop1")) == 1 and len(site.requests("/loop2")) == 1


def test_http_errors_say_the_status(site: Site):
    err = failure(site.url("/missing"))
    assert err.kind == "http_error" and "404" in str(err)


def test_retry_after_is_kept_for_the_backoff(site: Site):
    async def busy(request):
        from aiohttp import web

        return web.Response(status=503, headers={"Retry-After": "120"})

    site.routes["/busy"] = busy
    err = failure(site.url("/busy"))
    assert err.kind == "http_error" and "503" in str(err) and err.retry_after == 120


def test_a_slow_server_times_out(site: Site):
    site.page("/slow", "late", delay=3.0)
    started = time.monotonic()
    err = failure(site.url("/slow"), Limits(timeout=0.5))
    assert err.kind == "timeout" and "0.5 s" in str(err)
    assert time.monotonic() - started < 2.5


def test_a_declared_2gb_body_is_refused_before_reading(site: Site):
    site.huge_declared("/huge")
    err = failure(site.url("/huge"), Limits(timeout=5, max_bytes=1_000_000))
    assert err.kind == "too_large" and "2.0 GB" in str(err) and "not read" in str(err)


def test_an_endless_body_is_cut_at_the_limit(site: Site):
    site.endless("/endless")
    started = time.monotonic()
    err = failure(site.url("/endless"), Limits(timeout=10, max_bytes=1_000_000))
    assert err.kind == "too_large" and "stopped reading" in str(err)
    assert time.monotonic() - started < 5


def test_a_closed_port_is_a_network_error():
    with Site() as gone:
        url = gone.url("/x")
    err = failure(url, Limits(timeout=3))
    assert err.kind in ("network", "timeout")


def test_not_http_is_refused():
    assert failure("ftp://127.0.0.1/x").kind == "bad_url"


def test_one_request_at_a_time_per_host(site: Site):
    for i in range(4):
        site.page(f"/p{i}", "x", delay=0.2)

    async def go():
        async with Fetcher(UA) as f:
            await asyncio.gather(*(f.get(site.url(f"/p{i}"), Limits(timeout=5)) for i in range(4)))

    asyncio.run(go())
    assert len(site.log) == 4 and site.max_in_flight == 1
