"""`digestbot chat`: try the real bot offline, as a Telegram user would.

The bot runs unchanged (same Application, handlers and jobs) against the Bot API stand-in on
127.0.0.1; this console types for you and prints what the chat shows, buttons numbered so
`!3` presses the third. It works on a private copy of the SQLite store, so subscribing,
following and pushing here never touch the real chats, ledger or subscribers.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.config import LoadedConfig
from bot.db import StoreError, open_store
from bot.runtime import Runtime

CONSOLE_USER_ID = 424242
HELP = (
    "输入命令（/start、/search 武进、/digest …）或直接输入文字搜索；!数字 按按钮；"
    ":group 切换到群聊，:private 切回私聊；:quit 退出。\n"
    "Type commands or words; !N presses button N; :group / :private switch chats; :quit leaves."
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


@dataclass
class Screen:
    """What has been printed so far, and which numbered buttons are live."""

    out: Callable[[str], None]
    seen: dict[tuple[int, int], int] = field(default_factory=dict)  # (chat, message id) -> versions printed
    buttons: list[tuple[Any, Any]] = field(default_factory=list)  # (message, button)

    def show(self, messages: list[Any]) -> None:
        fresh = []
        for message in messages:
            if not message.from_bot:
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
        self.buttons = []
        for message, edited in fresh:
            self.out(("🤖 (已更新 edited) " if edited else "🤖 ") + message.text.replace("\n", "\n   "))
            for row in message.buttons:
                labels = []
                for button in row:
                    self.buttons.append((message, button))
                    labels.append(f"[!{len(self.buttons)}] {button.text}")
                self.out("   " + "  ".join(labels))
        self.out("")


async def _await_reply(tg: Any, chat: Any, mark: int, query: Any, timeout: float = 60.0) -> None:
    """Wait for the bot's answer to one action: a new or edited message, or a button answer;
    then for the chat to go quiet (a reply can come in several messages)."""
    from bot.standin import StandinTimeout

    def answered() -> bool:
        if query is not None and query.answer is not None:
            return True
        return any(m.from_bot and (m.seq > mark or m.edit_seq > mark) for m in tg.transcript(chat))

    try:
        await tg.wait_until(answered, timeout=timeout, what="the bot's reply")
    except StandinTimeout:
        pass
    await tg.settle(quiet=0.3, timeout=timeout)


async def run_console(
    loaded: LoadedConfig, lines: Iterable[str] | None = None, out: Callable[[str], None] = print, admin: bool = True
) -> int:
    """Run the bot against a stand-in and drive it from `lines` (or stdin); returns an exit code."""
    from bot.standin import Standin
    from bot.telegram.app import build_application, serving

    with tempfile.TemporaryDirectory(prefix="digestbot-chat-") as folder:
        url = private_copy(loaded.settings.storage.resolved_url(), Path(folder))
        settings = loaded.settings.model_copy(deep=True)
        settings.storage.database_url = url
        store = open_store(url)
        try:
            async with Standin(bot_username="digestbot_console_bot", bot_name="新闻摘要") as tg:
                me = tg.user("你", username="you", id=CONSOLE_USER_ID, language_code="zh-hans")
                if admin:
                    settings.telegram.admins = [*settings.telegram.admins, me.id]
                runtime = Runtime(LoadedConfig(settings, loaded.path), store)
                app = build_application(runtime, tg.token, tg.base_url)
                group = None
                target: Any = me
                screen = Screen(out)
                out(HELP + "\n")
                async with serving(app):
                    source = iter(lines) if lines is not None else None
                    while True:
                        if source is None:
                            try:
                                line = await asyncio.to_thread(input, "你> ")
                            except EOFError:
                                break
                        else:
                            line = next(source, None)
                            if line is None:
                                break
                            out(f"你> {line}")
                        line = line.strip()
                        if not line:
                            continue
                        if line in (":q", ":quit", ":exit"):
                            break
                        if line == ":help":
                            out(HELP)
                            continue
                        if line == ":group":
                            if group is None:
                                group = tg.group("测试群", creator=me, bot=True)
                            target = group
                            out("（现在在群聊「测试群」里，你是群主 / now in a group, you are its creator）")
                            continue
                        if line == ":private":
                            target = me
                            out("（回到私聊 / back to the private chat）")
                            continue
                        press = re.fullmatch(r"!(\d+)", line)
                        mark, query = tg.mark(), None
                        if press:
                            n = int(press.group(1))
                            if not 1 <= n <= len(screen.buttons):
                                out(f"（没有按钮 !{n} / no button !{n}）")
                                continue
                            message, button = screen.buttons[n - 1]
                            query = tg.press_button(me, message, data=button.data)
                        elif target is group and line.startswith("/"):
                            # as Telegram clients do in groups: address the command to this bot
                            name, _, rest = line[1:].partition(" ")
                            tg.command(me, target, name.split("@")[0], rest)
                        else:
                            tg.send_message(me, target, line)
                        await _await_reply(tg, target, mark, query)
                        screen.show(tg.transcript(target))
                        if query is not None and query.answer is not None and query.answer.text:
                            out(f"（提示 / notice: {query.answer.text}）\n")
                    return 0
        finally:
            store.dispose()
            shutil.rmtree(folder, ignore_errors=True)
