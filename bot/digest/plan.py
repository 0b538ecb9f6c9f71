"""Turning schedule fires and new articles into ledger rows (planning), and catching up.

Planning is idempotent: a chat that already has a row for (edition, day) is left alone, so a
fire that runs twice (restart, second instance, catch-up after downtime) plans nothing new.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.config import Settings
from bot.delivery import ledger
from bot.digest.compose import DigestComposer, SummaryFor
from bot.digest.render import DigestEntry, alert_message
from bot.digest.schedule import Edition, editions, find_edition
from bot.store.articles import keyword_words, original
from bot.store.chats import ChatView, reachable
from bot.store.db import Store
from bot.store.models import Article, Chat, Follow
from bot.store.state import read_state, write_state
from bot.ui.i18n import language_of

log = logging.getLogger(__name__)
ALERTS_CURSOR = "alerts.cursor"


@dataclass
class PlanReport:
    edition: str
    key: str
    planned: int = 0
    skipped: int = 0
    already: int = 0

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def _chats_for(store: Store, settings: Settings, edition: Edition) -> list[ChatView]:
    """Subscribed chats with digests on whose edition (their choice, else the default) this is."""
    with store.session() as s:
        chats = s.scalars(select(Chat).where(Chat.subscribed.is_(True), Chat.digests_enabled.is_(True)))
        views = [ChatView.of(c) for c in chats]
    theirs = {name: find_edition(settings.digest, name) for name in {c.edition for c in views}}
    return [c for c in views if (e := theirs[c.edition]) is not None and e.name == edition.name]


def plan_edition(
    store: Store, settings: Settings, edition: Edition, fire_time: datetime, summary_for: SummaryFor | None = None
) -> PlanReport:
    """Write a ledger row for every subscribed chat of this edition that has none for the day."""
    key = edition.key(fire_time)
    report = PlanReport(edition.name, key)
    chats = _chats_for(store, settings, edition)
    with store.session() as s:
        done = ledger.existing_chats(s, edition.name, key)
    report.already = sum(1 for c in chats if c.id in done)
    composer = DigestComposer(store, settings, summary_for)
    rows: list[tuple[int, dict | None]] = []
    for chat in chats:
        if chat.id in done:
            continue
        digest = composer.for_chat(chat, edition, fire_time)
        if digest is None:
            rows.append((chat.id, None))
            report.skipped += 1
        else:
            rows.append(
                (
                    chat.id,
                    {
                        "messages": [m.to_dict() for m in digest.messages],
                        "cursor": digest.cursor,
                        "articles": digest.article_ids,
                    },
                )
            )
    with store.session.begin() as s:
        report.planned = ledger.plan(s, edition.name, key, [r for r in rows if r[1] is not None])
        ledger.plan(s, edition.name, key, [r for r in rows if r[1] is None])
        write_state(s, f"edition.{edition.name}.last_fire", {"at": fire_time.isoformat()})
    log.debug(  # the INFO line for an edition is written once it is sent (bot.telegram.services)
        "edition %s %s: %d planned, %d with nothing new, %d already done",
        edition.name,
        key,
        report.planned,
        report.skipped,
        report.already,
    )
    return report


def missed_fires(store: Store, settings: Settings, now: datetime) -> list[tuple[Edition, datetime]]:
    """Fires that happened while the bot was down, still within digest.catchup_grace_minutes."""
    grace = timedelta(minutes=settings.digest.catchup_grace_minutes)
    due = []
    for edition in editions(settings.digest):
        fire = edition.last_fire_time(now)
        if fire is None or now - fire > grace:
            continue
        state = read_state(store, f"edition.{edition.name}.last_fire")
        if state is None or datetime.fromisoformat(state["at"]) < fire:
            due.append((edition, fire))
    return due


# -- keyword alerts --------------------------------------------------------------------------


def _matches(article: Article, word: str) -> bool:
    words = {w.lower() for w in keyword_words(article.keywords)}
    if word in words or word in article.title.lower():
        return True
    return any(word in b.text.lower() for b in article.blocks)


def plan_alerts(store: Store, settings: Settings) -> int:
    """Ledger rows for followers of words that new articles match; returns rows planned."""
    with store.session() as s:
        newest = s.scalar(select(func.max(Article.id))) or 0
    state = read_state(store, ALERTS_CURSOR)
    if state is None:  # first run: the existing corpus is not news to anyone
        with store.session.begin() as s:
            write_state(s, ALERTS_CURSOR, {"id": newest})
        return 0
    cursor = int(state["id"])
    if newest <= cursor:
        return 0
    planned = 0
    with store.session.begin() as s:
        follows = s.execute(
            select(Follow.chat_id, Follow.word, Chat.language).join(Chat, Chat.id == Follow.chat_id).where(reachable())
        ).all()
        articles = list(
            s.scalars(
                select(Article)
                .where(Article.id > cursor, Article.kind == "article", original())  # a story alerts once
                .order_by(Article.id)
            )
        )
        for article in articles:
            entry = DigestEntry.of(article, list(article.summary or []))
            rows = []
            for chat_pk, word, chat_lang in follows:
                if _matches(article, word):
                    lang = language_of(chat_lang, settings.telegram.language)
                    rows.append(
                        (
                            chat_pk,
                            {
                                "messages": [alert_message(lang, word, entry).to_dict()],
                                "cursor": None,
                                "articles": [article.id],
                                "word": word,
                            },
                        )
                    )
            # one alert per chat and article, whichever of its words matched first
            unique = list({chat_pk: (chat_pk, payload) for chat_pk, payload in reversed(rows)}.values())
            planned += ledger.plan(s, ledger.ALERT, str(article.id), unique)
        write_state(s, ALERTS_CURSOR, {"id": newest})
    return planned
