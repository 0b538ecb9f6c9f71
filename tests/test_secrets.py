"""The bot token appears in no output: `digestbot run` and `digestbot push` as real processes
against the Bot API stand-in on 127.0.0.1, in every way the start can fail (401, 404, a bad
URL, nothing listening, no answer in time) and in a working run; every channel is searched:
stdout, stderr, the log file (text and JSON lines), and what the bot sent to chats."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.standin import StandinThread

SHAPED = "7000000002:AAsecretPartThatMustNeverBeShown-0123456789"
ODD = "42:not-token-shaped-but-secret"  # caught only because it is registered, not by its shape
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    log: str

    def channels(self) -> str:
        return "\n".join((self.stdout, self.stderr, self.log))


def _env(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGESTBOT_", "TELEGRAM_"))}
    env["TELEGRAM_BOT_TOKEN"] = token
    env["PYTHONPATH"] = str(ROOT)
    return env


def digestbot(tmp: Path, token: str, *args: str, timeout: float = 60) -> Outcome:
    log = tmp / f"log-{time.monotonic_ns()}.txt"
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args, "--log-file", str(log)],
        cwd=tmp,
        env=_env(token),
        capture_output=True,
        timeout=timeout,
    )
    text = log.read_bytes().decode() if log.exists() else ""
    return Outcome(proc.returncode, proc.stdout.decode(), proc.stderr.decode(), text)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _assert_clean(outcome: Outcome, token: str) -> None:
    secret = token.split(":", 1)[1]
    assert secret not in outcome.channels(), outcome
    assert "Unclosed client session" not in outcome.channels(), outcome


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "digestbot.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade", "--db", f"sqlite:///{db}"],
        cwd=tmp_path,
        env=_env(""),
        check=True,
        capture_output=True,
        timeout=60,
    )
    (tmp_path / "fast.toml").write_text("[delivery]\nrequest_timeout_seconds = 1\n", encoding="utf-8")
    return tmp_path


FAILURES = {  # mode -> (api URL template, words the one-line error must contain)
    "401": ("{standin}/bot", ["401 Unauthorized", "TELEGRAM_BOT_TOKEN"]),
    "404": ("{standin}/nothing-here/bot", ["404 Not Found", "--api-url"]),
    "bad port": ("http://127.0.0.1:99999/bot", ["not a valid URL", "99999"]),
    "bad IPv6": ("http://[::1/bot", ["not a valid URL", "IPv6"]),
    "unreachable": ("http://127.0.0.1:{free}/bot", ["could not connect", "Connection refused"]),
    "timeout": ("http://127.0.0.1:{silent}/bot", ["did not answer within 1 s", "request_timeout_seconds"]),
}


def _args(store_dir: Path, command: str, url: str, name: str) -> list[str]:
    """A store each: on SQLite a second `run` on one store refuses to start (one instance)."""
    db = f"sqlite:///{store_dir / 'data' / f'{command}-{name}.sqlite3'}"
    return [command, "--db", db, "--config", "fast.toml", "--api-url", url]


def _run_all(store_dir: Path, urls: dict[str, str]) -> dict[tuple[str, str, str, str], Outcome]:
    jobs = {}
    with ThreadPoolExecutor(6) as pool:
        for mode, url in urls.items():
            for command in ("run", "push"):
                # verbose: DEBUG logs with request URLs and tracebacks, the log file as JSON lines
                for n, token in enumerate((SHAPED, ODD) if mode == "401" else (SHAPED,)):
                    verbose = [*_args(store_dir, command, url, f"{mode}-{n}-v"), "-v", "--log-format", "json"]
                    jobs[mode, command, token, "-v"] = pool.submit(digestbot, store_dir, token, *verbose)
                jobs[mode, command, SHAPED, ""] = pool.submit(
                    digestbot, store_dir, SHAPED, *_args(store_dir, command, url, mode)
                )
        return {key: job.result() for key, job in jobs.items()}


@pytest.mark.timeout(180)
def test_no_token_in_any_output_when_the_start_fails(store_dir: Path):
    with StandinThread() as tg, socket.socket() as silent:  # tg accepts only its own token: 401
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # connections are accepted by the kernel and never answered: a timeout
        ports = {"standin": tg.standin.url, "free": _free_port(), "silent": silent.getsockname()[1]}
        results = _run_all(store_dir, {mode: url.format(**ports) for mode, (url, _) in FAILURES.items()})
    for (mode, command, token, verbose), outcome in results.items():
        where = f"{command} {verbose} ({mode})"
        _assert_clean(outcome, token)
        assert outcome.code != 0, where
        errors = [line for line in outcome.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, (where, outcome.stderr)
        assert all(word in errors[0] for word in FAILURES[mode][1]), (where, errors[0])
        for line in outcome.log.splitlines() if verbose else []:  # JSON lines (-v runs), redacted too
            assert set(json.loads(line)) >= {"time", "level", "logger", "message"}, (where, line)
        if not verbose:  # one clear line, nothing else
            assert outcome.stderr.strip() == errors[0], (where, outcome.stderr)
            assert outcome.stdout == "" and "Traceback" not in outcome.channels(), where
    assert "Traceback" in results["401", "run", SHAPED, "-v"].stderr  # -v does show it, redacted
    assert "<redacted>" in results["401", "run", SHAPED, "-v"].channels()


@pytest.mark.timeout(120)
def test_no_token_in_a_working_run_and_what_it_sends(store_dir: Path):
    """A real run: users talk to the bot, an admin asks for /stats, the config file is broken
    (the admins are told), `config` and `stats` are printed; the token is in none of it."""
    with StandinThread(token=SHAPED) as tg:
        admin = tg.user("Admin")
        config = store_dir / "bot.toml"
        config.write_text(f"[telegram]\nadmins = [{admin.id}]\n[digest]\nreload_poll_seconds = 0.5\n", encoding="utf-8")
        db = f"sqlite:///{store_dir / 'data' / 'digestbot.sqlite3'}"
        log = store_dir / "run.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "-v", "--db", db, "--config", str(config)]
            + ["--api-url", tg.base_url, "--log-file", str(log)],
            cwd=store_dir,
            env=_env(SHAPED),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            tg.wait_for_calls("getUpdates", timeout=30)
            for text in ("/start", "/subscribe", "/stats", "/settings", "/search 机器人"):
                mark = tg.mark()
                tg.send_message(admin, admin, text)
                tg.wait_for_messages(admin, since=mark, timeout=15)
            mark = tg.mark()
            config.write_text("[delivery]\nconcurrency = -1\n", encoding="utf-8")  # refused; admin told
            (told,) = tg.wait_for_messages(admin, since=mark, timeout=15)
            assert "concurrency" in told.text
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
        sent = json.dumps([call.params for call in tg.log.select()], ensure_ascii=False)
    config.write_text("", encoding="utf-8")
    shown = [digestbot(store_dir, SHAPED, cmd, "--db", db, "-v") for cmd in ("config", "stats")]
    run = Outcome(proc.returncode, out.decode(), err.decode(), log.read_text(encoding="utf-8"))
    assert "getMe" in run.log and "/bot<redacted>" in run.log  # URLs were logged, scrubbed
    assert " INFO bot.telegram.instance: digestbot running as @" in run.log
    routine = [line for line in run.log.splitlines() if "Running job" in line]  # the watch, the tick
    assert routine and all(" DEBUG apscheduler." in line for line in routine)
    for outcome in (run, *shown):
        _assert_clean(outcome, SHAPED)
    assert shown[0].code == 0 and "<set>" in shown[0].stdout
    assert SHAPED.split(":")[1] not in sent and "机器人" in sent
