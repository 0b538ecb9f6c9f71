"""What the bot says, as `Message`s (HTML text + buttons): pure functions over service results.

Every corpus or user string passes through `escape`; every message stays under 4096 visible
characters (long ones are split by `pack`); every callback_data comes from bot.telegram.callbacks
and fits in 64 bytes.
"""

from __future__ import annotations

from typing import Any

from bot.digest import SUMMARY_CHARS, TITLE_CHARS, hashtag
from bot.i18n import CATALOGUE, t
from bot.messages import Message, clip, escape, pack
from bot.search import SearchResult
from bot.telegram import callbacks as cb

SNIPPET_MARK = ("<b>", "</b>")


def _parts_html(parts: Any) -> str:
    return "".join(f"<b>{escape(text)}</b>" if hit else escape(text) for text, hit in parts)


def _title(lang: str, item: dict) -> str:
    return clip(item["title"], TITLE_CHARS) if item["title"] else t(lang, "article.caption")


def _short(text: str | None) -> str:
    return escape(clip(text or "", TITLE_CHARS))


def article_card(lang: str, item: dict) -> Message:
    """Title, kicker, byline, summary, keywords as buttons, 全文 and 相关."""
    lines = []
    if item.get("kicker"):
        lines.append(_short(item["kicker"]))
    lines.append(f"<b>{escape(_title(lang, item))}</b>")
    if item.get("subtitle"):
        lines.append(_short(item["subtitle"]))
    meta = [_short(item["byline"])] if item.get("byline") else []
    meta.append(t(lang, "article.id", id=item["id"]))
    lines.append(f"<i>{' · '.join(meta)}</i>")
    if item.get("summary"):
        lines += ["", t(lang, "article.summary"), escape(clip("".join(item["summary"]), SUMMARY_CHARS))]
    words = [k["word"] if isinstance(k, dict) else str(k) for k in item.get("keywords") or []]
    if words:
        lines += ["", t(lang, "article.keywords")]
    buttons = [(w, cb.keyword(item["id"], i)) for i, w in enumerate(words[:8])]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append(
        [(t(lang, "button.full"), cb.full_text(item["id"])), (t(lang, "button.related"), cb.related(item["id"]))]
    )
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


def article_list(lang: str, header: str, items: list[dict]) -> Message:
    lines = [header]
    buttons = []
    for n, item in enumerate(items, 1):
        byline = f" · <i>{_short(item['byline'])}</i>" if item.get("byline") else ""
        lines.append(f"{n}. <b>{escape(_title(lang, item))}</b>{byline}")
        buttons.append((str(n), cb.article(item["id"])))
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    return Message("\n".join(lines), rows)  # at most 20 clipped lines


def search_page(lang: str, result: SearchResult, query_id: str) -> Message:
    query = escape(result.query[:60] + ("…" if len(result.query) > 60 else ""))
    if not result.total:
        return Message(t(lang, "search.none", query=query))
    head = t(lang, "search.header", query=query, total=result.total, page=result.page, pages=result.pages)
    for notice in result.notices:
        if f"search.notice.{notice.code}" in CATALOGUE:
            head += "\n<i>" + t(lang, f"search.notice.{notice.code}") + "</i>"
    blocks = [head]
    first = (result.page - 1) * result.page_size
    for n, hit in enumerate(result.hits, first + 1):
        if not hit.title:
            title = escape(t(lang, "article.caption"))
        elif len(hit.title) > TITLE_CHARS:
            title = escape(clip(hit.title, TITLE_CHARS))
        else:
            title = _parts_html(hit.title_parts.parts)
        lines = [f"{n}. {title}"]
        if hit.byline:
            lines.append(f"<i>{_short(hit.byline)}</i>")
        if hit.snippet.parts:
            lines.append(_parts_html(hit.snippet.parts))
        tags = [tag for tag in (hashtag(w) for w in hit.keywords[:4]) if tag]
        if tags:
            lines.append(" ".join(tags))
        blocks.append("\n".join(lines))
    text = "\n\n".join(blocks)  # clipped titles and ~120-character snippets: always under 4096
    hits = [(str(n), cb.article(hit.id)) for n, hit in enumerate(result.hits, first + 1)]
    nav = []
    if result.has_previous:
        nav.append((t(lang, "button.prev"), cb.search_page(query_id, result.page - 1)))
    if result.pages > 1:
        nav.append((f"{result.page}/{result.pages}", cb.NOOP))
    if result.has_next:
        nav.append((t(lang, "button.next"), cb.search_page(query_id, result.page + 1)))
    return Message(text, [row for row in (hits, nav) if row])


def keywords_list(lang: str, words: list[tuple[str, int]], query_ids: list[str]) -> Message:
    if not words:
        return Message(t(lang, "keywords.none"))
    buttons = [(f"{w} ({n})", cb.search_page(qid, 1)) for (w, n), qid in zip(words, query_ids, strict=True)]
    return Message(t(lang, "keywords.title"), [buttons[i : i + 3] for i in range(0, len(buttons), 3)])


def settings_panel(lang: str, chat: Any, edition_names: list[str], default_sentences: int) -> Message:
    sentences = chat.summary_sentences or default_sentences
    on = chat.digests_enabled
    edition = chat.edition if chat.edition in edition_names else (edition_names[0] if edition_names else "—")
    text = t(
        lang,
        "settings.title",
        sentences=sentences,
        digests=t(lang, "settings.on" if on else "settings.off"),
        edition=escape(edition),
    )
    mark = "✓ "
    rows = [
        [
            ((mark if n == sentences else "") + t(lang, "button.sentences", n=n), cb.setting("len", str(n)))
            for n in (1, 2, 3)
        ],
        [
            ((mark if lang == code else "") + t(lang, f"button.lang_{code}"), cb.setting("lang", code))
            for code in ("zh", "en")
        ],
        [(t(lang, "button.digests_off" if on else "button.digests_on"), cb.setting("dig", "off" if on else "on"))],
    ]
    if len(edition_names) > 1:
        rows.append([((mark if name == edition else "") + name, cb.setting("ed", name)) for name in edition_names])
    return Message(text, rows)
