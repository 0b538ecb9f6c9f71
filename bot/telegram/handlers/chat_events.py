"""What happens to a chat rather than in it: the bot blocked, removed or added back, a group
becoming a supergroup, unknown commands, and failures (logged, the user told politely)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.store import chats as chat_service
from bot.telegram.handlers.common import Context, answer, chat_language, log, off_loop, runtime, send
from bot.ui.i18n import t
from bot.ui.messages import escape


def _for_this_bot(command: str, chat_type: str, username: str | None) -> bool:
    """Whether an unknown /command is ours to answer: in a private chat always; elsewhere only
    when addressed to this bot by name (/cmd@thisbot), as a bare /cmd in a group may belong to
    any bot there, and /cmd@otherbot (which a bot that is a group admin also sees) never is."""
    _, _, target = command.partition("@")
    if target:
        return bool(username) and target.lower() == username.lower()
    return chat_type == ChatType.PRIVATE


async def unknown_command(update: Update, context: Context) -> None:
    message, chat = update.effective_message, update.effective_chat
    command = (message.text or "").split()[0] if message and message.text else ""
    if chat is None or not _for_this_bot(command, chat.type, context.bot.username):
        return
    lang = await chat_language(update, context)
    await send(update, context, t(lang, "error.unknown_command", command=escape(command[:40])))


async def membership(update: Update, context: Context) -> None:
    """The bot was removed from a group or blocked in private: stop sending there."""
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    if status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        reason = "blocked" if change.chat.type == ChatType.PRIVATE else "removed"
        await off_loop(chat_service.unsubscribe, runtime(context).store, change.chat.id, reason)
        log.info("chat %s: bot %s, unsubscribed", change.chat.id, status)
    elif status in (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR):
        # unblocked, or added (back): alerts may flow again; digests wait for /subscribe
        await off_loop(
            chat_service.touch_chat, runtime(context).store, change.chat.id, change.chat.type, change.chat.title
        )


async def migration(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.migrate_to_chat_id:
        return
    await off_loop(chat_service.migrate, runtime(context).store, message.chat.id, message.migrate_to_chat_id)
    log.info("group %s migrated to supergroup %s", message.chat.id, message.migrate_to_chat_id)


async def on_error(update: object, context: Context) -> None:
    """Log the failure (no secrets), and tell the user politely when there is one to tell."""
    log.error("error while handling an update: %s", context.error, exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        lang = await chat_language(update, context)
        if update.callback_query is not None:
            # a press fails after it was answered (or too late to answer): say it in the chat
            if await answer(context, update.callback_query, t(lang, "error.internal"), show_alert=True):
                return
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, t(lang, "error.internal"))
    except Exception:  # the error path must never raise
        log.exception("could not tell the user about an error")
