"""Reading the corpus: /digest, /latest, /article and the article card."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Update

from bot.config.runtime import Runtime
from bot.digest.compose import Digest, DigestComposer, summary_length
from bot.digest.schedule import find_edition
from bot.store import articles as article_service
from bot.store import chats as chat_service
from bot.telegram import views
from bot.telegram.handlers.common import Context, args_text, chat_language, off_loop, runtime, send, services
from bot.ui.i18n import t

LATEST_DEFAULT, LATEST_MAX = 5, 20


def _today(rt: Runtime, summary_for: Any, telegram_id: int) -> Digest | None:
    chat = chat_service.get_chat(rt.store, telegram_id)
    edition = find_edition(rt.settings.digest, chat.edition if chat else None)
    return DigestComposer(rt.store, rt.settings, summary_for).today(chat, edition, datetime.now(UTC))


async def digest_now(update: Update, context: Context) -> None:
    rt = runtime(context)
    lang = await chat_language(update, context)
    result = await off_loop(_today, rt, services(context).summary_for(rt.settings), update.effective_chat.id)
    await send(update, context, result.messages if result else t(lang, "digest.none_today"))


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
    found = await off_loop(article_service.list_articles, rt.store, "article", n, originals=True)
    items = [article_service.article_dict(a) for a in found]
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
    item["also_in"] = article_service.also_in(rt.store, article_id)
    if item.get("summary"):
        chat = chat_service.get_chat(rt.store, telegram_id)
        item["summary"] = summary_for(article, summary_length(chat, rt.settings))
    return item


async def show_article(update: Update, context: Context, article_id: int, lang: str) -> None:
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
    await show_article(update, context, int(raw), lang)
