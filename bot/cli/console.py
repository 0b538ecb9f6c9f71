"""`digestbot chat`: try the real bot offline, as a Telegram user would.

The bot runs unchanged (same Application, handlers and jobs) against the Bot API stand-in on
127.0.0.1; this console types for you and prints what the chat shows, buttons numbered so
`!3` presses the third. It works on a private copy of the SQLite store, so subscribing,
following and pushing here never touch the real chats, ledger or subscribers.

What the bot sends is printed as it arrives (a watcher on the stand-in), so a slow reply
shows up when it comes, at a terminal prompt too. Lines piped in or given by a test wait for
the bot to finish with each one (bounded by `REPLY_WAIT`) before the next is sent, so the
transcript reads in order. Reading input, cleaning it and the temp folder are in console_io.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.cli.console_io import Interrupted, clean_line, input_source, workspace
from bot.config import LoadedConfig
from bot.config.runtime import Runtime
from bot.store.db import StoreError, open_store

CONSOLE_USER_ID = 424242
REPLY_WAIT = 30.0  # piped input: the longest wait for the bot to finish with one line
HELP = (
    "输入命令（/start、/search 武进、/digest …）或直接输入文字搜索。控制台命令：\n"
    "  !N            按下按钮 N（最近一次回复里的编号）\n"
    "  :group        切换到群聊「测试群」（你是群主）    :private   回到私聊\n"
    "  :ingest 路径  把页面文件或文件夹导入控制台的副本（可以试关键词提醒）\n"
    "  :help         显示这段说明                        :quit      退出（也可以 Ctrl-C、Ctrl-D）\n"
    "Type commands or words. Console commands: !N presses button N; :group / :private switch chats; "
    ":ingest PATH ingests page files into the console's copy (try keyword alerts); :help; :quit (or Ctrl-C, Ctrl-D)."
)


def private_copy(url: str, folder: Path) -> str:
    """Copy a SQLite store (WAL included, via the backup API) and clear its chat state."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise StoreError(
            "digestbot chat runs on a private copy of a SQLite store; "
            "give it one with --db sqlite:///path/to/digestbot.sqlite3"
        )
    source = Path(parsed.database)
    target = folder / "console.sqlite3"
    if source.exists():
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        with sqlite3.connect(target) as conn:
            for table in ("deliveries", "follows", "chats", "state"):
                try:
                    conn.execute(f"DELETE FROM {table}")
                except sqlite3.OperationalError:  # an empty store without tables yet
                    break
    return f"sqlite:///{target.as_posix()}"


def banner(copy: str, admin: bool, removed: int) -> str:
    who = (
        "你是机器人的管理员（/stats、/reload、/push 可用，重新加载配置后也一样）；想以普通用户试用，请加 --not-admin。\n"
        "You are an admin of the bot (/stats, /reload, /push work, across config reloads too); "
        "start with --not-admin to try it as an ordinary user."
        if admin
        else "你是普通用户（管理员命令会被拒绝）。You are an ordinary user (admin commands are refused)."
    )
    lines = [
        "离线控制台：真实的机器人，由本机的 Telegram 替身代替 Telegram；不需要 token，也不联网。",
        f"数据是私有副本（{copy}），这里的操作不会影响真实的订阅者。退出时副本会删除。",
        "Offline console: the real bot against a local stand-in for Telegram, on a private copy of the store.",
        who,
    ]
    if removed:
        lines.append(
            f"（清理了 {removed} 个被强行结束的控制台留下的副本 / removed {removed} copies left by killed consoles）"
        )
    return "\n".join(lines) + "\n\n" + HELP + "\n"


@dataclass
class Screen:
    """What has been printed so far, and which numbered buttons are live: every button shown
    since the user's last action, numbered in the order shown."""

    out: Callable[[str], None]
    seen: dict[tuple[int, int], int] = field(default_factory=dict)  # (chat, message id) -> versions printed
    buttons: list[tuple[Any, Any]] = field(default_factory=list)  # (message, button)
    fresh_turn: bool = True

    def new_turn(self) -> None:
        self.fresh_turn = True

    def show(self, messages: list[Any], label: str = "") -> None:
        fresh = []
        for message in messages:
            if not message.from_bot or message.text is None:
                continue
            versions = 1 + len(getattr(message, "edits", []) or [])
            key = (message.chat.id, message.message_id)  # message ids count per chat
            if self.seen.get(key) == versions or getattr(message, "deleted", False):
                continue
            edited = key in self.seen
            self.seen[key] = versions
            fresh.append((message, edited))
        if not fresh:
            return
        if self.fresh_turn:
            self.buttons, self.fresh_turn = [], False
        for message, edited in fresh:
            head = label + ("🤖 (已更新 edited) " if edited else "🤖 ")
            self.out(head + message.text.replace("\n", "\n   "))
            for row in message.buttons:
                labels = []
                for button in row:
                    self.buttons.append((message, button))
                    labels.append(f"[!{len(self.buttons)}] {button.text}")
                self.out("   " + "  ".join(labels))
        self.out("")


@dataclass
class _Session:
    """The console's side of the conversation: who types, where, and what is on screen."""

    tg: Any
    app: Any
    runtime: Runtime
    me: Any
    screen: Screen
    out: Callable[[str], None]
    target: Any = None
    group: Any = None
    queries: list[Any] = field(default_factory=list)  # presses whose answer is not printed yet

    # -- what the bot sends, as it arrives -----------------------------------------------------------

    def chats(self) -> list[tuple[Any, str]]:
        here = self.group if self.target is self.group else self.me
        other = self.me if here is self.group else self.group
        found = [(here, "")]
        if other is not None:
            found.append((other, "[私聊] " if other is self.me else "[测试群] "))
        return found

    def refresh(self) -> None:
        for chat, label in self.chats():
            self.screen.show(self.tg.transcript(chat), label)
        for query in [q for q in self.queries if q.answer is not None]:
            self.queries.remove(query)
            if query.answer.text:
                self.out(f"（提示 / notice: {query.answer.text}）\n")

    async def watch(self) -> None:
        """Print new and edited bot messages whenever the stand-in's world changes."""
        from bot.standin import StandinTimeout

        seen = -1
        while True:
            with contextlib.suppress(StandinTimeout):
                await self.tg.wait_until(lambda seen=seen: self.tg.mark() != seen, timeout=3600, what="news")
            seen = self.tg.mark()
            self.refresh()

    async def wait_for_bot(self, bound: float = REPLY_WAIT) -> None:
        """Until the bot has fetched every update and finished handling it (bounded)."""
        from bot.standin import StandinTimeout

        loop = asyncio.get_running_loop()
        deadline = loop.time() + bound

        def handled() -> bool:
            return self.app.update_queue.empty() and self.app.update_processor.current_concurrent_updates == 0

        try:
            while True:
                await self.tg.settle(quiet=0.05, timeout=max(deadline - loop.time(), 0.01))
                if handled():
                    break
                await self.tg.wait_until(handled, timeout=max(deadline - loop.time(), 0.01), what="the bot")
        except StandinTimeout:
            self.out(f"（机器人 {bound:g} 秒内没有处理完，先继续 / the bot is still busy after {bound:g} s; going on）")
        self.refresh()

    # -- what the user does ----------------------------------------------------------------------------

    async def local(self, line: str) -> bool | None:
        """Handle a console command (`:…`): True when handled, None to quit, False if not one."""
        command, _, rest = line.partition(" ")
        if command in (":q", ":quit", ":exit"):
            return None
        if command == ":help":
            self.out(HELP)
        elif command == ":group":
            if self.group is None:
                self.group = self.tg.group("测试群", creator=self.me, bot=True)
            self.target = self.group
            self.out("（现在在群聊「测试群」里，你是群主 / now in a group, you are its creator）")
        elif command == ":private":
            self.target = self.me
            self.out("（回到私聊 / back to the private chat）")
        elif command == ":ingest":
            await self.ingest(rest.strip())
        else:
            return False
        return True

    async def ingest(self, path: str) -> None:
        """Ingest into the console's copy, then run the bot's tick so keyword alerts go out now."""
        from bot.corpus import ingest_paths

        if not path:
            self.out("（用法 / usage: :ingest 路径/PATH，页面文件或文件夹 / a page file or folder）")
            return
        services = self.app.bot_data["services"]
        await services.tick()  # what is stored now is not news: alerts start from here (as the bot's tick)
        report = await asyncio.to_thread(ingest_paths, self.runtime.store, self.runtime.settings, [Path(path)])
        self.out(f"（导入 / ingested: {report.summary_line()}）")
        for problem in report.errors:
            self.out(f"（跳过 / skipped {problem.path}: {problem.error}）")
        self.screen.new_turn()
        await services.tick()

    def act(self, line: str) -> bool:
        """Send what the user typed (a press, a command, text); False if nothing reaches the bot."""
        tg, me = self.tg, self.me
        press = re.fullmatch(r"!(\d+)", line)
        if press:
            n = int(press.group(1))
            if not 1 <= n <= len(self.screen.buttons):
                self.out(f"（没有按钮 !{n} / no button !{n}）")
                return False
            message, button = self.screen.buttons[n - 1]
            if button.url:  # a link opens in the browser: the console shows where it goes
                self.out(f"（链接 / link: {button.url}）\n")
                return False
            self.screen.new_turn()
            self.queries.append(tg.press_button(me, message, data=button.data))
            return True
        self.screen.new_turn()
        if self.target is self.group and line.startswith("/"):
            # as Telegram clients do in groups: address the command to this bot
            name, _, rest = line[1:].partition(" ")
            sent = tg.command(me, self.target, name.split("@")[0], rest)
        else:
            sent = tg.send_message(me, self.target, line)
        if not sent.delivered:
            self.out(
                "（在群里，机器人只收到命令、对它的回复和 @它 的消息；这句话它收不到 / in a group the bot "
                "only receives commands, replies to it and mentions of it: it does not see this）"
            )
        return sent.delivered


async def _unless_stopped(work: Any, stopping: asyncio.Event) -> tuple[bool, Any]:
    """Await `work` unless a signal asks the console to stop first: (finished, its result)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stopping.wait())
    try:
        done, _ = await asyncio.wait((task, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if task not in done:
        task.cancel()
        return False, None
    return True, task.result()


async def _converse(session: _Session, source: Any, stopping: asyncio.Event) -> None:
    while True:
        finished, raw = await _unless_stopped(source.read(), stopping)
        if not finished or raw is None:
            return
        cleaned = clean_line(raw)
        if cleaned.notice:
            session.out(cleaned.notice)
        line = cleaned.text
        if line is None:
            continue
        handled = await session.local(line)
        if handled is None:
            return
        if not handled and session.act(line) and not source.interactive:
            if not (await _unless_stopped(session.wait_for_bot(), stopping))[0]:
                return
        elif not source.interactive:
            session.refresh()


@contextlib.contextmanager
def _signals(stopping: asyncio.Event, why: list[int]) -> Any:
    """SIGINT and SIGTERM end the conversation (and so remove the copy) instead of killing it."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, lambda s=sig: (why.append(s), stopping.set()))
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def run_console(
    loaded: LoadedConfig,
    lines: Iterable[str] | None = None,
    out: Callable[[str], None] = print,
    admin: bool = True,
    temp_root: Path | None = None,
) -> int:
    """Run the bot against a stand-in and drive it from `lines` (or stdin); returns an exit code:
    0 for :quit, end of input or Ctrl-C at the prompt, 128 + the signal for SIGINT/SIGTERM."""
    from bot.standin import Standin
    from bot.telegram.app import build_application, serving

    stopping, why = asyncio.Event(), []
    with _signals(stopping, why), workspace(temp_root) as (folder, removed):
        url = private_copy(loaded.settings.storage.resolved_url(), folder)
        settings = loaded.settings.model_copy(deep=True)
        settings.storage.database_url = url
        store = open_store(url)
        try:
            async with Standin(bot_username="digestbot_console_bot", bot_name="新闻摘要") as tg:
                me = tg.user("你", username="you", id=CONSOLE_USER_ID, language_code="zh-hans")
                runtime = Runtime(LoadedConfig(settings, loaded.path), store, extra_admins=[me.id] if admin else [])
                app = build_application(runtime, tg.token, tg.base_url)
                out(banner(url.removeprefix("sqlite:///"), admin, removed))
                async with serving(app):
                    session = _Session(tg, app, runtime, me, Screen(out), out, target=me)
                    source = input_source(lines, out)
                    watcher = asyncio.create_task(session.watch())
                    try:
                        await _converse(session, source, stopping)
                    except Interrupted:
                        pass
                    finally:
                        watcher.cancel()
                        source.close()
        finally:
            store.dispose()
    return 128 + why[0] if why else 0
