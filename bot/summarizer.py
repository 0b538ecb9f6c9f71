"""Extractive summaries and keywords for one article: TextRank, tokenized once.

Two modes share the graph code (bot.textrank):

* `news` (default): our sentences (bot.sentences), fast tagging (bot.tokens), a sentence graph
  without self-loops ranked by PageRank personalised towards the top of the article (news puts
  the point first: the prior falls with the paragraph and with the sentence in it), scores
  scaled by a length factor (one-liners say little; a sentence far past a character budget
  wastes it) and down for openings that lean on the sentence before (他说, 此外) or clause-ends
  (；), then picked greedily with a redundancy penalty (MMR) so three sentences say three
  things. Keywords: PageRank on a co-occurrence window of nouns, names, places and noun-like
  verbs, steered to the headline's words, weighted by how specific a word is.
* `textrank4zh`: the reference algorithm, reproduced: its sentence units (split at every end
  mark and newline, marks dropped), jieba.posseg words, its stop-word/POS filters, similarity
  with self-loops, uniform PageRank, its `sentence_min_len=6` pick filter, and its keyword
  graph (POS-filtered vertices, window-2 edges over stop-filtered words). Only what users see
  differs: each picked unit is shown as the whole sentence that holds it.

Both show the picked sentences in article order, whole, never the dateline, and skip
fragments (lead-ins ending in `:`, unbalanced quotes) unless nothing else is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from bot import textrank
from bot.pages import strip_dateline
from bot.segment import tokenizer
from bot.sentences import CLOSERS, Sentence, split_sentences
from bot.tokens import posseg_words, tagged_words

CLOSER_CHARS = "".join(CLOSERS)

MODES = ("news", "textrank4zh")

# textrank4zh's part-of-speech filter (its util.allow_speech_tags) and sentence delimiters
REFERENCE_TAGS = frozenset("an i j l n nr nrfg ns nt nz t v vd vn eng".split())
_REFERENCE_UNIT = re.compile(r"[^?!;？！。；…\n]+")
REFERENCE_MIN_UNIT = 6

# news keywords: nouns, names, places, organisations, other proper nouns, noun-verbs,
# abbreviations and Latin words; not plain verbs, set phrases, idioms or time words
KEYWORD_TAGS = frozenset("n nr nrfg nrt ns nt nz nw vn an j eng".split())
# openings that lean on the sentence before: pronouns, demonstratives, connectives
_DANGLING = re.compile(
    r"^(?:他|她|它|这[一些个种是样次位里项]|那[些个种样次位里]|此[外前后次举]|该|对此|为此|据此|因此|因而|所以|但|然而|"
    r"不过|同时|另外|另一方面|其中|于是|随后|接着|并且|而且|甚至|尤其|特别是|同样)"
)
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9+#&.\-]*[A-Za-z0-9+#]$")


@dataclass(frozen=True)
class NewsParams:
    """The knobs of `news` mode, tuned on the LCSTS dev set and the seed articles."""

    damping: float = 0.85
    lead_weight: float = 1.0  # share of the personalisation vector given by position
    lead_decay: float = 1.0  # position prior ∝ 1/(1+i)^lead_decay for the i-th sentence of a paragraph ...
    paragraph_decay: float = 2.0  # ... x 1/(1+p)^paragraph_decay for the p-th paragraph
    short_chars: int = 20  # sentences shorter than this (or half the budget) are scaled down ...
    long_chars: int = 120  # ... and longer than this too (with a sentence count) ...
    budget_ratio: float = 1.5  # ... or than this times the budget (with a character budget)
    long_power: float = 0.5
    dangling: float = 0.75  # x this for sentences opening on a pronoun or connective (他说, 此外, 但)
    clause_end: float = 0.8  # x this for sentences ending on ；; (one item of a list)
    redundancy: float = 0.5  # MMR: score - redundancy * max similarity to a picked sentence
    min_chars: int = 8
    keyword_window: int = 3
    title_weight: float = 3.0  # keyword teleport weight of a headline word is 1 + this
    keyword_specificity: float = 1.5  # keyword score = PageRank x (-log p(word) in jieba's dictionary)^this
    specificity_cap: float = 13.0  # ... -log p capped: words jieba has never seen are not all gems


@dataclass(frozen=True)
class Options:
    """What a summary looks like (from SummarySettings) and the stop words to use."""

    stopwords: frozenset[str]
    mode: str = "news"
    sentences: int = 3
    chars: int = 0
    keywords: int = 10
    keyword_min_length: int = 2
    news: NewsParams = field(default_factory=NewsParams)


@dataclass
class Summary:
    sentences: list[str]  # what users see, in article order
    keywords: list[dict]  # [{"word", "weight"}], best first, weights scaled so the best is 1
    units: list[str] = field(default_factory=list)  # what was ranked (sentences, or reference units)
    ranking: list[int] = field(default_factory=list)  # unit indices, best first


def summarize_text(text: str, options: Options, title: str | None = None) -> Summary:
    """Summarize plain text: one paragraph per non-blank line."""
    return summarize([line for line in text.splitlines() if line.strip()], options, title)


def summarize(paragraphs: list[str], options: Options, title: str | None = None) -> Summary:
    """The summary and keywords of an article body (paragraphs, no headings)."""
    body = [p for p in (strip_dateline(p.strip()) for p in paragraphs) if p]
    sentences = split_sentences(body)
    if options.mode == "textrank4zh":
        return _reference(body, sentences, options)
    if options.mode != "news":
        raise ValueError(f"unknown summary mode {options.mode!r}: use one of {', '.join(MODES)}")
    return _news(sentences, options, title)


# -- shared ------------------------------------------------------------------------------


def _keyword_shape(word: str, tag: str, min_length: int) -> bool:
    if len(word) < min_length:
        return False
    if tag == "nr" and len(word) > 3 and "·" not in word:
        return False  # jieba's dictionary tags phrases like 努力实现 as names
    return bool(_HAS_CJK.search(word)) or bool(_LATIN_WORD.match(word))


def _presentable(order: list[int], sentences: list[Sentence], min_chars: int) -> list[int]:
    """`order` without fragments: lead-ins ending in `:`, cut-off text, unbalanced quotes,
    one-liners. Only when nothing else is left does a fragment get shown (better than nothing)."""
    good = [i for i in order if sentences[i].complete and sentences[i].balanced and len(sentences[i].text) >= min_chars]
    return good or order


def _take(order: list[int], sentences: list[Sentence], options: Options) -> list[int]:
    """Sentence indices to show, in article order, from best-first `order`: N sentences, or with
    a character budget, sentences until it is reached (at least one)."""
    picked: list[int] = []
    total = 0
    for i in order:
        if i in picked:
            continue
        picked.append(i)
        total += len(sentences[i].text)
        if (options.chars and total >= options.chars) or (not options.chars and len(picked) >= options.sentences):
            break
    return sorted(picked)


def _scaled(words: list[str], scores: np.ndarray, order: list[int], limit: int) -> list[dict]:
    chosen = order[:limit]
    if not chosen:
        return []
    top = float(scores[chosen[0]]) or 1.0
    return [{"word": words[i], "weight": round(float(scores[i]) / top, 4)} for i in chosen]


# -- news mode ---------------------------------------------------------------------------


def _news(sentences: list[Sentence], options: Options, title: str | None) -> Summary:
    params = options.news
    stop = options.stopwords
    vocab: dict[str, int] = {}
    bags: list[list[int]] = []  # content words of each sentence, for similarity
    runs: list[list[tuple[str, str]]] = []  # stop-filtered (word, tag), for keywords
    for s in sentences:
        bag: list[int] = []
        run: list[tuple[str, str]] = []
        for word, tag in tagged_words(s.text):
            if tag == "x" or word in stop:
                continue
            bag.append(vocab.setdefault(word, len(vocab)))
            run.append((word, tag))
        bags.append(bag)
        runs.append(run)
    texts = [s.text for s in sentences]
    if options.chars:  # a sentence far past the budget wastes it; one far below it says little
        short_chars, long_chars = min(params.short_chars, options.chars / 2), options.chars * params.budget_ratio
    else:
        short_chars, long_chars = params.short_chars, params.long_chars
    order = _rank_news(sentences, bags, len(vocab), params, short_chars, long_chars)
    shown = _take(_presentable(order, sentences, params.min_chars), sentences, options)
    return Summary(
        sentences=[texts[i] for i in shown],
        keywords=_news_keywords(runs, options, title),
        units=texts,
        ranking=order,
    )


def _rank_news(
    sentences: list[Sentence],
    bags: list[list[int]],
    vocabulary: int,
    params: NewsParams,
    short_chars: float,
    long_chars: float,
) -> list[int]:
    """Best-first sentence order: position-personalised PageRank x length factor, then MMR."""
    n = len(sentences)
    if n == 0:
        return []
    shared = textrank.shared_words(bags, vocabulary)
    graph = textrank.similarity_graph(bags, vocabulary, self_loops=False, shared=shared)
    para = np.array([s.paragraph for s in sentences], dtype=float)
    first = {}
    for i, s in enumerate(sentences):
        first.setdefault(s.paragraph, i)
    within = np.array([i - first[s.paragraph] for i, s in enumerate(sentences)], dtype=float)
    position = np.power(within + 1, -params.lead_decay) * np.power(para + 1, -params.paragraph_decay)
    prior = params.lead_weight * position / position.sum() + (1 - params.lead_weight) / n
    scores = textrank.pagerank(graph, params.damping, prior)
    lengths = np.array([len(s.text) for s in sentences], dtype=float)
    factor = np.minimum(1.0, lengths / short_chars)
    long = lengths > long_chars
    factor[long] *= np.power(long_chars / lengths[long], params.long_power)
    for i, s in enumerate(sentences):
        if _DANGLING.match(s.text):
            factor[i] *= params.dangling
        if s.text.rstrip(CLOSER_CHARS)[-1:] in "；;":
            factor[i] *= params.clause_end
    scores = scores * factor
    scores = scores / (scores.max() or 1.0)
    return _mmr(scores, shared, params.redundancy)


def _mmr(scores: np.ndarray, shared, redundancy: float, picks: int = 20) -> list[int]:  # type: ignore[no-untyped-def]
    """Greedy picks maximising score - redundancy x (cosine similarity to the closest pick).

    Similarity is |Si ∩ Sj| / sqrt(|Si||Sj|) over distinct words. After `picks` sentences
    (more than anyone shows) the rest follow in score order.
    """
    n = len(scores)
    distinct = np.maximum(shared.diagonal(), 1.0)
    penalty = np.zeros(n)
    taken = np.zeros(n, dtype=bool)
    picked: list[int] = []
    for _ in range(min(picks, n)):
        gain = np.where(taken, -np.inf, scores - redundancy * penalty)
        best = int(np.argmax(gain))  # ties: the earlier sentence
        picked.append(best)
        taken[best] = True
        lo, hi = shared.indptr[best], shared.indptr[best + 1]
        cols = shared.indices[lo:hi]
        cosine = shared.data[lo:hi] / np.sqrt(distinct[cols] * distinct[best])
        penalty[cols] = np.maximum(penalty[cols], cosine)
    rest = [i for i in textrank.rank(scores) if not taken[i]]
    return picked + rest


def _news_keywords(runs: list[list[tuple[str, str]]], options: Options, title: str | None) -> list[dict]:
    vertices: dict[str, int] = {}
    sequences = []
    for run in runs:
        seq = []
        for word, tag in run:
            if tag in KEYWORD_TAGS and _keyword_shape(word, tag, options.keyword_min_length):
                seq.append(vertices.setdefault(word, len(vertices)))
            else:
                seq.append(-1)
        sequences.append(seq)
    if not vertices:
        return []
    graph = textrank.cooccurrence_graph(sequences, len(vertices), options.news.keyword_window, binary=False)
    words = list(vertices)
    spec = np.minimum(specificity(words), options.news.specificity_cap)
    # the headline names the topic: its words get a larger share of the teleport
    prior = np.ones(len(words))
    for word, _ in tagged_words(title or ""):
        if word in vertices:
            prior[vertices[word]] += options.news.title_weight
    scores = textrank.pagerank(graph, options.news.damping, prior) * np.power(spec, options.news.keyword_specificity)
    return _scaled(words, scores, textrank.rank(scores), options.keywords)


def specificity(words: list[str]) -> np.ndarray:
    """-log of each word's probability in jieba's dictionary: 发展 6.8, 机器人 12, a new name 18.

    Everyday news words (工作, 发展, 建设) are central in every article's word graph; this is
    what keeps them from topping every keyword list, as IDF would with a corpus.
    """
    dt = tokenizer()
    total = float(dt.total)
    freq = dt.FREQ
    return np.log(total / np.array([max(freq.get(w) or 0, 1) for w in words], dtype=float))


# -- textrank4zh mode --------------------------------------------------------------------


def reference_units(text: str) -> list[tuple[int, str]]:
    """textrank4zh's sentences: split at every delimiter (dropped), stripped: (offset, text)."""
    out = []
    for m in _REFERENCE_UNIT.finditer(text):
        piece = m.group()
        stripped = piece.strip()
        if stripped:
            out.append((m.start() + len(piece) - len(piece.lstrip()), stripped))
    return out


def _reference(body: list[str], sentences: list[Sentence], options: Options) -> Summary:
    stop = options.stopwords
    text = "\n".join(body)
    units = reference_units(text)
    # words_no_stop_words and words_all_filters of each unit, as textrank4zh computes them
    plain: list[list[str]] = []
    filtered: list[list[str]] = []
    for _, unit in units:
        tagged = posseg_words(unit)
        plain.append([w for w in (word.strip() for word, tag in tagged if tag != "x") if w and w not in stop])
        filtered.append(
            [
                w
                for w in (word.strip() for word, tag in tagged if tag in REFERENCE_TAGS and tag != "x")
                if w and w not in stop
            ]
        )
    vocab: dict[str, int] = {}
    bags = [[vocab.setdefault(w, len(vocab)) for w in words] for words in plain]
    graph = textrank.similarity_graph(bags, len(vocab), self_loops=True)
    order = [i for i in textrank.rank(textrank.pagerank(graph)) if len(units[i][1]) >= REFERENCE_MIN_UNIT]
    # show each picked unit as the whole sentence that holds it (a unit's leading `”` belongs
    # to the sentence before, so look at its first other character)
    owner = _holders(body, sentences, [offset + len(u) - len(u.lstrip(CLOSER_CHARS)) for offset, u in units])
    by_rank = [owner[i] for i in order if owner[i] is not None]
    shown = _take(_presentable(by_rank, sentences, REFERENCE_MIN_UNIT), sentences, options)
    return Summary(
        sentences=[sentences[k].text for k in shown],
        keywords=_reference_keywords(plain, filtered, options),
        units=[u for _, u in units],
        ranking=order,
    )


def _holders(body: list[str], sentences: list[Sentence], offsets: list[int]) -> list[int | None]:
    """For offsets into "\n".join(body), the index of the sentence that covers each (or None)."""
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


def _reference_keywords(plain: list[list[str]], filtered: list[list[str]], options: Options) -> list[dict]:
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
    order = [i for i in textrank.rank(scores) if len(words[i]) >= options.keyword_min_length]
    return _scaled(words, scores, order, options.keywords)
