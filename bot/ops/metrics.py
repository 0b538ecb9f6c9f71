"""Prometheus metrics of one instance, served on /metrics (bot.ops.health).

Counters and histograms are this process's (a scraper adds the instances up): sends by
outcome, Telegram's 429s, claim and search latency. Gauges read from the store at scrape time
are the same for every instance: the ledger backlog, articles by kind and recently ingested
ones (ingest runs as `digestbot ingest`, outside the bot). Own registry, so nothing else that
uses prometheus-client in this process shows up here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select

from bot.delivery import ledger
from bot.store.db import Store
from bot.store.models import Article

REGISTRY = CollectorRegistry()
SENDS = Counter("digestbot_sends", "Ledger rows the broadcaster finished, by outcome", ["outcome"], registry=REGISTRY)
RETRY_AFTER = Counter("digestbot_retry_after", "429 Too Many Requests answers from the Bot API", registry=REGISTRY)
CLAIM_SECONDS = Histogram(
    "digestbot_claim_seconds",
    "Time to claim a batch of ledger rows",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)
SEARCH_SECONDS = Histogram(
    "digestbot_search_seconds",
    "Time to answer a search in the bot (query, ranking, snippets)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0),
    registry=REGISTRY,
)
BACKLOG = Gauge("digestbot_ledger_backlog", "Ledger rows still to send (pending, due or not)", registry=REGISTRY)
ARTICLES = Gauge("digestbot_articles", "Articles in the store, by kind", ["kind"], registry=REGISTRY)
INGESTED = Gauge("digestbot_articles_ingested_24h", "Articles ingested in the last 24 hours", registry=REGISTRY)
LEADER = Gauge("digestbot_leader", "1 while this instance leads (polls Telegram, runs the schedule)", registry=REGISTRY)
PACER_PAUSED = Gauge(
    "digestbot_pacer_paused", "1 while the shared send budget (Redis) cannot be reached", registry=REGISTRY
)


def refresh(store: Store) -> None:
    """The gauges that come from the store (run at scrape time, off the event loop)."""
    since = datetime.now(UTC) - timedelta(days=1)
    with store.session() as s:
        BACKLOG.set(ledger.pending_count(s))
        for kind, n in s.execute(select(Article.kind, func.count(Article.id)).group_by(Article.kind)):
            ARTICLES.labels(kind).set(n)
        INGESTED.set(int(s.scalar(select(func.count(Article.id)).where(Article.ingested_at >= since)) or 0))


def exposition() -> bytes:
    return generate_latest(REGISTRY)
