"""Chats, subscriptions, per-chat settings and keyword follows.

Chats are keyed by a surrogate id so that a group's Telegram id can change (group ->
supergroup migration) with one UPDATE and no lost history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot.store.db import Store
from bot.store.models import Chat, Delivery, Follow, utcnow

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
    if chat.unsubscribed_reason in ("blocked", "removed"):
        # they write to us again, so they unblocked the bot / added it back: alerts may flow;
        # the digest stays off until they /subscribe again
        chat.unsubscribed_reason = None
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
    """Stop the digest; False if the chat was not subscribed. A block or removal is recorded
    even then, since it also stops keyword alerts."""
    with store.session.begin() as s:
        chat = _get(s, telegram_id)
        if chat is None:
            return False
        was = chat.subscribed
        if was or reason != "user":
            chat.subscribed, chat.unsubscribed_reason, chat.updated_at = False, reason, utcnow()
        return was


SUMMARY_CHOICES = (1, 2, 3)  # sentences per summary a chat may pick
LANGUAGE_CHOICES = ("zh", "en")


class SettingError(ValueError):
    """A chat setting with an unknown name or a value it cannot take."""


def check_settings(changes: dict[str, object], editions: Sequence[str] | None = None) -> None:
    """Refuse unknown settings and values a chat cannot take (`editions`: the configured names;
    None skips that check, for callers that set an edition they just read from the config)."""
    checks: dict[str, Callable[[object], bool]] = {
        "summary_sentences": lambda v: v in SUMMARY_CHOICES and not isinstance(v, bool),
        "language": lambda v: v in LANGUAGE_CHOICES,
        "digests_enabled": lambda v: isinstance(v, bool),
        "edition": lambda v: isinstance(v, str) and (editions is None or v in editions),
    }
    for key, value in changes.items():
        if key not in checks:
            raise SettingError(f"unknown chat setting {key!r}: use one of {', '.join(checks)}")
        if not checks[key](value):
            raise SettingError(f"chat setting {key} cannot be {value!r}")


def update_settings(
    store: Store,
    telegram_id: int,
    type_: str = "private",
    *,
    editions: Sequence[str] | None = None,
    **changes: object,
) -> ChatView:
    """Change a chat's settings (checked first: raises SettingError, changing nothing)."""
    check_settings(changes, editions)
    with store.session.begin() as s:
        chat = ensure_chat(s, telegram_id, type_)
        for key, value in changes.items():
            setattr(chat, key, value)
        chat.updated_at = utcnow()
        return ChatView.of(chat)


def migrate(store: Store, old_id: int, new_id: int) -> None:
    """A group became a supergroup (Telegram said so in the chat): follow it, in one transaction."""
    with store.session.begin() as s:
        migrate_chat(s, old_id, new_id)


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
        cursors = [c for c in (chat.digest_cursor, twin.digest_cursor) if c is not None]
        chat.digest_cursor = max(cursors) if cursors else None
        _merge_deliveries(session, keep=chat.id, gone=twin.id)
        session.delete(twin)
        session.flush()
    chat.telegram_id, chat.type, chat.updated_at = new_id, "supergroup", utcnow()


# how far a delivery got; when two rows for one (edition, key) meet, the further one wins
_PROGRESS = {"sent": 3, "sending": 2, "uncertain": 2, "pending": 1, "failed": 0, "skipped": 0}


def _merge_deliveries(session: Session, keep: int, gone: int) -> None:
    """Move a chat's ledger rows onto the chat that survives a merge. Where both have a row
    for the same (edition, key), the one that got further is kept, so a digest the twin
    already received is never sent again, and no history is thrown away."""
    ours = {(d.edition, d.key): d for d in session.scalars(select(Delivery).where(Delivery.chat_id == keep))}
    for theirs in list(session.scalars(select(Delivery).where(Delivery.chat_id == gone))):
        mine = ours.get((theirs.edition, theirs.key))
        if mine is None:
            theirs.chat_id = keep
            continue
        if _PROGRESS.get(theirs.status, 0) > _PROGRESS.get(mine.status, 0):
            mine.status, mine.message_ids, mine.last_error = theirs.status, theirs.message_ids, theirs.last_error
            mine.claimed_by = mine.claimed_until = None
            mine.updated_at = utcnow()
        session.delete(theirs)
    session.flush()


def subscribed_count(store: Store) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count(Chat.id)).where(Chat.subscribed.is_(True))) or 0)


# -- keyword follows -----------------------------------------------------------------------

UNREACHABLE = ("blocked", "removed")  # chats that cannot receive anything, alerts included


def reachable() -> ColumnElement[bool]:
    """SQL condition: the chat has not blocked the bot or removed it."""
    return or_(Chat.unsubscribed_reason.is_(None), Chat.unsubscribed_reason.not_in(UNREACHABLE))


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
