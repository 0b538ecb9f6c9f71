"""Benchmark corpora for benchmarks/search.py: the seed corpus and the realistic corpus, and their queries.

Both give `article(i)` (article number i, 1-based, the same on every run and in every worker
process) and `queries()` (a fixed list of (class, query)).

**seed**: 4-12 of the seed pages' 105 paragraphs per article, titles, headings, 500 reporters
and keywords from the seeds. Every word is common: 发展 is in nearly every article.

**realistic** (needs ../shared/eval/, research use; only the benchmark reads it): real news
sentences recombined, with their nouns resampled from a Zipf-like tail, so word frequencies
look like a real archive's (most words rare, a few everywhere):
  * sentences: the ~5,500 sentences of the texts in ../shared/eval/*.jsonl, each cut by jieba's
    POS tagger into fixed text and *noun slots* (tags n, nr, ns, nt, nz of two characters or more);
  * an article: 4-10 paragraphs, each 2-5 consecutive sentences of a random source text (about
    1,000 characters, the dev set's own average), a title and, sometimes, a kicker, subtitle or
    heading from the headlines and reference summaries; every noun slot is refilled with a noun
    drawn from jieba's dictionary nouns (~200,000, in jieba's frequency order) with probability
    proportional to 1 / (rank + 2.7) ** 1.05 - Zipf's law - so at 100,000 articles a word of rank
    100 is in ~10% of them, rank 1,000 in ~1-2%, rank 10,000 in ~0.1%;
  * byline from 2,000 reporter names (dictionary person names), Pareto-distributed; keywords: the
    article's 3-8 most frequent refilled nouns; dates spread over three years.
Queries are picked by the expected number of articles a word is in (from its rank, see
`expected_df`), by class: one word (1,000-10,000 articles), two words, phrase (two or three
consecutive words from an article, so it has hits), rare (5-100), common (15,000-60,000),
exclusion, #keyword, no hit.
"""

from __future__ import annotations

import json
import math
import random
import re
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from bot.corpus.pages import parse_page
from bot.nlp.segment import tokenizer
from bot.search.tokens import tokens

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
EVAL_DIR = ROOT.parent / "shared" / "eval"
REPORTERS = 500
NOUN_TAGS = {"n", "nr", "ns", "nt", "nz"}
ZIPF_S = 1.05
ZIPF_Q = 2.7
PER_CLASS = 6

Template = tuple[tuple[str, bool], ...]  # (text, is a noun slot)


def _day(i: int, rng: random.Random) -> date:
    return date(2022, 1, 1) + timedelta(days=i * 1095 // 100_000 + rng.randint(0, 2))


# -- the seed corpus ------------------------------------------------------------------------


@dataclass
class SeedCorpus:
    name = "seed"
    titles: list[str] = field(default_factory=list)
    kickers: list[str] = field(default_factory=list)
    subtitles: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> SeedCorpus:
        s = cls()
        for path in sorted(SEEDS.glob("*.txt")):
            for piece in parse_page(path.read_text(encoding="utf-8"), path.name).pieces:
                if piece.kind != "article":
                    continue
                s.titles.append(piece.title)
                s.kickers += [piece.kicker] if piece.kicker else []
                s.subtitles += [piece.subtitle] if piece.subtitle else []
                s.headings += [b.text for b in piece.blocks if b.type == "heading"]
                s.paragraphs += [b.text for b in piece.blocks if b.type == "paragraph"]
        for p in s.paragraphs:  # opening clauses make more titles
            clause = p.replace(",", "，").split("，")[0]
            if 8 <= len(clause) <= 24:
                s.titles.append(clause)
        chars = sorted({c for p in s.paragraphs for c in p if "\u4e00" <= c <= "\u9fff"})
        surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
        rng = random.Random(7)
        names: set[str] = set()
        while len(names) < REPORTERS:
            names.add(rng.choice(surnames) + "".join(rng.choice(chars) for _ in range(rng.choice((1, 2)))))
        s.reporters = sorted(names)
        counts = Counter(t for p in s.paragraphs for t in tokens(p) if len(t) > 1)
        s.keywords = [w for w, _ in counts.most_common(300)]
        return s

    def article(self, i: int) -> dict[str, Any]:
        rng = random.Random(i * 7919 + 17)
        paragraphs = rng.sample(self.paragraphs, rng.randint(4, 12))
        blocks = [("paragraph", p) for p in paragraphs]
        if rng.random() < 0.2:
            blocks.insert(rng.randint(1, len(blocks) - 1), ("heading", rng.choice(self.headings)))
        weights = [1 / (k + 1) for k in range(len(self.keywords))]
        keywords = list(dict.fromkeys(rng.choices(self.keywords, weights, k=rng.randint(3, 8))))
        return {
            "id": i,
            "title": rng.choice(self.titles),
            "kicker": rng.choice(self.kickers) if rng.random() < 0.1 else None,
            "subtitle": rng.choice(self.subtitles) if rng.random() < 0.1 else None,
            "byline": "记者 " + self.reporters[int(rng.paretovariate(1.2)) % len(self.reporters)],
            "blocks": blocks,
            "keywords": [{"word": w, "weight": round(1 / (n + 1), 3)} for n, w in enumerate(keywords)],
            "published_on": _day(i, rng),
        }

    def queries(self, size: int) -> list[tuple[str, str]]:
        return [
            ("common", "发展"),
            ("common", "武进"),
            ("common", "建设"),
            ("one word", "机器人"),
            ("one word", "创新"),
            ("one word", "园区"),
            ("rare", "大寰"),
            ("rare", "潘冬铃"),
            ("rare", self.reporters[40]),
            ("2 words", "沈东 调研"),
            ("2 words", "机器人 产业"),
            ("2 words", "清洁 生产"),
            ("3 words", "武进 高新区 项目"),
            ("3 words", "新能源 汽车 产业"),
            ("3 words", "改革 创新 发展"),
            ("phrase", '"清洁生产"'),
            ("phrase", '"高质量发展"'),
            ("phrase", '"万亿之城"'),
            ("phrase", '"人形机器人"'),
            ("exclude", "武进 -机器人"),
            ("keyword", "#机器人"),
            ("no hit", "量子计算机"),
            ("no hit", "xyzzy"),
        ]


# -- the realistic corpus -------------------------------------------------------------------


def _source_texts(folder: Path) -> tuple[list[str], list[str]]:
    """(article texts, headlines and summaries) of the dev sets."""
    texts, heads = [], []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            texts.append(item.get("text") or "")
            heads += [item[k] for k in ("headline", "summary") if item.get(k)]
    if not texts:
        raise SystemExit(f"the realistic corpus needs the dev sets in {folder} (see its README); use --corpus seed")
    return texts, heads


@cache
def _tagger() -> Any:
    import jieba.posseg

    return jieba.posseg.POSTokenizer(tokenizer())


def _template(text: str) -> Template:
    out: list[tuple[str, bool]] = []
    for pair in _tagger().cut(text, HMM=False):
        slot = pair.flag in NOUN_TAGS and len(pair.word) >= 2
        if not slot and out and not out[-1][1]:
            out[-1] = (out[-1][0] + pair.word, False)
        else:
            out.append((pair.word, slot))
    return tuple(out)


def _dictionary_nouns() -> tuple[list[str], list[str]]:
    """jieba's dictionary nouns (2+ characters, letters only) by jieba's frequency, and its person names."""
    path = Path(tokenizer().get_dict_file().name)
    nouns: list[tuple[int, str]] = []
    names: list[tuple[int, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[2] not in NOUN_TAGS or len(parts[0]) < 2 or not parts[0].isalpha():
            continue
        nouns.append((-int(parts[1]), parts[0]))
        if parts[2] == "nr" and len(parts[0]) <= 3:
            names.append((-int(parts[1]), parts[0]))
    return [w for _, w in sorted(nouns)], [w for _, w in sorted(names)]


@dataclass
class RealisticCorpus:
    name = "realistic"
    sources: list[list[Template]]  # sentences per source text
    heads: list[Template]
    nouns: list[str]
    cum: list[float]
    reporters: list[str]
    slots_per_article: float = 0.0

    @classmethod
    def load(cls, folder: Path = EVAL_DIR) -> RealisticCorpus:
        from bot.nlp.sentences import split_paragraph

        texts, heads = _source_texts(folder)
        sources = []
        for t in texts:
            sentences = [s.text for p in re.split(r"[\s\u3000\xa0]{2,}", t) for s in split_paragraph(p.strip())]
            if sentences:
                sources.append([_template(s) for s in sentences])
        nouns, names = _dictionary_nouns()
        cum = list(accumulate(1.0 / (r + ZIPF_Q) ** ZIPF_S for r in range(1, len(nouns) + 1)))
        rng = random.Random(5)
        corpus = cls(sources, [_template(h) for h in heads], nouns, cum, rng.sample(names[:20_000], 2_000))
        sample = [corpus._draw(i) for i in range(1, 201)]
        corpus.slots_per_article = sum(n for _, n in sample) / len(sample)
        return corpus

    def noun(self, rng: random.Random) -> str:
        return self.nouns[min(bisect(self.cum, rng.random() * self.cum[-1]), len(self.nouns) - 1)]

    def _fill(self, tpl: Template, rng: random.Random, used: Counter[str]) -> str:
        out = []
        for piece, slot in tpl:
            if slot:
                piece = self.noun(rng)
                used[piece] += 1
            out.append(piece)
        return "".join(out)

    def _draw(self, i: int) -> tuple[dict[str, Any], int]:
        rng = random.Random(i * 104_729 + 3)
        used: Counter[str] = Counter()
        blocks = []
        for _ in range(rng.randint(4, 10)):
            source = rng.choice(self.sources)
            start = rng.randrange(len(source))
            run = source[start : start + rng.randint(2, 5)]
            blocks.append(("paragraph", "".join(self._fill(s, rng, used) for s in run)))
        if rng.random() < 0.2 and len(blocks) > 1:
            blocks.insert(rng.randint(1, len(blocks) - 1), ("heading", self._fill(rng.choice(self.heads), rng, used)))
        title = self._fill(rng.choice(self.heads), rng, used)
        kicker = self._fill(rng.choice(self.heads), rng, used) if rng.random() < 0.1 else None
        subtitle = self._fill(rng.choice(self.heads), rng, used) if rng.random() < 0.1 else None
        keywords = [w for w, _ in used.most_common(rng.randint(3, 8))]
        article = {
            "id": i,
            "title": title,
            "kicker": kicker,
            "subtitle": subtitle,
            "byline": "记者 " + self.reporters[int(rng.paretovariate(1.2)) % len(self.reporters)],
            "blocks": blocks,
            "keywords": [{"word": w, "weight": round(1 / (n + 1), 3)} for n, w in enumerate(keywords)],
            "published_on": _day(i, rng),
        }
        return article, sum(used.values())

    def article(self, i: int) -> dict[str, Any]:
        return self._draw(i)[0]

    def expected_df(self, rank: int, size: int) -> float:
        """Articles (of `size`) expected to contain the noun of this rank (0-based) at least once."""
        p = (self.cum[rank] - (self.cum[rank - 1] if rank else 0.0)) / self.cum[-1]
        return size * (1.0 - math.exp(-p * self.slots_per_article))

    def _band(self, lo: float, hi: float, size: int) -> list[int]:
        return [r for r in range(len(self.nouns)) if lo <= self.expected_df(r, size) <= hi]

    def _phrase(self, rng: random.Random, size: int) -> str:
        while True:
            article = self.article(rng.randint(1, size))
            words = [w for w in tokenizer().cut(rng.choice(article["blocks"])[1], HMM=False) if w.isalnum()]
            if len(words) < 4:
                continue
            n = rng.choice((2, 3))
            at = rng.randrange(len(words) - n)
            phrase = "".join(words[at : at + n])
            if len(phrase) >= 4:
                return f'"{phrase}"'

    def queries(self, size: int) -> list[tuple[str, str]]:
        rng = random.Random(2024)
        pick = lambda band: self.nouns[rng.choice(band)]  # noqa: E731
        one, rare, common = (
            self._band(1_000 * size / 100_000, 10_000 * size / 100_000, size),
            self._band(5, 100, size),
            self._band(15_000 * size / 100_000, 60_000 * size / 100_000, size),
        )
        out: list[tuple[str, str]] = []
        for _ in range(PER_CLASS):
            article = self.article(rng.randint(1, size))
            out += [
                ("one word", pick(one)),
                ("2 words", f"{pick(one)} {pick(one)}"),
                ("2 words", " ".join(rng.sample([k["word"] for k in article["keywords"]], 2))),
                ("phrase", self._phrase(rng, size)),
                ("rare", pick(rare)),
                ("common", pick(common)),
                ("exclude", f"{pick(common)} -{pick(one)}"),
                ("keyword", "#" + rng.choice(article["keywords"])["word"]),
                ("no hit", pick(rare) + pick(rare)),
            ]
        return out
