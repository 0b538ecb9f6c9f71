"""The numbers behind /stats and `digestbot stats`: corpus, subscribers, deliveries, schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bot import ledger
from bot.config import Settings
from bot.db import Store
from bot.models import Article, Chat, Follow
from bot.schedule import editions


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
    }
