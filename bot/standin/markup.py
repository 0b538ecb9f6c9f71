"""reply_markup validation: inline keyboards are where bots most often trip Telegram's checks.

Checked like Telegram: the markup is a JSON object; inline_keyboard is an array of arrays of buttons; every
button has a non-empty text and exactly one action; callback_data is 1-64 bytes (BUTTON_DATA_INVALID); URL
buttons carry an http(s)/tg URL; at most 100 buttons. Two choices are stricter than observed Telegram
behaviour and documented as such: an empty button text and a button with two actions are refused.
"""

from __future__ import annotations

import json

from bot.standin.errors import bad_request, check_unicode

ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_BUTTONS = 100


def _button_error(message: str):
    return bad_request(f"can't parse inline keyboard button: {message}")


def _check_inline_button(button: object) -> None:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise _button_error('Can\'t find field "text"')
    text = button["text"]
    if not isinstance(text, str):
        raise _button_error('Field "text" must be of type String')
    if not text.strip():
        raise _button_error("Text must be non-empty")
    actions = [name for name in ACTIONS if button.get(name) not in (None, False)]
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error("exactly one of the optional fields must be used")
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise _button_error('Field "callback_data" must be of type String')
        if not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        url = button["url"]
        if not isinstance(url, str):
            raise _button_error('Field "url" must be of type String')
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme not in ("http", "https", "tg") or " " in url or len(url) <= len(scheme) + 3:
            raise bad_request("BUTTON_URL_INVALID")


def _rows(markup: dict, field: str, kind: str) -> list:
    rows = markup[field]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field}" of the {kind} must be an Array of Arrays')
    return rows


def validate_reply_markup(value: object) -> dict | None:
    """Parse (if a JSON string) and check a reply_markup; return the object, or raise ApiError."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    check_unicode(value)
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        rows = _rows(value, "inline_keyboard", "InlineKeyboardMarkup")
        total = 0
        for row in rows:
            for button in row:
                _check_inline_button(button)
                total += 1
        if total > MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        return value
    if "keyboard" in value:
        rows = _rows(value, "keyboard", "ReplyKeyboardMarkup")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text") if isinstance(button, dict) else None
                if not isinstance(text, str) or not text:
                    raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
        return value
    if value.get("remove_keyboard") is True or value.get("force_reply") is True:
        return value
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_buttons(markup: dict | None) -> list[list[dict]]:
    """The rows of an inline keyboard, or [] for no markup or another kind of keyboard."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return markup["inline_keyboard"]
