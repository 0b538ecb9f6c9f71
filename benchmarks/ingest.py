"""Ingest cost per file shape: wall time, CPU time and peak memory of `digestbot ingest`, and how
long the SQLite write lock is held meanwhile.

    .venv/bin/python benchmarks/ingest.py                     # all shapes, seeds x1000 included
    .venv/bin/python benchmarks/ingest.py --copies 100        # a smaller seeds run
    .venv/bin/python benchmarks/ingest.py --shapes big,many   # only the pathological files

Shapes, all built at run time from the seed pages (nothing is stored in the repo):

* `big`: one 4.9 MB file that is a single paragraph (the seed paragraphs run together), under
  the 5 MB `ingest.max_file_bytes` limit;
* `many`: one page of 10,000 short paragraphs (one article of ~10,000 sentences);
* `seeds`: the five seed pages x N copies (`--copies`, default 1,000), each copy made distinct
  by a closing line, one `digestbot ingest` of the whole folder;
* `baseline`: one small page, for what the process costs before any file.

Each shape runs `digestbot ingest` as a child process on a fresh SQLite store; its peak memory
is the child's maximum resident set size (wait4), its CPU time user + system. While it runs, this
process tries to take the write lock (`BEGIN IMMEDIATE`) every 20 ms and reports the longest
wait: summaries are computed before a file's write transaction opens, so the lock is held only
while a file is written. Targets (issue 13.2): <= 300 MB peak and <= 10 s for `big` and `many`
on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarize import seed_paragraphs  # noqa: E402  (the same paragraphs as the summary benchmark)

SEEDS = ROOT / "seeds"
DIGESTBOT = Path(sys.executable).with_name("digestbot")
TARGET_MB, TARGET_S = 300, 10.0


def write_big(folder: Path, size: int = 4_900_000) -> Path:
    rng = random.Random(1)
    paragraphs, parts, total = seed_paragraphs(), [], 0
    while total < size:
        p = rng.choice(paragraphs)
        parts.append(p)
        total += len(p.encode("utf-8"))
    path = folder / "big.txt"
    path.write_text("一个很长的段落\n\n" + "".join(parts) + "\n", encoding="utf-8")
    return path


def write_many(folder: Path, count: int = 10_000) -> Path:
    import re

    rng = random.Random(2)
    clauses = [
        c
        for p in seed_paragraphs()
        for c in re.split("[，。、；：,]", p)
        if 5 <= len(c) <= 8 and re.fullmatch("[\u4e00-\u9fff]+", c)
    ]
    lines = ["一万段的页面", "", f"本报讯 (记者 测试) {rng.choice(clauses)}，{rng.choice(clauses)}。", ""]
    for _ in range(count):
        lines += [f"{rng.choice(clauses)}，{rng.choice(clauses)[:3]}。", ""]
    path = folder / "many.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_seeds(folder: Path, copies: int) -> Path:
    target = folder / "seeds"
    target.mkdir()
    pages = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    for k in range(copies):
        for stem, text in pages:
            (target / f"{stem}_{k:04d}.txt").write_text(f"{text}\n\n本期为第{k + 1}期。\n", encoding="utf-8")
    return target


def write_baseline(folder: Path) -> Path:
    path = folder / "small.txt"
    path.write_text("# 小稿\n\n本报讯 (记者 测试) 今天区里召开了一次会议。会议研究了明年的工作。\n", encoding="utf-8")
    return path


class LockProbe(threading.Thread):
    """Takes and releases SQLite's write lock every 20 ms; remembers the longest wait."""

    def __init__(self, db: Path):
        super().__init__(daemon=True)
        self.db, self.longest, self.stop = db, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            if self.db.exists():
                try:
                    conn = sqlite3.connect(self.db, timeout=60)
                    start = time.perf_counter()
                    conn.execute("BEGIN IMMEDIATE")
                    self.longest = max(self.longest, time.perf_counter() - start)
                    conn.execute("ROLLBACK")
                    conn.close()
                except sqlite3.Error:
                    pass
            self.stop.wait(0.02)


def run_ingest(target: Path, data: Path) -> dict:
    env = {**os.environ, "DIGESTBOT_DATA_DIR": str(data)}
    env.pop("DIGESTBOT_DATABASE_URL", None)
    probe = LockProbe(data / "digestbot.sqlite3")
    probe.start()
    start = time.perf_counter()
    child = subprocess.Popen([str(DIGESTBOT), "ingest", str(target)], env=env, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    probe.stop.set()
    probe.join()
    out = child.stdout.read().strip().splitlines() if child.stdout else []
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "lock_wait": probe.longest,
        "status": os.waitstatus_to_exitcode(status),
        "summary": out[-1] if out else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default="baseline,big,many,seeds", help="comma-separated shapes")
    parser.add_argument("--copies", type=int, default=1000, help="copies of the seeds (default 1000)")
    args = parser.parse_args()
    shapes = args.shapes.split(",")
    work = Path(tempfile.mkdtemp(prefix="digestbot-ingest-"))
    writers = {
        "baseline": write_baseline,
        "big": write_big,
        "many": write_many,
        "seeds": lambda folder: write_seeds(folder, args.copies),
    }
    print(f"{'shape':<10} {'input':>10} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'lock wait s':>12}  result")
    try:
        for shape in shapes:
            target = writers[shape](work)
            size = sum(p.stat().st_size for p in target.rglob("*")) if target.is_dir() else target.stat().st_size
            r = run_ingest(target, work / f"data-{shape}")
            verdict = ""
            if shape in ("big", "many"):
                ok = r["peak_mb"] <= TARGET_MB and r["wall"] <= TARGET_S
                verdict = "  (meets" if ok else "  (MISSES"
                verdict += f" <= {TARGET_MB} MB, <= {TARGET_S:.0f} s)"
            print(
                f"{shape:<10} {size / 1e6:>8.2f}MB {r['wall']:>8.2f} {r['cpu']:>8.2f} {r['peak_mb']:>8.0f} "
                f"{r['lock_wait']:>12.3f}  {r['summary']}{verdict}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
