"""Turning schedule fires and new articles into ledger rows (planning), and catching up.

Planning is idempotent: a chat that already has a row for (edition, day) is left alone, so a
fire that runs twice (restart, second instance, catch-up after downtime) plans nothing new.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot import ledger
from bot.chats import ChatView, reachable
from bot.config import Settings
from bot.db import Store
from bot.digest import SUMMARY_CHARS, TITLE_CHARS, DigestComposer, SummaryFor
from bot.i18n import language_of, t
from bot.messages import Message, clip, escape
from bot.models import Article, Chat, Follow, State, utcnow
from bot.schedule import Edition, editions

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


def _state(store: Store, name: str) -> dict | None:
    with store.session() as s:
        row = s.get(State, name)
        return dict(row.value) if row and row.value is not None else None


def _set_state(session, name: str, value: dict) -> None:  # type: ignore[no-untyped-def]
    row = session.get(State, name)
    if row is None:
        session.add(State(name=name, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()


def _chats_for(store: Store, settings: Settings, edition: Edition) -> list[ChatView]:
    names = {e.name for e in editions(settings.digest)}
    default = settings.digest.editions[0].name if settings.digest.editions else None
    with store.session() as s:
        chats = s.scalars(select(Chat).where(Chat.subscribed.is_(True), Chat.digests_enabled.is_(True)))
        return [ChatView.of(c) for c in chats if (c.edition if c.edition in names else default) == edition.name]


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
        _set_state(s, f"edition.{edition.name}.last_fire", {"at": fire_time.isoformat()})
    log.info(
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
        state = _state(store, f"edition.{edition.name}.last_fire")
        if state is None or datetime.fromisoformat(state["at"]) < fire:
            due.append((edition, fire))
    return due


# -- keyword alerts --------------------------------------------------------------------------


def _matches(article: Article, word: str) -> bool:
    words = {str(k["word"] if isinstance(k, dict) else k).lower() for k in article.keywords or []}
    if word in words or word in article.title.lower():
        return True
    return any(word in b.text.lower() for b in article.blocks)


def alert_message(lang: str, word: str, article: Article) -> Message:
    lines = [t(lang, "alert.title", word=escape(word)), f"<b>{escape(clip(article.title, TITLE_CHARS))}</b>"]
    if article.byline:
        lines.append(f"<i>{escape(clip(article.byline, TITLE_CHARS))}</i>")
    if article.summary:
        lines.append(escape(clip("".join(article.summary), SUMMARY_CHARS)))
    return Message("\n".join(lines), [[(t(lang, "button.read_one"), f"a:{article.id}")]])


def plan_alerts(store: Store, settings: Settings) -> int:
    """Ledger rows for followers of words that new articles match; returns rows planned."""
    with store.session() as s:
        newest = s.scalar(select(func.max(Article.id))) or 0
    state = _state(store, ALERTS_CURSOR)
    if state is None:  # first run: the existing corpus is not news to anyone
        with store.session.begin() as s:
            _set_state(s, ALERTS_CURSOR, {"id": newest})
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
            s.scalars(select(Article).where(Article.id > cursor, Article.kind == "article").order_by(Article.id))
        )
        for article in articles:
            rows = []
            for chat_pk, word, chat_lang in follows:
                if _matches(article, word):
                    lang = language_of(chat_lang, settings.telegram.language)
                    rows.append(
                        (
                            chat_pk,
                            {
                                "messages": [alert_message(lang, word, article).to_dict()],
                                "cursor": None,
                                "articles": [article.id],
                                "word": word,
                            },
                        )
                    )
            # one alert per chat and article, whichever of its words matched first
            unique = list({chat_pk: (chat_pk, payload) for chat_pk, payload in reversed(rows)}.values())
            planned += ledger.plan(s, ledger.ALERT, str(article.id), unique)
        _set_state(s, ALERTS_CURSOR, {"id": newest})
    return planned
