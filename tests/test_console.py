"""The offline console as a newcomer meets it: nothing typed wedges it, replies show when they
come, admin rights are said and kept, every way out removes the private copy, `:ingest` feeds
keyword alerts. In-process runs for the conversation, real child processes for stdin and signals."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_harness import Env, write_page
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import console_io
from bot.cli.console import run_console
from bot.cli.console_io import MAX_LINE, clean_line, remove_stale, workspace
from bot.config import LoadedConfig, load_config
from bot.config.runtime import Runtime
from bot.telegram.handlers import searching
from bot.ui.messages import utf16_len

pytest_plugins = ["e2e_harness"]
pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[1]
# what a terminal hands over when it cuts a >4 KB paste mid-character (see test_standin_input)
CUT_LINE = ("/search " + "武进" * 2500).encode("utf-8")[:4095].decode("utf-8", "surrogateescape")


def converse(env: Env, lines, *, admin: bool = True, config: Path | None = None, tmp: Path | None = None) -> str:
    out: list[str] = []
    loaded = LoadedConfig(env.settings, config)
    coro = run_console(loaded, lines, out.append, admin=admin, temp_root=tmp)
    assert asyncio.run(asyncio.wait_for(coro, 90)) == 0
    return "\n".join(out)


def after(text: str, typed: str) -> str:
    """What the console printed after the user typed `typed`, up to the next prompt."""
    return text.split(f"你> {typed}\n", 1)[1].split("你> ", 1)[0]


# -- 12.1: input that cannot be sent -----------------------------------------------------------------


@given(st.text(max_size=300) | st.text(max_size=5000).map(lambda s: s * 2))
def test_clean_line_only_ever_passes_sendable_text(raw: str) -> None:
    cleaned = clean_line(raw)
    if cleaned.text is not None:
        cleaned.text.encode("utf-8")  # never a lone surrogate
        assert utf16_len(cleaned.text) <= MAX_LINE and cleaned.text == cleaned.text.strip()
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", cleaned.text)
    else:
        assert not raw.strip() or cleaned.notice  # refused only with the reason, or nothing typed


def test_the_cut_paste_from_the_issue_and_other_odd_lines_never_wedge_the_console(env: Env) -> None:
    too_long = "/search " + "武进" * 2500
    odd = [
        CUT_LINE,
        too_long,
        "\ud800",
        "\x00/start\x07",
        "\u200b\u202e",
        "🧪" * 2100,  # 4200 UTF-16 units
        "/",
        "/@",
        "/start@another_bot",
        "!0",
        "!-1",
        ":ingest",
        "   ",
        "\udcff武进",
    ]
    text = converse(env, [*odd, "/start"])
    assert "去掉了 1 个无法发送的字符" in after(text, CUT_LINE)  # the stray byte of a cut character
    assert "查询太长了" in after(text, CUT_LINE)  # ... and the rest was searched: the bot's own limit
    assert f"这一行有 {len(too_long)} 个字符，超过 Telegram 单条消息的上限 4096，没有发送" in after(text, too_long)
    assert "上限 4096，没有发送" in after(text, "🧪" * 2100)
    assert "🔍 <b>" not in text and "Traceback" not in text
    assert "🤖 👋 你好！我是新闻摘要机器人" in after(text, "/start")  # still answering after all of it
    assert "（用法 / usage: :ingest" in text


# -- 12.2: replies as they arrive ------------------------------------------------------------------------


def test_a_slow_reply_is_shown_when_it_comes_and_silence_in_a_group_does_not_block(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = searching.search_message

    def slow(*args, **kwargs):
        time.sleep(2.0)  # the first search of a cold process loads jieba's dictionary for ~2 s
        return real(*args, **kwargs)

    monkeypatch.setattr(searching, "search_message", slow)
    started = time.monotonic()
    text = converse(env, ["/search 机器人", ":group", "大家好", "/start", ":quit"])
    assert "🤖 🔍 机器人 · 共 " in after(text, "/search 机器人")
    assert "这句话它收不到" in after(text, "大家好")  # said at once, instead of waiting for a reply
    assert "🤖 👋 你好" in after(text, "/start")
    assert time.monotonic() - started < 60  # the old console waited 60 s for the group's silence


def run_cli(args: list[str], stdin: str, env: Env, tmp: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp,
        env=child_env(env, tmp),
    )


def child_env(env: Env, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DIGESTBOT_DATABASE_URL": env.settings.storage.database_url,
        "TMPDIR": str(tmp),
        "PYTHONPATH": str(ROOT),
    }


def test_piped_input_prints_the_reply_to_each_line_in_order(env: Env, tmp_path: Path) -> None:
    """`printf '/keywords\\n!1\\n' | digestbot chat`: the press's search result is printed."""
    done = run_cli(["chat"], "/keywords\n!1\n", env, tmp_path)
    assert done.returncode == 0, done.stderr
    pressed = after(done.stdout, "!1")
    keyword = re.search(r"\[!1\] (\S+) \(\d+\)", done.stdout)[1]
    assert f"🤖 🔍 {keyword} · 共 " in pressed, done.stdout
    assert not list(tmp_path.glob("digestbot-chat-*"))  # the copy is gone


# -- 12.3: admin, said and kept --------------------------------------------------------------------------


def test_the_console_says_you_are_an_admin_and_you_stay_one_across_reloads(env: Env, tmp_path: Path) -> None:
    config = tmp_path / "digestbot.toml"
    url = env.settings.storage.database_url
    config.write_text(f'[storage]\ndatabase_url = "{url}"\n[telegram]\nadmins = [1]\n', "utf-8")

    def lines() -> Iterator[str]:
        yield "/stats"
        config.write_text(f'[storage]\ndatabase_url = "{url}"\n[telegram]\nadmins = [2, 3]\n', "utf-8")
        yield "/reload"
        yield "/stats"

    text = converse(env, lines(), config=config)
    assert "你是机器人的管理员" in text and "--not-admin" in text
    assert "已更新：telegram.admins" in after(text, "/reload")
    assert text.count("📊 运行统计") == 2 and "只对管理员开放" not in text
    assert "你是普通用户" in converse(env, [], admin=False)


def test_extra_admins_survive_every_reload(env: Env, tmp_path: Path) -> None:
    config = tmp_path / "digestbot.toml"
    config.write_text("[telegram]\nadmins = [1]\n", "utf-8")
    runtime = Runtime(load_config(config), env.store, extra_admins=[7])
    assert runtime.is_admin(7) and runtime.is_admin(1) and runtime.admins == [1, 7]
    config.write_text("[telegram]\nadmins = [2]\n", "utf-8")
    assert runtime.reload().ok
    assert runtime.is_admin(7) and runtime.is_admin(2) and not runtime.is_admin(1) and runtime.admins == [2, 7]
    config.write_text("[telegram]\nadmins = 'not a list'\n", "utf-8")
    assert not runtime.reload().ok and runtime.is_admin(7)


# -- 12.4: every way out removes the copy ------------------------------------------------------------------


def start_console(env: Env, tmp: Path) -> tuple[subprocess.Popen, Path]:
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp,
        env=child_env(env, tmp),
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    while "console.sqlite3" not in line:
        assert line, child.stderr.read() if child.stderr else "no output"
        line = child.stdout.readline()
    copy = Path(re.search(r"（(\S+console\.sqlite3)）", line)[1])
    assert copy.exists()
    return child, copy.parent


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_ends_the_console_at_once_and_removes_its_copy(env: Env, tmp_path: Path, sig: int) -> None:
    child, folder = start_console(env, tmp_path)
    try:
        child.send_signal(sig)  # stdin stays open: nothing else would end it
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 128 + sig
    assert not folder.exists() and "Aborted" not in out + err and "Traceback" not in err


def test_the_copy_of_a_killed_console_is_removed_by_the_next_one(env: Env, tmp_path: Path) -> None:
    child, folder = start_console(env, tmp_path)
    child.kill()  # SIGKILL: no cleanup can run
    child.communicate(timeout=30)
    assert folder.exists()
    with workspace(tmp_path) as (mine, removed):
        assert removed == 1 and not folder.exists() and mine.exists()
        # a console that is running is never touched, however old its folder is
        old = time.time() - 10 * console_io.STALE_UNLOCKED_SECONDS
        os.utime(mine, (old, old))
        assert remove_stale(tmp_path) == 0 and mine.exists()
    assert not mine.exists()


def test_a_folder_without_a_lock_is_removed_only_when_old(tmp_path: Path) -> None:
    young = tmp_path / "digestbot-chat-young"
    old = tmp_path / "digestbot-chat-old"
    other = tmp_path / "not-a-console"
    for folder in (young, old, other):
        folder.mkdir()
    past = time.time() - 2 * console_io.STALE_UNLOCKED_SECONDS
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    assert remove_stale(tmp_path) == 1
    assert young.exists() and not old.exists() and other.exists()
    # a lock held by another open file (another console) keeps it
    locked = tmp_path / "digestbot-chat-locked"
    locked.mkdir()
    with open(locked / console_io.LOCK_NAME, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert remove_stale(tmp_path) == 0 and locked.exists()
    assert remove_stale(tmp_path) == 1 and not locked.exists()


# -- 12.5: :ingest and :help -------------------------------------------------------------------------------


def test_ingest_feeds_the_console_copy_and_keyword_alerts(env: Env, tmp_path: Path) -> None:
    page = write_page(
        tmp_path / "pages",
        "panda.txt",
        "熊猫馆新添两只幼崽\n\n本报讯 (记者 王小明) 昨天,动物园熊猫馆迎来两只熊猫幼崽,"
        "饲养员介绍,幼崽体重正常,精神状态良好。\n\n动物园表示,幼崽将在满月后与游客见面。\n",
    )
    text = converse(env, [":help", "/follow 熊猫", f":ingest {page}", f":ingest {tmp_path / 'missing'}"])
    assert ":ingest 路径" in after(text, ":help") and ":group" in after(text, ":help")
    ingested = after(text, f":ingest {page}")
    assert "（导入 / ingested: 1 files: 1 new" in ingested
    assert "🤖 🔔 关注词「熊猫」有新文章：" in ingested and "熊猫馆新添两只幼崽" in ingested
    assert "跳过 / skipped" in after(text, f":ingest {tmp_path / 'missing'}")
    with env.store.session() as s:  # the real store is untouched
        from sqlalchemy import func, select

        from bot.store.models import Article

        assert s.scalar(select(func.count()).select_from(Article).where(Article.title.like("%熊猫%"))) == 0


def test_ctrl_c_at_the_terminal_prompt_leaves_at_once(env: Env, tmp_path: Path) -> None:
    """In a terminal (a pseudo-terminal here): Ctrl-C at the prompt ends the console without
    waiting for Enter, without "Aborted!", and the copy is gone."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the console on the pseudo-terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "chat"], child_env(env, tmp_path))
    seen = b""

    def read_until(marker: bytes, seconds: float) -> bool:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child closed the terminal
                    return marker in seen
                if not chunk:
                    return marker in seen
                seen += chunk
                if marker in seen:
                    return True
        return marker in seen

    try:
        assert read_until("你>".encode(), 60), seen.decode("utf-8", "replace")
        folder = Path(re.search(r"（(\S+)/console\.sqlite3）", seen.decode("utf-8", "replace"))[1])
        assert folder.exists()
        os.write(fd, b"\x03")  # Ctrl-C, and no Enter after it
        read_until(b"\x00never", 20)  # returns as soon as the console closes the terminal
        deadline, status = time.monotonic() + 10, None
        while status is None and time.monotonic() < deadline:
            done, code = os.waitpid(pid, os.WNOHANG)
            status = code if done else None
            time.sleep(0.05)
        assert status is not None, "the console was still running after Ctrl-C"
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"Aborted" not in seen and b"Traceback" not in seen and not folder.exists()
