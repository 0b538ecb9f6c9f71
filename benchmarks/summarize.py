"""Summarizer throughput: ours (news and textrank4zh modes) vs textrank4zh 0.3, in one process.

    .venv/bin/python benchmarks/summarize.py                  # synthetic and real news, side by side
    .venv/bin/python benchmarks/summarize.py --source DIR|FILE.jsonl --articles 300

Corpora: by default two, each measured on its own: 1,000 synthetic articles of ~3,900
characters, each a deterministic shuffle (seeded by its number) of the seed articles'
paragraphs, datelines included; and the 265 real news articles of
../shared/eval/news_headlines_dev.jsonl (~900 characters, one line each: what short real news
costs, where a fixed cost per article weighs most). `--source` replaces both with the articles
of a page directory or the "text" of each JSONL line. Every system gets the same text. Nothing
caches results across articles (our summarizer keeps only the stop-word set, jieba's tag table
and its IDF table), so repeated paragraphs are segmented again each time. The fixed cost per
article is shown two ways, news mode: the intercept of a least-squares line through
(characters, CPU time) of every article of the corpus, and the time of a one-sentence article.

Throughput is CPU time of this process (time.process_time, less disturbed by other programs
than wall time, which is shown too). textrank4zh runs TextRank4Sentence + TextRank4Keyword
(window 2, 3 sentences, 10 keywords of >= 2 chars), like ours; it is slow, so by default it
runs on an evenly spaced sample of the corpus (--reference N; 0 = all) and the ratio compares
both on exactly those articles, interleaved in chunks so load changes hit both alike. Peak
memory is measured in a separate pass with tracemalloc (it slows Python down), after jieba is
loaded. The tokenization section times segmentation alone (jieba.cut, our cut with rjieba, our
fused Python cut, cut + tag lookup, jieba.posseg; and the search index's cut, jieba.cut_for_search
against ours) and checks what the fast tags change: news
summaries and keywords computed with jieba.posseg's words and tags instead. The sweep times one
long article of 50 ... 800 sentences: segmentation alone (cut + tags of every sentence; ours,
and jieba.cut's with the same lookup) against the whole news summary (segmentation included).

Needs the test extra for the reference: pip install -e '.[test]' (textrank4zh, networkx<3).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.corpus.pages import parse_page  # noqa: E402
from bot.nlp.postag import tag_table, tagged_words  # noqa: E402
from bot.nlp.sentences import split_sentences  # noqa: E402
from bot.nlp.specificity import jieba_idf  # noqa: E402
from bot.nlp.stopwords import load_stopwords  # noqa: E402
from bot.nlp.summarizer import Options, summarize_text  # noqa: E402

SEEDS = ROOT / "seeds"
REAL_NEWS = ROOT.parent / "shared" / "eval" / "news_headlines_dev.jsonl"
TARGET_RATIO = 30.0
TARGET_SWEEP = 2.0


# -- corpus ------------------------------------------------------------------------------


def seed_paragraphs() -> list[str]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for piece in parse_page(path.read_text(encoding="utf-8"), path.name).pieces:
            if piece.kind == "article":
                out.extend(piece.paragraphs())
    return out


def shuffled_corpus(count: int, chars: int) -> list[str]:
    paragraphs = seed_paragraphs()
    articles = []
    for k in range(count):
        order = paragraphs[:]
        random.Random(k).shuffle(order)
        picked, total = [], 0
        for p in order:
            picked.append(p)
            total += len(p) + 1
            if total >= chars:
                break
        articles.append("\n".join(picked))
    return articles


def corpus_from(source: Path, count: int) -> list[str]:
    texts: list[str] = []
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.suffix.lower() in {".txt", ".md", ".markdown"}:
                pieces = parse_page(path.read_text(encoding="utf-8", errors="replace"), path.name).pieces
                texts += ["\n".join(p.paragraphs()) for p in pieces if p.kind == "article"]
    else:
        with source.open(encoding="utf-8") as stream:
            texts = [json.loads(line)["text"] for line in stream if line.strip()]
    if not texts:
        raise SystemExit(f"no articles found in {source}")
    return texts[:count] if count else texts


# -- systems -----------------------------------------------------------------------------


def ours(mode: str) -> Callable[[str], object]:
    options = Options(stopwords=load_stopwords(), mode=mode)
    return lambda text: summarize_text(text, options)


def reference() -> Callable[[str], object]:
    warnings.simplefilter("ignore", DeprecationWarning)
    from textrank4zh import TextRank4Keyword, TextRank4Sentence

    sentences, keywords = TextRank4Sentence(), TextRank4Keyword()

    def run(text: str) -> object:
        sentences.analyze(text)
        keywords.analyze(text, window=2)
        return sentences.get_key_sentences(3), keywords.get_keywords(10, word_min_len=2)

    return run


def timed(fn: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) to run fn over texts."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    for text in texts:
        fn(text)
    return time.process_time() - cpu, time.perf_counter() - wall


def peak_mib(fn: Callable[[str], object], texts: list[str]) -> float:
    gc.collect()
    tracemalloc.start()
    for text in texts:
        fn(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


# -- report ------------------------------------------------------------------------------


def throughput(texts: list[str], sample: int, chunk: int) -> None:
    systems = {"news": ours("news"), "textrank4zh mode": ours("textrank4zh"), "textrank4zh 0.3": reference()}
    for fn in systems.values():  # warm up: jieba, posseg model, tag table
        fn(texts[0])
    step = max(1, len(texts) // sample) if sample else 1
    subset = texts[::step][: sample or None]
    chars = statistics.mean(len(t) for t in texts)
    print(f"corpus: {len(texts)} articles, {chars:,.0f} characters on average; reference sample: {len(subset)}")

    full = {name: timed(systems[name], texts) for name in ("news", "textrank4zh mode")}
    # ours and the reference on the same articles, interleaved chunk by chunk
    same = {name: [0.0, 0.0] for name in systems}
    for start in range(0, len(subset), chunk):
        part = subset[start : start + chunk]
        for name, fn in systems.items():
            cpu, wall = timed(fn, part)
            same[name][0] += cpu
            same[name][1] += wall
    memory = {name: peak_mib(fn, subset[:20]) for name, fn in systems.items()}

    print(f"\n{'system':<18} {'articles/s (all)':>17} {'articles/s (sample)':>20} {'wall art/s':>11} {'peak MiB':>9}")
    for name in systems:
        all_rate = f"{len(texts) / full[name][0]:,.1f}" if name in full else "-"
        cpu, wall = same[name]
        print(
            f"{name:<18} {all_rate:>17} {len(subset) / cpu:>20,.1f} {len(subset) / wall:>11,.1f} {memory[name]:>9.1f}"
        )
    ref_cpu = same["textrank4zh 0.3"][0]
    for name in ("news", "textrank4zh mode"):
        ratio = ref_cpu / same[name][0]
        verdict = "meets" if name != "news" or ratio >= TARGET_RATIO else "MISSES"
        suffix = f"  ({verdict} the >= {TARGET_RATIO:.0f}x target)" if name == "news" else ""
        print(f"speed-up of {name} over textrank4zh 0.3 (same articles, CPU time): {ratio:,.1f}x{suffix}")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    fixed_cost(texts, systems["news"])


def fixed_cost(texts: list[str], fn: Callable[[str], object]) -> None:
    """Least-squares CPU time = a + b x characters over the corpus (best of 3 per article)."""
    xs, ys = [], []
    for text in texts:
        xs.append(len(text))
        ys.append(best_of(lambda text=text: fn(text), 3))
    mx, my = statistics.mean(xs), statistics.mean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / max(sum((x - mx) ** 2 for x in xs), 1e-12)
    tiny = "今天区里召开了一次会议。"
    floor = best_of(lambda: [fn(tiny) for _ in range(200)], 3) / 200
    print(
        f"news mode, per article: least-squares fit {1000 * (my - slope * mx):.2f} ms "
        f"+ {1e6 * slope:.2f} ms per 1,000 characters (mean {1000 * my:.2f} ms at {mx:,.0f} characters); "
        f"a one-sentence article: {1000 * floor:.2f} ms"
    )


def tokenization(texts: list[str]) -> None:
    """Segmentation alone, and what the fast tags change against jieba.posseg's."""
    import jieba.posseg

    import bot.nlp.summarizer as summarizer
    from bot.nlp.postag import cut, fused_cut
    from bot.nlp.segment import native, search_words, tokenizer

    dt = tokenizer()
    ways = {
        "jieba.cut (HMM)": lambda t: list(dt.cut(t)),
        f"postag.cut ({'rjieba' if native() else 'no rjieba: Python'})": cut,
        "postag.fused_cut (Python)": fused_cut,
        "cut + tag lookup (news)": tagged_words,
        "jieba.posseg (HMM)": lambda t: list(jieba.posseg.dt.cut(t)),
        "jieba.cut_for_search (search)": lambda t: list(dt.cut_for_search(t, HMM=False)),
        f"search_words ({'rjieba' if native() else 'jieba'})": search_words,
    }
    print(f"\ntokenization of {len(texts)} articles (CPU ms per article):")
    for name, fn in ways.items():
        cpu, _ = timed(fn, texts)
        print(f"  {name:<28} {1000 * cpu / len(texts):8.2f}")
    # news mode with jieba.posseg's words and tags instead of the fast path
    options = Options(stopwords=load_stopwords())
    fast = [summarize_text(t, options) for t in texts]
    original = summarizer.tagged_words
    summarizer.tagged_words = lambda t, seen=None: [
        (w, f) for w, f in ((p.word, p.flag) for p in jieba.posseg.dt.cut(t)) if w.strip()
    ]
    try:
        slow = [summarize_text(t, options) for t in texts]
    finally:
        summarizer.tagged_words = original
    same = sum(a.sentences == b.sentences for a, b in zip(fast, slow, strict=True))
    overlap = statistics.mean(
        len({k["word"] for k in a.keywords} & {k["word"] for k in b.keywords}) / max(len(b.keywords), 1)
        for a, b in zip(fast, slow, strict=True)
    )
    print(f"  news summaries identical with posseg tags: {same}/{len(texts)}; keyword overlap@10: {overlap:.0%}")


def long_article(sentences: int) -> str:
    paragraphs = seed_paragraphs()
    random.Random(sentences).shuffle(paragraphs)
    picked: list[str] = []
    k = 0
    while len(split_sentences(picked)) < sentences:
        picked.append(paragraphs[k % len(paragraphs)])
        k += 1
    # trim the last paragraph's extra sentences away
    while len(split_sentences(picked)) > sentences:
        last = split_sentences([picked[-1]])
        picked[-1] = picked[-1][: last[-2].end] if len(last) > 1 else ""
        picked = [p for p in picked if p]
    return "\n".join(picked)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def sweep(sizes: list[int], reference_up_to: int, repeat: int) -> None:
    """Total news time against segmentation: ours (cut + tags, as the summarizer runs it) and
    jieba's (jieba.cut + the same tag lookup), which is what segmentation cost before rjieba."""
    from bot.nlp.postag import tag_table
    from bot.nlp.segment import tokenizer

    news = ours("news")
    ref = reference() if reference_up_to else None
    dt, tags = tokenizer(), tag_table()
    print(f"\nlong-article sweep (CPU seconds, best of {repeat}):")
    header = (
        f"{'sentences':>9} {'chars':>7} {'segmentation':>13} {'jieba seg':>10} {'news total':>11} {'total/seg':>10}"
    )
    print(header + f" {'total/jieba seg':>16}" + (f" {'textrank4zh 0.3':>16}" if ref else ""))
    last_ratio = last_jieba = 0.0
    for n in sizes:
        text = long_article(n)
        paragraphs = [p for p in text.splitlines() if p.strip()]

        def segment(paragraphs: list[str] = paragraphs) -> None:
            for s in split_sentences(paragraphs):
                tagged_words(s.text)

        def jieba_segment(paragraphs: list[str] = paragraphs) -> None:
            for s in split_sentences(paragraphs):
                [(w, tags.get(w)) for w in dt.cut(s.text)]

        seg = best_of(segment, repeat)
        jieba_seg = best_of(jieba_segment, repeat)
        total = best_of(lambda text=text: news(text), repeat)
        last_ratio, last_jieba = total / seg, total / jieba_seg
        line = f"{n:>9} {len(text):>7,} {seg:>13.4f} {jieba_seg:>10.4f} {total:>11.4f} {last_ratio:>10.2f} {last_jieba:>16.2f}"
        if ref is not None:
            line += f" {best_of(lambda text=text: ref(text), 1):>16.3f}" if n <= reference_up_to else f" {'-':>16}"
        print(line)
    verdict = "meets" if last_ratio <= TARGET_SWEEP else "MISSES"
    print(
        f"{sizes[-1]}-sentence article: total = {last_ratio:.2f}x our segmentation ({verdict} the <= "
        f"{TARGET_SWEEP:.0f}x target), {last_jieba:.2f}x jieba's segmentation"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="page directory or JSONL with a 'text' field")
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--chars", type=int, default=3900, help="characters per built article (default 3900)")
    parser.add_argument("--reference", type=int, default=200, help="textrank4zh sample size (0 = all)")
    parser.add_argument("--chunk", type=int, default=10, help="interleaving chunk size")
    parser.add_argument("--no-real", action="store_true", help="skip the real-news corpus")
    parser.add_argument(
        "--tokenization", type=int, default=100, help="articles for the tokenizer comparison (0 = skip)"
    )
    parser.add_argument("--sweep", default="50,100,200,400,800", help="sentence counts ('' = no sweep)")
    parser.add_argument("--sweep-reference", type=int, default=200, help="run textrank4zh in the sweep up to N")
    parser.add_argument("--repeat", type=int, default=3, help="sweep repetitions (best is kept)")
    args = parser.parse_args()

    tag_table()  # load jieba, its tag table and IDF table before any timing
    jieba_idf()
    if args.source:
        corpora = {str(args.source): corpus_from(args.source, args.articles)}
    else:
        corpora = {f"synthetic ({args.articles} built from the seeds)": shuffled_corpus(args.articles, args.chars)}
        if REAL_NEWS.is_file() and not args.no_real:
            corpora["real news (news_headlines_dev.jsonl)"] = corpus_from(REAL_NEWS, 0)
    for name, texts in corpora.items():
        print(f"\n== {name}")
        throughput(texts, args.reference if len(texts) > args.reference else 0, args.chunk)
    texts = next(iter(corpora.values()))
    if args.tokenization:
        tokenization(texts[: args.tokenization])
    if args.sweep:
        sweep([int(n) for n in args.sweep.split(",")], args.sweep_reference, args.repeat)


if __name__ == "__main__":
    main()
