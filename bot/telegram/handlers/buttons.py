"""Inline-button presses, one handler per kind of button. The application routes each press by
its pattern (bot.ui.buttons.PATTERNS); `context.match` holds the press's arguments. A press whose
data matches no pattern (forged, or from an older version) gets the "expired" answer."""

from __future__ import annotations

from telegram import Update

from bot.search import related as related_articles
from bot.store import articles as article_service
from bot.store.state import recall_query
from bot.telegram import views
from bot.telegram.handlers.commands import subscribe
from bot.telegram.handlers.common import Context, answer, chat_language, edit, off_loop, runtime, send
from bot.telegram.handlers.reading import digest_now, show_article
from bot.telegram.handlers.searching import keywords, search_message
from bot.ui.i18n import t
from bot.ui.messages import escape

RELATED_SHOWN = 5


async def _stale(update: Update, context: Context, lang: str | None = None) -> None:
    lang = lang or await chat_language(update, context)
    await answer(context, update.callback_query, t(lang, "error.stale_button"))


async def stale(update: Update, context: Context) -> None:
    """Data that no pattern knows."""
    await _stale(update, context)


async def noop(update: Update, context: Context) -> None:
    """The page counter between ◀ and ▶."""
    await answer(context, update.callback_query)


async def open_article(update: Update, context: Context) -> None:
    """`a:<id>`: the article card."""
    lang = await chat_language(update, context)
    await answer(context, update.callback_query)
    await show_article(update, context, int(context.match.group(1)), lang)


async def full_text(update: Update, context: Context) -> None:
    """`f:<id>`: the whole article, split into messages."""
    lang = await chat_language(update, context)
    article = await off_loop(article_service.get_article, runtime(context).store, int(context.match.group(1)))
    if article is None:
        await _stale(update, context, lang)
        return
    await answer(context, update.callback_query)
    await send(update, context, views.full_text(lang, article_service.article_dict(article)))


async def related(update: Update, context: Context) -> None:
    """`r:<id>`: articles related to this one."""
    rt = runtime(context)
    lang = await chat_language(update, context)
    article_id = int(context.match.group(1))
    article = await off_loop(article_service.get_article, rt.store, article_id)
    if article is None:
        await _stale(update, context, lang)
        return
    await answer(context, update.callback_query)
    hits = await off_loop(related_articles, rt.store, article_id, RELATED_SHOWN)
    if not hits:
        await send(update, context, t(lang, "related.none"))
        return
    items = [{"id": h.id, "title": h.title, "byline": h.byline} for h in hits]
    header = t(lang, "related.title", title=escape(article.title or t(lang, "article.caption")))
    await send(update, context, views.article_list(lang, header, items))


async def keyword(update: Update, context: Context) -> None:
    """`k:<id>:<n>`: search the article's n-th keyword."""
    rt = runtime(context)
    lang = await chat_language(update, context)
    article_id, index = (int(g) for g in context.match.groups())
    article = await off_loop(article_service.get_article, rt.store, article_id)
    words = article_service.keyword_words(article.keywords) if article else []
    if index >= len(words):
        await _stale(update, context, lang)
        return
    await answer(context, update.callback_query)
    await send(update, context, await off_loop(search_message, rt, lang, words[index], 1))


async def search_page(update: Update, context: Context) -> None:
    """`q:<query id>:<page>`: a page of a remembered search, edited in place when pressed on one."""
    rt, query = runtime(context), update.callback_query
    lang = await chat_language(update, context)
    qid, page = context.match.groups()
    text = await off_loop(recall_query, rt.store, qid)
    if text is None:
        await _stale(update, context, lang)
        return
    await answer(context, query)
    message = await off_loop(search_message, rt, lang, text, int(page))
    if query.message is not None and query.message.text and query.message.text.startswith("🔍"):
        await edit(query, message)
    else:
        await send(update, context, message)


_MENU = {"sub": subscribe, "digest": digest_now, "keywords": keywords}


async def menu(update: Update, context: Context) -> None:
    """`m:<name>`: the /start menu's shortcuts run their command."""
    await answer(context, update.callback_query)
    await _MENU[context.match.group(1)](update, context)
