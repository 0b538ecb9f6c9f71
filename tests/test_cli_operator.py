"""What operators and scripts meet at the command line: one spelling of `Error:`, JSON errors
with `--json`, global options before the subcommand, `--log-format json`, routine library
lines at DEBUG, a closed pipe, and search words that look like options or are not UTF-8."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import load_config
from bot.config.runtime import Runtime
from bot.ops.logs import configure
from bot.store.db import open_store
from bot.telegram.handlers.searching import search_message
from bot.telegram.request import _encode

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("DIGESTBOT_", "TELEGRAM_"))}
    e["PYTHONPATH"] = str(ROOT)
    return e


@pytest.fixture
def seeded(db_url: str) -> str:
    code, out, err = run("ingest", "--db", db_url, str(SEEDS))
    assert code == 0, err
    return db_url


def test_global_options_work_before_the_subcommand_and_after_it_wins(seeded: str, tmp_path: Path):
    code, out, _ = run("--db", seeded, "articles", "--json")
    assert code == 0 and len(json.loads(out)) == 15
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    code, out, _ = run("--db", seeded, "articles", "--db", other)
    assert code == 0 and out.startswith("No articles yet")
    bad = tmp_path / "bad.toml"
    bad.write_text("[delivery]\nconcurrency = true\n", encoding="utf-8")
    code, _, err = run("--config", str(bad), "-v", "articles")
    assert code == 1 and err == f"Error: {bad}: delivery.concurrency = true: must be a number, not true or false\n"


def test_with_json_errors_are_json_on_stdout(seeded: str, tmp_path: Path):
    code, out, err = run("show", "999", "--db", seeded, "--json")
    assert (code, json.loads(out), err) == (
        1,
        {"error": "no article with id 999 (list them with: digestbot articles)", "code": "not_found"},
        "",
    )
    code, out, _ = run("show", "--json", "--db", seeded)  # a usage error, found while parsing
    assert code == 2 and json.loads(out) == {"error": "Missing argument 'ARTICLE_ID'.", "code": "usage"}
    (tmp_path / "bad.toml").write_text("[digest\n", encoding="utf-8")
    code, out, _ = run("stats", "--json", "--config", str(tmp_path / "bad.toml"))
    assert code == 1 and json.loads(out)["code"] == "config" and "not valid TOML" in json.loads(out)["error"]
    code, out, _ = run("push", "--json", "--db", seeded)
    assert code == 1 and json.loads(out)["code"] == "no_token"
    code, out, _ = run("show", "999", "--db", seeded)
    assert code == 1 and out == ""  # without --json: the Error: line on stderr, nothing on stdout


@pytest.mark.parametrize("args", [("articles",), ("articles", "--json"), ("search", "武进")])
def test_a_closed_pipe_ends_the_command_quietly(seeded: str, args: tuple[str, ...]):
    """`digestbot articles | head -3`, with the reader gone before the first line (so every
    write fails, whatever the timing): no BrokenPipeError, no "Exception ignored", status 1."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args, "--db", seeded],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env(),
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr.decode()) == (1, "")


def test_log_format_json_gives_one_object_per_line(db_url: str):
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "-v", "--log-format", "json", "ingest", "--db", db_url, str(SEEDS)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stderr.splitlines()]
    assert records and all(set(r) >= {"time", "level", "logger", "message"} for r in records)
    assert {"logger": "bot.corpus.service", "level": "INFO"}.items() <= next(
        r for r in records if r["message"].startswith("ingest: 5 files")
    ).items()


def test_routine_library_lines_are_debug(capsys):
    routine = logging.getLogger("apscheduler.executors.default")
    configure(logging.INFO)
    routine.info('Running job "check_config" (trigger: interval[0:00:05])')
    logging.getLogger("bot.telegram.app").info("edition morning 2024-12-01: 3 planned")
    assert capsys.readouterr().err == "INFO bot.telegram.app: edition morning 2024-12-01: 3 planned\n"
    configure(logging.DEBUG)
    routine.info('Running job "check_config"')
    assert capsys.readouterr().err == 'DEBUG apscheduler.executors.default: Running job "check_config"\n'
    configure(logging.WARNING)


def test_search_words_after_double_dash_are_query_text(seeded: str):
    for word in ("-v", "-h", "--json"):
        code, out, _ = run("search", "--db", seeded, "--json", "--", word)
        error = json.loads(out)
        assert code == 1 and error["query"] == word and error["code"] == "only_exclusions"
    code, out, _ = run("search", "--db", seeded, "--", "-v", "机器人")
    assert code == 0 and out.startswith("2 articles match -v 机器人")


@pytest.mark.parametrize("raw", [b"\xed\xa0\x80", "机器人".encode() + b"\xff", b"\xff\xfe -\xc3"])
def test_search_arguments_that_are_not_utf8(seeded: str, raw: bytes):
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"bot.cli", b"search", b"--db", seeded.encode(), raw],
        capture_output=True,
        env=env(),
        timeout=60,
    )
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")  # strict: valid UTF-8
    assert "unexpected" not in err and "Traceback" not in err
    if raw.startswith("机器人".encode()):
        assert proc.returncode == 0 and out.startswith("2 articles match 机器人\ufffd")
    else:
        assert proc.returncode == 1 and err.startswith("Error: ")


@pytest.mark.parametrize("query", ["\ud800", "机器人\udfff", "\udcff\udcfe", "a\ud83d"])
def test_lone_surrogates_are_searched_from_the_cli_and_the_bot(seeded: str, query: str):
    code, out, err = run("search", "--db", seeded, "--json", query)
    assert "unexpected" not in out + err
    doc = json.loads(out)
    assert "\ufffd" in doc["query"] or doc["query"] == query.replace(query, doc["query"])
    runtime = Runtime(load_config(None, env={}), open_store(seeded))
    try:
        message = search_message(runtime, "zh", query, 1)  # what /search and plain text run
    finally:
        runtime.store.dispose()
    body = json.loads(_encode({"chat_id": 1, "text": message.text}))
    assert body["text"] and all(not 0xD800 <= ord(ch) <= 0xDFFF for ch in body["text"])
