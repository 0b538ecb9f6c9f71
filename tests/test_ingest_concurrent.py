"""Two ingests at once store each page once, and a lost race is "unchanged", not an error:
real `digestbot ingest` processes on SQLite and PostgreSQL; migration 0004 merges copies that
older versions stored twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.store.db import Store, make_engine, open_store, upgrade
from bot.store.models import Article, Page

ROOT = Path(__file__).resolve().parents[1]
PAGES = 24


def invented_page(i: int) -> str:
    return (
        f"第{i}号测试新闻的标题\n\n本报讯（记者 甲乙）第{i}号新闻的第一段，讲一件编出来的事情。"
        f"事情发生在第{i}个地方，参与的人都说很好。\n\n第二段说明第{i}号事情的后续安排和下一步打算。\n"
    )


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """The same pages under two folders (other names, same content)."""
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, prefix in ((a, "page"), (b, "copy")):
        folder.mkdir()
        for i in range(PAGES):
            (folder / f"{prefix}-{i:02d}.txt").write_text(invented_page(i), encoding="utf-8")
    return a, b


def _spawn(db_url: str, cwd: Path, *paths: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGESTBOT_", "TELEGRAM_"))}
    env["PYTHONPATH"] = str(ROOT)
    cmd = [sys.executable, "-m", "bot.cli", "ingest", "--db", db_url, "--json", *map(str, paths)]
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.timeout(240)
def test_three_processes_ingesting_the_same_pages_store_each_once(db_url: str, tmp_path: Path):
    a, b = _tree(tmp_path)
    open_store(db_url).dispose()  # migrated once, before the race
    procs = [_spawn(db_url, tmp_path, a, b), _spawn(db_url, tmp_path, b, a), _spawn(db_url, tmp_path, a)]
    outs = [p.communicate(timeout=200) for p in procs]
    reports = [json.loads(out) for out, _ in outs]
    for proc, (_, err), report in zip(procs, outs, reports, strict=True):
        assert proc.returncode == 0 and report["errors"] == [], err
    # every page file was accounted for by each process: new once in all, unchanged otherwise
    statuses = [r["status"] for report in reports for r in report["results"]]
    assert len(statuses) == 5 * PAGES and set(statuses) <= {"new", "unchanged"}
    assert statuses.count("new") == PAGES
    store = open_store(db_url)
    try:
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(Page)) == PAGES
            assert s.scalar(select(func.count(func.distinct(Page.content_hash)))) == PAGES
            assert s.scalar(select(func.count()).select_from(Article)) == PAGES
    finally:
        store.dispose()


def _page_row(s, source: str, content_hash: str) -> int:
    return s.execute(insert(Page).values(source=source, content_hash=content_hash).returning(Page.id)).scalar_one()


def test_migration_0004_merges_copies_and_makes_content_unique(db_url: str):
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0003")  # the revision before 0004_ingest_hardening
        # rows as a version at 0003 wrote them: plain inserts (today's index hooks write tables
        # that later revisions create)
        with engine.begin() as conn:
            first = _page_row(conn, "/pages/one.txt", "h" * 64)
            copy = _page_row(conn, "/other/one.txt", "h" * 64)  # stored twice by an older version
            other = _page_row(conn, "/pages/two.txt", "k" * 64)
            for page_id in (first, copy, other):
                conn.execute(
                    insert(Article.__table__).values(page_id=page_id, position=0, title=f"p{page_id}", content_hash="x")
                )
        upgrade(engine)
        store = Store(engine)
        with store.session() as s:
            assert s.scalars(select(Page.id).order_by(Page.id)).all() == [first, other]
            assert s.scalars(select(Article.title).order_by(Article.id)).all() == [f"p{first}", f"p{other}"]
        with pytest.raises(IntegrityError), store.session.begin() as s:
            _page_row(s, "/third/one.txt", "h" * 64)
    finally:
        engine.dispose()
