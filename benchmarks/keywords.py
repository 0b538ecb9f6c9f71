"""Keyword quality: P@5 against headlines, and boilerplate/fragment counts, ours vs jieba TF-IDF.

    .venv/bin/python benchmarks/keywords.py                   # both halves of the headline dev set
    .venv/bin/python benchmarks/keywords.py --part untouched  # the figure to quote
    .venv/bin/python benchmarks/keywords.py --show 20         # also print 20 articles side by side

On ../shared/eval/news_headlines_dev.jsonl (265 Sina articles, ten categories), split by
benchmarks/devsets.py into a tuning half and an untouched half (nothing was tuned on it).
From the body alone (the headline is what is predicted, so ours gets no title either):

* P@5: the share of the top 5 keywords that are words of the headline (appear in it);
  `ours - jieba` with its paired-bootstrap 95% interval over articles;
* boilerplate: keywords that are genre furniture of news copy (新浪, 微博, 体育讯, 本报记者,
  导语, …, listed below) or the name of a reporter the article credits (found here by a simple
  pattern of its own, not by our credit reader);
* fragments: one character, numbers, a word jieba's dictionary lacks that begins or ends on a
  particle when cut on its own (`要学得`, `和校`), or `局局长`-style doubled characters.

The baseline is `jieba.analyse.extract_tags(text, topK=5)` on the article as given. Ours runs as
the store would: the corpus statistics it ranks against are those of the tuning half only (as
if those articles were ingested; each tuning article is ranked against the others, each
untouched article against the whole tuning half), blended with jieba's IDF.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from devsets import HEADLINES, PARTS, bootstrap, load, split  # noqa: E402

from bot.nlp.keywords import rank  # noqa: E402
from bot.nlp.postag import tag_table  # noqa: E402
from bot.nlp.segment import tokenizer  # noqa: E402
from bot.nlp.specificity import CorpusStats  # noqa: E402
from bot.nlp.stopwords import load_stopwords  # noqa: E402
from bot.nlp.summarizer import Options, summarize_text  # noqa: E402

TARGET_GAIN = 5.0  # points of P@5 over jieba
BOILERPLATE = frozenset(
    "新浪 微博 博客 体育讯 娱乐讯 财经讯 本报 本报讯 本报记者 记者 通讯员 实习生 编辑 责任编辑 导语 报道 讯 "
    "组图 图 图片 听歌 资料 报价 论坛 新华社 新华网 中新网 中新社 中广网".split()
)
_REPORTER = re.compile(r"(?:记者|通讯员|实习生)[\s：:（(]*([\u4e00-\u9fff]{2,3})")
_PARTICLES = set("的了着过是在和与及或这那就都也还又把被将对从向为以得地")
_NUMBER = re.compile(r"^[\d０-９.．%％,，+\-]+$|^\d|^[零〇一二三四五六七八九十百千万亿两]+$")


def reporters(text: str) -> set[str]:
    return set(_REPORTER.findall(text[:80]))


def fragment(word: str, known: dict[str, str]) -> bool:
    if len(word) <= 1 or _NUMBER.search(word):
        return True
    if len(word) >= 3 and word[0] == word[1] and word[1:] in known:
        return True
    if word in known or word.isascii():
        return False
    pieces = tokenizer().lcut(word, HMM=False)  # glued: a particle left over when jieba cuts it alone
    return any(len(p) == 1 and p in _PARTICLES for p in (pieces[0], pieces[-1]))


def jieba_keywords(texts: list[str]) -> list[list[str]]:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    return [jieba.analyse.extract_tags(text, topK=5) for text in texts]


def our_keywords(tuning: list[dict], rows: list[dict], own_part: bool) -> list[list[str]]:
    """Top 5 per row, ranked against the tuning half's document frequencies."""
    options = Options(stopwords=load_stopwords())
    corpus = [summarize_text(r["text"], options).evidence for r in tuning]
    df: Counter[str] = Counter(t for e in corpus if e for t in e.terms)
    stats = CorpusStats(len(corpus), df)
    out = []
    for row in rows:
        found = summarize_text(row["text"], options).evidence
        if found is None:
            out.append([])
            continue
        others = stats.excluding(found.terms) if own_part else stats
        out.append([k["word"] for k in rank(found, others, None, 5, options.news.keywords)])
    return out


def measure(rows: list[dict], picks: list[list[str]]) -> dict:
    known = tag_table()
    hits = [sum(w in r["headline"] for w in p) / 5 for r, p in zip(rows, picks, strict=True)]
    boiler = [w for r, p in zip(rows, picks, strict=True) for w in p if w in BOILERPLATE or w in reporters(r["text"])]
    frags = [w for p in picks for w in p if fragment(w, known)]
    return {"hits": hits, "boiler": boiler, "frags": frags, "n": sum(len(p) for p in picks)}


def report(name: str, rows: list[dict], ours: dict, base: dict) -> None:
    print(f"\n{name} half: {len(rows)} articles")
    print(f"  {'system':<34} {'P@5':>6} {'boilerplate':>12} {'fragments':>10} {'keywords':>9}")
    for label, m in (("jieba.analyse.extract_tags", base), ("ours (news mode)", ours)):
        p5 = 100 * sum(m["hits"]) / max(len(m["hits"]), 1)
        print(f"  {label:<34} {p5:>6.2f} {len(m['boiler']):>12} {len(m['frags']):>10} {m['n']:>9}")
    diff, low, high = bootstrap(ours["hits"], base["hits"])
    verdict = "meets" if 100 * diff >= TARGET_GAIN and not ours["boiler"] else "MISSES"
    print(
        f"  P@5 ours - jieba: {100 * diff:+.2f} (95% CI {100 * low:+.2f} .. {100 * high:+.2f}); "
        f"{verdict} the >= +{TARGET_GAIN:.0f} target with no boilerplate"
    )
    for label, m in (("jieba", base), ("ours", ours)):
        if m["boiler"] or m["frags"]:
            top = Counter(m["boiler"] + m["frags"]).most_common(12)
            print(f"  {label} boilerplate/fragments: " + " ".join(f"{w}×{n}" for w, n in top))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=(*PARTS, "both"), default="both")
    parser.add_argument("--data", type=Path, default=HEADLINES, help="JSONL with id, headline, text")
    parser.add_argument("--show", type=int, default=0, help="print the keywords of the first N articles")
    args = parser.parse_args()
    halves = split(load(args.data, "headline dev set"))
    tag_table()
    for name in PARTS if args.part == "both" else (args.part,):
        rows = halves[name]
        ours = our_keywords(halves["tuning"], rows, own_part=name == "tuning")
        base = jieba_keywords([r["text"] for r in rows])
        report(name, rows, measure(rows, ours), measure(rows, base))
        for row, a, b in list(zip(rows, ours, base, strict=True))[: args.show]:
            print(f"    {row['headline']}\n      ours:  {' '.join(a)}\n      jieba: {' '.join(b)}")


if __name__ == "__main__":
    main()
