"""`digestbot sources`, `digestbot fetch [NAME]` and the article JSON's url/source_name, against a
local site; config errors for sources name the key and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sources_fixtures import STORIES, rss, story_entry
from sources_site import Site

from bot.cli import main
from bot.config import ConfigError, load_config


@pytest.fixture
def site():
    with Site() as s:
        yield s


def write_config(tmp_path: Path, db_url: str, sources: str) -> Path:
    path = tmp_path / "digestbot.toml"
    path.write_text(f'[storage]\ndatabase_url = "{db_url}"\n\n{sources}', encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str]:
    """Exit code and what was printed; with --json only stdout (log lines go to stderr)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout if "--json" in args else result.output


def test_fetch_then_sources_then_show(db_url: str, tmp_path: Path, site: Site):
    site.page("/rss", rss([story_entry("kiln", site.url("/a/kiln"))]), "application/rss+xml")
    sources = (
        f'[[sources]]\nname = "city"\nkind = "feed"\nurl = "{site.url("/rss")}"\nevery = "1h"\n\n'
        f'[[sources]]\nname = "gone"\nkind = "feed"\nurl = "{site.url("/nothing")}"\n'
    )
    config = str(write_config(tmp_path, db_url, sources))
    code, out = cli("sources", "--config", config)
    assert code == 0 and "city" in out and "never" in out

    code, out = cli("fetch", "city", "--config", config)
    assert code == 0 and out.startswith("city: ok") and "1 new" in out
    code, out = cli("fetch", "--config", config, "--json")
    assert code == 1  # a source failed
    outcomes = json.loads(out)
    assert outcomes["city"]["new"] == 0 and outcomes["gone"]["status"] == "http_error"

    code, out = cli("sources", "--config", config, "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["city"]["status"] == "ok" and rows["city"]["total_new"] == 1 and rows["city"]["polls"] == 2
    assert rows["gone"]["failures"] == 1 and "404" in rows["gone"]["detail"] and rows["gone"]["backoff_until"]
    assert rows["city"]["next_poll"] and rows["city"]["every"] == "1h"
    code, out = cli("sources", "--config", config)
    assert "http_error ×1" in out and "HTTP 404" in out

    code, out = cli("articles", "--config", config, "--json")
    [item] = json.loads(out)
    assert item["url"] == site.url("/a/kiln") and item["source_name"] == "city" and item["duplicate_of"] is None
    code, out = cli("show", str(item["id"]), "--config", config, "--json")
    shown = json.loads(out)
    assert shown["title"] == STORIES["kiln"][0] and shown["url"] == site.url("/a/kiln")
    assert {"id", "source", "blocks", "summary", "keywords"} <= set(shown)  # the old keys stay

    code, out = cli("fetch", "nosuch", "--config", config)
    assert code != 0 and "no source named 'nosuch'" in out and "city, gone" in out


@pytest.mark.parametrize(
    "table, expected",
    [
        (
            'name = "x"\nkind = "rss"\nurl = "https://a.example/f"',
            "sources[0].kind = 'rss': allowed: 'feed', 'page' or 'inbox'",
        ),
        ('name = "x"\nkind = "feed"\nurl = "file:///etc/passwd"', "is not an http:// or https:// URL"),
        ('name = "x"\nkind = "feed"', "a feed takes exactly one url"),
        ('name = "x"\nkind = "inbox"', "kind = 'inbox' needs path"),
        ('name = "x"\nkind = "inbox"\npath = "in"\nurl = "https://a.example/"', "an inbox takes path"),
        ('name = "x"\nkind = "feed"\nurl = "https://a.example/f"\nevery = "5s"', "more often than once a minute"),
        ('name = "x"\nkind = "feed"\nurl = "https://a.example/f"\nevery = "soon"', "neither an interval"),
        ('name = "x"\nkind = "feed"\nurl = "https://a.example/f"\nmax_items = 0', "sources[0].max_items = 0"),
        ('name = "a b"\nkind = "feed"\nurl = "https://a.example/f"', "sources[0].name = 'a b'"),
        ('name = "x"\nkind = "feed"\nurl = "https://a.example/f"\nlanguage = "中文"', "sources[0].language"),
    ],
)
def test_bad_sources_are_refused_with_the_reason(tmp_path: Path, table: str, expected: str):
    path = tmp_path / "c.toml"
    path.write_text(f"[[sources]]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert expected in str(info.value)


def test_source_names_are_unique(tmp_path: Path):
    path = tmp_path / "c.toml"
    one = '[[sources]]\nname = "x"\nkind = "feed"\nurl = "https://a.example/f"\n'
    path.write_text(one + one, encoding="utf-8")
    with pytest.raises(ConfigError, match="source names must be unique; repeated: x"):
        load_config(path, env={})
