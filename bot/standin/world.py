"""The simulated side of Telegram: users, chats, memberships, messages and the update queue.

Plain synchronous objects with no I/O, so the HTTP layer, the test driver and a benchmark can all share one
world under one lock. Users act here (send, press, block, migrate a group) and each act becomes an Update the
bot later fetches; the bot's own sends land in per-chat transcripts that tests read back.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import deque
from collections.abc import Callable, Iterable

from bot.standin.errors import bad_request, forbidden, has_lone_surrogate, migrated
from bot.standin.html import utf16_len
from bot.standin.model import (
    CHANNEL,
    GROUP,
    PRIVATE,
    SUPERGROUP,
    CallbackQuery,
    Chat,
    Message,
    User,
    member_api,
)

ADMIN_STATUSES = frozenset({"creator", "administrator"})
PRESENT_STATUSES = frozenset({"creator", "administrator", "member", "restricted"})
# Telegram's default when allowed_updates was never set: everything except these three.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")


class World:
    """All simulated state. Not thread-safe by itself: the Standin serialises access with a lock."""

    def __init__(
        self,
        *,
        bot_id: int = 7000000001,
        bot_username: str = "digest_standin_bot",
        bot_name: str = "Digest",
        privacy_mode: bool = True,
        callback_ttl: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot = User(bot_id, bot_name, username=bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.callback_ttl = callback_ttl
        self.clock = clock
        self.users: dict[int, User] = {self.bot.id: self.bot}
        self.chats: dict[int, Chat] = {}
        self.by_username: dict[str, Chat] = {}
        self.queries: dict[str, CallbackQuery] = {}
        self.updates: deque[dict] = deque()
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] | None = None
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.seq = 0
        self.on_update: Callable[[], None] | None = None
        self._user_ids = itertools.count(100000001)
        self._group_ids = itertools.count(4000000001)
        self._channel_ids = itertools.count(2000000001)
        self._query_ids = itertools.count(1)

    # ----- creating the world -------------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def bump(self) -> int:
        self.seq += 1
        return self.seq

    def add_user(
        self,
        first_name: str = "User",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        id: int | None = None,
        started: bool = True,
    ) -> User:
        """A user; with ``started`` (the default) they have opened a private chat with the bot."""
        uid = id if id is not None else next(self._user_ids)
        while id is None and uid in self.users:
            uid = next(self._user_ids)
        if uid in self.users:
            raise ValueError(f"user id {uid} already exists")
        user = User(uid, first_name, last_name, username, language_code, started=started)
        self.users[uid] = user
        chat = Chat(uid, PRIVATE, user=user, members={uid: "member"})
        self.chats[uid] = chat
        return user

    def add_users(self, n: int, *, prefix: str = "user", language_code: str | None = "zh-hans") -> list[User]:
        """``n`` users who all started the bot: cheap enough for 10,000 subscribers in a benchmark."""
        return [self.add_user(f"{prefix}{i}", language_code=language_code) for i in range(n)]

    def add_chat(
        self,
        type: str,
        title: str,
        *,
        creator: User | None = None,
        admins: Iterable[User] = (),
        members: Iterable[User] = (),
        bot: str | None = "member",
        username: str | None = None,
        id: int | None = None,
    ) -> Chat:
        """A group, supergroup or channel. ``bot`` is the bot's status: member, administrator or None (absent)."""
        if type not in (GROUP, SUPERGROUP, CHANNEL):
            raise ValueError(f"chat type must be group, supergroup or channel, not {type!r}")
        if id is None:
            id = -next(self._group_ids) if type == GROUP else -(1000000000000 + next(self._channel_ids))
        if id in self.chats:
            raise ValueError(f"chat id {id} already exists")
        if type == CHANNEL and bot == "member":
            bot = "administrator"  # bots can only be in channels as administrators
        chat = Chat(id, type, title=title, username=username, bot_status=bot or "left")
        for user in members:
            chat.members[user.id] = "member"
        for user in admins:
            chat.members[user.id] = "administrator"
        if creator is not None:
            chat.members[creator.id] = "creator"
        self.chats[id] = chat
        if username:
            self.by_username[username.lower()] = chat
        return chat

    def add_chats(self, n: int, type: str = GROUP, *, prefix: str = "group") -> list[Chat]:
        return [self.add_chat(type, f"{prefix}{i}") for i in range(n)]

    # ----- lookups ------------------------------------------------------------------------------------

    def chat(self, ref: Chat | User | Message | int | str) -> Chat:
        """Resolve a Chat, a User (their private chat), a Message (its chat), an id or an @username."""
        if isinstance(ref, Chat):
            return ref
        if isinstance(ref, Message):
            return ref.chat
        if isinstance(ref, User):
            return self.chats[ref.id]
        found = self.find_chat(ref)
        if found is None:
            raise LookupError(f"no chat {ref!r}")
        return found

    def find_chat(self, chat_id: int | str | None) -> Chat | None:
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                return self.by_username.get(chat_id[1:].lower())
            try:
                return self.chats.get(int(chat_id))
            except ValueError:
                return None
        return None

    def status(self, chat: Chat, user_id: int) -> str:
        if user_id == self.bot.id:
            return chat.bot_status
        if chat.type == PRIVATE:
            return "member" if user_id == chat.id else "left"
        return chat.members.get(user_id, "left")

    def bot_present(self, chat: Chat) -> bool:
        return chat.bot_status in PRESENT_STATUSES

    def writable(self, chat_id: int | str | None) -> Chat:
        """The chat the bot is sending to, or the ApiError Telegram would answer with."""
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise migrated(chat.migrated_to.id)
        self.check_bot_access(chat)
        return chat

    def check_bot_access(self, chat: Chat) -> None:
        if chat.type == PRIVATE:
            user = chat.user
            assert user is not None
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        kind = {GROUP: "group chat", SUPERGROUP: "supergroup chat", CHANNEL: "channel chat"}[chat.type]
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind}")
        if chat.bot_status not in PRESENT_STATUSES:
            raise forbidden(f"bot is not a member of the {kind}")
        if chat.type == CHANNEL and chat.bot_status != "administrator":
            raise bad_request("need administrator rights in the channel chat")

    # ----- updates -------------------------------------------------------------------------------------

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        """Telegram keeps the last non-null allowed_updates; [] restores the default set."""
        if allowed is None:
            return
        if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
            raise bad_request("can't parse allowed_updates JSON array")
        self.allowed_updates = frozenset(allowed) if allowed else None

    def wants(self, kind: str) -> bool:
        if self.allowed_updates is None:
            return kind not in DEFAULT_EXCLUDED_UPDATES
        return kind in self.allowed_updates

    def enqueue(self, kind: str, payload: dict) -> dict | None:
        if not self.wants(kind):
            return None
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        if self.on_update is not None:
            self.on_update()
        return update

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: forget every update below it (a negative offset keeps only the last -offset)."""
        updates = self.updates
        if offset < 0:
            while len(updates) > -offset:
                updates.popleft()
        else:
            while updates and updates[0]["update_id"] < offset:
                updates.popleft()

    def drop_pending(self) -> None:
        self.updates.clear()

    # ----- messages ------------------------------------------------------------------------------------

    def _store(self, message: Message) -> Message:
        chat = message.chat
        chat.messages.append(message)
        chat.by_id[message.message_id] = message
        message.seq = self.bump()
        return message

    def post(
        self,
        chat: Chat,
        text: str,
        entities: list[dict],
        *,
        source: str | None = None,
        parse_mode: str | None = None,
        reply_markup: dict | None = None,
        reply_to: Message | None = None,
    ) -> Message:
        """A message from the bot into ``chat``."""
        mid = chat.next_id
        chat.next_id += 1
        message = Message(chat, mid, self.now(), self.bot, text, source, parse_mode, entities)
        message.reply_markup = reply_markup
        message.reply_to = reply_to
        return self._store(message)

    def _service(self, chat: Chat, sender: User | None, service: dict, *, deliver: bool = True) -> Message:
        mid = chat.next_id
        chat.next_id += 1
        message = self._store(Message(chat, mid, self.now(), sender, None, service=service))
        if deliver and self.bot_present(chat):
            self.enqueue("message", message.to_api())
        return message

    def command_entities(self, text: str) -> list[dict]:
        """bot_command entities as Telegram marks them (every /command token, offsets in UTF-16)."""
        if "/" not in text:
            return []
        out = []
        for m in _COMMAND.finditer(text):
            out.append({"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())})
        return out

    def _addressed(self, chat: Chat, text: str, entities: list[dict], reply_to: Message | None) -> bool:
        """Whether a group message reaches a bot in privacy mode (commands, replies, mentions, or bot admin)."""
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        if reply_to is not None and reply_to.from_bot:
            return True
        username = (self.bot.username or "").lower()
        if entities and entities[0]["offset"] == 0:
            command = text.split(None, 1)[0]
            target = command.partition("@")[2].lower()
            return not target or target == username
        return bool(username) and f"@{username}" in text.lower()

    def user_message(self, user: User, chat: Chat, text: str, *, reply_to: Message | None = None) -> Message:
        """``user`` writes ``text`` in ``chat``; the bot gets an update if Telegram would deliver it."""
        if has_lone_surrogate(text):
            raise ValueError("the text is not valid Unicode (a lone surrogate): no Telegram client can send it")
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat.id} was migrated to {chat.migrated_to.id}; write there")
        if chat.type == PRIVATE:
            if chat.id != user.id:
                raise ValueError(f"{user.first_name} cannot write in {chat!r}, another user's private chat")
            if user.blocked:
                self.unblock(user)  # a blocked user must unblock ("Restart") before writing
            user.started = True
        elif chat.type == CHANNEL:
            if chat.members.get(user.id) not in ADMIN_STATUSES:
                raise ValueError(f"only channel administrators can post in {chat!r}")
        elif chat.members.get(user.id) not in PRESENT_STATUSES:
            raise ValueError(f"{user.first_name} is not a member of {chat!r}")
        entities = self.command_entities(text)
        mid = chat.next_id
        chat.next_id += 1
        message = Message(chat, mid, self.now(), user, text, text, None, entities, reply_to=reply_to)
        self._store(message)
        if chat.type == PRIVATE:
            deliver = True
        elif chat.type == CHANNEL:
            deliver = chat.bot_status == "administrator"
        else:
            deliver = self.bot_present(chat) and self._addressed(chat, text, entities, reply_to)
        message.delivered = deliver and self.wants("channel_post" if chat.type == CHANNEL else "message")
        if deliver:
            self.enqueue("channel_post" if chat.type == CHANNEL else "message", message.to_api())
        return message

    def press(self, user: User, message: Message, data: str | None) -> CallbackQuery:
        """``user`` presses a button carrying ``data`` under ``message``."""
        chat = message.chat
        if message.deleted:
            raise ValueError(f"message {message.message_id} was deleted; its buttons are gone")
        if chat.type == PRIVATE and chat.id != user.id:
            raise ValueError(f"{user.first_name} cannot see {chat!r}")
        if chat.type != PRIVATE and chat.type != CHANNEL and chat.members.get(user.id) not in PRESENT_STATUSES:
            raise ValueError(f"{user.first_name} is not a member of {chat!r}")
        qid = str(4_700_000_000_000_000_000 + next(self._query_ids) * 7919)
        instance = str((chat.id * 2654435761) % 10**18)
        query = CallbackQuery(qid, user, message, data, instance, time.monotonic(), self.bump())
        self.queries[qid] = query
        self.enqueue("callback_query", query.to_api())
        return query

    # ----- membership events ---------------------------------------------------------------------------

    def _my_chat_member(self, chat: Chat, actor: User, old: str, new: str) -> None:
        payload = {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": self.now(),
            "old_chat_member": member_api(self.bot, old, chat.type),
            "new_chat_member": member_api(self.bot, new, chat.type),
        }
        self.enqueue("my_chat_member", payload)

    def set_member(self, chat: Chat, user: User, status: str) -> None:
        """Make ``user`` a creator, administrator, member, left or kicked in ``chat``."""
        if chat.type == PRIVATE:
            raise ValueError("private chats have no membership to change")
        if status in ("left", "kicked"):
            chat.members.pop(user.id, None)
            if status == "kicked":
                chat.members[user.id] = "kicked"
        else:
            chat.members[user.id] = status
        self.bump()

    def add_bot(self, chat: Chat, by: User | None = None, *, admin: bool = False) -> None:
        """Someone adds the bot to a group or channel: my_chat_member plus a new_chat_members message."""
        old = chat.bot_status
        chat.bot_status = "administrator" if admin or chat.type == CHANNEL else "member"
        actor = by or self._someone_in(chat)
        self._my_chat_member(chat, actor, old, chat.bot_status)
        if chat.type != CHANNEL and old not in PRESENT_STATUSES:
            self._service(chat, actor, {"new_chat_members": [self.bot.to_api()]})
        self.bump()

    def remove_bot(self, chat: Chat, by: User | None = None, *, kicked: bool = True) -> None:
        old = chat.bot_status
        chat.bot_status = "kicked" if kicked else "left"
        self._my_chat_member(chat, by or self._someone_in(chat), old, chat.bot_status)
        self.bump()

    def _someone_in(self, chat: Chat) -> User:
        for uid, status in chat.members.items():
            if status == "creator":
                return self.users[uid]
        for uid, status in chat.members.items():
            if status in PRESENT_STATUSES:
                return self.users[uid]
        return chat.user or self.bot

    def block(self, user: User) -> None:
        """The user blocks the bot: sends to them now fail with 403."""
        if not user.blocked:
            user.blocked = True
            self._my_chat_member(self.chats[user.id], user, "member", "kicked")
            self.bump()

    def unblock(self, user: User) -> None:
        if user.blocked:
            user.blocked = False
            self._my_chat_member(self.chats[user.id], user, "kicked", "member")
            self.bump()

    def migrate(self, chat: Chat) -> Chat:
        """Upgrade a group to a supergroup with a new id; sends to the old id fail with migrate_to_chat_id.

        A private chat may be "migrated" too (the user becomes the new supergroup's creator): unrealistic, but
        it lets a benchmark with private subscribers exercise the migration path.
        """
        if chat.migrated_to is not None:
            return chat.migrated_to
        if chat.type not in (GROUP, PRIVATE):
            raise ValueError(f"only basic groups can be migrated, not {chat!r}")
        title = chat.title or (chat.user.first_name if chat.user else "group")
        members = dict(chat.members)
        if chat.type == PRIVATE:
            members = {chat.id: "creator"}
        new = Chat(-(1000000000000 + next(self._channel_ids)), SUPERGROUP, title=title, members=members)
        new.bot_status = chat.bot_status if chat.type != PRIVATE else ("kicked" if chat.user.blocked else "member")
        self.chats[new.id] = new
        chat.migrated_to = new
        new.migrated_from = chat
        actor = self._someone_in(new)
        present = self.bot_present(new)
        self._service(chat, actor, {"migrate_to_chat_id": new.id}, deliver=present)
        self._service(new, None, {"migrate_from_chat_id": chat.id}, deliver=present)
        return new

    # ----- commands --------------------------------------------------------------------------------------

    @staticmethod
    def scope_key(scope: dict | None) -> str:
        if not scope:
            return "default"
        parts = [str(scope.get("type", "default"))]
        for key in ("chat_id", "user_id"):
            if key in scope:
                parts.append(f"{key}={scope[key]}")
        return ":".join(parts)

    def check_query(self, query_id: str | None) -> CallbackQuery:
        query = self.queries.get(query_id or "")
        too_old = query is not None and time.monotonic() - query.created > self.callback_ttl
        if query is None or query.answer is not None or too_old:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        return query
