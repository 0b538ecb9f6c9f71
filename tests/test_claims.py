"""Claims at ledger scale: a claim takes exactly its limit however many rows are pending, and
concurrent claimers (separate transactions, as separate instances are) split the work."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text, update

from bot.delivery import ledger
from bot.store.models import Chat, Delivery

PENDING_ROWS = 20_000
LEASE = timedelta(seconds=60)


def _plan_day(store, pks: list[int], key: str) -> None:
    payload = {"messages": [{"text": "摘要。"}], "cursor": 1}
    with store.session.begin() as s:
        for start in range(0, len(pks), 2000):
            ledger.plan(s, "morning", key, [(pk, payload) for pk in pks[start : start + 2000]])


def _fill(store, n: int) -> None:
    """A day-2 ledger: n chats whose first day's digests were all sent (and the table analysed
    then, as autovacuum would), then the second day's n rows planned, pending."""
    with store.session.begin() as s:
        chats = [{"telegram_id": 10_000 + i, "type": "private", "subscribed": True} for i in range(n)]
        for start in range(0, n, 2000):
            s.execute(insert(Chat), chats[start : start + 2000])
        pks = list(s.scalars(select(Chat.id)))
    _plan_day(store, pks, "2026-11-20")
    with store.session.begin() as s:
        s.execute(update(Delivery).values(status=ledger.SENT))
    with store.engine.connect() as conn:  # statistics that say "nothing is pending"
        conn.execute(text("ANALYZE"))
        conn.commit()
    _plan_day(store, pks, "2026-11-21")


def test_a_claim_takes_its_limit_at_any_ledger_size(store):
    _fill(store, PENDING_ROWS)
    now = datetime.now(UTC)
    with store.session.begin() as s:
        jobs = ledger.claim(s, "one", 500, LEASE, now)
    assert len(jobs) == 500 and len({j.id for j in jobs}) == 500
    with store.session() as s:
        held = list(s.scalars(select(Delivery.id).where(Delivery.claimed_by == "one").order_by(Delivery.id)))
        first_pending = s.scalar(select(func.min(Delivery.id)).where(Delivery.status == ledger.PENDING))
    assert held == sorted(j.id for j in jobs)  # the store agrees: 500 claimed, no more
    assert held[0] == first_pending  # the oldest due rows first
    with store.session.begin() as s:  # the next claim takes the next 500, not the same ones
        more = ledger.claim(s, "two", 500, LEASE, now)
    assert len(more) == 500 and not {j.id for j in more} & {j.id for j in jobs}


def test_concurrent_claimers_split_the_work_without_overlap(store):
    _fill(store, 3000)
    now = datetime.now(UTC)
    first_holds = threading.Event()
    second_done = threading.Event()
    results: dict[str, list[int]] = {}

    # PostgreSQL: the first keeps its transaction open (its rows locked) while the second
    # claims, as two instances do; SQLite has one writer at a time, so the second waits its turn
    overlap = store.dialect == "postgresql"

    def first() -> None:
        with store.session.begin() as s:
            results["a"] = [j.id for j in ledger.claim(s, "a", 500, LEASE, now)]
            first_holds.set()
            if overlap:
                assert second_done.wait(timeout=30), "the second claim blocked behind the first"

    def second() -> None:
        first_holds.wait(timeout=30)
        try:
            with store.session.begin() as s:
                results["b"] = [j.id for j in ledger.claim(s, "b", 500, LEASE, now)]
        finally:
            second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    a, b = results["a"], results["b"]
    assert len(a) == 500 and len(b) == 500 and not set(a) & set(b)
    with store.session() as s:
        owned = select(Delivery.claimed_by, func.count(Delivery.id)).where(Delivery.claimed_by.is_not(None))
        by_owner = dict(s.execute(owned.group_by(Delivery.claimed_by)).all())
    assert by_owner == {"a": 500, "b": 500}
