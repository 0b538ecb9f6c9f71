"""The Bot API methods a bot calls, implemented over the World with Telegram's checks and error texts.

Parameters arrive as strings (PTB posts a form where objects are JSON-encoded) or as JSON values (other
clients post JSON); Params coerces both. Each method returns the Bot API ``result`` or raises ApiError.
getUpdates and the webhook are asynchronous and live in the server; this module only keeps their settings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.standin.errors import ApiError, bad_request, check_unicode, migrated
from bot.standin.markup import validate_reply_markup
from bot.standin.model import PRIVATE, CallbackAnswer, Chat, Message, member_api
from bot.standin.text import format_text
from bot.standin.world import PRESENT_STATUSES, World

CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
METHODS = tuple(
    "getMe logOut close setWebhook deleteWebhook getWebhookInfo setMyCommands getMyCommands deleteMyCommands "
    "setMyDescription setMyShortDescription setMyName getMyDescription getMyShortDescription getMyName "
    "setChatMenuButton getChatMenuButton sendMessage editMessageText editMessageReplyMarkup deleteMessage "
    "deleteMessages answerCallbackQuery sendChatAction getChat getChatMember getChatAdministrators "
    "getChatMemberCount leaveChat".split()
)
# Real Bot API methods this stand-in does not implement: 404 with a clear description, not silence.
UNIMPLEMENTED = frozenset(
    "sendPhoto sendDocument sendAudio sendVideo sendAnimation sendVoice sendVideoNote sendMediaGroup "
    "sendLocation sendVenue sendContact sendPoll sendDice sendSticker forwardMessage copyMessage "
    "editMessageCaption editMessageMedia pinChatMessage unpinChatMessage answerInlineQuery "
    "banChatMember unbanChatMember restrictChatMember promoteChatMember getFile".split()
)


class Params:
    """Request parameters with Telegram's coercions (strings from forms, values from JSON bodies)."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def get(self, name: str) -> Any:
        return self.raw.get(name)

    def text(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError):
            try:
                return int(float(value))
            except (TypeError, ValueError, OverflowError):  # "1e400" is inf, "nan" is not a number
                raise bad_request(f"invalid {name} specified") from None

    def float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise bad_request(f"invalid {name} specified") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise bad_request(f"invalid {name} specified")
        return number

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                value = json.loads(value)
            except (ValueError, RecursionError):
                raise bad_request(f"can't parse {name} JSON object") from None
        check_unicode(value)
        return value

    def chat_id(self) -> int | str | None:
        value = self.raw.get("chat_id")
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return value
        if isinstance(value, float):
            if not value.is_integer():
                raise bad_request("chat not found")
            return int(value)
        if value is not None and not isinstance(value, int):
            raise bad_request("chat not found")
        return value


@dataclass
class Webhook:
    """setWebhook's settings; delivery itself runs in the server."""

    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    settings: dict = field(default_factory=dict)


class BotApi:
    """Synchronous Bot API methods over a World. ``call`` dispatches by (case-insensitive) method name."""

    def __init__(self, world: World, *, on_webhook_change: Callable[[], None] | None = None) -> None:
        self.world = world
        self.webhook = Webhook()
        self.profile: dict[str, dict[str, str]] = {}
        self.on_webhook_change = on_webhook_change
        self.methods: dict[str, Callable[[Params], Any]] = {name.lower(): getattr(self, name) for name in METHODS}

    def canonical(self, method: str) -> str | None:
        func = self.methods.get(method.lower())
        return func.__name__ if func is not None else None

    def call(self, method: str, params: Params) -> Any:
        func = self.methods.get(method.lower())
        if func is None:
            raise ApiError(404, "Not Found: method not found")
        return func(params)

    # ----- helpers -----------------------------------------------------------------------------------

    def _chat(self, params: Params) -> Chat:
        """A chat the bot may read (getChat & co): known, not migrated, bot present."""
        chat_id = params.chat_id()
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.world.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise migrated(chat.migrated_to.id)
        return chat

    def _message_id(self, params: Params) -> int:
        mid = params.int("message_id")
        if mid is None:
            raise bad_request("message identifier is not specified")
        return mid

    def _reply_target(self, chat: Chat, params: Params) -> Message | None:
        reply = params.json("reply_parameters")
        if isinstance(reply, dict):
            mid = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply"))
            target_chat = self.world.find_chat(reply["chat_id"]) if reply.get("chat_id") is not None else chat
        else:
            mid = params.int("reply_to_message_id")
            allow = params.flag("allow_sending_without_reply")
            target_chat = chat
        if mid is None:
            return None
        target = target_chat.by_id.get(int(mid)) if target_chat is not None else None
        if target is None or target.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return target

    # ----- identity & lifecycle -------------------------------------------------------------------------

    def getMe(self, params: Params) -> dict:
        return {
            **self.world.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.world.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def logOut(self, params: Params) -> bool:
        return True

    def close(self, params: Params) -> bool:
        return True

    # ----- webhook -------------------------------------------------------------------------------------

    def setWebhook(self, params: Params) -> bool:
        url = params.text("url") or ""
        if url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
                raise bad_request("bad webhook: the Bot API stand-in only delivers to 127.0.0.1 or localhost")
        secret = params.text("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        if params.flag("drop_pending_updates"):
            self.world.drop_pending()
        self.world.set_allowed_updates(params.json("allowed_updates"))
        self.webhook.url = url
        self.webhook.secret_token = secret
        self.webhook.max_connections = params.int("max_connections") or 40
        self.webhook.last_error_date = self.webhook.last_error_message = None
        if self.on_webhook_change:
            self.on_webhook_change()
        return True

    def deleteWebhook(self, params: Params) -> bool:
        if params.flag("drop_pending_updates"):
            self.world.drop_pending()
        self.webhook.url = ""
        self.webhook.secret_token = None
        if self.on_webhook_change:
            self.on_webhook_change()
        return True

    def getWebhookInfo(self, params: Params) -> dict:
        info: dict = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if self.webhook.url:
            info["max_connections"] = self.webhook.max_connections
            if self.world.allowed_updates is not None:
                info["allowed_updates"] = sorted(self.world.allowed_updates)
        if self.webhook.last_error_date:
            info["last_error_date"] = self.webhook.last_error_date
            info["last_error_message"] = self.webhook.last_error_message
        return info

    # ----- commands ------------------------------------------------------------------------------------

    def _command_key(self, params: Params) -> tuple[str, str]:
        scope = params.json("scope")
        if scope is not None and not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        if scope and scope.get("type") not in (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
            "chat",
            "chat_administrators",
            "chat_member",
        ):
            raise bad_request("wrong BotCommandScope type specified")
        if scope and "chat_id" in scope and self.world.find_chat(scope["chat_id"]) is None:
            raise bad_request("chat not found")
        language = params.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return self.world.scope_key(scope), language

    def setMyCommands(self, params: Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        clean = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        key = self._command_key(params)
        if clean:
            self.world.commands[key] = clean
        else:
            self.world.commands.pop(key, None)
        return True

    def getMyCommands(self, params: Params) -> list[dict]:
        return list(self.world.commands.get(self._command_key(params), []))

    def deleteMyCommands(self, params: Params) -> bool:
        self.world.commands.pop(self._command_key(params), None)
        return True

    def _profile_setter(self, field_name: str, params: Params, limit: int) -> bool:
        value = params.text(field_name) or ""
        if len(value) > limit:
            raise bad_request(f"{field_name} is too long")
        self.profile.setdefault(field_name, {})[params.text("language_code") or ""] = value
        return True

    def setMyDescription(self, params: Params) -> bool:
        return self._profile_setter("description", params, 512)

    def setMyShortDescription(self, params: Params) -> bool:
        return self._profile_setter("short_description", params, 120)

    def setMyName(self, params: Params) -> bool:
        return self._profile_setter("name", params, 64)

    def getMyDescription(self, params: Params) -> dict:
        return {"description": self.profile.get("description", {}).get(params.text("language_code") or "", "")}

    def getMyShortDescription(self, params: Params) -> dict:
        lang = params.text("language_code") or ""
        return {"short_description": self.profile.get("short_description", {}).get(lang, "")}

    def getMyName(self, params: Params) -> dict:
        lang = params.text("language_code") or ""
        return {"name": self.profile.get("name", {}).get(lang, self.world.bot.first_name)}

    def setChatMenuButton(self, params: Params) -> bool:
        self.profile.setdefault("menu_button", {})[str(params.chat_id() or "")] = params.json("menu_button") or {
            "type": "default"
        }
        return True

    def getChatMenuButton(self, params: Params) -> dict:
        buttons = self.profile.get("menu_button", {})
        return buttons.get(str(params.chat_id() or ""), buttons.get("", {"type": "commands"}))

    # ----- messages ------------------------------------------------------------------------------------

    def sendMessage(self, params: Params) -> dict:
        chat = self.world.writable(params.chat_id())
        text = params.text("text")
        parse_mode = params.text("parse_mode")
        parsed = format_text(text, parse_mode, params.json("entities"))
        markup = validate_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self.world.post(
            chat,
            parsed.text,
            parsed.entities,
            source=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            reply_to=reply_to,
        )
        return message.to_api()

    def _editable(self, params: Params) -> Message:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self.world.writable(params.chat_id())
        message = chat.by_id.get(self._message_id(params))
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def editMessageText(self, params: Params) -> dict:
        message = self._editable(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text = params.text("text")
        parse_mode = params.text("parse_mode")
        parsed = format_text(text, parse_mode, params.json("entities"))
        markup = validate_reply_markup(params.get("reply_markup"))
        if parsed.text == message.text and parsed.entities == message.entities and markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        self._edit(message, parsed.text, parsed.entities, text, parse_mode, markup)
        return message.to_api()

    def editMessageReplyMarkup(self, params: Params) -> dict:
        message = self._editable(params)
        markup = validate_reply_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        self._edit(message, message.text, message.entities, message.source, message.parse_mode, markup)
        return message.to_api()

    def _edit(self, message: Message, text, entities, source, parse_mode, markup) -> None:
        message.edits.append(message.version())
        message.text, message.entities, message.source = text, entities, source
        message.parse_mode, message.reply_markup = parse_mode, markup
        message.edit_date = self.world.now()
        message.edit_seq = self.world.bump()

    def _delete_one(self, chat: Chat, mid: int) -> None:
        message = chat.by_id.get(mid)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if chat.type != PRIVATE and not message.from_bot and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        message.deleted = True
        message.edit_seq = self.world.bump()

    def deleteMessage(self, params: Params) -> bool:
        chat = self._chat(params)
        self._delete_one(chat, self._message_id(params))
        return True

    def deleteMessages(self, params: Params) -> bool:
        chat = self._chat(params)
        ids = params.json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a list of 1-100 identifiers")
        if not all(isinstance(mid, int | str) and str(mid).lstrip("-").isdigit() for mid in ids):
            raise bad_request("message_ids must be a list of 1-100 identifiers")
        for mid in ids:
            message = chat.by_id.get(int(mid))
            if message is not None and not message.deleted:
                self._delete_one(chat, int(mid))
        return True

    def answerCallbackQuery(self, params: Params) -> bool:
        query = self.world.check_query(params.text("callback_query_id"))
        text = params.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = CallbackAnswer(
            text, params.flag("show_alert"), params.text("url"), params.int("cache_time") or 0, self.world.bump()
        )
        return True

    def sendChatAction(self, params: Params) -> bool:
        chat = self.world.writable(params.chat_id())
        action = params.text("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    # ----- chats -----------------------------------------------------------------------------------------

    def getChat(self, params: Params) -> dict:
        chat = self._chat(params)
        if chat.type != PRIVATE and chat.bot_status not in PRESENT_STATUSES:
            self.world.check_bot_access(chat)
        info = {
            **chat.to_api(),
            "accent_color_id": abs(chat.id) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.migrated_from is not None:
            info["migrated_from_chat_id"] = chat.migrated_from.id
        return info

    def _present_chat(self, params: Params) -> Chat:
        chat = self._chat(params)
        if chat.type != PRIVATE:
            self.world.check_bot_access(chat)
        return chat

    def getChatMember(self, params: Params) -> dict:
        chat = self._present_chat(params)
        user_id = params.int("user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        user = self.world.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return member_api(user, self.world.status(chat, user_id), chat.type)

    def getChatAdministrators(self, params: Params) -> list[dict]:
        chat = self._present_chat(params)
        if chat.type == PRIVATE:
            raise bad_request("there are no administrators in the private chat")
        admins = sorted(
            ((uid, status) for uid, status in chat.members.items() if status in ("creator", "administrator")),
            key=lambda item: item[1] != "creator",
        )
        result = [member_api(self.world.users[uid], status, chat.type) for uid, status in admins]
        if chat.bot_status == "administrator":
            result.append(member_api(self.world.bot, "administrator", chat.type))
        return result

    def getChatMemberCount(self, params: Params) -> int:
        chat = self._present_chat(params)
        if chat.type == PRIVATE:
            return 2
        present = sum(1 for status in chat.members.values() if status in PRESENT_STATUSES)
        return present + (1 if chat.bot_status in PRESENT_STATUSES else 0)

    def leaveChat(self, params: Params) -> bool:
        chat = self._present_chat(params)
        if chat.type == PRIVATE:
            raise bad_request("chat member status can't be changed in private chats")
        self.world.remove_bot(chat, self.world.bot, kicked=False)
        return True
