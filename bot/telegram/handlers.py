"""Telegram handlers: thin shells that call the service modules and send `views`.

Database and CPU work (search, summaries, digests) runs in a worker thread so one slow
request never stalls the others; every reply is built from the i18n catalogue in the chat's
language; nothing a user types can reach a traceback (see `on_error`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import articles as article_service
from bot import chats as chat_service
from bot.digest import DigestComposer
from bot.i18n import CATALOGUE, language_of, t
from bot.messages import Message, escape
from bot.models import Article
from bot.runtime import Runtime
from bot.schedule import editions, find_edition
from bot.search import QueryError, related, search, top_keywords
from bot.stats import collect
from bot.telegram import callbacks as cb
from bot.telegram import views

log = logging.getLogger(__name__)
LATEST_DEFAULT, LATEST_MAX = 5, 20
Context = ContextTypes.DEFAULT_TYPE


# -- plumbing ------------------------------------------------------------------------------------


def runtime(context: Context) -> Runtime:
    return context.application.bot_data["runtime"]


def services(context: Context) -> Any:
    return context.application.bot_data["services"]


async def off_loop(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, *args, **kwargs)


def markup(message: Message) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in message.buttons]
    )


async def send(update: Update, context: Context, message: Message | list[Message] | str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    items = message if isinstance(message, list) else [Message(message) if isinstance(message, str) else message]
    for item in items:
        await context.bot.send_message(chat.id, item.text, reply_markup=markup(item))


ANSWERED_KEPT = 4096


async def answer(context: Context, query: Any, text: str | None = None, *, show_alert: bool = False) -> bool:
    """Answer a button press, once. Telegram refuses answers to presses older than its window
    (the bot was busy or down): that is logged, and the press still does its work."""
    answered: OrderedDict[str, None] = context.application.bot_data.setdefault("answered", OrderedDict())
    if query.id in answered:
        return False
    answered[query.id] = None
    while len(answered) > ANSWERED_KEPT:
        answered.popitem(last=False)
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as exc:
        log.info("button press %s not answered: %s", query.id, exc.message)
        return False
    return True


async def chat_language(update: Update, context: Context) -> str:
    rt = runtime(context)
    chat = update.effective_chat
    view = await off_loop(chat_service.get_chat, rt.store, chat.id) if chat else None
    return language_of(view.language if view else None, rt.settings.telegram.language)


def args_text(update: Update, context: Context) -> str:
    """Everything after the command, as typed (context.args would lose the spacing)."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    _, _, rest = text.partition(" ")
    return rest.strip()


async def is_group_admin(update: Update, context: Context) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    if chat.type == ChatType.CHANNEL and update.callback_query is None:
        return True  # a channel post: only a channel's admins can post in it (but anyone can press)
    message = update.message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous group admin writes as the group itself (a press has a real user)
    if user is None:
        return False
    if runtime(context).is_admin(user.id):
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def _times(rt: Runtime, lang: str) -> str:
    eds = editions(rt.settings.digest)
    if not eds:
        return t(lang, "times.none")
    parts = []
    now = datetime.now(UTC)
    for e in eds:
        fire = e.next_fire_times(1, now)
        if fire:
            parts.append(f"{fire[0]:%H:%M} ({e.timezone})")
    return t(lang, "times.join").join(parts) or t(lang, "times.none")


# -- basic commands --------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    rt = runtime(context)
    chat = update.effective_chat
    await off_loop(chat_service.touch_chat, rt.store, chat.id, chat.type, chat.title)
    lang = await chat_language(update, context)
    buttons = [
        [(t(lang, "button.subscribe"), cb.menu("sub"))],
        [(t(lang, "button.digest"), cb.menu("digest")), (t(lang, "button.keywords"), cb.menu("keywords"))],
    ]
    await send(update, context, Message(t(lang, "start", times=escape(_times(rt, lang))), buttons))


async def help_command(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    text = t(lang, "help")
    user = update.effective_user
    if user and runtime(context).is_admin(user.id):
        text += t(lang, "help.admin")
    await send(update, context, text)


async def subscribe(update: Update, context: Context) -> None:
    rt, chat = runtime(context), update.effective_chat
    lang = await chat_language(update, context)
    if not await is_group_admin(update, context):
        await send(update, context, t(lang, "group.admins_only"))
        return
    new = await off_loop(chat_service.subscribe, rt.store, chat.id, chat.type, chat.title)
    key = "subscribe.done" if new else "subscribe.already"
    await send(update, context, t(lang, key, times=escape(_times(rt, lang))))


async def unsubscribe(update: Update, context: Context) -> None:
    rt, chat = runtime(context), update.effective_chat
    lang = await chat_language(update, context)
    if not await is_group_admin(update, context):
        await send(update, context, t(lang, "group.admins_only"))
        return
    done = await off_loop(chat_service.unsubscribe, rt.store, chat.id, "user")
    await send(update, context, t(lang, "unsubscribe.done" if done else "unsubscribe.not"))


# -- reading -----------------------------------------------------------------------------------------


def _compose_today(rt: Runtime, summary_for: Any, telegram_id: int) -> Any:
    chat = chat_service.get_chat(rt.store, telegram_id)
    fresh = dataclasses.replace(chat, digest_cursor=None) if chat else None
    edition = find_edition(rt.settings.digest, chat.edition if chat else None)
    settings = rt.settings.model_copy(deep=True)
    settings.digest.when_empty = "skip"
    return DigestComposer(rt.store, settings, summary_for).for_chat(fresh, edition, datetime.now(UTC))


async def digest_now(update: Update, context: Context) -> None:
    rt = runtime(context)
    lang = await chat_language(update, context)
    result = await off_loop(_compose_today, rt, services(context).summary_for(rt.settings), update.effective_chat.id)
    await send(update, context, result.messages if result else t(lang, "digest.none_today"))


def _dicts(articles: list[Article]) -> list[dict]:
    return [article_service.article_dict(a) for a in articles]


async def latest(update: Update, context: Context) -> None:
    rt = runtime(context)
    lang = await chat_language(update, context)
    raw = args_text(update, context)
    n = LATEST_DEFAULT
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= LATEST_MAX:
            await send(update, context, t(lang, "latest.usage", max=LATEST_MAX))
            return
        n = int(raw)
    items = _dicts(await off_loop(article_service.list_articles, rt.store, "article", n))
    if not items:
        await send(update, context, t(lang, "corpus.empty"))
        return
    await send(update, context, views.article_list(lang, t(lang, "latest.title", n=len(items)), items))


def _card_item(rt: Runtime, summary_for: Any, article_id: int, telegram_id: int) -> dict | None:
    """The article for its card, its summary at the chat's length (/settings) as in digests."""
    article = article_service.get_article(rt.store, article_id)
    if article is None:
        return None
    item = article_service.article_dict(article)
    chat = chat_service.get_chat(rt.store, telegram_id)
    sentences = (chat.summary_sentences if chat else None) or rt.settings.digest.summary_sentences
    if item.get("summary"):
        item["summary"] = summary_for(article, sentences)
    return item


async def _show_article(update: Update, context: Context, article_id: int, lang: str) -> None:
    rt = runtime(context)
    item = await off_loop(
        _card_item, rt, services(context).summary_for(rt.settings), article_id, update.effective_chat.id
    )
    if item is None:
        await send(update, context, t(lang, "article.missing", id=article_id))
        return
    await send(update, context, views.article_card(lang, item))


async def article_command(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    raw = args_text(update, context).lstrip("#")
    if not raw.isdigit() or len(raw) > 9:
        await send(update, context, t(lang, "article.usage"))
        return
    await _show_article(update, context, int(raw), lang)


# -- search ------------------------------------------------------------------------------------------


def _query_error(lang: str, exc: QueryError) -> str:
    key = f"search.error.{exc.code}"
    if key in CATALOGUE:
        try:
            return t(lang, key, **exc.params)
        except KeyError:
            pass
    return t(lang, "search.error.other", detail=escape(str(exc)))


def _search_message(rt: Runtime, lang: str, query: str, page: int) -> Message:
    try:
        result = search(
            rt.store,
            query,
            page=page,
            page_size=rt.settings.search.page_size,
            snippet_chars=rt.settings.search.snippet_chars,
        )
    except QueryError as exc:
        return Message(_query_error(lang, exc))
    return views.search_page(lang, result, cb.remember_query(rt.store, query))


async def search_command(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    query = args_text(update, context)
    if not query:
        await send(update, context, t(lang, "search.usage"))
        return
    await send(update, context, await off_loop(_search_message, runtime(context), lang, query, 1))


async def plain_text(update: Update, context: Context) -> None:
    """In a private chat, any text that is not a command is a search."""
    lang = await chat_language(update, context)
    query = (update.effective_message.text or "").strip()
    if not query:
        return
    await send(update, context, await off_loop(_search_message, runtime(context), lang, query, 1))


def _keywords_message(rt: Runtime, lang: str) -> Message:
    words = top_keywords(rt.store, top=12)
    qids = [cb.remember_query(rt.store, w) for w, _ in words]
    return views.keywords_list(lang, words, qids)


async def keywords(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    await send(update, context, await off_loop(_keywords_message, runtime(context), lang))


# -- follows -----------------------------------------------------------------------------------------


async def _followed_word(update: Update, context: Context, usage: str) -> tuple[str | None, str]:
    """The word after /follow or /unfollow, if given and the sender may change this chat."""
    lang = await chat_language(update, context)
    word = args_text(update, context)
    if not word:
        await send(update, context, t(lang, usage))
        return None, lang
    if not await is_group_admin(update, context):
        await send(update, context, t(lang, "group.admins_only"))
        return None, lang
    return word, lang


async def follow(update: Update, context: Context) -> None:
    rt, chat = runtime(context), update.effective_chat
    word, lang = await _followed_word(update, context, "follow.usage")
    if word is None:
        return
    try:
        new = await off_loop(chat_service.follow, rt.store, chat.id, chat.type, word)
    except chat_service.FollowError as exc:
        if exc.code == "empty":
            await send(update, context, t(lang, "follow.usage"))
        elif exc.code == "too_long":
            await send(update, context, t(lang, "follow.too_long", max=chat_service.MAX_FOLLOW_CHARS))
        else:
            await send(update, context, t(lang, "follow.too_many", max=chat_service.MAX_FOLLOWS))
        return
    shown = escape(chat_service.normalise_word(word))
    await send(update, context, t(lang, "follow.done" if new else "follow.already", word=shown))


async def unfollow(update: Update, context: Context) -> None:
    rt, chat = runtime(context), update.effective_chat
    word, lang = await _followed_word(update, context, "unfollow.usage")
    if word is None:
        return
    done = await off_loop(chat_service.unfollow, rt.store, chat.id, word)
    shown = escape(chat_service.normalise_word(word))
    await send(update, context, t(lang, "unfollow.done" if done else "unfollow.not", word=shown))


async def following(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    words = await off_loop(chat_service.following, runtime(context).store, update.effective_chat.id)
    if not words:
        await send(update, context, t(lang, "following.none"))
    else:
        await send(update, context, t(lang, "following.list", words=escape("、".join(words))))


# -- settings ----------------------------------------------------------------------------------------


def _settings_message(rt: Runtime, telegram_id: int, type_: str, lang: str) -> Message:
    chat = chat_service.touch_chat(rt.store, telegram_id, type_, None)
    names = [e.name for e in rt.settings.digest.editions]
    return views.settings_panel(lang, chat, names, rt.settings.digest.summary_sentences)


async def settings_command(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    chat = update.effective_chat
    await send(update, context, await off_loop(_settings_message, runtime(context), chat.id, chat.type, lang))


# -- admin ---------------------------------------------------------------------------------------------


async def _admin_only(update: Update, context: Context) -> bool:
    user = update.effective_user
    if user is not None and runtime(context).is_admin(user.id):
        return True
    await send(update, context, t(await chat_language(update, context), "admin.only"))
    return False


def _stats_text(rt: Runtime, lang: str) -> str:
    data = collect(rt.store, rt.settings)

    def fmt(values: dict) -> str:
        return escape(", ".join(f"{k} {v}" for k, v in values.items() if v is not None) or "—")

    return t(
        lang,
        "stats",
        articles=data["articles"]["article"],
        captions=data["articles"]["caption"],
        subscribed=data["subscribed"]["total"],
        private=data["subscribed"]["private"],
        groups=data["subscribed"]["groups"],
        channels=data["subscribed"]["channels"],
        follows=data["follows"],
        ledger=fmt(data["ledger"]),
        counters=fmt(data["delivery"]),
        next=fmt({name: when[:16].replace("T", " ") for name, when in data["next"].items() if when}),
        source=escape(str(rt.config_path or "built-in defaults")),
    )


async def stats(update: Update, context: Context) -> None:
    if not await _admin_only(update, context):
        return
    lang = await chat_language(update, context)
    await send(update, context, await off_loop(_stats_text, runtime(context), lang))


async def reload_command(update: Update, context: Context) -> None:
    if not await _admin_only(update, context):
        return
    lang = await chat_language(update, context)
    await send(update, context, await services(context).reload(lang))


async def push(update: Update, context: Context) -> None:
    if not await _admin_only(update, context):
        return
    lang = await chat_language(update, context)
    rt = runtime(context)
    name = args_text(update, context) or None
    names = [e.name for e in rt.settings.digest.editions]
    if name is not None and name not in names:
        await send(
            update, context, t(lang, "push.no_edition", name=escape(name), names=escape(", ".join(names) or "—"))
        )
        return
    edition = find_edition(rt.settings.digest, name)
    if edition is None:
        await send(update, context, t(lang, "push.no_edition", name="—", names="—"))
        return
    report, stats_ = await services(context).run_edition(edition, datetime.now(UTC))
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(stats_.outcomes.items())) or "—"
    await send(
        update,
        context,
        t(
            lang,
            "push.done",
            edition=escape(edition.name),
            key=report.key,
            planned=report.planned,
            skipped=report.skipped,
            already=report.already,
            outcomes=escape(outcomes),
        ),
    )


# -- callbacks ---------------------------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    rt = runtime(context)
    lang = await chat_language(update, context)
    press = cb.parse(query.data)
    if press is None:
        await answer(context, query, t(lang, "error.stale_button"))
        return
    kind, args = press.kind, press.args
    if kind == cb.NOOP:
        await answer(context, query)
        return
    if kind == "a":
        await answer(context, query)
        await _show_article(update, context, int(args[0]), lang)
    elif kind == "f":
        article = await off_loop(article_service.get_article, rt.store, int(args[0]))
        if article is None:
            await answer(context, query, t(lang, "error.stale_button"))
            return
        await answer(context, query)
        await send(update, context, views.full_text(lang, article_service.article_dict(article)))
    elif kind == "r":
        await _related(update, context, int(args[0]), lang)
    elif kind == "k":
        article = await off_loop(article_service.get_article, rt.store, int(args[0]))
        words = [k["word"] if isinstance(k, dict) else str(k) for k in (article.keywords or [])] if article else []
        index = int(args[1])
        if index >= len(words):
            await answer(context, query, t(lang, "error.stale_button"))
            return
        await answer(context, query)
        await send(update, context, await off_loop(_search_message, rt, lang, words[index], 1))
    elif kind == "q":
        text = await off_loop(cb.recall_query, rt.store, args[0])
        if text is None:
            await answer(context, query, t(lang, "error.stale_button"))
            return
        await answer(context, query)
        message = await off_loop(_search_message, rt, lang, text, int(args[1]))
        if query.message is not None and query.message.text and query.message.text.startswith("🔍"):
            try:
                await query.edit_message_text(message.text, reply_markup=markup(message))
            except BadRequest as exc:  # same page pressed twice: nothing to change
                if "not modified" not in exc.message.lower():
                    raise
        else:
            await send(update, context, message)
    elif kind == "s":
        await _setting(update, context, args[0], args[1], lang)
    elif kind == "m":
        await answer(context, query)
        handler = {"sub": subscribe, "digest": digest_now, "keywords": keywords}[args[0]]
        await handler(update, context)


async def _related(update: Update, context: Context, article_id: int, lang: str) -> None:
    rt = runtime(context)
    article = await off_loop(article_service.get_article, rt.store, article_id)
    if article is None:
        await answer(context, update.callback_query, t(lang, "error.stale_button"))
        return
    await answer(context, update.callback_query)
    hits = await off_loop(related, rt.store, article_id, 5)
    if not hits:
        await send(update, context, t(lang, "related.none"))
        return
    items = [{"id": h.id, "title": h.title, "byline": h.byline} for h in hits]
    header = t(lang, "related.title", title=escape(article.title or t(lang, "article.caption")))
    await send(update, context, views.article_list(lang, header, items))


async def _setting(update: Update, context: Context, name: str, value: str, lang: str) -> None:
    rt, chat, query = runtime(context), update.effective_chat, update.callback_query
    if not await is_group_admin(update, context):
        await answer(context, query, t(lang, "group.admins_only"), show_alert=True)
        return
    names = [e.name for e in rt.settings.digest.editions]
    changes: dict[str, Any] = {}
    if name == "len" and value in ("1", "2", "3"):
        changes["summary_sentences"] = int(value)
    elif name == "lang" and value in ("zh", "en"):
        changes["language"] = value
    elif name == "dig" and value in ("on", "off"):
        changes["digests_enabled"] = value == "on"
    elif name == "ed" and value in names:
        changes["edition"] = value
    else:
        await answer(context, query, t(lang, "error.stale_button"))
        return
    await off_loop(chat_service.update_settings, rt.store, chat.id, chat.type, **changes)
    lang = changes.get("language", lang)
    await answer(context, query, t(lang, "settings.saved"))
    message = await off_loop(_settings_message, rt, chat.id, chat.type, lang)
    try:
        await query.edit_message_text(message.text, reply_markup=markup(message))
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


# -- chat life cycle and errors ---------------------------------------------------------------------


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

    def move(store: Any, old: int, new: int) -> None:
        with store.session.begin() as s:
            chat_service.migrate_chat(s, old, new)

    await off_loop(move, runtime(context).store, message.chat.id, message.migrate_to_chat_id)
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
