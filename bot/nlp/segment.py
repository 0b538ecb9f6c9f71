"""Word segmentation, the one place jieba and rjieba are loaded: shared by pages, summaries and search.

jieba is the reference: every cut here gives `jieba.cut`'s (or `jieba.cut_for_search`'s) words,
and the tests compare them on the seeds and on made-up strings. Two ways to get them:

* native: rjieba, the Python binding of jieba-rs, which is jieba's algorithm, dictionary and
  HMM in Rust, 10-20x faster. It keeps its dictionary in Rust memory, so while it stands in,
  jieba's own prefix dictionary (~60 MB in Python objects) is never loaded. It stands in while
  jieba's dictionary is the one both ship, untouched (no `set_dictionary`, `add_word` or
  `load_userdict`: `shipped_dictionary`) and a probe sentence comes out as jieba cuts it.
  With the HMM on it differs from jieba in one place only: a run of Latin letters, digits and
  `.-%` that is no dictionary word (`F-22`) stays one token, where jieba's HMM splits it into
  `F`, `-`, `22`; `native_words` splits it the same way. Without the HMM (pages, search) it
  gives jieba's words as they are;
* jieba's own (`tokenizer()`), for everything else: rjieba missing, another dictionary, added
  words. (The summarizer has a faster Python route of its own for the HMM cut:
  bot.nlp.postag.fused_cut.)
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

import jieba

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_ready = False

# (len(FREQ), total) of the dictionary jieba 0.42.1 ships, which jieba-rs (rjieba) ships too
DEFAULT_DICTIONARY = (498_113, 60_101_967)
# written for this check: a place, an organisation, a name only the HMM finds (邝翊澄), Latin words,
# numbers with `.-%`, a full-width digit, quotes, spaces and a line break
PROBE = (
    "滨江新区的晨光科技公司今天发布了X-7型无人机，售价3.5万元（约合５%的降幅）。\r\n记者邝翊澄报道“云上 iPhone-15 Pro”"
)
# jieba's words for PROBE, with the HMM (jieba.cut) and without (HMM=False); a test checks them
# against jieba itself, so checking rjieba never needs jieba's dictionary loaded
PROBE_WORDS = (
    "滨江 新区 的 晨光 科技 公司 今天 发布 了 X - 7 型 无人机 ， 售价 3.5 万元 （ 约合 ５ % 的 降幅 ） 。 \r\n "
    "记者 邝翊澄 报道 “ 云上 _ iPhone - 15 _ Pro ”"
)
PROBE_PLAIN = (
    "滨江 新区 的 晨光 科技 公司 今天 发布 了 X - 7 型 无人机 ， 售价 3 . 5 万元 （ 约合 ５ % 的 降幅 ） 。 \r\n "
    "记者 邝 翊 澄 报道 “ 云 上 _ iPhone - 15 _ Pro ”"
)


def _spelled(words: str) -> list[str]:
    """A probe's words written with spaces between them, `_` for a space word."""
    return [" " if w == "_" else w for w in words.split(" ")]


MARKS = "+#&\\._%\\-"  # the marks jieba lets into a block of letters and digits (`F-22`, `3.5%`)
LATIN_PIECES = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # how jieba's HMM splits a run without Chinese
_GLUED = re.compile(f"[0-9A-Za-z][{MARKS}]|[{MARKS}][0-9A-Za-z]")  # where native_words may split
_HAN = re.compile("[\u4e00-\u9fd5]")


def tokenizer() -> jieba.Tokenizer:
    """jieba's default tokenizer, its dictionary loaded on first use without its stderr chatter."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.initialize()
                _ready = True
    return jieba.dt


def shipped_dictionary() -> bool:
    """Is jieba's dictionary the one it ships, untouched? Read without loading it: a dictionary
    not yet loaded has had no word added (`add_word` and `load_userdict` load it first)."""
    dt = jieba.dt
    if dt.dictionary is not None:
        return False  # jieba.set_dictionary(...)
    return not dt.initialized or (len(dt.FREQ), dt.total) == DEFAULT_DICTIONARY


def native_words(words: list[str], known: Any) -> list[str]:
    """rjieba's HMM-mode words as jieba gives them: a run without a Chinese character that is no
    dictionary word (`known(word)` false) is split as jieba's HMM splits it (`F-22` -> `F`, `-`, `22`)."""
    out: list[str] = []
    for word in words:
        if len(word) > 1 and not _HAN.search(word) and not known(word):
            out.extend(x for x in LATIN_PIECES.split(word) if x)
        else:
            out.append(word)
    return out


@dataclass(frozen=True)
class Native:
    """rjieba standing in for jieba's shipped dictionary (see the module docstring)."""

    engine: Any  # the rjieba module: its default instance, built on import with the shared dictionary

    def cut(self, text: str, hmm: bool = True) -> list[str]:
        try:
            words = self.engine.cut(text, hmm)
        except UnicodeEncodeError:  # a lone surrogate, which Rust strings cannot hold: jieba's own cut
            return list(tokenizer().cut(text, HMM=hmm))
        if hmm and _GLUED.search(text):  # a split needs a letter or digit beside one of the marks
            return native_words(words, self.engine.has_word)
        return words

    def cut_for_search(self, text: str) -> list[str]:
        """jieba.cut_for_search(text, HMM=False)'s words."""
        try:
            return self.engine.cut_for_search(text, False)
        except UnicodeEncodeError:
            return list(tokenizer().cut_for_search(text, HMM=False))


_NATIVE: tuple[tuple[Any, ...], Native | None] | None = None
_NATIVE_LOCK = threading.Lock()


def native() -> Native | None:
    """rjieba while it gives jieba's words, else None; checked again whenever jieba's dictionary
    is loaded or changes (its identity, size or total). The probe runs once per change."""
    global _NATIVE
    dt = jieba.dt
    stamp = (dt.initialized, id(dt.FREQ), len(dt.FREQ), dt.total, dt.dictionary)
    cached = _NATIVE
    if cached is None or cached[0] != stamp:
        with _NATIVE_LOCK:
            cached = _NATIVE
            if cached is None or cached[0] != stamp:
                cached = _NATIVE = (stamp, _native_now())
    return cached[1]


def _native_now() -> Native | None:
    if not shipped_dictionary():
        return None  # another dictionary, or words added: rjieba does not have them
    try:
        import rjieba
    except ImportError:
        logger.info("rjieba is not installed: segmenting with jieba's slower Python code")
        return None
    found = Native(rjieba)
    if found.cut(PROBE) != _spelled(PROBE_WORDS) or found.cut(PROBE, hmm=False) != _spelled(PROBE_PLAIN):
        logger.warning("rjieba cuts differently from jieba here (another version?): using jieba's Python code")
        return None
    return found


def words(text: str, hmm: bool = True) -> list[str]:
    """`list(jieba.cut(text, HMM=hmm))`, natively where rjieba stands in."""
    found = native()
    return found.cut(text, hmm) if found is not None else list(tokenizer().cut(text, HMM=hmm))


def search_words(text: str) -> list[str]:
    """`list(jieba.cut_for_search(text, HMM=False))`: words and their dictionary sub-words."""
    found = native()
    return found.cut_for_search(text) if found is not None else list(tokenizer().cut_for_search(text, HMM=False))
