"""HTML to article text: decoding, feed entry HTML as paragraphs, and article pages (trafilatura).

Decoding a page: the charset the server declared (Content-Type, else a `<meta charset>`), and
when that is missing or wrong, UTF-8 and then GB18030/GBK exactly as page files are read
(bot.corpus.textfiles.decode), so a GBK site that forgot its header reads as Chinese and bytes
that are no text are refused with a reason (`undecodable`).

Feed entry HTML (a few tags) is split by hand: block elements and `<br><br>` end paragraphs,
`<h1>`–`<h6>` are headings. Whole pages go through trafilatura, which finds the article among
the navigation and comments; its XML output keeps paragraphs and headings apart. A page with
no article text (an error page served as 200, a login wall) is `no_text`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import date

import lxml.etree
import lxml.html
import trafilatura

from bot.corpus.pages import Block
from bot.corpus.textfiles import BadFile, decode
from bot.nlp.datelines import DATELINE
from bot.sources.errors import SourceProblem

MIN_ARTICLE_CHARS = 60  # less text than this on a page is not an article (error pages, walls)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BLOCK_TAGS = {"p", "div", "li", "blockquote", "section", "article", "tr", "dd", "dt", "pre", "figcaption"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SPACE = re.compile(r"[ \t\r\n\u00a0\u3000\x00]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_BR = "\x00"  # a <br> seen; two in a row end a paragraph
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*[\r\n{_BR}][ \t\r\n{_BR}]*(?=[{_CJK}])")
_ELLIPSIS = ("…", "...", "[…]", "[...]", "……")


class ExtractError(SourceProblem, ValueError):
    """No usable text; `kind` is the status shown (`undecodable`, `no_text`)."""


@dataclass
class Extracted:
    title: str = ""
    byline: str | None = None
    published: date | None = None
    blocks: list[Block] = field(default_factory=list)

    def text_length(self) -> int:
        return sum(len(b.text) for b in self.blocks if b.type == "paragraph")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def decode_html(body: bytes, charset: str | None = None) -> str:
    """Page bytes as text: the declared charset if it fits, else UTF-8, else GB18030 Chinese."""
    declared = _codec(charset)
    if declared is None:
        m = _META_CHARSET.search(body[:4096])
        declared = _codec(m.group(1).decode("ascii", "ignore")) if m else None
    if declared and declared != "utf-8":
        if declared in ("gbk", "gb2312", "cp936"):
            declared = "gb18030"  # a superset: pages labelled gb2312 often use GBK characters
        try:
            return body.decode(declared)
        except UnicodeDecodeError:
            pass  # the label is wrong: detect below
    try:
        text, _ = decode(body)
    except BadFile as exc:
        label = f" (declared {charset or declared})" if (charset or declared) else " (no charset declared)"
        raise ExtractError("undecodable", f"page is not readable text{label}: {exc}") from None
    return text


def clean(text: str | None) -> str:
    """Whitespace folded to one space; a line break (or <br>) between two Chinese characters,
    which only the HTML source had, goes entirely (a typed space, as in headlines, stays)."""
    return _SPACE.sub(" ", _CJK_BREAK.sub("", text or "")).strip()


def _text_of(element: lxml.html.HtmlElement) -> str:
    return clean(element.text_content())


def html_blocks(fragment: str) -> list[Block]:
    """Feed entry HTML (or plain text) -> paragraphs and headings, in order."""
    if not fragment or not fragment.strip():
        return []
    if "<" not in fragment:
        return [Block("paragraph", p) for p in (clean(x) for x in re.split(r"\n\s*\n|\r\n\s*\r\n", fragment)) if p]
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return [Block("paragraph", clean(fragment))] if clean(fragment) else []
    blocks: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        text = clean("".join(current))
        if text:
            blocks.append(Block("paragraph", text))
        current.clear()

    def walk(el: lxml.html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style"):
            current.append(el.tail or "")
            return
        if tag in _HEADINGS:
            flush()
            if _text_of(el):
                blocks.append(Block("heading", _text_of(el)))
            current.append(el.tail or "")
            return
        if tag == "br":
            if "".join(current).rstrip().endswith(_BR):  # <br><br>: a paragraph break
                flush()
            else:
                current.append(_BR)
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        current.append(el.text or "")
        for child in el:
            walk(child)
        if block:
            flush()
        current.append(el.tail or "")

    walk(root)
    flush()
    return blocks


def looks_truncated(text: str) -> bool:
    return text.rstrip().endswith(_ELLIPSIS)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _xml_blocks(main: lxml.etree._Element, title: str) -> list[Block]:
    blocks: list[Block] = []
    for el in main.iter("p", "head", "item", "quote"):
        if el.tag == "p" and el.getparent() is not None and el.getparent().tag in ("quote", "item"):
            continue
        text = clean("".join(el.itertext()))
        if not text:
            continue
        kind = "heading" if el.tag == "head" else "paragraph"
        if kind == "heading" and not blocks and text == title:
            continue  # the title repeated at the top of the text
        blocks.append(Block(kind, text))
    return blocks


def extract_article(html: str, url: str | None = None) -> Extracted:
    """The article on a web page: title, byline, date and paragraphs; ExtractError if none."""
    xml = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
    )
    if not xml:
        raise ExtractError("no_text", "no article text found on the page (an error page, or not an article)")
    try:
        doc = lxml.etree.fromstring(xml.encode("utf-8"))
    except lxml.etree.XMLSyntaxError:
        raise ExtractError("no_text", "the extractor's output could not be read") from None
    title = clean(doc.get("title"))
    main = doc.find("main")
    blocks = _xml_blocks(main, title) if main is not None else []
    found = Extracted(title, clean(doc.get("author")) or None, _date(doc.get("date")), blocks)
    if found.text_length() < MIN_ARTICLE_CHARS:
        raise ExtractError(
            "no_text", f"no article text found on the page ({found.text_length()} characters of paragraphs)"
        )
    if found.byline is None:
        found.byline = dateline_byline(found.blocks)
    return found


def dateline_byline(blocks: list[Block]) -> str | None:
    """`本报讯（记者 X）…` opening the first paragraph credits X, as the page parser reads it."""
    first = next((b.text for b in blocks if b.type == "paragraph"), "")
    m = DATELINE.match(first)
    return m.group(2).strip() if m else None
