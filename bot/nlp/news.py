"""`news` mode's sentence choice: the lead by default, displaced only with good evidence.

News puts its point first, so the default summary is the lead: the first sentences after the
dateline. Every sentence is also scored (TextRank over content-word similarity on a sparse
graph, PageRank personalised towards the top of the article, a length factor, discounts for
openings that lean on the sentence before, for list items and for sentences of figures), and a
later sentence takes a lead sentence's place only when it scores (1 + `lead_margin`) times
more. Commentary and features (an `本报评论员` or other non-reporter byline, no dateline) do not
put the point first: for them the margin is `commentary_margin` and the position prior weaker;
short posts (a Weibo item, a brief: `POST_CHARS` or less) often open on a hook, and use
`post_margin`. The margins were chosen on the tuning halves of the dev sets (benchmarks/rouge.py).

Some sentences are not picks while others are left: fragments (a lead-in ending in `:`,
unbalanced quotes), list steps (`4、锅里加入…`, `（二）`, `第三步`), headings set as paragraphs (a
short one-sentence paragraph without a comma or one of a series, followed by more text; a very
short sentence its paragraph runs on from), and sentences over `max_chars` characters — the
phone ceiling: 120 characters is about six lines on a phone, so a two-sentence digest entry
stays within a screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from bot.nlp import textrank
from bot.nlp.keywords import KeywordParams
from bot.nlp.sentences import CLOSERS, Sentence

CLOSER_CHARS = "".join(CLOSERS)
# openings that lean on the sentence before: pronouns, demonstratives, connectives
_DANGLING = re.compile(
    r"^(?:他|她|它|这[一些个种是样次位里项]|那[些个种样次位里]|此[外前后次举]|该|对此|为此|据此|因此|因而|所以|但|然而|"
    r"不过|同时|另外|另一方面|其中|于是|随后|接着|并且|而且|甚至|尤其|特别是|同样)"
)
_LIST_STEP = re.compile(
    r"^[\s　]*(?:[（(]?\d{1,2}[)）、.．]|[（(]?[一二三四五六七八九十]{1,3}[)）、．]|[（(][一二三四五六七八九十]{1,3}[)）]"
    r"|第[一二三四五六七八九十\d]{1,3}[步条项]|[①-⑳⑴-⒇]|[a-zA-Z][.)、](?![A-Za-z0-9]))"
)
_HEADING_PUNCT = re.compile(r"[，,、：:；;（(]")
_QUOTES = re.compile(r"[“”\"「」]")
_DIGITS = re.compile(r"[0-9０-９.%％]")
HEADING_CHARS = 30
SERIES_CHARS = 16  # a heading of a series may have a comma when it is this short
RUN_IN_CHARS = 12  # a paragraph's first sentence this short, with more after it, is a run-in heading
POST_CHARS = 200  # a body this short is a post (a Weibo item, a brief), not an article
KINDS = ("news", "post", "commentary")


@dataclass(frozen=True)
class NewsParams:
    """The knobs of `news` mode, tuned on the tuning halves of the dev sets."""

    damping: float = 0.85
    tolerance: float = 1e-4  # PageRank stops when the L1 change is below n x this (ranks settle long before)
    lead_weight: float = 1.0  # share of the personalisation vector given by position
    lead_decay: float = 1.0  # position prior ∝ 1/(1+i)^lead_decay for the i-th sentence of the article ...
    paragraph_decay: float = 1.0  # ... x 1/(1+p)^paragraph_decay for the p-th paragraph
    short_chars: int = 20  # sentences shorter than this (or half the budget) are scaled down ...
    long_chars: int = 120  # ... and longer than this too (with a sentence count) ...
    budget_ratio: float = 1.0  # ... or than this times the budget (with a character budget)
    long_power: float = 1.0
    dangling: float = 0.75  # x this for sentences opening on a pronoun or connective (他说, 此外, 但)
    clause_end: float = 0.8  # x this for sentences ending on ；; (one item of a list)
    detail: float = 0.8  # x this for sentences that are mostly figures (over 15% digits)
    redundancy: float = 0.5  # MMR: score - redundancy * max similarity to a picked sentence
    min_chars: int = 8
    max_chars: int = 120  # the phone ceiling (see the module docstring)
    lead_margin: float = 10.0  # a lead sentence keeps its place unless another scores (1 + this)x more
    post_margin: float = 0.1  # ... in short posts (POST_CHARS or less)
    commentary_margin: float = 0.0  # ... in commentary and features, whose position prior is also
    commentary_lead_weight: float = 0.3  # ... only this share of the personalisation (the rest uniform)
    keywords: KeywordParams = field(default_factory=KeywordParams)


def kind_of(sentences: list[Sentence], commentary: bool) -> str:
    """`commentary` (a commentator's or official's byline, no dateline), `post` (a short body)
    or `news`."""
    if commentary:
        return "commentary"
    return "post" if sum(len(s.text) for s in sentences) <= POST_CHARS else "news"


def is_list_step(text: str) -> bool:
    return bool(_LIST_STEP.match(text))


def headings(sentences: list[Sentence]) -> set[int]:
    """Sentences that are headings set as paragraphs: alone in a short paragraph with more text
    after it, and either without a comma (`在建设特色现代的智造强区上争先奋进。`) or one of a
    series of such; or run into their paragraph (`紧扣中心,服务大局。“要…”`)."""
    per_paragraph: dict[int, list[int]] = {}
    for i, s in enumerate(sentences):
        per_paragraph.setdefault(s.paragraph, []).append(i)
    last = max(per_paragraph, default=-1)
    short = [
        members[0]
        for paragraph, members in per_paragraph.items()
        if len(members) == 1 and paragraph != last and len(sentences[members[0]].text) <= HEADING_CHARS
    ]
    # run-in headings: a very short first sentence the paragraph goes on from (`紧扣中心,服务大局。…`)
    out = {m[0] for m in per_paragraph.values() if len(m) > 1 and len(sentences[m[0]].text) <= RUN_IN_CHARS}
    for i in short:
        core = sentences[i].text.rstrip(CLOSER_CHARS)[:-1]
        if _QUOTES.search(core):
            continue
        if not _HEADING_PUNCT.search(core) or (len(short) >= 2 and len(core) <= SERIES_CHARS):
            out.add(i)
    return out


def eligible(sentences: list[Sentence], params: NewsParams) -> np.ndarray:
    """Which sentences may be picked while there are enough of them (see the module docstring)."""
    heads = headings(sentences)
    return np.array(
        [
            s.complete
            and s.balanced
            and params.min_chars <= len(s.text) <= params.max_chars
            and not is_list_step(s.text)
            and i not in heads
            for i, s in enumerate(sentences)
        ],
        dtype=bool,
    )


def _factors(sentences: list[Sentence], params: NewsParams, short_chars: float, long_chars: float) -> np.ndarray:
    lengths = np.array([len(s.text) for s in sentences], dtype=float)
    factor = np.minimum(1.0, lengths / short_chars)
    long = lengths > long_chars
    factor[long] *= np.power(long_chars / lengths[long], params.long_power)
    for i, s in enumerate(sentences):
        if _DANGLING.match(s.text):
            factor[i] *= params.dangling
        if s.text.rstrip(CLOSER_CHARS)[-1:] in "；;" or is_list_step(s.text):
            factor[i] *= params.clause_end
        if len(_DIGITS.findall(s.text)) > 0.15 * len(s.text):
            factor[i] *= params.detail
    return factor


def _prior(sentences: list[Sentence], params: NewsParams, kind: str) -> np.ndarray:
    n = len(sentences)
    index = np.arange(n, dtype=float)
    paragraph = np.array([s.paragraph for s in sentences], dtype=float)
    paragraph -= paragraph.min()
    position = np.power(index + 1, -params.lead_decay) * np.power(paragraph + 1, -params.paragraph_decay)
    weight = params.commentary_lead_weight if kind == "commentary" else params.lead_weight
    return weight * position / position.sum() + (1 - weight) / n


def lead(ok: np.ndarray, sentences: list[Sentence], count: int, chars: int) -> list[int]:
    """The first eligible sentences: `count` of them, or enough to reach `chars` characters."""
    out, total = [], 0
    for i in np.flatnonzero(ok):
        out.append(int(i))
        total += len(sentences[i].text)
        if (chars and total >= chars) or (not chars and len(out) >= count):
            break
    return out


def _favour_lead(scores: np.ndarray, picks: list[int], margin: float) -> None:
    """Lead sentences x (1 + margin), and kept in article order among themselves: each scores at
    least what the next one does, so the lead is taken first to last unless displaced."""
    if not picks:
        return
    scores[picks] *= 1.0 + margin
    floor = 0.0
    for k, i in enumerate(reversed(picks)):
        floor = max(scores[i], floor) + 1e-9 * (k + 1)
        scores[i] = floor


def rank(
    sentences: list[Sentence],
    bags: list[list[int]],
    vocabulary: int,
    params: NewsParams,
    want: tuple[int, int],
    kind: str = "news",
) -> tuple[list[int], np.ndarray]:
    """Best-first sentence order and the eligibility mask. `want` is (sentences, chars); `kind`
    one of KINDS (see `kind_of`)."""
    n = len(sentences)
    if n == 0:
        return [], np.zeros(0, dtype=bool)
    count, chars = want
    if chars:  # a sentence far past the budget wastes it; one far below it says little
        short_chars, long_chars = min(params.short_chars, chars / 2), chars * params.budget_ratio
    else:
        short_chars, long_chars = params.short_chars, params.long_chars
    graph = textrank.sentence_edges(bags, vocabulary)
    scores = textrank.pagerank_edges(graph, params.damping, _prior(sentences, params, kind), tol=params.tolerance)
    scores = scores * _factors(sentences, params, short_chars, long_chars)
    scores = scores / (scores.max() or 1.0)
    ok = eligible(sentences, params)
    margin = {"post": params.post_margin, "commentary": params.commentary_margin}.get(kind, params.lead_margin)
    _favour_lead(scores, lead(ok, sentences, count, chars), margin)
    return mmr(scores, graph, params.redundancy, _picks(sentences, want)), ok


def _picks(sentences: list[Sentence], want: tuple[int, int]) -> int:
    """How many sentences MMR must order: more than a summary of `want` could show."""
    count, chars = want
    if not chars:
        return count + 5
    shortest = sorted(len(s.text) for s in sentences)
    total, k = 0, 0
    while k < len(shortest) and total < chars:
        total += shortest[k]
        k += 1
    return k + 5


def mmr(scores: np.ndarray, graph: textrank.Edges, redundancy: float, picks: int = 20) -> list[int]:
    """Greedy picks maximising score - redundancy x (cosine similarity to the closest pick).

    Similarity is |Si ∩ Sj| / sqrt(|Si||Sj|) over distinct words. After `picks` sentences
    (more than the summary shows) the rest follow in score order.
    """
    n = len(scores)
    distinct = np.maximum(graph.distinct, 1.0)
    penalty = np.zeros(n)
    taken = np.zeros(n, dtype=bool)
    picked: list[int] = []
    for _ in range(min(picks, n)):
        gain = np.where(taken, -np.inf, scores - redundancy * penalty)
        best = int(np.argmax(gain))  # ties: the earlier sentence
        picked.append(best)
        taken[best] = True
        lo, hi = graph.start[best], graph.start[best + 1]
        cols = graph.dst[lo:hi]
        cosine = graph.shared[lo:hi] / np.sqrt(distinct[cols] * distinct[best])
        penalty[cols] = np.maximum(penalty[cols], cosine)
    rest = [i for i in textrank.rank(scores) if not taken[i]]
    return picked + rest
