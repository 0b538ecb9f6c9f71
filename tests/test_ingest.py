"""Ingest into a real store (SQLite and PostgreSQL): seeds, idempotence, updates, bad files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from bot.corpus.ingest import Ingestor
from bot.store.articles import article_dict, articles_in_page_order

SEED_TITLES = [
    "全区领导干部思路研讨会召开",
    "钟楼区党政代表团来我区考察",
    "察当前之“形” 驭长远之“势”",
    "做好岁末工作 冲刺年度目标",
    "明年工作在五个方面争先奋进",
    "争先奋进 扬帆启航",
    "沈东调研全区各镇、开发区、街道",
    "武高新点“绿”成金 激发清洁生产新动能",
    "",
    "以实干为民谋福 用实绩书写答卷",
    "武进国家高新区:为万亿之城再出发贡献硬核力量",
    "沈东调研区级机关部门",
    "沈东会见国开行江苏省分行高层",
    "深圳大寰机器人研发制造中心项目签约落户武高新",
    "以实干论英雄 靠业绩谈进步",
]


def ingest(store, *paths, max_bytes=5_000_000):
    return Ingestor(store, max_bytes).ingest(paths)


def test_seeds_ingest_then_reingest_changes_nothing(store, seeds_copy: Path):
    first = ingest(store, seeds_copy)
    assert (first.total("new"), len(first.errors), len(first.results)) == (15, 0, 5)
    items = [article_dict(a) for a in articles_in_page_order(store)]
    assert [i["title"] for i in items] == SEED_TITLES
    assert [i["kind"] for i in items].count("caption") == 1
    assert set(items[0]) >= {"id", "source", "kind", "title", "kicker", "subtitle", "byline", "blocks", "ingested_at"}
    assert items[0]["blocks"][0]["type"] == "paragraph"
    again = ingest(store, seeds_copy)
    assert (again.total("new"), again.total("updated"), again.total("unchanged")) == (0, 0, 15)
    assert [article_dict(a) for a in articles_in_page_order(store)] == items


def test_a_page_is_the_same_page_from_any_working_directory(store, tmp_path: Path, monkeypatch):
    """The page key does not depend on where `digestbot ingest` runs: an edit made later and
    ingested from another directory, by another spelling of the path, updates the same page."""
    paper = tmp_path / "paper"
    paper.mkdir()
    page = paper / "a3.txt"
    page.write_text("测试标题一\n\n本报讯（记者 甲乙）第一段写的是一件事。\n", encoding="utf-8")
    monkeypatch.chdir(paper)
    first = ingest(store, Path("a3.txt"))
    assert first.total("new") == 1
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    page.write_text("测试标题一\n\n本报讯（记者 甲乙）第一段写的是另一件事。\n", encoding="utf-8")
    again = ingest(store, Path("..") / "paper" / "a3.txt")
    assert (again.total("new"), again.total("updated")) == (0, 1)
    items = [article_dict(a) for a in articles_in_page_order(store)]
    assert len(items) == 1 and items[0]["source"] == page.resolve().as_posix()
    assert "另一件事" in items[0]["blocks"][0]["text"]


def test_pages_stored_under_the_old_relative_key_are_adopted(store, tmp_path: Path, monkeypatch):
    """Stores from before absolute keys knew a page by its path relative to the working
    directory: ingesting it again from there updates that page instead of adding a second."""
    from bot.store.models import Page

    page = tmp_path / "b1.txt"
    page.write_text("旧的标题\n\n本报讯（记者 丙丁）原来的正文在这里。\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ingest(store, page)
    with store.session.begin() as s:
        s.query(Page).one().source = "b1.txt"  # what the old key looked like
    page.write_text("旧的标题\n\n本报讯（记者 丙丁）改过的正文在这里。\n", encoding="utf-8")
    report = ingest(store, page)
    assert (report.total("new"), report.total("updated")) == (0, 1)
    with store.session() as s:
        assert [p.source for p in s.query(Page)] == [page.resolve().as_posix()]


def test_changed_page_updates_its_articles_in_place(store, seeds_copy: Path):
    ingest(store, seeds_copy)
    before = {a.title: a.id for a in articles_in_page_order(store)}
    page = seeds_copy / "004_3499c55719d4de13.txt"
    text = page.read_text(encoding="utf-8")
    text = text.replace("新项目投资约5亿元", "新项目投资约6亿元")
    cut = text.index("## 以实干论英雄")  # drop the commentary
    page.write_text(text[:cut] + "## 新增一篇稿件\n\n本报讯 (记者 王五) 今天新增一篇稿件。\n", encoding="utf-8")
    report = ingest(store, seeds_copy)
    assert (report.total("new"), report.total("updated"), report.total("removed")) == (1, 1, 1)
    assert report.total("unchanged") == 13
    after = {a.title: a for a in articles_in_page_order(store)}
    robot = after["深圳大寰机器人研发制造中心项目签约落户武高新"]
    assert robot.id == before[robot.title]
    assert any("约6亿元" in b.text for b in robot.blocks)
    assert "以实干论英雄 靠业绩谈进步" not in after
    assert after["新增一篇稿件"].byline == "记者 王五"
    assert report.new_article_ids == [after["新增一篇稿件"].id]


def test_bad_files_are_reported_and_the_rest_ingested(store, tmp_path: Path, seeds_copy: Path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.md").write_text(" \n\n\u3000\n", encoding="utf-8")
    (bad / "big.txt").write_text("标题\n\n" + "很长的正文。" * 1200, encoding="utf-8")
    (bad / "latin1.txt").write_bytes("Café crème brûlée à la carte.\n".encode("latin-1"))
    (bad / "gbk.txt").write_bytes("新区快讯\n\n本报讯(记者 王一)新区建设提速。\n".encode("gbk"))
    (bad / "bom.txt").write_bytes("\ufeff# 带BOM的稿件\n\n正文一句。\n".encode("utf-8"))
    (bad / "utf16.txt").write_bytes("UTF16稿件\n\n正文一句。\n".encode("utf-16"))
    report = ingest(store, bad, seeds_copy, tmp_path / "missing.txt", max_bytes=15_000)
    errors = {Path(r.path).name: r.error for r in report.errors}
    assert errors == {
        "binary.txt": "binary file, not text",
        "empty.txt": "empty file",
        "blank.md": "empty file",
        "big.txt": "file is 21.6 KB, over the 15.0 KB limit (ingest.max_file_bytes)",
        "latin1.txt": "not UTF-8 or GB18030/GBK text (undecodable byte at offset 3)",
        "missing.txt": "no such file or directory",
    }
    ok = [r for r in report.results if r.status != "error"]
    titles = {a.title for a in articles_in_page_order(store)}
    assert {"新区快讯", "带BOM的稿件", "UTF16稿件"} <= titles
    assert {r.encoding for r in ok if "gbk" in r.path} == {"gb18030"}
    assert len(ok) == 3 + 5 and report.total("new") == 3 + 15


def test_cli_ingest_articles_show_json(db_url: str, seeds_copy: Path, tmp_path: Path):
    runner = CliRunner()
    (tmp_path / "junk.txt").write_bytes(b"\x00\x01\x02")
    res = runner.invoke(main, ["ingest", "--db", db_url, "--json", str(seeds_copy), str(tmp_path / "junk.txt")])
    assert res.exit_code == 1  # one bad file: non-zero, but the seeds are in
    report = json.loads(res.output)
    assert report["articles"]["new"] == 15 and report["errors"] == [
        {"path": str(tmp_path / "junk.txt"), "error": "binary file, not text"}
    ]
    res = runner.invoke(main, ["ingest", "--db", db_url, str(seeds_copy)])
    assert res.exit_code == 0
    assert res.output.strip() == "5 files: 0 new, 0 updated, 15 unchanged, 0 removed articles; 0 errors; 0 warnings"
    listing = json.loads(runner.invoke(main, ["articles", "--db", db_url, "--json", "--kind", "article"]).output)
    assert [i["title"] for i in listing] == [t for t in SEED_TITLES if t]
    text = runner.invoke(main, ["articles", "--db", db_url]).output
    assert "14 articles, 1 caption" in text
    shown = json.loads(runner.invoke(main, ["show", "--db", db_url, "--json", str(listing[4]["id"])]).output)
    assert shown["kicker"] == "区委十二届十次全会强调——" and shown["byline"] == "记者 徐维庆"
    res = runner.invoke(main, ["show", "--db", db_url, "99999"])
    assert res.exit_code == 1 and "no article with id 99999" in res.output


def test_db_upgrade_command(db_url: str):
    res = CliRunner().invoke(main, ["db", "upgrade", "--db", db_url])
    assert res.exit_code == 0, res.output
    assert "is at revision" in res.output


def test_an_unexpected_error_costs_one_file_not_the_run(store, seeds_copy, monkeypatch):
    import bot.corpus.ingest as ingest_module

    real = ingest_module.parse_page

    def flaky(text, name=""):
        if name.startswith("002"):
            raise RuntimeError("parser bug")
        return real(text, name)

    monkeypatch.setattr(ingest_module, "parse_page", flaky)
    report = ingest(store, seeds_copy)
    assert [(Path(r.path).name[:3], r.error) for r in report.errors] == [("002", "unexpected RuntimeError: parser bug")]
    assert report.total("new") == 15 - 3  # the four other pages are in
