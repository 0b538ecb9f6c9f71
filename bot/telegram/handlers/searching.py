"""Looking things up: /search, plain text in a private chat, and /keywords."""

from __future__ import annotations

from telegram import Update

from bot.config.runtime import Runtime
from bot.ops import metrics
from bot.search import QueryError, search, top_keywords, usable_text
from bot.store.state import remember_query
from bot.telegram import views
from bot.telegram.handlers.common import Context, args_text, chat_language, off_loop, runtime, send
from bot.ui.i18n import CATALOGUE, t
from bot.ui.messages import Message, escape


def _query_error(lang: str, exc: QueryError) -> str:
    key = f"search.error.{exc.code}"
    if key in CATALOGUE:
        try:
            return t(lang, key, **exc.params)
        except KeyError:
            pass
    return t(lang, "search.error.other", detail=escape(str(exc)))


def search_message(rt: Runtime, lang: str, query: str, page: int) -> Message:
    """One page of hits for `query` as the bot shows it (or the reason it cannot be searched)."""
    query = usable_text(query)  # lone surrogates (JSON may carry them) are neither stored nor sent
    try:
        with metrics.SEARCH_SECONDS.time():
            result = search(
                rt.store,
                query,
                page=page,
                page_size=rt.settings.search.page_size,
                snippet_chars=rt.settings.search.snippet_chars,
            )
    except QueryError as exc:
        return Message(_query_error(lang, exc))
    return views.search_page(lang, result, remember_query(rt.store, query))


async def search_command(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    query = args_text(update, context)
    if not query:
        await send(update, context, t(lang, "search.usage"))
        return
    await send(update, context, await off_loop(search_message, runtime(context), lang, query, 1))


async def plain_text(update: Update, context: Context) -> None:
    """In a private chat, any text that is not a command is a search."""
    lang = await chat_language(update, context)
    query = (update.effective_message.text or "").strip()
    if not query:
        return
    await send(update, context, await off_loop(search_message, runtime(context), lang, query, 1))


def _keywords_message(rt: Runtime, lang: str) -> Message:
    words = top_keywords(rt.store, top=12)
    qids = [remember_query(rt.store, w) for w, _ in words]
    return views.keywords_list(lang, words, qids)


async def keywords(update: Update, context: Context) -> None:
    lang = await chat_language(update, context)
    await send(update, context, await off_loop(_keywords_message, runtime(context), lang))
