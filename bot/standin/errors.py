"""Bot API errors in Telegram's shape, so PTB maps them to the same exceptions it would in production."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call: HTTP status, Telegram's description and optional ResponseParameters."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        body: dict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(message: str, parameters: dict | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {message}", parameters)


def forbidden(message: str) -> ApiError:
    return ApiError(403, f"Forbidden: {message}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


def migrated(new_chat_id: int) -> ApiError:
    return bad_request("group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_chat_id})


UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found: method not found")


def has_lone_surrogate(text: str) -> bool:
    """Text Python holds but UTF-8 cannot encode (half of a UTF-16 pair, or an undecodable byte)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_unicode(value: Any, depth: int = 0) -> None:
    """Refuse strings that are not valid Unicode anywhere in a parameter, as Telegram does: they
    would be stored, and every later answer that echoes them (getUpdates!) could not be encoded."""
    if isinstance(value, str):
        if has_lone_surrogate(value):
            raise bad_request("strings must be encoded in UTF-8")
    elif isinstance(value, dict) and depth < 64:
        for key, item in value.items():
            check_unicode(key, depth + 1)
            check_unicode(item, depth + 1)
    elif isinstance(value, list) and depth < 64:
        for item in value:
            check_unicode(item, depth + 1)
