"""How specific a word is to an article: inverse document frequency, from the corpus the article
lives in, blended with jieba's IDF table while that corpus is small.

A word's document rate p (the share of articles that contain it) is estimated as

    p = (df + prior_docs x p_jieba) / (N + prior_docs),    idf = -ln p

where N and df count the corpus (the article itself included) and p_jieba = exp(-idf_jieba)
is the rate jieba's own IDF table gives (its median for words it lacks). With an empty store
this is jieba's IDF exactly; after a few hundred articles the paper's own usage dominates, so a
place name in every story of a district daily stops looking special. The counts come in as
plain data (`CorpusStats`): the store keeps them, this module never touches a database.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jieba
import numpy as np

from bot.nlp.postag import tag_table

_IDF_FILE = Path(jieba.__file__).parent / "analyse" / "idf.txt"
_lock = threading.Lock()
_table: dict[str, float] | None = None
_median = 11.9547675029  # jieba.analyse's median IDF (recomputed when the table loads)


@dataclass(frozen=True)
class CorpusStats:
    """Document counts of a corpus, without the article being ranked: `docs` articles, and for
    some words (at least the article's candidates) how many of them contain the word."""

    docs: int = 0
    df: Mapping[str, int] = field(default_factory=dict)

    def excluding(self, terms: Iterable[str]) -> CorpusStats:
        """These counts minus one article with these terms (to rank a stored article again)."""
        df = dict(self.df)
        for term in terms:
            if df.get(term, 0) > 0:
                df[term] -= 1
        return CorpusStats(max(0, self.docs - 1), df)


def jieba_idf() -> tuple[dict[str, float], float]:
    """jieba.analyse's IDF table (word -> idf) and its median, read once from jieba's package.

    Keyed by the strings the part-of-speech table already holds where it has the word (the
    summarizer loads that table anyway), with one float object per distinct value: about 20 MB
    less than a table of its own strings and floats."""
    global _table, _median
    if _table is None:
        with _lock:
            if _table is None:
                read: dict[str, float] = {}
                floats: dict[float, float] = {}
                with _IDF_FILE.open(encoding="utf-8") as stream:
                    for line in stream:
                        word, _, value = line.rstrip("\n").rpartition(" ")
                        if word:
                            number = float(value)
                            read[word] = floats.setdefault(number, number)
                table = {word: read.pop(word) for word in tag_table() if word in read}
                table.update(read)  # words jieba's dictionary lacks keep the file's strings
                values = sorted(table.values())
                _median = values[len(values) // 2] if values else _median
                _table = table
    return _table, _median


def background_idf(word: str, parts: Iterable[str] = ()) -> float:
    """jieba's IDF of a word; for a phrase jieba lacks, that of its rarest known part."""
    table, median = jieba_idf()
    value = table.get(word)
    if value is not None:
        return value
    known = [table[p] for p in parts if p in table]
    return max(known) if known else median


def blended_rate(df: Any, docs: Any, background: Any, prior_docs: float) -> Any:
    """The blended document rate (see the module docstring), of one word or, with arrays, of many."""
    return (df + prior_docs * np.exp(-background)) / (docs + prior_docs)


def blended_idf(df: Any, docs: Any, background: Any, prior_docs: float) -> Any:
    """-ln of the blended document rate; df and docs include the article. Numbers or arrays."""
    return -np.log(np.clip(blended_rate(df, docs, background, prior_docs), 1e-12, 1.0))


def burst(k: int, n: int, df: int, docs: int, background: float, prior_docs: float) -> float:
    """How unusual it is that `k` of a period's `n` articles have a word, against the rate the
    rest of the corpus shows (`df` of `docs` articles, the period included), blended with
    jieba's rate as above: the Poisson log-likelihood ratio k·ln(k/e) - (k - e) with e the
    expected count, 0 when the word is no more frequent than usual."""
    rate = float(blended_rate(max(df - k, 0), max(docs - n, 0), background, prior_docs))
    expected = max(n * rate, 1e-12)
    if k <= expected:
        return 0.0
    return k * math.log(k / expected) - (k - expected)
