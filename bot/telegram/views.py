"""What the bot says, as `Message`s (HTML text + buttons): pure functions over service results.

Every corpus or user string passes through `escape`; every message stays under 4096 visible
characters (long ones are split by `pack`); every callback_data comes from bot.ui.buttons
and fits in 64 bytes.
"""

from __future__ import annotations

from typing import Any

from bot.digest.render import SUMMARY_CHARS, TITLE_CHARS, hashtag
from bot.search import SearchResult
from bot.store.articles import keyword_words
from bot.store.chats import LANGUAGE_CHOICES, SUMMARY_CHOICES
from bot.ui import buttons as cb
from bot.ui.i18n import CATALOGUE, t
from bot.ui.messages import Message, clip, escape, pack
from bot.ui.when import edition_title

SNIPPET_MARK = ("<b>", "</b>")


def _parts_html(parts: Any) -> str:
    return "".join(f"<b>{escape(text)}</b>" if hit else escape(text) for text, hit in parts)


def _title(lang: str, item: dict) -> str:
    return clip(item["title"], TITLE_CHARS) if item["title"] else t(lang, "article.caption")


def _short(text: str | None) -> str:
    return escape(clip(text or "", TITLE_CHARS))


def _also_in(lang: str, item: dict) -> list[str]:
    others = item.get("also_in") or []
    if not others:
        return []
    lines = ["", t(lang, "article.also_in")]
    for other in others[:5]:
        name = other.get("source_name") or clip(other.get("title") or "", 30)
        lines.append(t(lang, "article.also_in_item", name=escape(name), id=other["id"]))
    return lines


def article_card(lang: str, item: dict) -> Message:
    """Title, kicker, byline, summary, keywords as buttons, 全文 and 相关; 🔗 原文 when the
    article has a link, and where else the same story ran ("also in")."""
    lines = []
    if item.get("kicker"):
        lines.append(_short(item["kicker"]))
    lines.append(f"<b>{escape(_title(lang, item))}</b>")
    if item.get("subtitle"):
        lines.append(_short(item["subtitle"]))
    meta = [_short(item["byline"])] if item.get("byline") else []
    if item.get("source_name"):
        meta.append(t(lang, "article.source", name=_short(item["source_name"])))
    meta.append(t(lang, "article.id", id=item["id"]))
    lines.append(f"<i>{' · '.join(meta)}</i>")
    if item.get("summary"):
        lines += ["", t(lang, "article.summary"), escape(clip("".join(item["summary"]), SUMMARY_CHARS))]
    lines += _also_in(lang, item)
    words = keyword_words(item.get("keywords"))
    if words:
        lines += ["", t(lang, "article.keywords")]
    buttons = [(w, cb.keyword(item["id"], i)) for i, w in enumerate(words[:8])]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append(
        [(t(lang, "button.full"), cb.full_text(item["id"])), (t(lang, "button.related"), cb.related(item["id"]))]
    )
    url = cb.link(item.get("url"))
    if url:
        rows[-1].append((t(lang, "button.original"), url))
    others = [o for o in item.get("also_in") or [] if o.get("id")][:4]
    if others:
        rows.append([(f"📰 {clip(o.get('source_name') or str(o['id']), 12)}", cb.article(o["id"])) for o in others])
    return Message("\n".join(lines), rows)  # every part clipped: always under 4096


def full_text(lang: str, item: dict) -> list[Message]:
    """The whole article, split at paragraph (then sentence) ends into ≤4096-character messages."""
    head = [f"<b>{escape(_title(lang, item))}</b>"]
    if item.get("byline"):
        head.append(f"<i>{escape(item['byline'])}</i>")
    blocks = ["\n".join(head)]
    for block in item["blocks"]:
        blocks.append(f"<b>{escape(block['text'])}</b>" if block["type"] == "heading" else escape(block["text"]))
    return [Message(text) for text in pack(blocks)]


def id_label(article_id: int) -> str:
    """How a list labels an article: by the ID that /article takes (never a position in the
    list, which `/article N` would read as another article's ID)."""
    return f"[{article_id}]"


def article_list(lang: str, header: str, items: list[dict]) -> Message:
    lines = [header]
    buttons = []
    for item in items:
        byline = f" · <i>{_short(item['byline'])}</i>" if item.get("byline") else ""
        lines.append(f"{id_label(item['id'])} <b>{escape(_title(lang, item))}</b>{byline}")
        buttons.append((id_label(item["id"]), cb.article(item["id"])))
    if items:
        lines.append(t(lang, "list.ids", id=items[0]["id"]))
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    return Message("\n".join(lines), rows)  # at most 20 clipped lines


def search_page(lang: str, result: SearchResult, query_id: str) -> Message:
    query = escape(result.query[:60] + ("…" if len(result.query) > 60 else ""))
    if not result.total:
        return Message(t(lang, "search.none", query=query))
    header = "search.header_capped" if result.total_capped else "search.header"
    head = t(lang, header, query=query, total=result.total, page=result.page, pages=result.pages)
    for notice in result.notices:
        if f"search.notice.{notice.code}" in CATALOGUE:
            head += "\n<i>" + t(lang, f"search.notice.{notice.code}") + "</i>"
    blocks = [head]
    for hit in result.hits:
        if not hit.title:
            title = escape(t(lang, "article.caption"))
        elif len(hit.title) > TITLE_CHARS:
            title = escape(clip(hit.title, TITLE_CHARS))
        else:
            title = _parts_html(hit.title_parts.parts)
        lines = [f"{id_label(hit.id)} {title}"]
        if hit.byline:
            lines.append(f"<i>{_short(hit.byline)}</i>")
        if hit.snippet.parts:
            lines.append(_parts_html(hit.snippet.parts))
        tags = [tag for tag in (hashtag(w) for w in hit.keywords[:4]) if tag]
        if tags:
            lines.append(" ".join(tags))
        blocks.append("\n".join(lines))
    if result.hits:
        blocks.append(t(lang, "list.ids", id=result.hits[0].id))
    text = "\n\n".join(blocks)  # clipped titles and ~120-character snippets: always under 4096
    hits = [(id_label(hit.id), cb.article(hit.id)) for hit in result.hits]
    nav = []
    if result.has_previous:
        nav.append((t(lang, "button.prev"), cb.search_page(query_id, result.page - 1)))
    if result.pages > 1:
        nav.append((f"{result.page}/{result.pages}{'+' if result.total_capped else ''}", cb.NOOP))
    if result.has_next:
        nav.append((t(lang, "button.next"), cb.search_page(query_id, result.page + 1)))
    return Message(text, [row for row in (hits, nav) if row])


def keywords_list(lang: str, words: list[tuple[str, int]], query_ids: list[str]) -> Message:
    if not words:
        return Message(t(lang, "keywords.none"))
    buttons = [(f"{w} ({n})", cb.search_page(qid, 1)) for (w, n), qid in zip(words, query_ids, strict=True)]
    return Message(t(lang, "keywords.title"), [buttons[i : i + 3] for i in range(0, len(buttons), 3)])


def settings_panel(
    lang: str, chat: Any, editions: list[Any], edition: Any | None, sentences: int, when: str
) -> Message:
    """The /settings panel for `chat`, whose edition, summary length and schedule in words the
    caller resolved. Digests have one switch, the subscription: the panel shows it and its
    button is /subscribe or /unsubscribe."""
    on = chat.subscribed and chat.digests_enabled
    text = t(
        lang,
        "settings.title",
        sentences=sentences,
        digests=escape(t(lang, "settings.subscribed", when=when) if on else t(lang, "settings.not_subscribed")),
        edition=escape(edition_title(lang, edition) if edition is not None else "—"),
    )
    mark = "✓ "
    rows = [
        [
            ((mark if n == sentences else "") + t(lang, "button.sentences", n=n), cb.setting("len", str(n)))
            for n in SUMMARY_CHOICES
        ],
        [
            ((mark if lang == code else "") + t(lang, f"button.lang_{code}"), cb.setting("lang", code))
            for code in LANGUAGE_CHOICES
        ],
        [(t(lang, "button.digests_off" if on else "button.digests_on"), cb.setting("dig", "off" if on else "on"))],
    ]
    if len(editions) > 1:
        chosen = edition.name if edition is not None else None
        rows.append(
            [((mark if e.name == chosen else "") + edition_title(lang, e), cb.setting("ed", e.name)) for e in editions]
        )
    return Message(text, rows)
