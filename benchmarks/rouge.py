"""Summary quality: character ROUGE of ours against Lead-N (and textrank4zh 0.3), per dev-set half.

    .venv/bin/python benchmarks/rouge.py                   # both sets, both halves
    .venv/bin/python benchmarks/rouge.py --part untouched  # the figure to quote
    .venv/bin/python benchmarks/rouge.py --set lcsts --data other.jsonl   # any {"text", "summary"} lines

Two measurements, each on the tuning half and on the untouched half of its set
(benchmarks/devsets.py; nothing was tuned on the untouched half):

* **short posts** (../shared/eval/lcsts_dev.jsonl, ~100 characters, a human one-line summary):
  every system gets the reference's length as its character budget and adds sentences best
  first until it is reached (at least one), shown in article order — what `--chars N` does.
  Lead-N takes the first sentences; textrank4zh 0.3 its own units in its rank order.
* **long articles, the digest's view** (../shared/eval/news_headlines_dev.jsonl, ~1,000
  characters): 2 sentences, as a digest entry shows them, against the first two sentences
  (Lead-2). These articles have no reference summary, so the reference is the headline: the
  score says how much of what the editor put in the headline the two sentences carry (ROUGE-1
  recall is shown too). Both systems read the body after the opening credit (`新浪体育讯`,
  `本报记者 X`), which neither should show.

Scores compare characters, ignoring whitespace, punctuation and symbols (Unicode categories Z,
P, S, C): ROUGE-1/-2 on character unigrams/bigrams, ROUGE-L on the longest common
subsequence; F1 averaged over items, in percent. `ours - Lead` is the mean paired difference of
ROUGE-1 F1 with its paired-bootstrap 95% interval (2,000 resamples of the items).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from devsets import HEADLINES, LCSTS, PARTS, bootstrap, load, split  # noqa: E402

from bot.nlp.datelines import split_credit  # noqa: E402
from bot.nlp.sentences import split_paragraph  # noqa: E402
from bot.nlp.stopwords import load_stopwords  # noqa: E402
from bot.nlp.summarizer import Options, summarize_text  # noqa: E402

System = Callable[[str, int], str]


def chars(text: str) -> list[str]:
    return [ch for ch in text if unicodedata.category(ch)[0] not in "ZPSC"]


def _f1(overlap: int, produced: int, reference: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / produced, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: list[str], reference: list[str], n: int, recall: bool = False) -> float:
    a = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
    b = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((a & b).values())
    if recall:
        return overlap / max(sum(b.values()), 1)
    return _f1(overlap, sum(a.values()), sum(b.values()))


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


# -- systems: (text, budget) -> summary; budget > 0 is characters, < 0 is -sentences -------


def body(text: str) -> str:
    """The text after its opening credit, paragraph by paragraph."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines:
        lines[0] = split_credit(lines[0]).rest
    return "\n".join(line for line in lines if line.strip())


def lead(text: str, budget: int) -> str:
    units = [s.text for p in body(text).splitlines() for s in split_paragraph(p)]
    if budget < 0:
        return "".join(units[:-budget])
    return until_budget(list(range(len(units))), units, budget)


def textrank4zh() -> System:
    warnings.simplefilter("ignore", DeprecationWarning)
    from textrank4zh import TextRank4Sentence

    model = TextRank4Sentence()

    def run(text: str, budget: int) -> str:
        model.analyze(body(text))
        ranked = [item.index for item in model.key_sentences]
        ranked = [i for i in ranked if len(model.sentences[i]) >= 6] + [
            i for i in ranked if len(model.sentences[i]) < 6
        ]
        if budget < 0:
            return "".join(model.sentences[i] for i in sorted(ranked[:-budget]))
        return until_budget(ranked, model.sentences, budget)

    return run


def ours(mode: str) -> System:
    stop = load_stopwords()

    def run(text: str, budget: int) -> str:
        options = Options(stopwords=stop, mode=mode, chars=max(budget, 0), sentences=max(-budget, 1))
        return "".join(summarize_text(text, options).sentences)

    return run


# -- report ------------------------------------------------------------------------------


def score(rows: list[dict], systems: dict[str, System], reference: str, budget: Callable[[dict], int]) -> dict:
    out: dict[str, dict[str, list[float]]] = {
        name: {"r1": [], "r2": [], "rl": [], "rec": [], "len": []} for name in systems
    }
    for row in rows:
        ref = chars(row[reference])
        for name, system in systems.items():
            text = system(row["text"], budget(row))
            cand = chars(text)
            out[name]["r1"].append(rouge_n(cand, ref, 1))
            out[name]["r2"].append(rouge_n(cand, ref, 2))
            out[name]["rl"].append(rouge_l(cand, ref))
            out[name]["rec"].append(rouge_n(cand, ref, 1, recall=True))
            out[name]["len"].append(len(text))
    return out


def report(title: str, scores: dict, base: str, target: float) -> None:
    mean = {name: {k: sum(v) / max(len(v), 1) for k, v in values.items()} for name, values in scores.items()}
    print(f"\n{title}")
    print(f"  {'system':<24} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'R-1 rec':>8} {'chars':>6}")
    for name, m in mean.items():
        print(
            f"  {name:<24} {100 * m['r1']:>8.2f} {100 * m['r2']:>8.2f} {100 * m['rl']:>8.2f} {100 * m['rec']:>8.2f} {m['len']:>6.1f}"
        )
    diff, low, high = bootstrap(scores["ours: news"]["r1"], scores[base]["r1"])
    verdict = "meets" if diff * 100 >= target else "MISSES"
    print(
        f"  ROUGE-1 ours - {base}: {100 * diff:+.2f} (95% CI {100 * low:+.2f} .. {100 * high:+.2f}); "
        f"{verdict} the >= {target:+.1f} target"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("lcsts", "long", "both"), default="both")
    parser.add_argument("--part", choices=(*PARTS, "both"), default="both")
    parser.add_argument("--data", type=Path, help="a {text, summary} JSONL instead of the LCSTS dev set")
    parser.add_argument("--no-reference", action="store_true", help="skip textrank4zh 0.3 (slow)")
    args = parser.parse_args()
    parts = PARTS if args.part == "both" else (args.part,)
    systems: dict[str, System] = {"Lead": lead}
    if not args.no_reference:
        systems["textrank4zh 0.3"] = textrank4zh()
        systems["ours: textrank4zh mode"] = ours("textrank4zh")
    systems["ours: news"] = ours("news")
    if args.set in ("lcsts", "both"):
        halves = split(load(args.data or LCSTS, "summary dev set"))
        for name in parts:
            rows = halves[name]
            scores = score(rows, systems, "summary", lambda row: len(row["summary"]))
            report(f"short posts, {name} half: {len(rows)} items, budget = the reference's length", scores, "Lead", 0.0)
    if args.set in ("long", "both") and not args.data:
        halves = split(load(HEADLINES, "headline dev set"))
        for name in parts:
            rows = halves[name]
            scores = score(rows, systems, "headline", lambda row: -2)
            report(f"long articles, {name} half: {len(rows)} items, 2 sentences vs the headline", scores, "Lead", 0.0)


if __name__ == "__main__":
    main()
