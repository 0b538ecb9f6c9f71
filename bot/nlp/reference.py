"""`textrank4zh` mode: the reference algorithm, reproduced.

Its sentence units (split at every end mark and newline, marks dropped), jieba.posseg words, its
stop-word/POS filters, similarity with self-loops, uniform PageRank, its `sentence_min_len=6`
pick filter, and its keyword graph (POS-filtered vertices, window-2 edges over stop-filtered
words). Only what users see differs: each picked unit is shown as the whole sentence that holds
it. On every seed article its top 3 sentences and top 10 keywords equal textrank4zh 0.3's own.

Bounded on huge inputs: the similarity graph keeps within bot.nlp.textrank's pair budget (the
exact graph below it, i.e. on any normal article), and past `MAX_UNITS` units jieba.posseg's
slow tagger (the reference needs ~5 s for 1,000 units) gives way to the fast cut with
dictionary tags (bot.nlp.postag) — the words are the same, some tags of unknown words differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from bot.nlp import textrank
from bot.nlp.postag import posseg_words, tagged_words
from bot.nlp.sentences import CLOSERS, Sentence

CLOSER_CHARS = "".join(CLOSERS)
# textrank4zh's part-of-speech filter (its util.allow_speech_tags) and sentence delimiters
REFERENCE_TAGS = frozenset("an i j l n nr nrfg ns nt nz t v vd vn eng".split())
_REFERENCE_UNIT = re.compile(r"[^?!;？！。；…\n]+")
REFERENCE_MIN_UNIT = 6
MAX_UNITS = 1000


def reference_units(text: str) -> list[tuple[int, str]]:
    """textrank4zh's sentences: split at every delimiter (dropped), stripped: (offset, text)."""
    out = []
    for m in _REFERENCE_UNIT.finditer(text):
        piece = m.group()
        stripped = piece.strip()
        if stripped:
            out.append((m.start() + len(piece) - len(piece.lstrip()), stripped))
    return out


def _words(units: list[tuple[int, str]], stop: frozenset[str]) -> tuple[list[list[str]], list[list[str]]]:
    """words_no_stop_words and words_all_filters of each unit, as textrank4zh computes them."""
    tag: Callable[[str], list[tuple[str, str]]] = posseg_words if len(units) <= MAX_UNITS else tagged_words
    plain: list[list[str]] = []
    filtered: list[list[str]] = []
    for _, unit in units:
        tagged = tag(unit)
        plain.append([w for w in (word.strip() for word, t in tagged if t != "x") if w and w not in stop])
        filtered.append(
            [w for w in (word.strip() for word, t in tagged if t in REFERENCE_TAGS and t != "x") if w and w not in stop]
        )
    return plain, filtered


def rank_units(
    text: str, stop: frozenset[str]
) -> tuple[list[tuple[int, str]], list[int], list[list[str]], list[list[str]]]:
    """(units, best-first unit order after the min-length filter, plain words, filtered words)."""
    units = reference_units(text)
    plain, filtered = _words(units, stop)
    vocab: dict[str, int] = {}
    bags = [[vocab.setdefault(w, len(vocab)) for w in words] for words in plain]
    graph = textrank.similarity_graph(bags, len(vocab), self_loops=True)
    order = [i for i in textrank.rank(textrank.pagerank(graph)) if len(units[i][1]) >= REFERENCE_MIN_UNIT]
    return units, order, plain, filtered


def holders(body: list[str], sentences: list[Sentence], units: list[tuple[int, str]]) -> list[int | None]:
    """For each unit (offset into "\\n".join(body)), the index of the sentence that covers it.

    A unit's leading `”` belongs to the sentence before, so its first other character counts."""
    offsets = [offset + len(u) - len(u.lstrip(CLOSER_CHARS)) for offset, u in units]
    starts = np.cumsum([0] + [len(p) + 1 for p in body])
    by_paragraph: dict[int, list[int]] = {}
    for k, s in enumerate(sentences):
        by_paragraph.setdefault(s.paragraph, []).append(k)
    out: list[int | None] = []
    for offset in offsets:
        para = int(np.searchsorted(starts, offset, side="right")) - 1
        local = offset - starts[para]
        out.append(
            next((k for k in by_paragraph.get(para, []) if sentences[k].start <= local < sentences[k].end), None)
        )
    return out


def keywords(plain: list[list[str]], filtered: list[list[str]], limit: int, min_length: int) -> list[dict]:
    vertices: dict[str, int] = {}
    for words in filtered:
        for w in words:
            vertices.setdefault(w, len(vertices))
    if not vertices:
        return []
    sequences = [[vertices.get(w, -1) for w in words] for words in plain]
    graph = textrank.cooccurrence_graph(sequences, len(vertices), window=2, binary=True)
    scores = textrank.pagerank(graph)
    words = list(vertices)
    order = [i for i in textrank.rank(scores) if len(words[i]) >= min_length][:limit]
    if not order:
        return []
    top = float(scores[order[0]]) or 1.0
    return [{"word": words[i], "weight": round(float(scores[i]) / top, 4)} for i in order]
