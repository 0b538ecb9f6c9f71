"""News keywords: the words a reader would tap, specific to this article against its corpus.

Two steps, so the corpus statistics stay outside this package:

1. `evidence(...)` reads the article alone: candidate words (nouns, names, places,
   organisations, other proper nouns, noun-like verbs, Latin words; verbs, adjectives and time
   words after their own prior) with adjacent words merged into the phrase the text uses
   (`勇争` + `一流` -> `勇争一流` when they keep appearing side by side), fragments dropped (one
   character, numbers, words jieba's HMM made up once, `局局长` made of `…局` + `局长`, `三大`, a
   word that only ever follows a lone character or a number: `南` + `医大`), genre boilerplate
   (`新浪`, `记者`, `导语`) and the people the credit or byline names dropped. A team is called
   by its name, as headlines call it (`上海队` -> `上海`; `国家队` stays). Each candidate gets a
   local weight: how often the text says it (also inside the cut's longer words: `火箭` in
   `火箭队`, `基金` in `成长基金`, not `现代` in `现代化`), less the later it first appears,
   times a prior for its kind, and more when the text sets it in short quotes or title marks
   (“夜经济”, 《星河》).
2. `rank(...)` multiplies the local weight by the word's specificity (bot.nlp.specificity: IDF
   from the corpus, blended with jieba's), drops a word found in nearly every article of the
   corpus unless the headline is about it, lets the headline's words up, and keeps the best.

`Evidence` is what the store keeps per article (its distinct terms for document frequencies,
and the best local weights so keywords can be ranked again as the corpus grows).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from pathlib import Path

import numpy as np

from bot.nlp.postag import tag_table
from bot.nlp.sentences import OPENERS
from bot.nlp.specificity import CorpusStats, background_idf, blended_idf, jieba_idf

# nouns, names, places, organisations, other proper nouns, noun-verbs, abbreviations, Latin
KEYWORD_TAGS = frozenset("n nr nrfg nrt ns nt nz nw vn an j eng phrase".split())
NAME_TAGS = frozenset("nr nrfg nrt ns nt nz nw eng phrase".split())
VERBAL_TAGS = frozenset("vn an".split())
# jieba's dictionary tags many topical words as verbs, adjectives or time words (需求 v, 私募 a,
# 赛季 t, 两岸 f, 甲型 b): they may be keywords, after their own prior
OTHER_TAGS = frozenset("v a t b f l i".split())
# what may form a phrase: not plain verbs, function words, numbers written in digits, names
_PHRASE_TAGS = frozenset("n nz vn ns nt nrt j a an b l i eng nw".split())
_PHRASE_HEAD = frozenset("n nz vn ns nt j an nw eng".split())
_PHRASE_TAIL = _PHRASE_TAGS - {"a", "b", "l", "i"}  # adjectives lead a phrase (清洁生产), never end one
_FUNCTION_TAGS = frozenset("x m q u uj ul uz ug uv ud p c d r y e o zg k h".split())
_MAX_PHRASE = 8
_MIN_PAIRS = 2
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9+#&.\-]*[A-Za-z0-9+#]$")
_LATIN_FUNCTION = frozenset("a an and are as at be by for from in is it of on or the this to was with".split())
_CJK_CHAR = re.compile(r"^[\u4e00-\u9fff]$")
_NAME_SUFFIXES = frozenset("市省县区镇乡村州队")
_DERIVING = "化式性"  # suffixes that make a new word: 现代 -> 现代化, 中国 -> 中国式
_MAX_TOKEN = 12  # longer tokens (URLs, runs of Latin) are not searched for candidates inside
_TEAM = "队"
_NAMED = frozenset("ns nt nz nr nrt nrfg".split())  # a stem tagged so names the team (上海队 -> 上海)
_QUOTE_OPEN = frozenset("“「『《")  # quotes and title marks; their closers from the sentence splitter's table
_QUOTE_CLOSE = frozenset(OPENERS[mark] for mark in _QUOTE_OPEN)
_OPENING = re.compile("[" + "".join(sorted(_QUOTE_OPEN)) + "]")
_LISTING = frozenset("、，,；;")  # a quote with these lists slogans (“早起步、快落地”): no term
_WORD = itemgetter(0)
# a citation: `据` ... `报道` within one clause (据《纽约日报》报道, 据美联社消息, 据ESPN报道)
_CITING = frozenset("据 援引 引述".split())
_CITED = frozenset("报道 报导 消息 透露 披露 援引 称 电".split())
# how a publication's name ends (`…日报`, `…通讯社`, `…电视台`, `…新闻网`, `侨报`, `美联社`)
_MEDIA = re.compile(r"(?:报|通讯社|新闻社|报社|杂志社|电视台|电台|广播台|卫视|网|周刊|月刊|期刊|杂志|在线|新闻)$")
# words ending so that name no publication: a company's annual report, the weather service,
# a grid, a site's own pages, a travel agency
_NOT_MEDIA = re.compile(
    r"(?:年报|季报|月报|财报|公报|通报|简报|汇报|举报|预报|情报|海报|警报|申报|电报|捷报|喜报"
    r"|电网|官网|互联网|物联网|局域网|关系网|法网|球网|渔网)$"
)
_AGENCY = re.compile(r"^\w{1,2}社$")  # `美联社`, `路透社`: a short name ending 社 ...
_NOT_AGENCIES = frozenset("旅行社 旅社 合作社 出版社 公社 诗社 结社 茶社 书社 文学社 剧社".split())  # ... not these
# an organisation speaking through its own channel (`据某某局官网消息`): it is the news, not a
# source — unless the channel is a publication's own (`据某某晚报官方微博消息`)
_OWN_CHANNEL = frozenset("官网 官方网站 网站 官方 官微 官方微博 微博 公众号 微信公众号 客户端 公告 通报 声明".split())
_JOINING = frozenset("、 和 及 与".split())  # `据甲报、乙社报道`: two sources
_REPORTED_VERBS = frozenset("报道 报导 称".split())  # a Latin name alone is a source only so (`据WHO消息` is news)
_CITATION_CHARS = 16
_COUNTED = re.compile(r"^[一二三四五六七八九十两百千万几]+[大个项条种类次届批名位件点]$")
NONKEYWORDS_FILE = Path(__file__).with_name("data") / "nonkeywords.txt"


@dataclass(frozen=True)
class KeywordParams:
    """The knobs of news keywords, tuned on the tuning half of the headline dev set."""

    count_power: float = 1.0  # local weight = count^this ...
    order_scale: float = 5.0  # ... x (1 + k / this)^-order_power for the k-th distinct word to appear ...
    order_power: float = 0.5
    name_prior: float = 1.2  # x this for names, organisations, proper nouns, phrases
    place_prior: float = 1.5  # x this for places
    verbal_prior: float = 1.0  # x this for noun-verbs (建设, 发展 as nouns)
    verb_prior: float = 1.0  # x this for verbs
    other_prior: float = 1.0  # x this for adjectives, time and locality words
    idf_power: float = 1.0  # score = local x idf^this
    prior_docs: float = 50.0  # pseudo-articles of jieba's IDF in the blend
    ubiquitous_share: float = 0.6  # a word in at least this share of the corpus ...
    ubiquitous_min_docs: int = 8  # ... (of at least this many articles) ...
    ubiquitous_factor: float = 0.02  # ... is x this unless the headline has it ...
    ubiquitous_title: float = 0.5  # ... and x this when it does
    title_weight: float = 2.0  # a headline word's score x (1 + this)
    merge_share: float = 0.8  # adjacent words merge when the pair is this share of either word
    quoted_prior: float = 2.0  # x this for a word the text sets in quotes or title marks (“夜经济”, 《星河》) ...
    quoted_chars: int = 8  # ... when the quote is at most this long (a term, not a saying)
    stored: int = 40  # local weights kept per article for ranking again later


@dataclass
class Evidence:
    """What ranking needs from an article: its distinct candidate terms and their local weights."""

    terms: list[str] = field(default_factory=list)  # sorted, distinct: one count per article
    weights: dict[str, float] = field(default_factory=dict)  # the best candidates' local weights
    parts: dict[str, list[str]] = field(default_factory=dict)  # merged phrases -> their words


@lru_cache(maxsize=1)
def nonkeywords() -> frozenset[str]:
    """Words that are never keywords (bot/nlp/data/nonkeywords.txt): genre boilerplate of news
    copy (记者, 新浪, 导语), relative dates (今年, 昨天), generic words (双方, 觉得)."""
    text = NONKEYWORDS_FILE.read_text(encoding="utf-8")
    return frozenset(w for w in (line.strip() for line in text.splitlines()) if w and not w.startswith("#"))


# -- step 1: the article alone -------------------------------------------------------------


def _part(word: str, tag: str, stop: frozenset[str]) -> bool:
    return tag in _PHRASE_TAGS and len(word) >= 2 and word not in stop and bool(_HAS_CJK.search(word))


def _lone(word: str, tag: str, stop: frozenset[str]) -> bool:
    """A single content character left over by the cut (`高` + `群书`, `里` + `弗斯`)."""
    return len(word) == 1 and bool(_CJK_CHAR.match(word)) and word not in stop and tag not in _FUNCTION_TAGS


def _pairs(sentences: list[list[tuple[str, str]]], stop: frozenset[str]) -> Counter[tuple[str, str]]:
    """Adjacent pairs that could form a phrase: two content words (one noun-like, no person's
    name first, no adjective last), or a lone character and the word it keeps following."""
    first: dict[tuple[str, str], int] = {}  # 0: no; 1: a content word; 2: a lone character
    second: dict[tuple[str, str], int] = {}  # 0: no; 1: a content word; 2: one that may end a phrase
    for token in {t for s in sentences for t in s}:
        word, tag = token
        part = _part(word, tag, stop)
        first[token] = 1 if part else (2 if _lone(word, tag, stop) else 0)
        second[token] = (2 if tag in _PHRASE_TAIL else 1) if part else 0
    pairs: Counter[tuple[str, str]] = Counter()
    for s in sentences:
        for x, y in zip(s, s[1:], strict=False):
            a, b = first[x], second[y]
            if a and b and (a == 2 or (b == 2 and (x[1] in _PHRASE_HEAD or y[1] in _PHRASE_HEAD))):
                pairs[(x[0], y[0])] += 1
    return pairs


def merge_phrases(sentences: list[list[tuple[str, str]]], stop: frozenset[str], share: float) -> dict[str, list[str]]:
    """Merge adjacent words that keep appearing together, in place; returns phrase -> parts.

    A pair merges when it occurs at least twice and accounts for `share` of the occurrences of
    either word (`勇争` is nearly always followed by `一流`), its parts are content words (no
    person's name first, one of them noun-like, no adjective last) and the phrase is at most 8
    characters; a lone character merges with the word it nearly always precedes (`高` + `群书`).
    """
    repeated = [(pair, n) for pair, n in _pairs(sentences, stop).items() if n >= _MIN_PAIRS]
    if not repeated:
        return {}
    counts: Counter[str] = Counter(map(itemgetter(0), chain.from_iterable(sentences)))
    merges = set()
    for (a, b), n in repeated:
        if n < _MIN_PAIRS or len(a) + len(b) > _MAX_PHRASE:
            continue
        if n >= share * counts[b] or (len(a) > 1 and n >= share * counts[a]):
            merges.add((a, b))
    found: dict[str, list[str]] = {}
    if not merges:
        return found
    heads = {a for a, _ in merges}
    for k, s in enumerate(sentences):
        if not any(w in heads for w, _ in s):
            continue
        out, i = [], 0
        while i < len(s):
            if i + 1 < len(s) and (s[i][0], s[i + 1][0]) in merges:
                found[s[i][0] + s[i + 1][0]] = [s[i][0], s[i + 1][0]]
                out.append((s[i][0] + s[i + 1][0], "phrase"))
                i += 2
            else:
                out.append(s[i])
                i += 1
        sentences[k] = out
    return found


def team_names(sentences: list[list[tuple[str, str]]], known: dict[str, str]) -> None:
    """Call a team by its name, in place, as headlines do: `上海队` -> `上海`, `星鲨队` -> `星鲨`.

    Only where the stem is itself a name (a place, organisation or other proper noun in
    jieba's dictionary), or is unknown to it while the whole word is a dictionary organisation
    or unknown as well: `国家队`, `医疗队` and `啦啦队` (a common-noun stem, or an unknown one of a
    dictionary common noun) keep their `队`."""
    for k, s in enumerate(sentences):
        if _TEAM not in "".join(map(_WORD, s)):
            continue
        out = []
        for word, tag in s:
            if len(word) >= 3 and word[-1] == _TEAM:
                stem = word[:-1]
                stem_tag = known.get(stem)
                if stem_tag in _NAMED:
                    word, tag = stem, stem_tag
                elif stem_tag is None and known.get(word) in (None, "nt"):
                    word = stem
            out.append((word, tag))
        sentences[k] = out


def quoted(sentences: list[list[tuple[str, str]]], limit: int) -> set[str]:
    """Words the text sets in quotes or title marks of at most `limit` characters (“夜经济”,
    「慢生活」, 《星河》), and each such quote whole: a term or work the article names, not a
    saying it reports nor a list of slogans (“早起步、快落地”)."""
    out: set[str] = set()
    for s in sentences:
        if not _OPENING.search("".join(map(_WORD, s))):
            continue
        start = None
        for i, (word, _) in enumerate(s):
            if word in _QUOTE_OPEN:
                start = i
            elif word in _QUOTE_CLOSE and start is not None:
                inner = [w for w, _ in s[start + 1 : i]]
                if inner and sum(map(len, inner)) <= limit and not _LISTING.intersection(inner):
                    out.update(inner)
                    out.add("".join(inner))
                start = None
    return out


def _citation(s: list[tuple[str, str]], start: int) -> int | None:
    """Where the citation opened by `s[start - 1]` (`据`) closes: the index of its `报道`, `消息`,
    `称`…, if one comes within the clause and `_CITATION_CHARS` characters."""
    size = 0
    for k in range(start, len(s)):
        word, tag = s[k]
        if word in _CITED:
            return k if k > start else None
        size += len(word)
        if size > _CITATION_CHARS or (
            tag == "x" and word not in _QUOTE_OPEN and word not in _QUOTE_CLOSE and word != "、"
        ):
            return None
    return None


def _is_media(word: str, tag: str) -> bool:
    """Does the word name a publication by its ending (`晚报`, `通讯社`, `新华网`, `美联社`)?"""
    if len(word) < 2 or _NOT_MEDIA.search(word):
        return False
    if word.endswith("社") and not word.endswith(("通讯社", "新闻社", "报社", "杂志社")):
        return bool(_AGENCY.match(word)) and tag in ("nt", "nz", "n", "nr") and word not in _NOT_AGENCIES
    return bool(_MEDIA.search(word))


def _publication(citation: list[tuple[str, str]], verb: str) -> list[str]:
    """The words of a citation that name the publication, which stands last, right before the
    cited verb: a publication-like word (…报, …社) with the nouns just before it (`山城` +
    `通讯社`), a title in marks closing there (`据《海风周报》称`, not `据电影《X》出品方透露`), a
    Latin name alone when it reported (`据ESPN报道`, not `据WHO消息`). Two sources joined by `、`
    count both. None for a person (`据张明透露`), a spokesman (`据外交部新闻发言人透露`) or an
    organisation on its own channel (`据某某局官网消息`); a publication's own channel is still
    the publication (`据某某晚报官方微博消息`)."""
    out: list[str] = []
    part: list[tuple[str, str]] = []
    for item in [*citation, ("、", "x")]:
        if item[0] not in _JOINING:
            part.append(item)
            continue
        out.extend(_source_of(part, verb))
        part = []
    return out


def _source_of(part: list[tuple[str, str]], verb: str) -> list[str]:
    """One source of a citation (see `_publication`)."""
    channel = False
    while len(part) > 1 and part[-1][0] in _OWN_CHANNEL:
        part, channel = part[:-1], True  # `官方` + `微博`
    if channel and not _is_media(*part[-1]) and part[-1][0] not in _QUOTE_CLOSE:
        return []  # the organisation itself, on its site or account
    if not part:
        return []
    word, tag = part[-1]
    if word in _QUOTE_CLOSE:
        opened = max((k for k, (w, _) in enumerate(part) if w in _QUOTE_OPEN), default=None)
        return [] if opened is None else [w for w, _ in part[opened + 1 : -1]]
    if len(part) == 1 and _LATIN_WORD.match(word):
        return [word] if verb in _REPORTED_VERBS else []
    if not _is_media(word, tag):
        return []
    j = len(part) - 1
    while j > 0 and part[j - 1][1][0] == "n":
        j -= 1
    return [w for w, _ in part[j:]]


def cited_sources(sentences: list[list[tuple[str, str]]]) -> set[str]:
    """The publications the article cites as its source and names nowhere else: `纽约日报` of
    `据《纽约日报》报道`, `美联社` of `据美联社消息`. The story is what the source reported, not
    the source. Which words of a citation name it: see `_publication`."""
    cited: Counter[str] = Counter()
    said: Counter[str] = Counter(map(_WORD, chain.from_iterable(sentences)))
    for s in sentences:
        k = 0
        while k < len(s):
            end = _citation(s, k + 1) if s[k][0] in _CITING else None
            if end is None:
                k += 1
                continue
            cited.update(_publication(s[k + 1 : end], s[end][0]))
            k = end + 1
    return {word for word, n in cited.items() if n >= said[word]}


def _shape(word: str, tag: str, min_length: int) -> bool:
    if len(word) < min_length or (tag not in KEYWORD_TAGS and tag not in OTHER_TAGS) or word[0].isdigit():
        return False
    if tag == "nr" and len(word) > 3 and "·" not in word:
        return False  # jieba's dictionary tags phrases like 努力实现 as names
    if word[0] == "之":
        return False  # the tail of `X之城`, `X之路`, which jieba's dictionary keeps as words
    return bool(_HAS_CJK.search(word)) or (bool(_LATIN_WORD.match(word)) and word.lower() not in _LATIN_FUNCTION)


def _artifact(word: str, known: dict[str, str]) -> bool:
    """`局局长` (…局 + 局长): a doubled first character whose tail is a word of its own; `三大`,
    `五个`: a number and a measure word, the head of a phrase the cut broke off."""
    return (len(word) >= 3 and word[0] == word[1] and word[1:] in known) or bool(_COUNTED.match(word))


@dataclass
class _Tally:
    tf: Counter[str] = field(default_factory=Counter)
    tags: dict[str, str] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)  # order of first appearance
    stuck: dict[str, bool] = field(default_factory=dict)  # every occurrence after a lone character or number


def _tally(
    sentences: list[list[tuple[str, str]]], stop: frozenset[str], excluded: frozenset[str] | set[str], min_length: int
) -> _Tally:
    """One pass over the words: candidates, where they first appear and how often the text says
    them (also inside the cut's longer words, `_count_inside`); and whether a word only ever
    follows a lone content character (`南` + `医大`) or a number (`10` + `天短`), a piece of
    something the cut broke up."""
    out = _Tally()
    tokens = {t for s in sentences for t in s}
    shaped = {t for t in tokens if t[0] not in stop and t[0] not in excluded and _shape(t[0], t[1], min_length)}
    # a token after which a word counts as stuck: a lone content character, or a number
    gluing = {
        t for t in tokens if t[1] == "m" or (len(t[0]) == 1 and "\u4e00" <= t[0] <= "\u9fff" and t[0] not in stop)
    }
    free: set[str] = set()  # candidates seen at least once not stuck
    words: list[str] = []
    longer: Counter[str] = Counter()  # every word of 3+ characters, to find candidates inside
    for s in sentences:
        left = ("", "x")
        for token in s:
            if len(token[0]) > 2:
                longer[token[0]] += 1
            if token in shaped:
                words.append(token[0])
                out.tags.setdefault(token[0], token[1])
                if left not in gluing:
                    free.add(token[0])
            left = token
    out.tf = Counter(words)
    out.first = {w: k for k, w in enumerate(out.tf)}
    _count_inside(out.tf, longer)
    out.stuck = {w: w not in free for w in out.tags}
    return out


def _count_inside(tf: Counter[str], longer: Counter[str]) -> None:
    """Count each candidate also where the cut left it inside a longer word: `火箭` in
    `火箭队`, `基金` in `成长基金`, `ABC` in `ABC7` (a headline calls them by the short word), but not where a derivational suffix follows and makes another word of it
    (`现代` in `现代化`, `中国` in `中国式`, `科学` in `科学性`)."""
    for word, n in longer.items():
        size = len(word)
        if size > _MAX_TOKEN:
            continue
        for i in range(size - 1):
            for j in range(i + 2, size + 1 if i else size):
                if word[i:j] in tf and (j == size or word[j] not in _DERIVING):
                    tf[word[i:j]] += n


def _multiplier(tag: str, params: KeywordParams) -> float:
    if tag == "ns":
        return params.place_prior
    if tag in NAME_TAGS:
        return params.name_prior
    if tag in VERBAL_TAGS:
        return params.verbal_prior
    if tag == "v":
        return params.verb_prior
    if tag in OTHER_TAGS:
        return params.other_prior
    return 1.0


def evidence(
    sentences: list[list[tuple[str, str]]],
    stop: frozenset[str],
    min_length: int = 2,
    banned: Iterable[str] = (),
    params: KeywordParams | None = None,
) -> Evidence:
    """Candidates and local weights from an article's tagged sentences (punctuation included)."""
    params = params or KeywordParams()
    sentences = [list(s) for s in sentences]
    known = tag_table()
    team_names(sentences, known)
    terms = quoted(sentences, params.quoted_chars)
    parts = merge_phrases(sentences, stop, params.merge_share)
    found = _tally(sentences, stop, nonkeywords() | set(banned) | cited_sources(sentences), min_length)
    priors: dict[str, float] = {}
    weights: dict[str, float] = {}
    scale, power, count_power = params.order_scale, -params.order_power, params.count_power
    for word, tag in found.tags.items():
        tf = found.tf[word]
        if tag != "phrase":
            if _artifact(word, known) or (found.stuck[word] and (tf < 3 or word not in known)):
                continue
            if tf < 2 and word not in known and tag not in ("nr", "eng"):
                continue  # a word jieba's HMM made up once (研用) is more often a fragment than a term
        prior = priors.get(tag)
        if prior is None:
            prior = priors[tag] = _multiplier(tag, params)
        if word in terms:
            prior *= params.quoted_prior
        weights[word] = tf**count_power * (1.0 + found.first[word] / scale) ** power * prior
    return Evidence(sorted(weights), weights, {p: ws for p, ws in parts.items() if p in weights})


# -- step 2: against the corpus ----------------------------------------------------------------


def scores(
    found: Evidence, stats: CorpusStats | None, title: str | None, params: KeywordParams | None = None
) -> dict[str, float]:
    """Final score of every candidate with stored weight (see the module docstring)."""
    params = params or KeywordParams()
    stats = stats or CorpusStats()
    words = list(found.weights)
    if not words:
        return {}
    docs = stats.docs + 1  # the corpus with this article in it
    table, median = jieba_idf()
    headline = title or ""
    local = np.array([found.weights[w] for w in words])
    df = np.array([stats.df.get(w, 0) + 1 for w in words], dtype=float)
    background = np.array(
        [table.get(w) or (background_idf(w, found.parts[w]) if w in found.parts else median) for w in words]
    )
    in_title = np.array([bool(headline) and w in headline for w in words])
    idf = blended_idf(df, docs, background, params.prior_docs)
    score = local * idf**params.idf_power * np.where(in_title, 1.0 + params.title_weight, 1.0)
    if docs >= params.ubiquitous_min_docs:
        # in nearly every article: a keyword only where the headline is about it, and then as
        # specific as jieba's IDF has it (the corpus' own says nothing about this article)
        everywhere = df >= params.ubiquitous_share * docs
        factor = np.where(in_title, params.ubiquitous_title, params.ubiquitous_factor)
        score = np.where(everywhere, local * background**params.idf_power * factor, score)
    return dict(zip(words, score.tolist(), strict=True))


def rank(
    found: Evidence,
    stats: CorpusStats | None,
    title: str | None,
    limit: int,
    params: KeywordParams | None = None,
) -> list[dict]:
    """The best `limit` keywords as [{"word", "weight"}], weights scaled so the best is 1."""
    scored = scores(found, stats, title, params)
    return _chosen(scored, sorted(scored, key=lambda w: (-scored[w], w)), limit, found.parts)


def _chosen(scored: dict[str, float], ranked: list[str], limit: int, phrases: dict[str, list[str]]) -> list[dict]:
    best = sorted(distinct(ranked, limit, phrases), key=lambda w: (-scored[w], w))
    top = (scored[best[0]] if best else 1.0) or 1.0
    return [{"word": w, "weight": round(scored[w] / top, 4)} for w in best]


def choose(
    found: Evidence,
    stats: CorpusStats | None,
    title: str | None,
    limit: int,
    params: KeywordParams | None = None,
) -> tuple[list[dict], Evidence]:
    """The keywords (as `rank`), and `found` trimmed to what the store keeps: every term, and
    the `stored` best candidates' local weights (enough to rank again as the corpus grows)."""
    params = params or KeywordParams()
    scored = scores(found, stats, title, params)
    ranked = sorted(scored, key=lambda w: (-scored[w], w))
    chosen = _chosen(scored, ranked, limit, found.parts)
    keep = ranked[: params.stored]
    trimmed = Evidence(
        found.terms, {w: round(found.weights[w], 4) for w in keep}, {p: v for p, v in found.parts.items() if p in keep}
    )
    return chosen, trimmed


def _variant(word: str, other: str) -> bool:
    if word.isascii() and other.isascii():
        return word.lower() == other.lower()
    return word in other or other in word


def _short_form(word: str, other: str) -> bool:
    """`重庆` of `重庆市`, `火箭` of `火箭队`: a place or team without its one-character suffix."""
    return len(word) >= 2 and other == word + other[-1] and other[-1] in _NAME_SUFFIXES


def distinct(ranked: list[str], limit: int, phrases: Iterable[str] = ()) -> list[str]:
    """The first `limit` words of `ranked`, one per thing: a variant of a word already taken
    (`重庆` and `重庆市`, `火箭` and `火箭队`, `sally` and `Sally`) is left out, except that the
    short form (the name without a one-character suffix) takes the longer one's place — unless
    the longer one is a merged phrase."""
    phrases = set(phrases)
    out: list[str] = []
    for word in ranked[: 3 * limit]:  # a short form ranked a little lower still takes the place
        clash = next((k for k, other in enumerate(out) if _variant(word, other)), None)
        if clash is None:
            if len(out) < limit:
                out.append(word)
        elif _short_form(word, out[clash]) and out[clash] not in phrases:
            out[clash] = word  # the short form (`重庆` for `重庆市`) in the better one's place
    return out
