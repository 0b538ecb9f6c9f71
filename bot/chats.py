"""Chats, subscriptions, per-chat settings and keyword follows.

Chats are keyed by a surrogate id so that a group's Telegram id can change (group ->
supergroup migration) with one UPDATE and no lost history.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import Store
from bot.models import Chat, Delivery, Follow, utcnow

MAX_FOLLOWS = 20
MAX_FOLLOW_CHARS = 20


@dataclass(frozen=True)
class ChatView:
    """A detached snapshot of a chat, safe to pass around outside a session."""

    id: int
    telegram_id: int
    type: str
    title: str | None
    language: str | None
    summary_sentences: int | None
    digests_enabled: bool
    edition: str | None
    subscribed: bool
    digest_cursor: int | None

    @classmethod
    def of(cls, chat: Chat) -> ChatView:
        return cls(
            chat.id,
            chat.telegram_id,
            chat.type,
            chat.title,
            chat.language,
            chat.summary_sentences,
            chat.digests_enabled,
            chat.edition,
            chat.subscribed,
            chat.digest_cursor,
        )

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")


def _get(session: Session, telegram_id: int) -> Chat | None:
    return session.scalars(select(Chat).where(Chat.telegram_id == telegram_id)).one_or_none()


def ensure_chat(session: Session, telegram_id: int, type_: str = "private", title: str | None = None) -> Chat:
    chat = _get(session, telegram_id)
    if chat is None:
        chat = Chat(telegram_id=telegram_id, type=type_, title=title)
        session.add(chat)
        session.flush()
    elif chat.type != type_ or (title is not None and chat.title != title):
        # a caller that does not know the title (settings, follows) passes None: keep it
        chat.type, chat.title, chat.updated_at = type_, title if title is not None else chat.title, utcnow()
    return chat


def get_chat(store: Store, telegram_id: int) -> ChatView | None:
    with store.session() as s:
        chat = _get(s, telegram_id)
        return ChatView.of(chat) if chat else None


def touch_chat(store: Store, telegram_id: int, type_: str, title: str | None) -> ChatView:
    with store.session.begin() as s:
        return ChatView.of(ensure_chat(s, telegram_id, type_, title))


def subscribe(store: Store, telegram_id: int, type_: str, title: str | None = None) -> bool:
    """Subscribe a chat; False if it already was."""
    with store.session.begin() as s:
        chat = ensure_chat(s, telegram_id, type_, title)
        if chat.subscribed:
            return False
        chat.subscribed, chat.subscribed_at, chat.unsubscribed_reason = True, utcnow(), None
        chat.digests_enabled = True
        return True


def unsubscribe(store: Store, telegram_id: int, reason: str = "user") -> bool:
    with store.session.begin() as s:
        chat = _get(s, telegram_id)
        if chat is None or not chat.subscribed:
            return False
        chat.subscribed, chat.unsubscribed_reason, chat.updated_at = False, reason, utcnow()
        return True


def update_settings(store: Store, telegram_id: int, type_: str = "private", **changes: object) -> ChatView:
    allowed = {"language", "summary_sentences", "digests_enabled", "edition"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown chat settings: {', '.join(sorted(unknown))}")
    with store.session.begin() as s:
        chat = ensure_chat(s, telegram_id, type_)
        for key, value in changes.items():
            setattr(chat, key, value)
        chat.updated_at = utcnow()
        return ChatView.of(chat)


def migrate_chat(session: Session, old_id: int, new_id: int) -> None:
    """Follow a group that became a supergroup: move its id (and merge a stray twin)."""
    chat = _get(session, old_id)
    twin = _get(session, new_id)
    if chat is None:
        return
    if twin is not None and twin.id != chat.id:
        # the supergroup already wrote to us under its new id: keep the old row's history
        chat.subscribed = chat.subscribed or twin.subscribed
        for follow in list(twin.follows):
            if not any(f.word == follow.word for f in chat.follows):
                chat.follows.append(Follow(word=follow.word))
        session.query(Delivery).filter(Delivery.chat_id == twin.id).delete()
        session.delete(twin)
        session.flush()
    chat.telegram_id, chat.type, chat.updated_at = new_id, "supergroup", utcnow()


def subscribed_count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count(Chat.id)).where(Chat.subscribed.is_(True))) or 0)


# -- keyword follows -----------------------------------------------------------------------


class FollowError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise_word(word: str) -> str:
    return " ".join(word.split()).strip().lstrip("#").lower()


def follow(store: Store, telegram_id: int, type_: str, word: str) -> bool:
    word = normalise_word(word)
    if not word:
        raise FollowError("empty")
    if len(word) > MAX_FOLLOW_CHARS:
        raise FollowError("too_long")
    with store.session.begin() as s:
        chat = ensure_chat(s, telegram_id, type_)
        if any(f.word == word for f in chat.follows):
            return False
        if len(chat.follows) >= MAX_FOLLOWS:
            raise FollowError("too_many")
        chat.follows.append(Follow(word=word))
        return True


def unfollow(store: Store, telegram_id: int, word: str) -> bool:
    word = normalise_word(word)
    with store.session.begin() as s:
        chat = _get(s, telegram_id)
        if chat is None:
            return False
        match = next((f for f in chat.follows if f.word == word), None)
        if match is None:
            return False
        chat.follows.remove(match)
        return True


def following(store: Store, telegram_id: int) -> list[str]:
    with store.session() as s:
        chat = _get(s, telegram_id)
        return sorted(f.word for f in chat.follows) if chat else []


def all_follows(session: Session) -> list[tuple[int, str]]:
    """(chat surrogate id, word) for every follow of a chat that still receives messages."""
    rows = session.execute(
        select(Follow.chat_id, Follow.word)
        .join(Chat, Chat.id == Follow.chat_id)
        .where(Chat.unsubscribed_reason.is_distinct_from("blocked"))
    )
    return [(r[0], r[1]) for r in rows]
