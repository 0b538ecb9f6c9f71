"""Text that can always be printed: lone surrogates (undecodable bytes in file names or argv,
half a character from a terminal) shown as escapes instead of failing the output.

Below everything that prints (the redacting streams in bot.ops, ingest's reports, the CLI), so
each escapes the same way.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes from file names or argv) as escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape" if _only_escapes(text) else "backslashreplace").decode(
            "utf-8", "backslashreplace"
        )
    return text


def _only_escapes(text: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in text)
