"""The development sets in ../shared/eval/, split once and for all into a tuning half and an
untouched half, and the paired bootstrap the benchmarks report their intervals with.

The split is by a hash of each item's id (sha256, even -> tuning, odd -> untouched), so it never
depends on file order and every benchmark sees the same halves. Tuning used the tuning half only;
the untouched half is the figure to quote.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
LCSTS = EVAL / "lcsts_dev.jsonl"
HEADLINES = EVAL / "news_headlines_dev.jsonl"
PARTS = ("tuning", "untouched")


def part_of(item_id: str) -> str:
    return PARTS[int(hashlib.sha256(str(item_id).encode()).hexdigest(), 16) % 2]


def load(path: Path, what: str) -> list[dict]:
    """The JSONL rows of a dev set, or a clear exit when it is not there."""
    if not path.is_file():
        raise SystemExit(f"no {what} at {path}: pass --data FILE.jsonl (the dev sets live outside the repo)")
    with path.open(encoding="utf-8") as stream:
        rows = [json.loads(line) for line in stream if line.strip()]
    for k, row in enumerate(rows):
        row.setdefault("id", f"{path.name}:{k}")
    return rows


def split(rows: Sequence[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in PARTS}
    for row in rows:
        out[part_of(row["id"])].append(row)
    return out


def bootstrap(
    ours: Sequence[float], base: Sequence[float], rounds: int = 2000, seed: int = 11
) -> tuple[float, float, float]:
    """Mean of ours - base and its paired-bootstrap 95% interval (items resampled together)."""
    diffs = [a - b for a, b in zip(ours, base, strict=True)]
    n = len(diffs)
    if n == 0:
        return 0.0, 0.0, 0.0
    rng = random.Random(seed)
    means = sorted(sum(diffs[rng.randrange(n)] for _ in range(n)) / n for _ in range(rounds))
    return sum(diffs) / n, means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]
