"""The offline console's edges: what it reads and where it keeps its copy of the store.

* `clean_line`: a typed or pasted line made safe to send. A terminal that cuts a long paste
  mid-character hands over half a character (Python keeps the stray bytes as lone surrogates);
  Telegram's clients can send neither that nor more than 4096 characters in one message, so
  the stray bytes are dropped (and said so) and an over-long line is refused with the limit.
* Input sources: a terminal prompt (prompt_toolkit: replies print above the line being typed,
  Ctrl-C and Ctrl-D leave at once), lines piped in (read by a thread that never blocks the
  exit), or a test's list.
* `workspace`: the temp folder `digestbot-chat-*` holding the copy, removed on every exit the
  process lives through; a lock held while the console runs lets the next console remove the
  folders of consoles that were killed (SIGKILL, power loss), whose locks the kernel released.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot.ui.messages import utf16_len

MAX_LINE = 4096  # Telegram's limit for one message, in UTF-16 code units
PREFIX = "digestbot-chat-"
LOCK_NAME = "console.lock"
STALE_UNLOCKED_SECONDS = 600  # a folder without a lock this old was not being set up just now
# flock locks are released by the kernel when their process dies; without them (not POSIX), stale
# copies are removed by age only
fcntl: Any = importlib.import_module("fcntl") if os.name == "posix" else None
_UNSENDABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Cleaned:
    text: str | None  # None: nothing to send
    notice: str | None = None


def clean_line(raw: str) -> Cleaned:
    """The line as it can be sent, or why it is not sent."""
    text, dropped = _UNSENDABLE.subn("", raw)
    text = text.strip()
    notice = None
    if dropped:
        notice = (
            f"（去掉了 {dropped} 个无法发送的字符：半个汉字或控制字符，多半是终端截断了过长的粘贴 / "
            f"removed {dropped} character{'s' if dropped != 1 else ''} that cannot be sent: half a character "
            "or a control character, "
            "usually from a terminal cutting a long paste）"
        )
    length = utf16_len(text)
    if length > MAX_LINE:
        return Cleaned(
            None,
            f"（这一行有 {length} 个字符，超过 Telegram 单条消息的上限 {MAX_LINE}，没有发送 / "
            f"not sent: {length} characters, and Telegram's limit for one message is {MAX_LINE}）",
        )
    return Cleaned(text or None, notice)


# -- input sources ------------------------------------------------------------------------------------


class Interrupted(Exception):
    """Ctrl-C at the prompt."""


class GivenLines:
    """Lines from a test (or any iterable); each is echoed after the prompt as if typed."""

    interactive = False

    def __init__(self, lines: Iterable[str], out: Any) -> None:
        self._lines = iter(lines)
        self._out = out

    async def read(self) -> str | None:
        line = next(self._lines, None)
        if line is not None:
            self._out(f"你> {line}")
        return line

    def close(self) -> None:
        pass


class PipedLines(GivenLines):
    """Lines from a pipe or a file on stdin. A daemon thread reads the file descriptor with
    os.read (no Python buffer lock held), so leaving never waits for input that may not come."""

    def __init__(self, fd: int, out: Any) -> None:
        self._out = out
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._pump, args=(fd, loop), name="console-stdin", daemon=True).start()

    def _pump(self, fd: int, loop: asyncio.AbstractEventLoop) -> None:
        pending = b""
        try:
            while chunk := os.read(fd, 65536):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    loop.call_soon_threadsafe(self._queue.put_nowait, line.decode("utf-8", "surrogateescape"))
        except (OSError, RuntimeError):  # stdin closed, or the loop is gone because we are leaving
            pass
        with contextlib.suppress(RuntimeError):
            if pending:
                loop.call_soon_threadsafe(self._queue.put_nowait, pending.decode("utf-8", "surrogateescape"))
            loop.call_soon_threadsafe(self._queue.put_nowait, None)

    async def read(self) -> str | None:
        line = await self._queue.get()
        if line is not None:
            self._out(f"你> {line}")
        return line


class TerminalPrompt:
    """A prompt_toolkit prompt: what the bot sends prints above the line being typed."""

    interactive = True

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.patch_stdout import patch_stdout

        self._session: Any = PromptSession()
        self._patch = patch_stdout(raw=True)
        self._patch.__enter__()

    async def read(self) -> str | None:
        try:
            return await self._session.prompt_async("你> ")
        except EOFError:  # Ctrl-D
            return None
        except KeyboardInterrupt:  # Ctrl-C: the terminal is in raw mode, so it is a key here
            raise Interrupted from None

    def close(self) -> None:
        self._patch.__exit__(None, None, None)


def input_source(lines: Iterable[str] | None, out: Any, stdin: IO[str] | None = None) -> Any:
    """A test's lines, else the terminal prompt when stdin is a terminal, else piped lines."""
    if lines is not None:
        return GivenLines(lines, out)
    stdin = stdin or sys.stdin
    if stdin.isatty() and sys.stdout.isatty():
        return TerminalPrompt()
    return PipedLines(stdin.fileno(), out)


# -- the temp folder ------------------------------------------------------------------------------------


def _owner_gone(folder: Path, now: float) -> bool:
    lock = folder / LOCK_NAME
    if fcntl is None or not lock.exists():
        return now - folder.stat().st_mtime > STALE_UNLOCKED_SECONDS
    try:
        with open(lock, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when `handle` closes
    except BlockingIOError:
        return False  # a console is running on it
    except OSError:
        return False
    return True


def remove_stale(root: Path) -> int:
    """Remove the copies of consoles that died without cleaning up; returns how many."""
    removed, now = 0, time.time()
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in root.glob(PREFIX + "*"):
        try:
            if not folder.is_dir() or folder.is_symlink() or (uid is not None and folder.stat().st_uid != uid):
                continue
            if _owner_gone(folder, now):
                shutil.rmtree(folder, ignore_errors=True)
                removed += not folder.exists()
        except OSError:
            continue
    return removed


@contextlib.contextmanager
def workspace(root: Path | None = None) -> Iterator[tuple[Path, int]]:
    """A fresh `digestbot-chat-*` folder (and how many stale ones were removed first), locked
    while in use and removed on the way out."""
    root = Path(root or tempfile.gettempdir())
    removed = remove_stale(root)
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
    lock = open(folder / LOCK_NAME, "w")
    try:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield folder, removed
    finally:
        lock.close()
        shutil.rmtree(folder, ignore_errors=True)
