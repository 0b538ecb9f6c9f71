"""Stop words: the built-in list (bot/data/stopwords.txt) plus an optional file of extra words.

Stop words are left out of sentence similarity and can never be keywords. The built-in list
was written for this project: function words, pronouns, particles, conjunctions, prepositions,
degree and time adverbs, reporting verbs (表示, 指出) and the boilerplate verbs of official
news (加强, 推进, 全面) that would otherwise top every keyword list. Files are UTF-8, one
word per line; blank lines and lines starting with `#` are skipped.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from bot.config import ConfigError

BUILTIN = Path(__file__).with_name("data") / "stopwords.txt"


def read_words(path: Path) -> frozenset[str]:
    """The words of a stop-word file; a missing or unreadable file is a configuration error."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"summary.stopwords_file = {str(path)!r}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"summary.stopwords_file = {str(path)!r}: not UTF-8 text") from None
    return frozenset(w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#"))


@lru_cache(maxsize=8)
def _cached(path: str, stamp: tuple[int, int]) -> frozenset[str]:
    return read_words(Path(path))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def load_stopwords(extra: Path | None = None) -> frozenset[str]:
    """Built-in stop words, plus those in `extra` when given (re-read when the file changes)."""
    words = _cached(str(BUILTIN), _stamp(BUILTIN))
    if extra is not None:
        words = words | _cached(str(extra), _stamp(extra))
    return words


def fingerprint(words: frozenset[str]) -> str:
    """A short stable hash of a stop-word set (part of the summary version)."""
    return hashlib.sha256("\n".join(sorted(words)).encode()).hexdigest()[:12]
