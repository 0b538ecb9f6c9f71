"""The objects of the simulated Telegram: users, chats, messages, buttons and callback queries.

Each knows how to render itself as the Bot API JSON PTB expects (to_api), and messages keep their earlier
versions so tests can assert on edits as well as on the final text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.standin.markup import inline_buttons

PRIVATE, GROUP, SUPERGROUP, CHANNEL = "private", "group", "supergroup", "channel"


@dataclass(eq=False, slots=True)
class User:
    """A Telegram account. ``blocked`` means this user has blocked the bot; ``started`` that they opened it."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked: bool = False
    started: bool = True
    deactivated: bool = False
    _api: dict | None = None

    def to_api(self) -> dict:
        if self._api is None:
            api: dict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
            if self.last_name:
                api["last_name"] = self.last_name
            if self.username:
                api["username"] = self.username
            if self.language_code:
                api["language_code"] = self.language_code
            self._api = api
        return self._api


@dataclass(eq=False, slots=True)
class Version:
    """One state of a message's content; earlier states are kept in Message.edits."""

    text: str | None
    source: str | None
    parse_mode: str | None
    entities: list[dict]
    reply_markup: dict | None
    date: int


@dataclass(eq=False, slots=True)
class Button:
    """An inline button as shown to the user: ``data`` is its callback_data, ``url`` its link."""

    text: str
    data: str | None
    url: str | None
    raw: dict


@dataclass(eq=False, slots=True)
class Message:
    """A message in a chat's transcript: ``text`` is what the user sees, ``source`` what the bot sent."""

    chat: Chat
    message_id: int
    date: int
    sender: User | None
    text: str | None
    source: str | None = None
    parse_mode: str | None = None
    entities: list[dict] = field(default_factory=list)
    reply_markup: dict | None = None
    reply_to: Message | None = None
    service: dict | None = None
    seq: int = 0
    edits: list[Version] = field(default_factory=list)
    edit_date: int | None = None
    edit_seq: int = 0
    deleted: bool = False
    delivered: bool = True

    @property
    def from_bot(self) -> bool:
        return self.sender is not None and self.sender.is_bot

    @property
    def buttons(self) -> list[list[Button]]:
        """The current inline keyboard as rows of Buttons ([] when there is none)."""
        return [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url"), b) for b in row]
            for row in inline_buttons(self.reply_markup)
        ]

    @property
    def button_list(self) -> list[Button]:
        return [b for row in self.buttons for b in row]

    def button(self, label: str) -> Button:
        """The button whose callback_data or text equals ``label`` (callback_data wins)."""
        flat = self.button_list
        for b in flat:
            if b.data == label:
                return b
        for b in flat:
            if b.text == label:
                return b
        shown = ", ".join(f"{b.text!r}→{b.data or b.url!r}" for b in flat) or "no buttons"
        raise LookupError(f"message {self.message_id} in chat {self.chat.id} has no button {label!r} ({shown})")

    def version(self) -> Version:
        return Version(self.text, self.source, self.parse_mode, list(self.entities), self.reply_markup, self.date)

    def render(self) -> str:
        """A readable one-message view: text, then numbered buttons."""
        who = "bot" if self.from_bot else (self.sender.first_name if self.sender else self.chat.title or "?")
        head = f"#{self.message_id} {who}{' (edited)' if self.edits else ''}{' (deleted)' if self.deleted else ''}"
        lines = [head, self.text if self.text is not None else f"[{', '.join(self.service or {})}]"]
        n = 0
        for row in self.buttons:
            cells = []
            for b in row:
                n += 1
                cells.append(f"[{n}] {b.text}" + (f" <{b.url}>" if b.url else ""))
            lines.append("  ".join(cells))
        return "\n".join(lines)

    def to_api(self) -> dict:
        chat = self.chat
        api: dict = {"message_id": self.message_id}
        if chat.type == CHANNEL:
            api["sender_chat"] = chat.to_api()  # channel posts carry the channel, not a user
        elif self.sender is not None:
            api["from"] = self.sender.to_api()
        api["chat"] = chat.to_api()
        api["date"] = self.date
        if self.edit_date is not None:
            api["edit_date"] = self.edit_date
        if self.reply_to is not None:
            api["reply_to_message"] = self.reply_to.to_api_shallow()
        if self.text is not None:
            api["text"] = self.text
            if self.entities:
                api["entities"] = self.entities
        if self.service:
            api.update(self.service)
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            api["reply_markup"] = self.reply_markup
        return api

    def to_api_shallow(self) -> dict:
        reply_to, self.reply_to = self.reply_to, None
        try:
            return self.to_api()
        finally:
            self.reply_to = reply_to


@dataclass(eq=False, slots=True)
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    seq: int


@dataclass(eq=False, slots=True)
class CallbackQuery:
    """A button press; ``answer`` is filled in when the bot calls answerCallbackQuery."""

    id: str
    user: User
    message: Message
    data: str | None
    chat_instance: str
    created: float
    seq: int
    answer: CallbackAnswer | None = None

    def to_api(self) -> dict:
        api = {
            "id": self.id,
            "from": self.user.to_api(),
            "message": self.message.to_api(),
            "chat_instance": self.chat_instance,
        }
        if self.data is not None:
            api["data"] = self.data
        return api


@dataclass(eq=False, slots=True)
class Chat:
    """A chat and everything the bot sent to it. ``bot_status`` is the bot's membership status."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: User | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    migrated_to: Chat | None = None
    migrated_from: Chat | None = None
    messages: list[Message] = field(default_factory=list)
    by_id: dict[int, Message] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    next_id: int = 1
    _api: dict | None = None

    def to_api(self) -> dict:
        if self._api is None:
            api: dict = {"id": self.id, "type": self.type}
            if self.type == PRIVATE and self.user is not None:
                for key in ("first_name", "last_name", "username"):
                    value = getattr(self.user, key)
                    if value:
                        api[key] = value
            else:
                api["title"] = self.title or ""
                if self.username:
                    api["username"] = self.username
            self._api = api
        return self._api

    @property
    def bot_messages(self) -> list[Message]:
        return [m for m in self.messages if m.from_bot]

    def __repr__(self) -> str:
        return f"Chat({self.id}, {self.type}, {self.title or (self.user and self.user.first_name)!r})"


def member_api(user: User, status: str, chat_type: str = GROUP) -> dict:
    """A ChatMember object for ``status`` with every field PTB requires."""
    api: dict = {"status": status, "user": user.to_api()}
    if status == "creator":
        api["is_anonymous"] = False
    elif status == "administrator":
        api.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
        )
        if chat_type == CHANNEL:
            api.update(can_post_messages=True, can_edit_messages=True)
        else:
            api["can_pin_messages"] = True
    elif status == "kicked":
        api["until_date"] = 0
    return api
