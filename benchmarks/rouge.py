"""Summary quality: character ROUGE-1/2/L F1 of Lead-N, textrank4zh 0.3 and ours, same budget.

    .venv/bin/python benchmarks/rouge.py                     # ../shared/eval/lcsts_dev.jsonl
    .venv/bin/python benchmarks/rouge.py --data other.jsonl  # any {"text", "summary"} lines

Every system gets the same character budget per item: the length of the reference summary.
Each adds its sentences best first until the output reaches the budget (at least one), shown in
article order - that is what `--chars N` does for users. Lead-N takes our sentences in article
order; textrank4zh 0.3 takes its own sentence units in its rank order (its sentence_min_len=6
filter first, shorter units after); ours runs with Options(chars=budget).

Scores compare characters, ignoring whitespace, punctuation and symbols (Unicode categories Z,
P, S, C), as is usual for Chinese: ROUGE-1 and -2 on character unigrams and bigrams, ROUGE-L
on the longest common subsequence; F1, averaged over items, in percent. The dev set is for
tuning only and is not shipped; the tests never need it.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sentences import split_paragraph  # noqa: E402
from bot.stopwords import load_stopwords  # noqa: E402
from bot.summarizer import Options, summarize_text  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "lcsts_dev.jsonl"
TARGET_GAIN = 1.0


def chars(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch)[0] not in "ZPSC"]


def _f1(overlap: int, produced: int, reference: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / produced, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    a = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
    b = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    return _f1(sum((a & b).values()), sum(a.values()), sum(b.values()))


def rouge_l(candidate: list[str], reference: list[str]) -> float:
    if not candidate or not reference:
        return 0.0
    previous = [0] * (len(reference) + 1)
    for x in candidate:
        current = [0]
        for j, y in enumerate(reference):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return _f1(previous[-1], len(candidate), len(reference))


def until_budget(ranked: list[int], units: list[str], budget: int) -> str:
    picked, total = [], 0
    for i in ranked:
        picked.append(i)
        total += len(units[i])
        if total >= budget:
            break
    return "".join(units[i] for i in sorted(picked))


def lead(text: str, budget: int) -> str:
    units = [s.text for p in text.splitlines() for s in split_paragraph(p)]
    return until_budget(list(range(len(units))), units, budget)


def textrank4zh() -> Callable[[str, int], str]:
    warnings.simplefilter("ignore", DeprecationWarning)
    from textrank4zh import TextRank4Sentence

    model = TextRank4Sentence()

    def run(text: str, budget: int) -> str:
        model.analyze(text)
        ranked = [item.index for item in model.key_sentences]
        ranked = [i for i in ranked if len(model.sentences[i]) >= 6] + [
            i for i in ranked if len(model.sentences[i]) < 6
        ]
        return until_budget(ranked, model.sentences, budget)

    return run


def ours(mode: str) -> Callable[[str, int], str]:
    stop = load_stopwords()
    return lambda text, budget: "".join(
        summarize_text(text, Options(stopwords=stop, mode=mode, chars=budget)).sentences
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"JSONL of text/summary (default {DEFAULT_DATA})"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N items")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(
            f"no evaluation data at {args.data}: pass --data FILE.jsonl with one "
            '{"text": ..., "summary": ...} object per line (the LCSTS dev slice lives outside the repo)'
        )
    with args.data.open(encoding="utf-8") as stream:
        rows = [json.loads(line) for line in stream if line.strip()]
    if args.limit:
        rows = rows[: args.limit]
    systems: dict[str, Callable[[str, int], str]] = {
        "Lead-N": lead,
        "textrank4zh 0.3": textrank4zh(),
        "ours: textrank4zh mode": ours("textrank4zh"),
        "ours: news": ours("news"),
    }
    scores: dict[str, list[list[float]]] = {name: [[], [], [], []] for name in systems}
    for row in rows:
        reference = chars(row["summary"])
        budget = len(row["summary"])
        for name, system in systems.items():
            out = system(row["text"], budget)
            candidate = chars(out)
            for k, value in enumerate(
                (rouge_n(candidate, reference, 1), rouge_n(candidate, reference, 2), rouge_l(candidate, reference))
            ):
                scores[name][k].append(value)
            scores[name][3].append(len(out))
    print(
        f"{len(rows)} items from {args.data}; budget = reference length ({sum(len(r['summary']) for r in rows) / len(rows):.1f} chars on average)"
    )
    print(f"\n{'system':<24} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'chars':>6}")
    mean = {
        name: [100 * sum(v) / len(v) for v in values[:3]] + [sum(values[3]) / len(values[3])]
        for name, values in scores.items()
    }
    for name, (r1, r2, rl, length) in mean.items():
        print(f"{name:<24} {r1:>8.2f} {r2:>8.2f} {rl:>8.2f} {length:>6.1f}")
    gain = mean["ours: news"][0] - mean["Lead-N"][0]
    verdict = "meets" if gain >= TARGET_GAIN else "MISSES"
    print(f"\nROUGE-1 of news - Lead-N: {gain:+.2f} ({verdict} the >= +{TARGET_GAIN:.1f} target)")
    print(f"ROUGE-1 of news - textrank4zh 0.3: {mean['ours: news'][0] - mean['textrank4zh 0.3'][0]:+.2f}")


if __name__ == "__main__":
    main()
