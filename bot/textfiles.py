"""Reading page files: size limit, binary detection, and encoding detection.

Newspaper exports arrive as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK from
older Windows tools. Anything else is refused with a reason an operator can act on.
"""

from __future__ import annotations

import codecs
from pathlib import Path

PAGE_SUFFIXES = (".txt", ".md", ".markdown")


class BadFile(ValueError):
    """A file that cannot be ingested; str() is the one-line reason."""


def _human(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(4, len(sample) // 100)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise BadFile."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise BadFile(
                    f"starts with a {enc} byte-order mark but is not valid {enc} (byte {exc.start})"
                ) from None
    if _looks_binary(data):
        raise BadFile("binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
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
    return text, "gb18030"


def read_page_file(path: Path, max_bytes: int) -> tuple[str, str]:
    """Read and decode one page file, enforcing the size limit (ingest.max_file_bytes)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BadFile(f"file is {_human(size)}, over the {_human(max_bytes)} limit (ingest.max_file_bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise BadFile(f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise BadFile("empty file")
    text, encoding = decode(data)
    if not text.strip(" \t\r\n\ufeff\u3000"):
        raise BadFile("empty file")
    return text, encoding
