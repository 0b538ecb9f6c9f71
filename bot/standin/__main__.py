"""``python -m bot.standin --port 8081``: run the stand-in alone, with a few demo users and a group.

Any Bot API client can be pointed at the printed base URL (for PTB: ``base_url=...``, for digestbot:
``--api-url ...``); act as the demo users through the /standin/ control routes (see control.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.standin.server import DEFAULT_TOKEN, HOST, Standin


def _populate(standin: Standin) -> None:
    alice = standin.user("Alice", username="alice", language_code="zh-hans", id=100000001)
    bob = standin.user("Bob", username="bob", language_code="en", id=100000002)
    carol = standin.user("Carol", username="carol", id=100000003)
    standin.group("读书会", creator=alice, admins=[bob], members=[carol])


async def _serve(args: argparse.Namespace) -> None:
    standin = Standin(token=args.token, port=args.port, bot_username=args.bot_username)
    if not args.empty:
        _populate(standin)
    async with standin:
        print(f"Bot API stand-in listening on {standin.url}", flush=True)
        print(f"  base_url: {standin.base_url}", flush=True)
        print(f"  token:    {standin.token}", flush=True)
        for user in standin.world.users.values():
            if not user.is_bot:
                print(f"  user {user.id} {user.first_name}", flush=True)
        for chat in standin.world.chats.values():
            if chat.type != "private":
                print(f"  {chat.type} {chat.id} {chat.title}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    print("stand-in stopped", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.standin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8081, help="TCP port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the only token the stand-in accepts")
    parser.add_argument("--bot-username", default="digest_standin_bot")
    parser.add_argument("--empty", action="store_true", help="start without demo users and group")
    parser.add_argument("--host", default=HOST, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.host != HOST:
        parser.error("the stand-in only binds 127.0.0.1")
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
