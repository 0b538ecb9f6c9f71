"""digestbot search / keywords / related / reindex, text and --json, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import delete, update

from bot.cli import main
from bot.store.db import open_store
from bot.store.models import Article, KeywordDoc

ROBOT = "深圳大寰机器人研发制造中心项目签约落户武高新"
CLEAN = "武高新点“绿”成金 激发清洁生产新动能"


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


def seeded(db_url: str, seeds: Path) -> None:
    code, out = run("ingest", "--db", db_url, str(seeds))
    assert code == 0, out
    store = open_store(db_url)
    try:
        with store.session.begin() as s:  # fixed keywords, independent of the summarizer's output
            s.execute(delete(KeywordDoc))  # (and no keyword evidence: related and trending read the keywords)
            s.execute(update(Article).values(keywords=[]))
            s.execute(update(Article).where(Article.title == ROBOT).values(keywords=["机器人", "武高新"]))
            s.execute(update(Article).where(Article.title == CLEAN).values(keywords=["清洁生产", "武高新"]))
    finally:
        store.dispose()


def test_search_json_and_text(db_url: str, seeds_copy: Path):
    seeded(db_url, seeds_copy)
    code, out = run("search", "--db", db_url, "--json", "机器人")
    assert code == 0, out
    data = json.loads(out)
    assert (data["total"], data["page"], data["pages"], data["page_size"]) == (2, 1, 1, 5)
    top = data["hits"][0]
    assert top["title"] == ROBOT and top["byline"] == "记者 史莲寅" and top["keywords"] == ["机器人", "武高新"]
    assert "**机器人**" in top["snippet"] and ["机器人", True] in top["snippet_parts"]
    assert data["terms"] == [{"kind": "word", "text": "机器人", "negated": False}]

    # several arguments are one query; -word passes through as an exclusion, not an option
    code, out = run("search", "--db", db_url, "--json", "武进", "-机器人", "--limit", "3", "--page", "2")
    data = json.loads(out)
    assert code == 0 and data["page"] == 2 and len(data["hits"]) == 3
    assert ROBOT not in [h["title"] for h in data["hits"]]

    code, out = run("search", "--db", db_url, "清洁生产")
    assert code == 0
    assert out.startswith("1 article matches 清洁生产 (page 1 of 1)")
    assert CLEAN.replace("清洁生产", "**清洁生产**") in out

    code, out = run("search", "--db", db_url, "#武高新", "--json")
    assert {h["title"] for h in json.loads(out)["hits"]} == {ROBOT, CLEAN}

    code, out = run("search", "--db", db_url, "没有这个词")
    assert code == 0 and out.strip() == "No articles match 没有这个词."


def test_search_errors_and_notices(db_url: str, seeds_copy: Path):
    seeded(db_url, seeds_copy)
    code, out = run("search", "--db", db_url, "--json", "***")
    assert code == 1
    error = json.loads(out)  # errors are JSON too with --json: {"error", "code", ...} on stdout
    assert error["code"] == "empty" and error["query"] == "***" and error["error"].startswith("Type one or more")
    code, out = run("search", "--db", db_url, "-钟楼")
    assert code == 1 and out.startswith("Error: Add at least one word")
    code, out = run("search", "--db", db_url, "--json", "x" * 10_000)
    assert code == 1 and json.loads(out)["params"] == {"length": 10_000, "limit": 300}
    code, out = run("search", "--db", db_url, "--json", '"清洁生产')
    assert code == 0 and json.loads(out)["notices"][0]["code"] == "unbalanced_quote"
    code, out = run("search", "--db", db_url, "--limit", "0", "武进")
    assert code == 2  # click's usage error


def test_keywords_related_reindex(db_url: str, seeds_copy: Path):
    seeded(db_url, seeds_copy)
    code, out = run("keywords", "--db", db_url, "--json", "--top", "2")
    assert code == 0
    assert json.loads(out) == {
        "top": 2,
        "since": None,
        "keywords": [{"word": "武高新", "count": 2}],  # the day's trending words: those several articles share
    }
    code, out = run("keywords", "--db", db_url, "--since", "2999-01-01")
    assert code == 0 and out.startswith("No keywords yet")
    code, out = run("keywords", "--db", db_url, "--since", "yesterday")
    assert code == 2 and "%Y-%m-%d" in out

    listing = json.loads(run("search", "--db", db_url, "--json", "机器人")[1])
    robot_id = listing["hits"][0]["id"]
    code, out = run("related", "--db", db_url, "--json", str(robot_id))
    assert code == 0
    data = json.loads(out)
    assert data["article_id"] == robot_id
    assert data["related"][0]["title"] == CLEAN and data["related"][0]["shared_keywords"] == ["武高新"]
    code, out = run("related", "--db", db_url, str(robot_id), "-n", "2")
    assert code == 0 and out.lstrip().startswith("1. **武高新**点“绿”成金") and "共同关键词: 武高新" in out
    code, out = run("related", "--db", db_url, "424242")
    assert code == 1 and "no article with id 424242" in out

    code, out = run("reindex", "--db", db_url, "--json")
    assert code == 0 and json.loads(out) == {"indexed": 15}
    assert json.loads(run("search", "--db", db_url, "--json", "机器人")[1])["hits"][0]["title"] == ROBOT
