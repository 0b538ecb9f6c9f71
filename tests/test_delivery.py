"""Delivery over real HTTP against the Bot API stand-in: exactly once, at Telegram's pace,
every fault handled (429, 403, migration, timeouts, bad requests), crashes and restarts."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update
from telegram import Bot

from bot.config import DeliverySettings
from bot.delivery import ledger
from bot.delivery.pacing import Limits, Pacer
from bot.standin.ptb import run_with_standin
from bot.store.models import Chat, Delivery
from bot.telegram.broadcaster import Broadcaster, BroadcastStats
from bot.telegram.request import AiohttpRequest
from bot.ui.messages import LIMIT, visible_len

KEY = "2026-11-21"


def fast(**overrides) -> DeliverySettings:
    values = dict(
        request_timeout_seconds=1.0,
        retry_backoff_seconds=0.05,
        max_retries=2,
        max_retry_after_seconds=5,
        lease_seconds=2,
        concurrency=16,
        global_per_second=1000,
        per_chat_per_second=1000,
        group_per_minute=60000,
    )
    values.update(overrides)
    return DeliverySettings(**values)


def add_chats(store, chats, type_="private") -> dict[int, int]:
    """Subscribe stand-in chats in the store; returns telegram id -> chat pk."""
    with store.session.begin() as s:
        s.execute(
            insert(Chat),
            [{"telegram_id": c.id, "type": type_, "subscribed": True, "digests_enabled": True} for c in chats],
        )
        rows = s.execute(select(Chat.telegram_id, Chat.id)).all()
    return {tid: pk for tid, pk in rows}


def plan_for(store, pks, parts: list[str] | None = None, edition="morning", key=KEY, cursor=7) -> None:
    parts = parts or ["<b>今日摘要</b>\n正文。"]
    payload = {
        "messages": [{"text": p, "buttons": [[{"text": "1 查看", "callback_data": "a:1"}]]} for p in parts],
        "cursor": cursor,
    }
    with store.session.begin() as s:
        ledger.plan(s, edition, key, [(pk, payload) for pk in pks])


async def deliver(store, tg, settings=None, edition=None, limits=None, owner=None) -> BroadcastStats:
    bot = Bot(tg.token, base_url=tg.base_url, request=AiohttpRequest(read_timeout=1.0, connect_timeout=1.0))
    async with bot:
        broadcaster = Broadcaster(store, bot, settings or fast(), limits=limits, owner=owner)
        try:
            return await broadcaster.run(edition)
        finally:
            await broadcaster.close()


def got(tg, chat) -> list[str]:
    return [m.text for m in tg.bot_messages(chat)]


def statuses(store) -> dict[str, int]:
    with store.session() as s:
        return ledger.status_counts(s)


def counter(store, name) -> int:
    with store.session() as s:
        return int(ledger.counters(s, name).get(name, 0))


def test_every_chat_gets_exactly_one_and_a_rerun_sends_nothing(store):
    async def scenario(tg):
        users = tg.users(25)
        plan_for(store, add_chats(store, users).values())
        stats = await deliver(store, tg)
        again = await deliver(store, tg)
        return users, stats, again

    users, stats, again = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 25} and again.outcomes == {}
    assert statuses(store) == {"sent": 25}
    assert counter(store, "delivery.digests_sent") == 25
    with store.session() as s:
        assert set(s.scalars(select(Chat.digest_cursor))) == {7}  # the cursor moved with the delivery
        assert all(len(d.message_ids) == 1 for d in s.scalars(select(Delivery)))


def test_planning_twice_never_makes_a_second_row(store):
    async def scenario(tg):
        pks = add_chats(store, tg.users(5)).values()
        plan_for(store, pks)
        plan_for(store, pks)  # a restart, a second instance, a catch-up: same (chat, edition, day)
        plan_for(store, pks, key="2026-11-22")  # the next day is a new row
        return await deliver(store, tg)

    stats = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 10}
    with store.session() as s:
        rows = s.execute(select(Delivery.chat_id, Delivery.key)).all()
    assert len(rows) == len(set(rows)) == 10


def test_two_senders_at_once_never_duplicate(store):
    async def scenario(tg):
        users = tg.users(40)
        plan_for(store, add_chats(store, users).values())
        tg.faults.latency(0.01, method="sendMessage")
        a, b = await asyncio.gather(deliver(store, tg, owner="a"), deliver(store, tg, owner="b"))
        return a, b, [len(got(tg, u)) for u in users]

    a, b, counts = run_with_standin(scenario)
    assert counts == [1] * 40
    assert a.outcomes["sent"] + b.outcomes["sent"] == 40 and statuses(store) == {"sent": 40}


def _crash_scenario(store, graceful: bool):
    async def scenario(tg):
        users = tg.users(60)
        plan_for(store, add_chats(store, users).values())
        tg.faults.latency(0.05, method="sendMessage")
        settings = fast(concurrency=8)
        bot = Bot(tg.token, base_url=tg.base_url, request=AiohttpRequest(read_timeout=1.0))
        await bot.initialize()
        first = Broadcaster(store, bot, settings, owner="dies")
        task = asyncio.create_task(first.run())
        await tg.wait_until(lambda: len(tg.log.select("sendMessage", ok=True)) >= 20, timeout=20, what="20 sends")
        if graceful:
            first.stop()
            stopped = await task
        else:
            task.cancel()  # the process dies: nothing is released, in-flight sends are cut off
            with pytest.raises(asyncio.CancelledError):
                await task
            stopped = None
        await asyncio.to_thread(first.writer.close)
        await bot.shutdown()
        before = {u.id: len(got(tg, u)) for u in users}
        await asyncio.sleep(2.2)  # the dead sender's lease (2 s) runs out
        tg.faults.clear()
        second = await deliver(store, tg, settings)
        after = {u.id: len(got(tg, u)) for u in users}
        return stopped, second, before, after

    return run_with_standin(scenario, timeout=60)


def test_graceful_stop_then_restart_delivers_exactly_once(store):
    stopped, second, before, after = _crash_scenario(store, graceful=True)
    assert stopped.outcomes.get("stopped", 0) + stopped.outcomes.get("sent", 0) > 0
    assert set(after.values()) == {1}  # every chat exactly one: nothing lost, nothing twice
    assert "uncertain" not in statuses(store)


def test_crash_mid_broadcast_never_sends_a_second_copy(store):
    _, second, before, after = _crash_scenario(store, graceful=False)
    assert max(after.values()) == 1  # no chat ever holds two
    state = statuses(store)
    missing = [cid for cid, n in after.items() if n == 0]
    # a chat left without its digest was in flight when the sender died: recorded as uncertain
    assert len(missing) <= state.get("uncertain", 0)
    assert state.get("sent", 0) + state.get("uncertain", 0) == 60
    assert counter(store, "delivery.uncertain") == state.get("uncertain", 0)


def test_crash_with_resend_uncertain_is_at_least_once(store):
    async def scenario(tg):
        users = tg.users(3)
        pks = add_chats(store, users)
        plan_for(store, pks.values())
        # a row left `sending` by a dead sender whose lease ran out
        past = datetime.now(UTC) - timedelta(seconds=5)
        with store.session.begin() as s:
            s.execute(
                update(Delivery)
                .where(Delivery.chat_id == pks[users[0].id])
                .values(status="sending", claimed_by="dead", claimed_until=past)
            )
        return users, await deliver(store, tg, fast(resend_uncertain=True))

    users, stats = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 3}
    assert counter(store, "delivery.uncertain_resent") == 1


def test_retry_after_waits_for_that_chat_only(store):
    async def scenario(tg):
        users = tg.users(10)
        plan_for(store, add_chats(store, users).values())
        tg.faults.retry_after(1, chat=users[0], method="sendMessage")
        stats = await deliver(store, tg)
        ok = tg.log.select("sendMessage", ok=True)
        first_ok = {c.chat_id: c.end for c in ok}
        return users, stats, first_ok

    users, stats, first_ok = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 10}
    waited = first_ok[users[0].id]
    others = [t for cid, t in first_ok.items() if cid != users[0].id]
    assert max(others) < waited  # everyone else went out while that chat waited
    assert counter(store, "delivery.retry_after") == 1


def test_a_huge_flood_wait_defers_instead_of_stalling(store):
    async def scenario(tg):
        users = tg.users(6)
        plan_for(store, add_chats(store, users).values())
        tg.faults.retry_after(43838, chat=users[0], method="sendMessage")
        loop = asyncio.get_running_loop()
        start = loop.time()
        stats = await deliver(store, tg)
        return stats, loop.time() - start

    stats, seconds = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 5, "deferred": 1} and seconds < 5
    with store.session() as s:
        row = s.scalars(select(Delivery).where(Delivery.status == "pending")).one()
    assert row.not_before > datetime.now(UTC) + timedelta(hours=12)
    assert counter(store, "delivery.deferred") == 1


def test_blocked_chat_is_unsubscribed_and_counted(store):
    async def scenario(tg):
        users = tg.users(4)
        plan_for(store, add_chats(store, users).values())
        tg.block_bot(users[1])
        return users, await deliver(store, tg)

    users, stats = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 3, "forbidden": 1}
    with store.session() as s:
        chat = s.scalars(select(Chat).where(Chat.telegram_id == users[1].id)).one()
        row = s.scalars(select(Delivery).where(Delivery.chat_id == chat.id)).one()
    assert (chat.subscribed, chat.unsubscribed_reason, row.status) == (False, "blocked", "failed")
    assert "blocked" in row.last_error and counter(store, "delivery.forbidden") == 1


def test_group_that_became_a_supergroup_gets_its_digest_there(store):
    async def scenario(tg):
        admin = tg.user("Admin")
        group = tg.group("读报群", creator=admin, bot=True)
        plan_for(store, add_chats(store, [group], type_="group").values())
        new = tg.migrate_group_to_supergroup(group)
        stats = await deliver(store, tg)
        return group, new, stats, got(tg, new)

    group, new, stats, received = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 1} and len(received) == 1
    with store.session() as s:
        chat = s.scalars(select(Chat)).one()
    assert (chat.telegram_id, chat.type) == (new.id, "supergroup")
    assert counter(store, "delivery.migrated") == 1


def test_timeouts_are_retried_with_backoff_and_delivered_once(store):
    async def scenario(tg):
        users = tg.users(3)
        plan_for(store, add_chats(store, users).values())
        tg.faults.timeout(delay=2.0, applied=False, chat=users[0], method="sendMessage")
        stats = await deliver(store, tg)
        return users, stats, [len(got(tg, u)) for u in users]

    users, stats, counts = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 3} and counts == [1, 1, 1]
    assert counter(store, "delivery.timeout") == 1


def test_timeouts_give_up_after_max_retries(store):
    async def scenario(tg):
        users = tg.users(2)
        plan_for(store, add_chats(store, users).values())
        tg.faults.timeout(delay=2.0, applied=False, chat=users[0], method="sendMessage", times=None)
        return await deliver(store, tg, fast(max_retries=2))

    stats = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 1, "failed": 1}
    assert counter(store, "delivery.timeout") == 3  # first try + 2 retries
    assert statuses(store) == {"sent": 1, "failed": 1}


def test_network_errors_are_retried(store):
    async def scenario(tg):
        users = tg.users(2)
        plan_for(store, add_chats(store, users).values())
        tg.faults.disconnect(chat=users[0], method="sendMessage")
        tg.faults.server_error(502, chat=users[1], method="sendMessage")
        return await deliver(store, tg), [len(got(tg, u)) for u in users]

    stats, counts = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 2} and counts == [1, 1]
    assert counter(store, "delivery.network") == 2


def test_a_message_telegram_refuses_fails_that_row_only(store):
    async def scenario(tg):
        users = tg.users(2)
        pks = add_chats(store, users)
        plan_for(store, [pks[users[0].id]], parts=["<b>没有闭合"])
        plan_for(store, [pks[users[1].id]])
        return await deliver(store, tg)

    stats = run_with_standin(scenario)
    assert stats.outcomes == {"bad_request": 1, "sent": 1}
    with store.session() as s:
        row = s.scalars(select(Delivery).where(Delivery.status == "failed")).one()
    assert "parse entities" in row.last_error


def test_multi_part_digest_is_sent_in_order_at_one_message_per_second(store):
    parts = [f"<b>第{i}部分</b>\n" + "正文。" * 1200 for i in range(3)]
    assert all(visible_len(p) <= LIMIT for p in parts)

    async def scenario(tg):
        user = tg.user("Reader")
        plan_for(store, add_chats(store, [user]).values(), parts=parts)
        await deliver(store, tg, fast(per_chat_per_second=1.0))
        calls = tg.log.select("sendMessage", ok=True)
        return [m.text.split("\n")[0] for m in tg.bot_messages(user)], [c.start for c in calls]

    heads, starts = run_with_standin(scenario)
    assert heads == ["第0部分", "第1部分", "第2部分"]
    assert all(b - a >= 0.95 for a, b in zip(starts, starts[1:], strict=False))


def test_a_restart_between_parts_sends_only_the_rest(store):
    parts = ["第一部分。", "第二部分。", "第三部分。"]

    async def scenario(tg):
        user = tg.user("Reader")
        pks = add_chats(store, [user])
        plan_for(store, pks.values(), parts=parts)
        with store.session.begin() as s:  # part one went out before the crash
            s.execute(update(Delivery).values(message_ids=[1]))
        await deliver(store, tg)
        return [m.text for m in tg.bot_messages(user)]

    assert run_with_standin(scenario) == ["第二部分。", "第三部分。"]


def test_global_rate_is_honoured(store):
    async def scenario(tg):
        users = tg.users(30)
        plan_for(store, add_chats(store, users).values())
        await deliver(store, tg, fast(global_per_second=15.0))
        return tg.log.max_rate(window=1.0, ok=True), tg.log.rate("sendMessage", ok=True)

    busiest, rate = run_with_standin(scenario, timeout=30)
    assert busiest <= 16 and 13.5 <= rate <= 15.5


# -- the pacer on a fake clock ----------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _send_all(pacer, clock, requests):
    """Drive the pacer like `wait` does, on the fake clock: returns each request's send time."""
    times = []
    for chat, is_group in requests:
        while True:
            when, reserved = pacer.reserve(chat, is_group)
            clock.now = max(clock.now, when)
            if reserved:
                times.append(when)
                break
    return times


def test_pacer_spaces_messages_by_every_limit():
    clock = Clock()
    pacer = Pacer(Limits(global_per_second=30, per_chat_per_second=1, group_per_minute=20), clock=clock)
    slots = _send_all(pacer, clock, [(chat, False) for chat in range(60)])
    assert slots[0] == 100.0 and abs(slots[-1] - (100 + 59 / 30)) < 1e-9  # 30/s overall
    same = _send_all(pacer, clock, [(999, False)] * 3)
    assert same[1] - same[0] >= 1.0 and same[2] - same[1] >= 1.0  # 1/s per chat
    group = _send_all(pacer, clock, [(-5, True)] * 22)
    assert group[20] - group[0] >= 60.0  # the 21st message to a group waits for the minute


def test_pacer_hold_moves_one_chat_only():
    clock = Clock()
    pacer = Pacer(Limits(30, 1, 20), clock=clock)
    asyncio.run(pacer.hold(1, 30.0))
    assert pacer.reserve(1, False) == (130.0, False)  # that chat waits, holding no overall slot
    assert pacer.reserve(2, False) == (100.0, True)  # everyone else goes on at once
    assert _send_all(pacer, clock, [(3, False), (4, False)]) == [100.0 + 1 / 30, 100.0 + 2 / 30]


def test_sends_released_together_after_a_stall_still_keep_to_the_limit_per_second():
    """Waiters whose slots came and went during a stall all reach `ready` at once: the pacer
    lets through no more than the overall limit in any second of actual sends."""
    pacer = Pacer(Limits(global_per_second=10, per_chat_per_second=1000, group_per_minute=1000))
    went: list[float] = []

    async def one(chat: int) -> None:
        assert await pacer.ready(chat)
        went.append(time.monotonic())

    async def stalled() -> None:
        await asyncio.gather(*(one(chat) for chat in range(25)))  # 25 late sends at once

    asyncio.run(stalled())
    went.sort()
    busiest = max(sum(1 for t in went if start <= t < start + 1.0) for start in went)
    assert len(went) == 25 and busiest <= 10
    assert went[-1] - went[0] >= 2.0  # 25 at 10 a second: the last ones waited two seconds


@pytest.mark.parametrize("value", [0.0, -1.0])
def test_delivery_settings_validate_rates(value):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        DeliverySettings(global_per_second=value)


# -- ambiguous answers, head-of-line blocking, shutdown, lost claims -----------------------------


def test_a_timeout_after_telegram_took_the_message_is_the_documented_trade_off(store):
    """retry_timeouts=true (default) retries a timed-out send: if Telegram had in fact taken it,
    that chat gets a second copy. retry_timeouts=false never sends twice: the row is uncertain."""

    async def scenario(tg, retry):
        users = tg.users(2)
        plan_for(store, add_chats(store, users).values(), key=f"k-{retry}")
        tg.faults.timeout(delay=2.0, applied=True, chat=users[0], method="sendMessage")
        stats = await deliver(store, tg, fast(retry_timeouts=retry))
        return stats, [len(got(tg, u)) for u in users]

    stats, counts = run_with_standin(lambda tg: scenario(tg, True))
    assert stats.outcomes == {"sent": 2} and counts == [2, 1]


def test_strict_mode_never_resends_a_timed_out_message(store):
    async def scenario(tg):
        users = tg.users(2)
        plan_for(store, add_chats(store, users).values())
        tg.faults.timeout(delay=2.0, applied=True, chat=users[0], method="sendMessage")
        stats = await deliver(store, tg, fast(retry_timeouts=False))
        return stats, [len(got(tg, u)) for u in users]

    stats, counts = run_with_standin(scenario)
    assert stats.outcomes == {"uncertain": 1, "sent": 1} and counts == [1, 1]
    assert statuses(store) == {"uncertain": 1, "sent": 1} and counter(store, "delivery.uncertain") == 1


def test_a_request_that_never_reached_the_api_is_reported_as_not_sent():
    import socket

    from bot.telegram.request import NotSent

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def attempt():
        request = AiohttpRequest(connect_timeout=1.0)
        await request.initialize()
        try:
            await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")
        finally:
            await request.shutdown()

    with pytest.raises(NotSent):
        asyncio.run(attempt())


def test_one_chats_flood_wait_does_not_hold_up_the_rows_behind_it(store):
    async def scenario(tg):
        users = tg.users(9)
        plan_for(store, add_chats(store, users).values())
        tg.faults.retry_after(3, chat=users[0], method="sendMessage")
        bot = Bot(tg.token, base_url=tg.base_url, request=AiohttpRequest(read_timeout=1.0))
        async with bot:
            broadcaster = Broadcaster(store, bot, fast(), chunk=3)  # claims in threes
            try:
                await broadcaster.run()
            finally:
                await broadcaster.close()
        ok = {c.chat_id: c.end for c in tg.log.select("sendMessage", ok=True)}
        return users, ok

    users, ok = run_with_standin(scenario)
    others = [t for cid, t in ok.items() if cid != users[0].id]
    assert len(others) == 8 and max(others) < ok[users[0].id] - 2.0  # all went out during the wait


def test_stop_ends_long_waits_at_once(store):
    async def scenario(tg):
        users = tg.users(3)
        plan_for(store, add_chats(store, users).values())
        tg.faults.retry_after(30, chat=users[0], method="sendMessage")
        bot = Bot(tg.token, base_url=tg.base_url, request=AiohttpRequest(read_timeout=1.0))
        async with bot:
            broadcaster = Broadcaster(store, bot, fast(max_retry_after_seconds=60))
            task = asyncio.create_task(broadcaster.run())
            await tg.wait_until(lambda: len(tg.log.select("sendMessage", ok=True)) == 2, timeout=10, what="2 sends")
            loop = asyncio.get_running_loop()
            start = loop.time()
            broadcaster.stop()
            stats = await task
            await broadcaster.close()
            return stats, loop.time() - start

    stats, seconds = run_with_standin(scenario)
    assert stats.outcomes == {"sent": 2, "stopped": 1} and seconds < 2
    assert statuses(store) == {"sent": 2, "pending": 1}  # the rest waits for the next start


def test_a_revoked_token_stops_the_broadcast_and_keeps_the_rows(store):
    async def scenario(tg):
        users = tg.users(4)
        plan_for(store, add_chats(store, users).values())
        tg.faults.error(401, "Unauthorized", method="sendMessage", times=None)  # revoked in @BotFather
        return await deliver(store, tg, fast(concurrency=1))

    stats = run_with_standin(scenario)
    assert stats.outcomes["aborted"] == 1 and set(stats.outcomes) <= {"aborted", "stopped"}
    assert statuses(store) == {"pending": 4}  # nothing lost: the next start (with a good token) sends them


def test_a_sender_that_lost_its_claim_does_not_send(store):
    async def scenario(tg):
        users = tg.users(1)
        pks = add_chats(store, users)
        plan_for(store, pks.values())
        with store.session.begin() as s:
            (job,) = ledger.claim(s, "old-owner", 10, timedelta(seconds=60), datetime.now(UTC))
            s.execute(update(Delivery).values(claimed_by="someone-else"))  # the lease passed on
        bot = Bot(tg.token, base_url=tg.base_url, request=AiohttpRequest(read_timeout=1.0))
        async with bot:
            broadcaster = Broadcaster(store, bot, fast(), owner="old-owner")
            broadcaster._stop_event = asyncio.Event()
            outcome = await broadcaster._deliver(job)
            await broadcaster.close()
        return outcome, len(got(tg, users[0]))

    assert run_with_standin(scenario) == ("claim_lost", 0)


def test_a_supergroup_that_already_got_the_digest_gets_no_second_copy(store):
    """The supergroup wrote to the bot under its new id before the migration was known, so it
    has a chat row of its own that already received today's digest."""

    async def scenario(tg):
        admin = tg.user("Admin")
        group = tg.group("读报群", creator=admin, bot=True)
        new = tg.migrate_group_to_supergroup(group)
        pks = add_chats(store, [group], type_="group")
        pks |= add_chats(store, [new], type_="supergroup")
        plan_for(store, [pks[new.id]])
        await deliver(store, tg)  # the supergroup's own row: sent
        plan_for(store, [pks[group.id]])  # the old group's row for the same day
        stats = await deliver(store, tg)
        return stats, len(got(tg, new))

    stats, received = run_with_standin(scenario)
    assert stats.outcomes == {"merged": 1} and received == 1
    with store.session() as s:
        (chat,) = s.scalars(select(Chat)).all()
        (row,) = s.scalars(select(Delivery)).all()
    assert chat.type == "supergroup" and row.status == "sent"


def test_a_migrated_message_is_not_left_in_flight(store):
    """Between learning of the migration and resending, the row is pending, not `sending`:
    stopping right then must not turn it into an uncertain row."""

    async def scenario(tg):
        admin = tg.user("Admin")
        group = tg.group("读报群", creator=admin, bot=True)
        pks = add_chats(store, [group], type_="group")
        plan_for(store, pks.values())
        tg.migrate_group_to_supergroup(group)
        with store.session.begin() as s:
            (job,) = ledger.claim(s, "me", 10, timedelta(seconds=60), datetime.now(UTC))
        bot = Bot(tg.token, base_url=tg.base_url, request=AiohttpRequest(read_timeout=1.0))
        async with bot:
            broadcaster = Broadcaster(store, bot, fast(), owner="me")
            outcome = await broadcaster._attempt(job, [], 0)
            await broadcaster.close()
        return outcome

    assert run_with_standin(scenario) == ("again", 0.0)
    assert statuses(store) == {"pending": 1}


# -- a slow database under the shared (Redis) budget -------------------------------------------


def slow_marks(store, seconds: float) -> None:
    """Every `sending` mark takes `seconds` in the database (a busy or distant server)."""
    from sqlalchemy import event

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE deliveries SET status") and "attempts" in statement:
            time.sleep(seconds)

    event.listen(store.engine, "before_cursor_execute", before)


async def shared_broadcast(store, tg, prefix: str):
    from bot.delivery.redis_pacer import RedisPacer
    from conftest import REDIS_URL

    settings = fast(global_per_second=30, per_chat_per_second=1, concurrency=16)
    pacer = RedisPacer(REDIS_URL, f"{prefix}:bot", Limits(30, 1, 20))
    bot = Bot(tg.token, base_url=tg.base_url, request=AiohttpRequest(read_timeout=1.0))
    async with bot:
        broadcaster = Broadcaster(store, bot, settings, pacer=pacer)
        try:
            stats = await broadcaster.run()
        finally:
            await broadcaster.close()
            await pacer.close()
    return stats, pacer.late_slots


def test_a_database_slower_than_a_quarter_second_per_write_still_delivers(store, redis_prefix):
    """Marking a row `sending` takes 0.4 s. The shared pacer learns to wake a sender that long
    before its slot (and gives no slot sooner), so sends keep to their slots; with the wake-up
    capped at a quarter second every slot was lost in turn and nothing was sent."""
    slow_marks(store, 0.4)

    async def scenario(tg):
        users = tg.users(12)
        plan_for(store, add_chats(store, users).values())
        stats, late = await shared_broadcast(store, tg, redis_prefix)
        return stats, late, [len(got(tg, u)) for u in users]

    stats, late, received = run_with_standin(scenario, timeout=60)
    assert late > 0  # the first slots were lost, before the pacer learnt how slow marking is
    assert stats.outcomes == {"sent": 12} and statuses(store) == {"sent": 12}
    assert received == [1] * 12
