"""Reading page files: opened without blocking, size limit, binary detection, decoding.

A file is opened with O_NONBLOCK and checked with fstat on the open descriptor: a FIFO, socket
or device is refused at once (never waited on), even one that replaced a page after the folder
was listed. Newspaper exports arrive as UTF-8 (with or without BOM), UTF-16 or UTF-32 with a
BOM (either byte order), or GB18030/GBK from older Windows tools. Control characters (NUL and
the rest of C0 and C1, except tab, newline and carriage return) never reach the store: a few
stray ones are removed (form feeds and vertical tabs become line breaks); more than 1% of the
text (at least 5, or over half of a tiny file) means the file is binary, and it is refused. Anything
else is refused with a reason an operator can act on.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from pathlib import Path

PAGE_SUFFIXES = (".txt", ".md", ".markdown")
_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class BadFile(ValueError):
    """A file that cannot be ingested; str() is the one-line reason."""


def _human(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return str(n)


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a file"


def stat_problem(path: Path, exc: OSError) -> str:
    """Why `path` cannot be looked at, in words."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (the link leads back to itself)"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"dangling symbolic link (its target {target} does not exist)"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno == errno.ENAMETOOLONG:
        return "path too long for the operating system"
    return f"cannot read: {exc.strerror or exc}"


def _too_many(count: int, length: int) -> bool:
    """Binary rather than text: over 1% control characters (a handful are tolerated in a short
    file), or more than half of a tiny one."""
    return count > max(4, length // 100) or 2 * count > length


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return _too_many(controls, len(sample))


def without_controls(text: str) -> str:
    """The text minus control characters, or BadFile when there are so many it is not text."""
    found = _CONTROLS.findall(text)
    if not found:
        return text
    odd = [ch for ch in found if ch not in "\x0b\x0c"]
    if _too_many(len(odd), len(text)):
        first = _CONTROLS.search(text.translate(_LINE_BREAKS))
        where = f" (U+{ord(first.group()):04X} at character {first.start()})" if first else ""
        raise BadFile(f"binary data, not text: {len(odd)} control characters{where}")
    return _CONTROLS.sub("", text.translate(_LINE_BREAKS))


def _decode_bom(data: bytes) -> tuple[str, str] | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise BadFile(
                    f"starts with a {enc} byte-order mark but is not valid {enc} (byte {exc.start})"
                ) from None
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Return (text without control characters, encoding name) or raise BadFile."""
    found = _decode_bom(data)
    if found is not None:
        return without_controls(found[0]), found[1]
    if _looks_binary(data):
        raise BadFile("binary file, not text")
    try:
        return without_controls(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise BadFile(f"not UTF-8 or GB18030/GBK text (undecodable byte at offset {exc.start})") from None
    # GB18030 maps almost any byte pair; demand that the result reads as Chinese text
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    odd = sum(1 for ch in text if "\ue000" <= ch <= "\uf8ff" or ch == "\ufffd")
    if cjk == 0 or odd > cjk // 20:
        raise BadFile("not UTF-8, and does not read as GB18030/GBK Chinese text")
    return without_controls(text), "gb18030"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """A regular file's bytes, opened without blocking, at most `max_bytes` (else BadFile)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise BadFile(stat_problem(path, exc)) from None
    with os.fdopen(fd, "rb") as f:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise BadFile(f"not a regular file ({file_kind(st.st_mode)})")
            if st.st_size > max_bytes:
                raise BadFile(
                    f"file is {_human(st.st_size)}, over the {_human(max_bytes)} limit (ingest.max_file_bytes)"
                )
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise BadFile(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise BadFile(f"file grew past the {_human(max_bytes)} limit (ingest.max_file_bytes) while being read")
    return data


def read_page_file(path: Path, max_bytes: int) -> tuple[str, str]:
    """Read and decode one page file, enforcing the size limit (ingest.max_file_bytes)."""
    data = read_bytes(path, max_bytes)
    if not data.strip():
        raise BadFile("empty file")
    text, encoding = decode(data)
    if not text.strip(" \t\r\n\ufeff\u3000"):
        raise BadFile("empty file")
    return text, encoding
