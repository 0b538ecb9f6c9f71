"""Word segmentation, the one place jieba and rjieba are loaded: shared by pages, summaries and search.

jieba is the reference: every cut here gives `jieba.cut`'s (or `jieba.cut_for_search`'s) words,
and the tests compare them on the seeds and on made-up strings. Two ways to get them:

* native: rjieba, the Python binding of jieba-rs, which is jieba's algorithm, dictionary and
  HMM in Rust, 10-25x faster. It keeps its dictionary in Rust memory, so while it stands in,
  jieba's own prefix dictionary (~60 MB in Python objects) is never loaded. It stands in while
  jieba's dictionary is the one both ship, untouched (no `set_dictionary`, `add_word` or
  `load_userdict`: `shipped_dictionary`) and a probe sentence comes out as jieba cuts it.
  It differs from jieba in two places, both mended here: its blocks of Chinese are wider
  (CJK extensions, compatibility ideographs: `_ALONE`), and with the HMM on a run of Latin
  letters, digits and `.-%` that is no dictionary word (`F-22`) stays one token, where jieba's
  HMM splits it into `F`, `-`, `22` (`native_words`);
  `jieba.del_word` after the first cut is not noticed (it sets a count to 0 in place, leaving
  the dictionary's size and total as they were); the project never calls it;
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
HAN = re.compile("([\u4e00-\u9fd5]+)")  # jieba's Chinese runs (its HMM and its blocks use this range)
# a letter or digit outside jieba's blocks (U+4E00-U+9FD5, a-z, A-Z, 0-9), or a lone surrogate:
# jieba gives each one as a word of its own. rjieba's blocks are wider (CJK extensions A-F,
# compatibility ideographs, U+9FD6-U+9FFF), so its HMM would join them to their neighbours
# (孙㽏㽏 -> 孙, 㽏㽏), and Rust strings cannot hold a surrogate: the text is cut around them
# (whole blocks, unassigned code points included, as rjieba's ranges have them); splitting off
# more than needed is safe, as jieba gives every character outside its blocks alone
_WIDER = "\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U000323af"
_ALONE = re.compile(f"((?![\u4e00-\u9fd5a-zA-Z0-9])[^\\W_]|[{_WIDER}\ud800-\udfff])")


def tokenizer() -> jieba.Tokenizer:
    """jieba's default tokenizer, its dictionary loaded on first use (and again after
    `jieba.set_dictionary`) without its stderr chatter."""
    global _ready
    dt = jieba.dt
    if not dt.initialized:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                _ready = True
            dt.initialize()  # jieba's own lock; a no-op once loaded
    return dt


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
        if len(word) > 1 and not HAN.search(word) and not known(word):
            out.extend(x for x in LATIN_PIECES.split(word) if x)
        else:
            out.append(word)
    return out


@dataclass(frozen=True)
class Native:
    """rjieba standing in for jieba's shipped dictionary (see the module docstring)."""

    engine: Any  # the rjieba module: its default instance, built on import with the shared dictionary

    def cut(self, text: str, hmm: bool = True) -> list[str]:
        if _ALONE.search(text):
            return self._around(text, lambda part: self.cut(part, hmm))
        words = self.engine.cut(text, hmm)
        if hmm and _GLUED.search(text):  # a split needs a letter or digit beside one of the marks
            return native_words(words, self.engine.has_word)
        return words

    def cut_for_search(self, text: str) -> list[str]:
        """jieba.cut_for_search(text, HMM=False)'s words."""
        if _ALONE.search(text):
            return self._around(text, self.cut_for_search)
        return self.engine.cut_for_search(text, False)

    @staticmethod
    def _around(text: str, cut: Any) -> list[str]:
        """Each character jieba cuts alone (see `_ALONE`) as a word, the text between cut by `cut`."""
        out: list[str] = []
        for k, part in enumerate(_ALONE.split(text)):
            if k % 2:
                out.append(part)
            elif part:
                out.extend(cut(part))
        return out


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
