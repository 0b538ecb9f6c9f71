"""`digestbot pages` (the split and its doubts, nothing stored) and the warnings `digestbot ingest`
reports for the same pages, on a real store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from bot.store.articles import articles_in_page_order

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_pages_text_shows_every_piece_and_its_doubts(tmp_path: Path):
    db = tmp_path / "never.sqlite3"
    res = CliRunner().invoke(
        main, ["pages", "--db", f"sqlite:///{db}", str(PAGES / "mixed.txt"), str(PAGES / "continuation.txt")]
    )
    assert res.exit_code == 0, res.output
    out = res.output
    assert f"{PAGES / 'mixed.txt'}: 3 articles, 1 caption, 0 warnings" in out
    assert "[1] article: 全市启动低温雨雪冰冻应急响应" in out
    assert "kicker: 寒潮来袭——" in out and "byline: 记者 卓然 通讯员 倪海" in out
    assert "first: 本报讯（记者 卓然 通讯员 倪海）受强冷空气影响，今明两天我市将出现明显降温和雨雪天气。" in out
    assert "last:  交通部门已提前储备融雪剂两千吨，并在桥梁、坡道等重点路段安排专人值守。" in out
    assert "blocks: 3 (3 paragraphs, continued on 第4版)" in out
    assert "[2] caption: (photo caption)" in out and "byline: 本报记者 卓然 摄" in out
    assert f"{PAGES / 'continuation.txt'}: 3 articles, 0 captions, 2 warnings" in out
    assert "! no byline or dateline" in out and "! very short article (43 characters)" in out
    assert out.rstrip().endswith("2 files, 2 warnings, 0 errors")
    assert not db.exists()  # nothing stored, not even an empty database


def test_pages_json_lists_pieces_and_warnings():
    res = CliRunner().invoke(main, ["pages", "--json", str(PAGES / "continuation.txt")])
    assert res.exit_code == 0, res.output
    [page] = json.loads(res.output)
    assert page["error"] is None and page["encoding"] == "utf-8"
    assert [(p["kind"], p["title"], p["byline"]) for p in page["pieces"]] == [
        ("article", "全市重点项目一季度开局良好", "记者 高远"),
        ("article", "健身步道串起城郊绿道", None),
        ("article", "春季招聘会岗位充足", "记者 向晴"),
    ]
    first = page["pieces"][0]
    assert first["last_sentence"] == "市发展改革委相关负责人表示，将" and first["continued_on"] == "第3版"
    assert first["blocks"] == 2 and page["pieces"][1]["first_sentence"].startswith("绿道全长四十公里")
    assert [(w["piece"], w["code"]) for w in page["warnings"]] == [(1, "no-credit"), (2, "short")]


def test_pages_reports_a_bad_file_and_goes_on(tmp_path: Path):
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01\x02")
    shutil.copy(PAGES / "bylines.txt", tmp_path / "bylines.txt")
    (tmp_path / "banner.txt").write_text("重点项目 进行时\n\n滨湖新城\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["pages", "--json", str(tmp_path)])
    assert res.exit_code == 1
    by_name = {Path(r["path"]).name: r for r in json.loads(res.output)}
    assert by_name["junk.txt"]["error"] == "binary file, not text"
    assert by_name["banner.txt"]["error"] == "no articles found (no paragraph text on the page)"
    assert len(by_name["bylines.txt"]["pieces"]) == 8 and by_name["bylines.txt"]["error"] is None


def test_ingest_reports_the_same_warnings(db_url: str, tmp_path: Path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("continuation.txt", "mixed.txt"):
        shutil.copy(PAGES / name, pages / name)
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", "--db", db_url, "--json", str(pages)])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert set(report) >= {"files", "articles", "errors", "results"}
    warnings = {Path(r["path"]).name: [(w["piece"], w["code"]) for w in r["warnings"]] for r in report["results"]}
    assert warnings == {"continuation.txt": [(1, "no-credit"), (2, "short")], "mixed.txt": []}
    shown = json.loads(runner.invoke(main, ["pages", "--json", str(pages / "continuation.txt")]).output)
    assert shown[0]["warnings"] == next(r["warnings"] for r in report["results"] if "continuation" in r["path"])

    res = runner.invoke(main, ["ingest", "--db", db_url, str(pages)])
    assert res.output.strip().endswith("; 0 errors; 2 warnings")
    res = runner.invoke(main, ["ingest", "--db", db_url, "-v", str(pages)])
    assert f"Warning: {pages / 'continuation.txt'}: [2] 健身步道串起城郊绿道: no byline or dateline" in res.output
    assert "[3] 春季招聘会岗位充足: very short article (43 characters)" in res.output


def test_ingested_pieces_are_the_ones_pages_shows(store, tmp_path: Path):
    from bot.corpus.ingest import Ingestor

    shutil.copy(PAGES / "mixed.txt", tmp_path / "mixed.txt")
    report = Ingestor(store, 1_000_000).ingest([tmp_path / "mixed.txt"])
    assert report.warning_count == 0 and report.total("new") == 4
    stored = [(a.kind, a.title, a.byline) for a in articles_in_page_order(store)]
    shown = json.loads(CliRunner().invoke(main, ["pages", "--json", str(tmp_path / "mixed.txt")]).output)
    assert stored == [(p["kind"], p["title"], p["byline"]) for p in shown[0]["pieces"]]
