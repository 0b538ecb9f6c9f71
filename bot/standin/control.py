"""A small JSON control API under /standin/ so a standalone stand-in can be driven with curl.

When the stand-in runs as ``python -m bot.standin``, tests are not in the same process; these routes let
anything act as a user and read transcripts:

    GET  /standin/state                                  users and chats
    POST /standin/send   {"user_id", "chat_id"?, "text"}  a user writes (chat_id defaults to the private chat)
    POST /standin/press  {"user_id", "chat_id", "message_id", "button" | "data"}
    GET  /standin/transcript?chat_id=N                   what the chat holds, rendered and as Bot API objects
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.standin.server import Standin


def _json(status: int, body: Any) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode(), status=status, content_type="application/json"
    )


def _message(message) -> dict:
    return {**message.to_api(), "deleted": message.deleted, "edits": len(message.edits), "render": message.render()}


async def handle(standin: Standin, request: web.BaseRequest) -> web.Response:
    route = request.path.removeprefix("/standin/")
    try:
        body = await request.json() if request.method == "POST" and request.body_exists else {}
        if route == "state" and request.method == "GET":
            world = standin.world
            users = [u.to_api() for u in world.users.values() if not u.is_bot]
            chats = [{**c.to_api(), "bot_status": c.bot_status} for c in world.chats.values()]
            return _json(200, {"bot": world.bot.to_api(), "users": users, "chats": chats})
        if route == "send" and request.method == "POST":
            user = standin.world.users[int(body["user_id"])]
            chat = standin.chat(int(body.get("chat_id", user.id)))
            message = standin.send_message(user, chat, str(body["text"]))
            return _json(200, {**_message(message), "delivered": message.delivered})
        if route == "press" and request.method == "POST":
            user = standin.world.users[int(body["user_id"])]
            message = standin.message(int(body["chat_id"]), int(body["message_id"]))
            query = standin.press_button(user, message, body.get("button"), data=body.get("data"))
            return _json(200, {"callback_query_id": query.id})
        if route == "transcript" and request.method == "GET":
            messages = standin.transcript(int(request.query["chat_id"]))
            return _json(200, [_message(m) for m in messages])
    except (KeyError, LookupError, ValueError, TypeError) as exc:
        return _json(400, {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"})
    return _json(404, {"ok": False, "error": f"no control route {request.method} /standin/{route}"})
