"""How fast the Bot API stand-in answers sendMessage, so the broadcast benchmark measures the pipeline.

The stand-in runs in this process; clients run in separate processes (as the bot would), each keeping
``--concurrency`` requests in flight over keep-alive connections, posting what PTB posts for a digest: a
form with chat_id, an HTML text of ~700 characters and an inline keyboard. Two clients are measured: plain
aiohttp (the stand-in's ceiling) and PTB's own Bot (httpx), which is what the delivery pipeline uses.

    .venv/bin/python benchmarks/standin_throughput.py [--chats 10000] [--seconds 5] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import time

from bot.standin import Standin

TEXT = (
    "<b>2024年6月1日 新闻摘要</b>\n\n"
    + "\n\n".join(
        f"<b>{i}. 标题第{i}条：经济与科技</b>\n<i>记者 某某</i>\n{'这是一段摘要句子，说明新闻的主要内容。' * 3}\n#经济 #科技"
        for i in range(1, 5)
    )
    + '\n\n<a href="https://example.com/digest">阅读全文</a>'
)
MARKUP = json.dumps(
    {"inline_keyboard": [[{"text": f"阅读 {i}", "callback_data": f"article:{1000 + i}"} for i in range(4)]]},
    ensure_ascii=False,
)


def _aiohttp_client(url: str, chat_ids: list[int], seconds: float, concurrency: int, out: mp.Queue) -> None:
    import aiohttp

    async def main() -> None:
        done = 0
        errors = 0
        deadline = time.monotonic() + seconds
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def worker(k: int) -> None:
                nonlocal done, errors
                i = k
                while time.monotonic() < deadline:
                    form = {"chat_id": str(chat_ids[i % len(chat_ids)]), "text": TEXT, "parse_mode": "HTML"}
                    form["reply_markup"] = MARKUP
                    async with session.post(f"{url}/sendMessage", data=form) as resp:
                        await resp.read()
                        if resp.status == 200:
                            done += 1
                        else:
                            errors += 1
                    i += concurrency

            started = time.monotonic()
            await asyncio.gather(*(worker(k) for k in range(concurrency)))
            out.put((done, errors, time.monotonic() - started))

    asyncio.run(main())


def _ptb_client(
    base_url: str, token: str, chat_ids: list[int], seconds: float, concurrency: int, out: mp.Queue
) -> None:
    from telegram import Bot, InlineKeyboardMarkup
    from telegram.request import HTTPXRequest

    markup = InlineKeyboardMarkup.de_json(json.loads(MARKUP), None)

    async def main() -> None:
        done = 0
        errors = 0
        deadline = time.monotonic() + seconds
        request = HTTPXRequest(connection_pool_size=concurrency, pool_timeout=10, read_timeout=10)
        async with Bot(token, base_url=base_url, request=request) as bot:

            async def worker(k: int) -> None:
                nonlocal done, errors
                i = k
                while time.monotonic() < deadline:
                    try:
                        await bot.send_message(
                            chat_ids[i % len(chat_ids)], TEXT, parse_mode="HTML", reply_markup=markup
                        )
                        done += 1
                    except Exception:
                        errors += 1
                    i += concurrency

            started = time.monotonic()
            await asyncio.gather(*(worker(k) for k in range(concurrency)))
            out.put((done, errors, time.monotonic() - started))

    asyncio.run(main())


async def measure(args: argparse.Namespace) -> None:
    standin = Standin(record=True)
    started = time.perf_counter()
    users = standin.users(args.chats)
    created = time.perf_counter() - started
    print(f"created {args.chats} users with private chats in {created * 1000:.0f} ms")
    chat_ids = [u.id for u in users]
    ctx = mp.get_context("spawn")
    async with standin:
        for name, target, client_args in (
            ("aiohttp client", _aiohttp_client, (f"{standin.base_url}{standin.token}",)),
            ("PTB Bot (httpx)", _ptb_client, (standin.base_url, standin.token)),
        ):
            for processes in args.processes:
                out: mp.Queue = ctx.Queue()
                before_log = len(standin.log)
                cpu_before = time.process_time()
                workers = [
                    ctx.Process(
                        target=target, args=(*client_args, chat_ids[p::processes], args.seconds, args.concurrency, out)
                    )
                    for p in range(processes)
                ]
                for worker in workers:
                    worker.start()
                results = [await asyncio.to_thread(out.get) for _ in workers]
                for worker in workers:
                    await asyncio.to_thread(worker.join)
                done = sum(r[0] for r in results)
                errors = sum(r[1] for r in results)
                elapsed = max(r[2] for r in results)
                server_cpu = time.process_time() - cpu_before
                calls = standin.log.calls[before_log:]
                print(
                    f"{name:16s} x{processes} processes x{args.concurrency} in flight: {done / elapsed:7.0f} sendMessage/s "
                    f"({done} ok, {errors} errors in {elapsed:.1f} s; stand-in CPU {server_cpu / max(len(calls), 1) * 1e6:.0f} µs/request)"
                )
    delivered = sum(len(standin.world.chats[c].messages) for c in chat_ids)
    print(f"messages stored across {args.chats} chats: {delivered}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="client process counts to try")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
