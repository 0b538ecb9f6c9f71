"""The stand-in's HTTP face: Bot API routes on 127.0.0.1, long polling, webhook delivery, faults, waits.

PTB builds request URLs as base_url + token + "/" + method and POSTs form fields (objects JSON-encoded); it
turns the HTTP status and the ``parameters`` of an error body into RetryAfter, ChatMigrated, Forbidden,
BadRequest, InvalidToken, Conflict or NetworkError, and its own client timeouts into TimedOut. So this server
answers exactly in that shape and lets the world and the fault rules decide the answer. It uses aiohttp's
low-level server (no router) and one lock around the world to keep a request to a few dozen microseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp
import yarl
from aiohttp import web

from bot.standin import control
from bot.standin.driver import Driver
from bot.standin.errors import NOT_FOUND, UNAUTHORIZED, ApiError, bad_request, check_unicode, too_many_requests
from bot.standin.faults import Faults
from bot.standin.log import Call, RequestLog
from bot.standin.methods import UNIMPLEMENTED, BotApi, Params
from bot.standin.model import GROUP, PRIVATE, CallbackAnswer, CallbackQuery, Message
from bot.standin.world import World

DEFAULT_TOKEN = "7000000001:AAStandin-Test-Token-For-Local-Use-Only"
HOST = "127.0.0.1"
MAX_LONG_POLL = 50.0
T = TypeVar("T")


class StandinTimeout(AssertionError):
    """A wait on the stand-in ran out of time; the message says what was expected and what happened."""


def parse_form(body: bytes) -> dict[str, str]:
    """Decode an application/x-www-form-urlencoded body (the last value wins for repeated names).

    urllib's parse_qsl unquotes escape by escape in Python, ~0.5 ms for a digest in Chinese where every
    character is three escapes; yarl (already an aiohttp dependency) does the same in C in a few µs.
    """
    query = body.decode("latin-1").replace("#", "%23")
    return dict(yarl.URL("http://standin/?" + query, encoded=True).query)


def _dump(body: dict) -> bytes:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # a lone surrogate got into the world some other way (a test writing to it directly): escape
        # it rather than fail every later answer with a 500, which would wedge a long-polling bot
        return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _response(status: int, body: dict) -> web.Response:
    return web.Response(body=_dump(body), status=status, content_type="application/json")


_CONFLICT_OTHER = ApiError(
    409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_CONFLICT_WEBHOOK = ApiError(
    409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


class Standin(Driver):
    """A local Telegram Bot API server for one bot, plus the world it talks to.

    Use ``async with Standin() as tg:`` (or ``await tg.start()`` / ``await tg.stop()``), then point PTB at
    ``tg.base_url`` with ``tg.token``. Drive users with the Driver methods, inject faults through
    ``tg.faults``, inspect requests through ``tg.log``, and wait with ``wait_for_messages`` / ``settle``.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "digest_standin_bot",
        bot_name: str = "Digest",
        host: str = HOST,
        port: int = 0,
        privacy_mode: bool = True,
        callback_ttl: float = 15.0,
        seed: int = 0,
        record: bool = True,
    ) -> None:
        if host != HOST:
            raise ValueError("the stand-in only ever binds 127.0.0.1")
        prefix = token.split(":", 1)[0]
        self.token = token
        self.host = host
        self.port = port
        self.world = World(
            bot_id=int(prefix) if prefix.isdigit() else 7000000001,
            bot_username=bot_username,
            bot_name=bot_name,
            privacy_mode=privacy_mode,
            callback_ttl=callback_ttl,
        )
        self.world.on_update = self._updates_changed
        self.api = BotApi(self.world, on_webhook_change=self._webhook_changed)
        self.faults = Faults(seed)
        self.log = RequestLog(enabled=record)
        self._lock = threading.RLock()
        self._last_action_seq = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._runner: web.ServerRunner | None = None
        self._closing: asyncio.Event | None = None
        self._change_waiters: list[asyncio.Future] = []
        self._update_waiters: list[asyncio.Future] = []
        self._poller: asyncio.Future | None = None
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._delivered_upto = 0
        self._webhook_task: asyncio.Task | None = None

    # ----- lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB's ``base_url`` (and digestbot's --api-url): the token is appended to it."""
        return f"{self.url}/bot"

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def start(self) -> Standin:
        if self._runner is not None:
            return self
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._closing = asyncio.Event()
        server = web.Server(self._handle, handler_cancellation=True, access_log=None)
        runner = web.ServerRunner(server, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Wake every long poll and delayed answer, then close the listener and connections."""
        if self._runner is None:
            return
        assert self._closing is not None
        self._closing.set()
        self._wake(self._update_waiters)
        self._wake(self._change_waiters)
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._webhook_task
            self._webhook_task = None
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Standin:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----- waking waiters across threads -------------------------------------------------------------

    @staticmethod
    def _wake(waiters: list[asyncio.Future]) -> None:
        for future in waiters:
            if not future.done():
                future.set_result(None)
        waiters.clear()

    def _signal(self, waiters: list[asyncio.Future]) -> None:
        loop = self._loop
        if loop is None:
            return
        if threading.get_ident() == self._loop_thread:
            self._wake(waiters)
        elif not loop.is_closed():
            # Always hop onto the loop: a waiter about to register runs to its await first, so it can't be missed.
            loop.call_soon_threadsafe(self._wake, waiters)

    def _updates_changed(self) -> None:
        self._signal(self._update_waiters)

    def _changed(self) -> None:
        self._last_activity = time.monotonic()
        self._signal(self._change_waiters)

    def _acted(self, seq: int | None = None) -> None:
        self._last_action_seq = self.world.seq if seq is None else seq
        self._changed()

    async def _wait(self, waiters: list[asyncio.Future], timeout: float) -> None:
        assert self._loop is not None
        future = self._loop.create_future()
        waiters.append(future)
        try:
            await asyncio.wait((future,), timeout=max(timeout, 0.0))
        finally:
            if not future.done():
                future.cancel()
                with contextlib.suppress(ValueError):
                    waiters.remove(future)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but return at once when the stand-in shuts down."""
        assert self._closing is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # ----- HTTP --------------------------------------------------------------------------------------

    async def _params(self, request: web.BaseRequest) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query) if request.query_string else {}
        if request.method != "POST" or not request.body_exists:
            return params
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            form = await request.post()
            params.update((k, v) for k, v in form.items() if isinstance(v, str))
            return params
        body = await request.read()
        if not body:
            return params
        if ctype == "application/json":
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(data, dict):
                raise bad_request("the request body must be a JSON object")
            check_unicode(data)
            params.update(data)
        else:
            params.update(parse_form(body))
        return params

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        arrived = time.monotonic()  # before reading and parsing the body: the receive time
        path = request.path
        if path.startswith("/standin/"):
            return await control.handle(self, request)
        token, _, method = path[4:].partition("/") if path.startswith("/bot") else ("", "", "")
        if not token or not method or "/" in method:
            return _response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if token != self.token:
            return _response(401, UNAUTHORIZED.body())
        canonical = self.api.canonical(method)
        if canonical is None and method.lower() != "getupdates":
            if any(method.lower() == name.lower() for name in UNIMPLEMENTED):
                return _response(404, ApiError(404, f"Not Found: {method} is not implemented by the stand-in").body())
            return _response(404, NOT_FOUND.body())
        try:
            raw = await self._params(request)
        except ApiError as exc:
            return _response(exc.status, exc.body())
        if canonical is None:
            return await self._get_updates(raw)
        return await self._call(request, canonical, raw, arrived)

    def _execute(self, method: str, raw: dict, call: Call) -> tuple[int, dict]:
        try:
            with self._lock:
                result = self.api.call(method, Params(raw))
        except ApiError as exc:
            call.description = exc.description
            return exc.status, exc.body()
        except (TypeError, ValueError, OverflowError, RecursionError, AttributeError) as exc:
            # a parameter of a type no check above expected: the client's mistake, so a 400 as
            # Telegram gives, never a 500 (which PTB retries and a poller would hit for ever)
            exc = bad_request(f"invalid parameters for {method} ({type(exc).__name__})")
            call.description = exc.description
            return exc.status, exc.body()
        call.result = result
        return 200, {"ok": True, "result": result}

    async def _call(self, request: web.BaseRequest, method: str, raw: dict, arrived: float) -> web.StreamResponse:
        chat_id = raw.get("chat_id")
        if isinstance(chat_id, str):
            if chat_id.lstrip("-").isdigit():
                chat_id = int(chat_id)
            elif chat_id.startswith("@"):  # log and match faults by the id the username stands for
                with self._lock:
                    found = self.world.find_chat(chat_id)
                chat_id = found.id if found is not None else chat_id
        call = self.log.begin(method, raw, chat_id, arrived)
        self._inflight += 1
        self._last_activity = call.start
        status = 499  # the client went away before we answered
        try:
            fault = self.faults.pick(method, chat_id) if self.faults.rules else None
            if fault is None:
                status, body = self._execute(method, raw, call)
            else:
                call.fault = fault.kind
                status, body = await self._faulty(request, fault, method, raw, call)
            return _response(status, body)
        finally:
            call.status = status
            call.end = time.monotonic()
            self._inflight -= 1
            self._changed()

    async def _faulty(self, request: web.BaseRequest, fault, method: str, raw: dict, call: Call) -> tuple[int, dict]:
        kind = fault.kind
        if kind == "retry_after":
            exc = too_many_requests(fault.retry_after)
        elif kind in ("blocked", "migrate"):
            self._persistent_fault(kind, raw)
            return self._execute(method, raw, call)
        elif kind == "latency":
            await self._pause(fault.delay)
            return self._execute(method, raw, call)
        elif kind == "timeout":
            answer = self._execute(method, raw, call) if fault.applied else None
            await self._pause(fault.delay)
            return answer or (504, ApiError(504, "Gateway Timeout").body())
        elif kind == "disconnect":
            if fault.applied:
                self._execute(method, raw, call)
            if request.transport is not None:
                request.transport.close()
            await self._pause(5.0)  # the handler is cancelled as the connection drops
            exc = ApiError(502, "Bad Gateway")
        elif kind == "server_error":
            default = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
            exc = ApiError(fault.status, fault.description or default.get(fault.status, "Server Error"))
        else:
            exc = ApiError(fault.status, fault.description or "Error", fault.parameters)
        call.description = exc.description
        return exc.status, exc.body()

    def _persistent_fault(self, kind: str, raw: dict) -> None:
        """blocked/migrate change the world, so every later call sees the same state Telegram would."""
        with self._lock:
            chat = self.world.find_chat(Params(raw).chat_id())
            if chat is None or chat.migrated_to is not None:
                return
            if kind == "blocked":
                if chat.type == PRIVATE:
                    assert chat.user is not None
                    self.world.block(chat.user)
                elif chat.bot_status not in ("kicked", "left"):
                    self.world.remove_bot(chat, kicked=True)
            elif chat.type in (GROUP, PRIVATE):
                self.world.migrate(chat)

    # ----- getUpdates & webhook ----------------------------------------------------------------------

    def _batch(self, offset: int, limit: int) -> list[dict]:
        out = []
        for update in self.world.updates:
            if update["update_id"] >= offset:
                out.append(update)
                if len(out) >= limit:
                    break
        return out

    async def _get_updates(self, raw: dict) -> web.Response:
        call = self.log.begin("getUpdates", raw, None)
        try:
            status, body = await self._long_poll(Params(raw), call)
        except ApiError as exc:
            status, body = exc.status, exc.body()
            call.description = exc.description
        except (TypeError, ValueError, OverflowError) as exc:
            error = bad_request(f"invalid parameters for getUpdates ({type(exc).__name__})")
            status, body = error.status, error.body()
            call.description = error.description
        except asyncio.CancelledError:
            call.status, call.end = 499, time.monotonic()
            raise
        call.status, call.end = status, time.monotonic()
        return _response(status, body)

    async def _long_poll(self, params: Params, call: Call) -> tuple[int, dict]:
        assert self._loop is not None and self._closing is not None
        if self.api.webhook.url:
            raise _CONFLICT_WEBHOOK
        offset = params.int("offset") or 0
        limit = min(max(params.int("limit") or 100, 1), 100)
        timeout = min(max(params.float("timeout") or 0.0, 0.0), MAX_LONG_POLL)
        with self._lock:
            self.world.set_allowed_updates(params.json("allowed_updates"))
            if offset:
                self.world.confirm(offset)
        if self._poller is not None and not self._poller.done():
            self._poller.set_result("conflict")  # Telegram ends the older request with 409
        me = self._loop.create_future()
        self._poller = me
        deadline = time.monotonic() + timeout
        try:
            while True:
                with self._lock:
                    batch = self._batch(offset if offset > 0 else 0, limit)
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0 or self._closing.is_set():
                    break
                waiter = self._loop.create_future()
                self._update_waiters.append(waiter)
                try:
                    await asyncio.wait((waiter, me), timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    if not waiter.done():
                        waiter.cancel()
                        with contextlib.suppress(ValueError):
                            self._update_waiters.remove(waiter)
                if me.done():
                    raise _CONFLICT_OTHER
        finally:
            if self._poller is me:
                self._poller = None
        if batch:
            self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
            self._changed()
        call.result = batch
        return 200, {"ok": True, "result": batch}

    def _webhook_changed(self) -> None:
        if self.api.webhook.url and self._webhook_task is None and self._loop is not None:
            self._webhook_task = self._loop.create_task(self._deliver_webhook())
        self._signal(self._update_waiters)
        if self._poller is not None and not self._poller.done() and self.api.webhook.url:
            self._poller.set_result("conflict")

    async def _deliver_webhook(self) -> None:
        """POST pending updates one by one to the webhook, with the secret header, retrying with backoff."""
        assert self._closing is not None
        backoff = 0.05
        try:
            async with aiohttp.ClientSession() as session:
                while not self._closing.is_set():
                    with self._lock:
                        url, secret = self.api.webhook.url, self.api.webhook.secret_token
                        update = self.world.updates[0] if self.world.updates else None
                    if not url:
                        return
                    if update is None:
                        await self._wait(self._update_waiters, 1.0)
                        continue
                    headers = {"Content-Type": "application/json"}
                    if secret:
                        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
                    error = None
                    try:
                        timeout = aiohttp.ClientTimeout(total=10)
                        async with session.post(url, data=_dump(update), headers=headers, timeout=timeout) as resp:
                            await resp.read()
                            if not 200 <= resp.status < 300:
                                error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
                    except (aiohttp.ClientError, TimeoutError) as exc:
                        error = f"Connection failed: {exc.__class__.__name__}"
                    if error is None:
                        with self._lock:
                            self.world.confirm(update["update_id"] + 1)
                        self._delivered_upto = max(self._delivered_upto, update["update_id"])
                        self._changed()
                        backoff = 0.05
                    else:
                        self.api.webhook.last_error_date = self.world.now()
                        self.api.webhook.last_error_message = error
                        await self._pause(backoff)
                        backoff = min(backoff * 2, 2.0)
        finally:
            self._webhook_task = None

    # ----- waiting (async; StandinThread has blocking twins) -------------------------------------------

    async def wait_until(self, predicate: Callable[[], T], timeout: float = 5.0, what: str = "a condition") -> T:
        """Wait until ``predicate()`` is truthy and return its value.

        The predicate runs under the lock after every change in the stand-in, and at least every 20 ms so
        that it may also look at state outside the stand-in (a list an error handler appends to).
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StandinTimeout(f"timed out after {timeout:g}s waiting for {what}")
            await self._wait(self._change_waiters, min(remaining, 0.02))

    async def wait_for_messages(
        self, chat: Any, count: int = 1, *, since: int | None = None, timeout: float = 5.0
    ) -> list[Message]:
        """Wait for ``count`` new bot messages in ``chat`` after ``since`` (default: the last user action)."""
        target = self.chat(chat)
        mark = self._last_action_seq if since is None else since

        def ready() -> list[Message] | None:
            new = [m for m in target.messages if m.from_bot and m.seq > mark and m.service is None]
            return new if len(new) >= count else None

        try:
            return await self.wait_until(ready, timeout, f"{count} bot message(s) in chat {target.id}")
        except StandinTimeout as exc:
            raise StandinTimeout(f"{exc}; transcript so far:\n{self.render(target)}") from None

    async def wait_for_reply(self, chat: Any, *, since: int | None = None, timeout: float = 5.0) -> Message:
        """The first new bot message in ``chat`` (see wait_for_messages)."""
        return (await self.wait_for_messages(chat, 1, since=since, timeout=timeout))[0]

    async def wait_for_edit(self, message: Message, *, since: int | None = None, timeout: float = 5.0) -> Message:
        """Wait until ``message`` is edited or deleted after ``since`` (default: the last user action)."""
        mark = self._last_action_seq if since is None else since
        return await self.wait_until(
            lambda: message if message.edit_seq > mark else None, timeout, f"an edit of message {message.message_id}"
        )

    async def wait_for_answer(self, query: CallbackQuery, timeout: float = 5.0) -> CallbackAnswer:
        """Wait until the bot answers the callback query; returns the recorded answer."""
        return await self.wait_until(lambda: query.answer, timeout, f"answerCallbackQuery for query {query.id}")

    async def wait_for_calls(
        self, method: str | None = None, count: int = 1, *, since: float | None = None, timeout: float = 5.0, **filters
    ) -> list[Call]:
        """Wait until ``count`` finished requests (optionally of one method) arrived after ``since``."""

        def ready() -> list[Call] | None:
            found = self.log.select(method, since=since, finished=True, **filters)
            return found[:count] if len(found) >= count else None

        return await self.wait_until(ready, timeout, f"{count} {method or 'request'}(s)")

    async def settle(self, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Wait until the bot has fetched every update, no call is in flight and nothing happened for ``quiet`` s."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            with self._lock:
                updates = self.world.updates
                undelivered = bool(updates) and updates[-1]["update_id"] > self._delivered_upto
            busy = self._inflight > 0 or undelivered
            idle = now - self._last_activity
            if not busy and idle >= quiet:
                return
            if now >= deadline:
                state = "updates not fetched by the bot" if undelivered else f"{self._inflight} call(s) in flight"
                raise StandinTimeout(f"the bot did not settle within {timeout:g}s ({state or 'still active'})")
            wait = (quiet - idle) if not busy else deadline - now
            await self._wait(self._change_waiters, min(max(wait, 0.001), deadline - now))
