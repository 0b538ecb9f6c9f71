"""What a test does with the stand-in: build a world, act as users, read what each chat received.

Every method here is synchronous and safe to call from any thread: it takes the stand-in's lock, changes
the world, and wakes whatever waits (the bot's long poll, a test's wait_for_messages). Waiting itself is
asynchronous and lives on Standin; StandinThread offers blocking versions for synchronous code.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from bot.standin.model import CHANNEL, GROUP, PRIVATE, SUPERGROUP, CallbackQuery, Chat, Message, User
from bot.standin.world import World

ChatRef = Chat | User | Message | int | str


class Driver:
    """Mixin for Standin: the test-facing API over ``self.world``."""

    world: World
    _lock: threading.RLock
    _last_action_seq: int

    def _acted(self, seq: int | None = None) -> None:  # overridden by Standin to wake waiters
        self._last_action_seq = self.world.seq if seq is None else seq

    # ----- building the world ------------------------------------------------------------------------

    @property
    def bot_user(self) -> User:
        return self.world.bot

    def user(
        self,
        first_name: str = "Alice",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        id: int | None = None,
        started: bool = True,
    ) -> User:
        """A user; ``started=False`` means they never opened the bot (sends to them get 403)."""
        with self._lock:
            return self.world.add_user(
                first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
                id=id,
                started=started,
            )

    def users(self, n: int, *, prefix: str = "user", language_code: str | None = "zh-hans") -> list[User]:
        """``n`` users with private chats, in bulk (10,000 take well under a second)."""
        with self._lock:
            return self.world.add_users(n, prefix=prefix, language_code=language_code)

    def _group(self, kind: str, title: str, creator, admins, members, bot, username) -> Chat:
        with self._lock:
            chat = self.world.add_chat(
                kind,
                title,
                creator=creator,
                admins=admins,
                members=members,
                bot={True: "member", False: None}.get(bot, bot),
                username=username,
            )
        return chat

    def group(
        self,
        title: str = "群组",
        *,
        creator: User | None = None,
        admins: Iterable[User] = (),
        members: Iterable[User] = (),
        bot: bool | str = True,
        username: str | None = None,
    ) -> Chat:
        """A basic group. ``bot``: True (member), "administrator", or False (not yet added)."""
        return self._group(GROUP, title, creator, admins, members, bot, username)

    def supergroup(
        self,
        title: str = "超级群组",
        *,
        creator: User | None = None,
        admins: Iterable[User] = (),
        members: Iterable[User] = (),
        bot: bool | str = True,
        username: str | None = None,
    ) -> Chat:
        return self._group(SUPERGROUP, title, creator, admins, members, bot, username)

    def channel(
        self,
        title: str = "频道",
        *,
        creator: User | None = None,
        admins: Iterable[User] = (),
        bot: bool = True,
        username: str | None = None,
    ) -> Chat:
        """A channel; a bot in a channel is always an administrator."""
        return self._group(CHANNEL, title, creator, admins, (), "administrator" if bot else None, username)

    def groups(self, n: int, *, kind: str = GROUP, prefix: str = "group") -> list[Chat]:
        """``n`` empty chats of one kind with the bot as a member, in bulk."""
        with self._lock:
            return self.world.add_chats(n, kind, prefix=prefix)

    def chat(self, ref: ChatRef) -> Chat:
        """Resolve a Chat, User (private chat), Message, id or "@username"."""
        with self._lock:
            return self.world.chat(ref)

    # ----- acting as users ---------------------------------------------------------------------------

    def send_message(self, user: User, chat: ChatRef, text: str, *, reply_to: Message | None = None) -> Message:
        """``user`` types ``text`` into ``chat`` (a User means their private chat with the bot).

        A leading /command gets a bot_command entity at offset 0 as in Telegram. In groups a bot in privacy
        mode only receives commands, replies to it and mentions (or everything once it is an admin); the
        returned Message says whether the bot got it in ``.delivered``.
        """
        with self._lock:
            message = self.world.user_message(user, self.world.chat(chat), text, reply_to=reply_to)
        self._acted(message.seq)
        return message

    def command(self, user: User, chat: ChatRef, name: str, args: str = "") -> Message:
        """Send /name [args] as a Telegram client would: /name@botname in groups, plain /name in private."""
        with self._lock:
            target = self.world.chat(chat)
            suffix = f"@{self.world.bot.username}" if target.type in (GROUP, SUPERGROUP) else ""
        text = f"/{name.lstrip('/')}{suffix}" + (f" {args}" if args else "")
        return self.send_message(user, target, text)

    def press_button(
        self, user: User, message: Message, button: str | None = None, *, data: str | None = None
    ) -> CallbackQuery:
        """``user`` presses the button whose callback_data (or text) is ``button``; returns the query.

        ``data=`` sends arbitrary callback data without looking at the keyboard, for forged or stale presses.
        """
        with self._lock:
            if data is None:
                if button is None:
                    raise ValueError("press_button needs a button (callback_data or text) or data=")
                found = message.button(button)
                if found.data is None:
                    raise ValueError(f"button {found.text!r} is a URL or other non-callback button")
                data = found.data
            query = self.world.press(user, message, data)
        self._acted(query.seq)
        return query

    def add_bot_to_group(self, chat: Chat, by: User | None = None, *, admin: bool = False) -> None:
        """Someone adds the bot: a my_chat_member update and a new_chat_members service message."""
        with self._lock:
            self.world.add_bot(chat, by, admin=admin)
        self._acted()

    def remove_bot_from_group(self, chat: Chat, by: User | None = None, *, kicked: bool = True) -> None:
        with self._lock:
            self.world.remove_bot(chat, by, kicked=kicked)
        self._acted()

    def set_member(self, chat: Chat, user: User, status: str) -> None:
        """Make ``user`` creator/administrator/member/left/kicked (getChatMember answers accordingly)."""
        with self._lock:
            self.world.set_member(chat, user, status)
        self._acted()

    def migrate_group_to_supergroup(self, chat: Chat) -> Chat:
        """Upgrade a group; from now on sends to the old id fail with 400 migrate_to_chat_id."""
        with self._lock:
            new = self.world.migrate(chat)
        self._acted()
        return new

    def block_bot(self, user: User) -> None:
        """The user blocks the bot: sends to them fail with 403 "bot was blocked by the user"."""
        with self._lock:
            self.world.block(user)
        self._acted()

    def unblock_bot(self, user: User) -> None:
        with self._lock:
            self.world.unblock(user)
        self._acted()

    def deactivate(self, user: User) -> None:
        """The account is deleted: sends fail with 403 "user is deactivated"."""
        with self._lock:
            user.deactivated = True
            self.world.bump()
        self._acted()

    # ----- reading what happened ---------------------------------------------------------------------

    def transcript(self, chat: ChatRef) -> list[Message]:
        """Every message in the chat in order (users' and the bot's), deleted ones flagged, edits kept."""
        with self._lock:
            return list(self.world.chat(chat).messages)

    def bot_messages(self, chat: ChatRef, *, since: int | None = None, include_deleted: bool = True) -> list[Message]:
        """The bot's messages in a chat, optionally only those after mark ``since``."""
        with self._lock:
            return [
                m
                for m in self.world.chat(chat).messages
                if m.from_bot
                and (since is None or m.seq > since)
                and (include_deleted or not m.deleted)
                and m.service is None
            ]

    def last_message(self, chat: ChatRef, *, from_bot: bool = True) -> Message | None:
        with self._lock:
            for message in reversed(self.world.chat(chat).messages):
                if message.from_bot == from_bot and not message.deleted:
                    return message
        return None

    def message(self, chat: ChatRef, message_id: int) -> Message:
        with self._lock:
            return self.world.chat(chat).by_id[message_id]

    def render(self, chat: ChatRef) -> str:
        """The transcript as readable text, buttons numbered, for failure messages and consoles."""
        return "\n\n".join(m.render() for m in self.transcript(chat))

    def chat_actions(self, chat: ChatRef) -> list[str]:
        with self._lock:
            return list(self.world.chat(chat).actions)

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """What setMyCommands stored for that scope and language ([] if none)."""
        with self._lock:
            return list(self.world.commands.get((self.world.scope_key(scope), language_code), []))

    def mark(self) -> int:
        """A point in time for ``since=`` arguments: everything after it has a larger seq."""
        with self._lock:
            return self.world.seq

    def pending_updates(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.world.updates)

    def private(self, user: User) -> Chat:
        with self._lock:
            chat = self.world.chats[user.id]
            assert chat.type == PRIVATE
            return chat
