"""The one redaction point: no secret (the bot token, the webhook secret) leaves the process.

`redact(text)` removes every registered secret (also percent-encoded) and anything shaped like
a Bot API token (`123456:AA…`, also right after `/bot` in a URL). Every outlet goes through it:

* `install()` replaces `sys.stdout` and `sys.stderr` with `RedactingStream`s, so whatever writes
  there is scrubbed — click's output and its `Error:` line, tracebacks printed with `-v`
  (`sys.excepthook`, `threading.excepthook`), "Exception ignored" noise (`sys.unraisablehook`),
  warnings, libraries that print;
* the log file (`--log-file`) is a `RedactingStream` too, and every log record is scrubbed as it
  is created (`bot.ops.logs`), for handlers that write anywhere else;
* messages the bot sends to chats pass `redact` in the request backend before they go out
  (registered secrets only there: ~2 µs for a 12 KB digest, where the shape scan costs ~100).

A stream holds back an unfinished line until its newline or a flush, so a token written in two
pieces is still seen whole. Text that cannot be encoded (lone surrogates, undecodable file
names) is written with backslash escapes instead of failing.
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
import traceback
from typing import Any, TextIO
from urllib.parse import quote

from bot.ui.printable import printable

PLACEHOLDER = "<redacted>"
SECRET_ENV = ("TELEGRAM_BOT_TOKEN", "DIGESTBOT_WEBHOOK_SECRET")
# a Bot API token: the bot's numeric id, a colon (maybe percent-encoded), 30+ URL-safe characters;
# no word boundary before it: in a request URL it follows `/bot` directly
_TOKEN_SHAPE = re.compile(r"(?<![0-9])[0-9]{5,15}(?::|%3[Aa])[A-Za-z0-9_-]{30,}")
_MIN_SECRET = 6  # shorter values would redact ordinary words

_secrets: tuple[str, ...] = ()  # longest first
_lock = threading.Lock()


def add_secret(value: str | None) -> None:
    """Register a value that must never be shown (and its URL-encoded form)."""
    global _secrets
    value = (value or "").strip()
    if len(value) < _MIN_SECRET:
        return
    with _lock:
        known = {*_secrets, value, quote(value, safe=""), quote(value)}
        _secrets = tuple(sorted(known, key=len, reverse=True))


def add_env_secrets() -> None:
    for name in SECRET_ENV:
        add_secret(os.environ.get(name))


def redact(text: str, shapes: bool = True) -> str:
    """`text` without any registered secret and (unless `shapes` is False) without anything
    token-shaped. Messages to chats use shapes=False: the running bot always registers its own
    token, and scanning every 12 KB digest for shapes would cost more than sending it."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, PLACEHOLDER)
    return _TOKEN_SHAPE.sub(PLACEHOLDER, text) if shapes else text


class RedactingStream(io.TextIOBase):
    """A text stream that writes `redact(printable(text))` to another one, a line at a time."""

    def __init__(self, target: TextIO):
        super().__init__()
        self.target = target
        self._pending = ""
        self._lock = threading.RLock()

    # what click, logging and the interpreter look at
    @property
    def encoding(self) -> str:
        return getattr(self.target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:
        return "backslashreplace"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(getattr(self.target, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self.target.fileno()

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            self._pending += text
            cut = max(self._pending.rfind("\n"), self._pending.rfind("\r"))
            if cut >= 0:
                ready, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
                self._emit(ready)
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                ready, self._pending = self._pending, ""
                self._emit(ready)
            self.target.flush()

    def _emit(self, text: str) -> None:
        clean = redact(printable(text))
        try:
            self.target.write(clean)
        except UnicodeEncodeError:  # a terminal that cannot show some character
            enc = self.encoding
            self.target.write(clean.encode(enc, "backslashreplace").decode(enc, "replace"))

    def close(self) -> None:  # the interpreter closes sys.stdout at exit; the target stays usable
        try:
            self.flush()
        finally:
            super().close()


def _excepthook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
    sys.stderr.write(redact(printable("".join(traceback.format_exception(kind, value, tb)))))
    sys.stderr.flush()


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    sys.stderr.write(redact(printable(f"Exception in thread {name}:\n{text}")))


def _unraisablehook(unraisable: Any) -> None:
    message = unraisable.err_msg or "Exception ignored in"
    lines = [f"{message}: {unraisable.object!r}\n"]
    if unraisable.exc_type is not None:
        lines += traceback.format_exception(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback)
    sys.stderr.write(redact(printable("".join(lines))))


def wrap(stream: TextIO | None) -> TextIO | None:
    if stream is None or isinstance(stream, RedactingStream):
        return stream
    return RedactingStream(stream)


def install() -> None:
    """Route the process's output through `redact` (idempotent)."""
    add_env_secrets()
    sys.stdout = wrap(sys.stdout)
    sys.stderr = wrap(sys.stderr)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    sys.unraisablehook = _unraisablehook


__all__ = ["PLACEHOLDER", "RedactingStream", "add_secret", "install", "redact", "wrap"]
