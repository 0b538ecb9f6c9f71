"""The numbers behind /stats and `digestbot stats`: corpus, subscribers, deliveries, schedule,
live sources (each one's status, with its failure streak and new articles of the last poll),
and the running instances (who leads)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot.config import Settings
from bot.delivery import ledger
from bot.digest.schedule import editions
from bot.ops.instances import live
from bot.store.db import Store
from bot.store.models import Article, Chat, Follow


def collect(store: Store, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    with store.session() as s:
        by_kind = dict(s.execute(select(Article.kind, func.count(Article.id)).group_by(Article.kind)).all())
        by_type = dict(
            s.execute(select(Chat.type, func.count(Chat.id)).where(Chat.subscribed.is_(True)).group_by(Chat.type)).all()
        )
        follows = int(s.scalar(select(func.count(Follow.id))) or 0)
        statuses = ledger.status_counts(s)
        counters = {k.removeprefix("delivery."): int(v) for k, v in ledger.counters(s, "delivery.").items()}
    upcoming = {}
    for e in editions(settings.digest):
        fires = e.next_fire_times(1, now)
        upcoming[e.name] = fires[0].isoformat() if fires else None
    return {
        "articles": {"article": by_kind.get("article", 0), "caption": by_kind.get("caption", 0)},
        "subscribed": {
            "total": sum(by_type.values()),
            "private": by_type.get("private", 0),
            "groups": by_type.get("group", 0) + by_type.get("supergroup", 0),
            "channels": by_type.get("channel", 0),
        },
        "follows": follows,
        "ledger": dict(sorted(statuses.items())),
        "delivery": dict(sorted(counters.items())),
        "next": upcoming,
        "sources": _sources(store, settings, now),
        "instances": live(store, settings.ops.heartbeat_seconds, now),
    }


def _sources(store: Store, settings: Settings, now: datetime) -> dict[str, dict[str, Any]]:
    """name -> {status, failures (in a row), new (in the last poll)}."""
    from bot.sources.state import overview

    rows = overview(store, settings.sources, settings.digest.timezone, now)
    return {row["name"]: {"status": row["status"], "failures": row["failures"], "new": row["new"]} for row in rows}


def instances_line(instances: list[dict[str, Any]]) -> str:
    """ "host:pid:x (all, redis, leader), …" — the leader first; "none" when nothing runs."""
    if not instances:
        return "none running"
    return ", ".join(
        f"{i['id']} ({i['role']}, {i['pacer']} pacer{', leader' if i['leader'] else ''})" for i in instances
    )
