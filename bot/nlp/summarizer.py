"""Extractive summaries and keywords for one article, in one of two modes, tokenized once.

* `news` (default): our sentences (bot.nlp.sentences), fast tagging (bot.nlp.postag), the lead
  by default with other sentences scored by TextRank (bot.nlp.news), and keywords specific to
  the article against its corpus (bot.nlp.keywords, bot.nlp.specificity).
* `textrank4zh`: the reference algorithm reproduced (bot.nlp.reference).

Both show the picked sentences in article order, whole, never the dateline, and skip fragments
(lead-ins ending in `:`, unbalanced quotes) unless nothing else is left. The opening credit
(`本报讯（记者 X）`, `新浪体育讯`, `本报记者：X`) is left out of both sentences and keywords, and
the people it or the byline names are never keywords.

Bounded cost: an article is read up to its first `MAX_CHARS` characters (a book-length
"article" is summarized from its first ~100 pages), and everything below is linear in its
sentences and words (the sentence graph keeps within bot.nlp.textrank's pair budget).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.nlp import keywords as kw
from bot.nlp import news, reference
from bot.nlp.datelines import bracket_names, split_credit, strip_dateline
from bot.nlp.keywords import Evidence
from bot.nlp.news import NewsParams
from bot.nlp.postag import tagged_words
from bot.nlp.sentences import Sentence, split_sentences
from bot.nlp.specificity import CorpusStats

MODES = ("news", "textrank4zh")
MAX_CHARS = 200_000
# a byline that is no reporter's: commentary (本报评论员) or a signed feature
_COMMENTARY = re.compile(r"评论员|评论|社论|述评|时评|观察员")
_REPORTER = re.compile(r"记者|通讯员|实习生|摄")
# what sentence similarity counts: nouns, names, verbs, adjectives, Latin words (by jieba tag's
# first letter), not numbers, measure words, pronouns, particles or punctuation
_SIMILAR = frozenset("nvaljibe")


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
    evidence: Evidence | None = None  # news mode: every keyword candidate, to rank against a corpus


def summarize_text(text: str, options: Options, title: str | None = None) -> Summary:
    """Summarize plain text: one paragraph per non-blank line."""
    return summarize([line for line in text.splitlines() if line.strip()], options, title)


def summarize(
    paragraphs: list[str],
    options: Options,
    title: str | None = None,
    *,
    byline: str | None = None,
    corpus: CorpusStats | None = None,
) -> Summary:
    """The summary and keywords of an article body (paragraphs, no headings).

    `byline` (`记者 X`, `本报评论员`) tells news from commentary and names people who are never
    keywords; `corpus` holds the document counts keywords are ranked against (without it,
    jieba's IDF alone)."""
    body = [p for p in (strip_dateline(p.strip()) for p in _capped(paragraphs)) if p]
    if options.mode == "textrank4zh":
        return _reference(body, options)
    if options.mode != "news":
        raise ValueError(f"unknown summary mode {options.mode!r}: use one of {', '.join(MODES)}")
    credit = split_credit(body[0]) if body else None
    if credit is not None and credit.text:
        body = [credit.rest, *body[1:]] if credit.rest else body[1:]
    commentary = bool(byline) and (bool(_COMMENTARY.search(byline or "")) or not _REPORTER.search(byline or ""))
    commentary = commentary and not (credit and credit.text)
    names = (credit.names if credit else []) + bracket_names(byline or "")
    return _news(split_sentences(body), options, title, names, corpus, commentary)


def _capped(paragraphs: list[str]) -> list[str]:
    out, total = [], 0
    for p in paragraphs:
        if total + len(p) > MAX_CHARS:
            out.append(p[: MAX_CHARS - total])
            break
        out.append(p)
        total += len(p)
    return out


def _presentable(order: list[int], sentences: list[Sentence], min_chars: int) -> list[int]:
    """`order` without fragments: lead-ins ending in `:`, cut-off text, unbalanced quotes,
    one-liners. Only when nothing else is left does a fragment get shown (better than nothing)."""
    good = [i for i in order if sentences[i].complete and sentences[i].balanced and len(sentences[i].text) >= min_chars]
    return good or order


def _take(order: list[int], sentences: list[Sentence], options: Options, once: bool = False) -> list[int]:
    """Sentence indices to show, in article order, from best-first `order`: N sentences, or with
    a character budget, sentences until it is reached (at least one). With `once`, a sentence
    that repeats a run of a picked one (`_runs`) is passed over."""
    picked: list[int] = []
    seen: set[int] = set()
    runs: set[str] = set()
    total = 0
    for i in order:
        if i in seen:
            continue
        if once:
            own = _runs(sentences[i].text)
            if picked and own & runs:
                continue
            runs |= own
        picked.append(i)
        seen.add(i)
        total += len(sentences[i].text)
        if (options.chars and total >= options.chars) or (not options.chars and len(picked) >= options.sentences):
            break
    return sorted(picked)


REPEAT_CHARS = 12  # a run of this many characters (punctuation aside) said twice is a repeat
_NOT_TEXT = re.compile(r"[\W_]+")


def _runs(text: str) -> set[str]:
    """Every `REPEAT_CHARS`-character run of a sentence's text, punctuation and spaces taken out:
    a closing sentence that restates a slogan the summary already shows shares one with it."""
    plain = _NOT_TEXT.sub("", text)
    return {plain[k : k + REPEAT_CHARS] for k in range(len(plain) - REPEAT_CHARS + 1)}


# -- news mode ---------------------------------------------------------------------------


def _news(
    sentences: list[Sentence],
    options: Options,
    title: str | None,
    names: list[str],
    corpus: CorpusStats | None,
    commentary: bool,
) -> Summary:
    params = options.news
    stop = options.stopwords
    vocab: dict[str, int] = {}
    bags: list[list[int]] = []  # content words of each sentence, for similarity
    tagged: list[list[tuple[str, str]]] = []  # every word with its tag, for keywords
    seen: dict[str, tuple[str, str] | None] = {}
    for s in sentences:
        words = tagged_words(s.text, seen)
        tagged.append(words)
        bags.append([vocab.setdefault(w, len(vocab)) for w, t in words if t[0] in _SIMILAR and w not in stop])
    want = (options.sentences, options.chars)
    order, ok = news.rank(sentences, bags, len(vocab), params, want, news.kind_of(sentences, commentary))
    # eligible sentences first, then presentable ones (over the ceiling), then anything
    ranking = list(
        dict.fromkeys([i for i in order if ok[i]] + _presentable(order, sentences, params.min_chars) + order)
    )
    shown = _take(ranking, sentences, options, once=True)
    found = kw.evidence(tagged, stop, options.keyword_min_length, names, params.keywords)
    return Summary(
        sentences=[sentences[i].text for i in shown],
        keywords=kw.rank(found, corpus, title, options.keywords, params.keywords),
        units=[s.text for s in sentences],
        ranking=ranking,
        evidence=found,
    )


# -- textrank4zh mode --------------------------------------------------------------------


def _reference(body: list[str], options: Options) -> Summary:
    sentences = split_sentences(body)
    units, order, plain, filtered = reference.rank_units("\n".join(body), options.stopwords)
    owner = reference.holders(body, sentences, units)
    by_rank = [owner[i] for i in order if owner[i] is not None]
    shown = _take(_presentable(by_rank, sentences, reference.REFERENCE_MIN_UNIT), sentences, options)
    return Summary(
        sentences=[sentences[k].text for k in shown],
        keywords=reference.keywords(plain, filtered, options.keywords, options.keyword_min_length),
        units=[u for _, u in units],
        ranking=order,
    )
