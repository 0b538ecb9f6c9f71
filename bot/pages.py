"""Newspaper page files -> clean pieces (articles and photo captions).

A page of a district daily holds several pieces, linearised into text with layout damage:
column breaks cut paragraphs mid-word, banners and column labels float between stories,
photo captions sit next to the story they are not part of. The parser works on cues only:

* display lines (short, no sentence punctuation, or Markdown headings) form header groups:
  kicker (the line above, often ending in ——), title, subtitle (below, often starting ——);
* a byline (`□ 记者 X`, `□ 本报评论员`) or a dateline (`本报讯 (记者 X) ...`) right after a
  header group is what starts a new article; a header group without one inside an article is
  a section heading (`## 记者手记`), and display lines with no body after them are furniture;
* a photo credit (`陆新 徐芊卉 摄`) marks the paragraph beside it as a caption piece;
* a paragraph that does not end a sentence continues in the next paragraph (`挑大` + `梁、…`).

The output keeps the text as written, minus Markdown marks and page furniture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# -- character classes -------------------------------------------------------------------

SENTENCE_END = "。！？!?…；;：:"
CLOSERS = "”’」』）)】》〉\"'"
CLAUSE_PUNCT = "。！？!?；;，,"
MAX_DISPLAY_CHARS = 40
MAX_HEADER_LINES = 3

_HEADING = re.compile(r"^\s{0,3}(#{1,6})[ \t\u3000]+(.*?)(?:[ \t]+#+)?\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![A-Za-z0-9*])\*(?=\S)([^*]+?)(?<=\S)\*(?![A-Za-z0-9*])")
_CODE = re.compile(r"`([^`]+)`")
# Only the formatting tags that exports leave behind, with well-formed attributes: text that
# merely looks like markup (`a<b 与 c>d`, a quoted `<script>`) is news and stays.
_TAG = re.compile(
    r"</?(?:br|p|div|span|b|i|u|s|em|strong|font|sup|sub|small|big|center|a|img|hr)"
    r"(?:\s+[A-Za-z-]+(?:=(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s<>\"']+))?)*\s*/?>",
    re.I,
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_BULLET = re.compile(r"^\s{0,3}(?:[-*+]|>)\s+")

_NAME = r"[\u4e00-\u9fff·]{2,5}"
_CREDIT = re.compile(
    rf"^(?:(?:本报)?(?:记者|通讯员|实习生|摄影记者)\s*)?{_NAME}(?:[\s、/]+(?:(?:本报)?(?:记者|通讯员)\s*)?{_NAME})*\s*/?\s*摄(?:影)?$"
    rf"|^(?:图|摄影|摄|图片)\s*[/／:：]\s*{_NAME}(?:[\s、]+{_NAME})*$"
)
_INLINE_CREDIT = re.compile(
    rf"\s*[（(]\s*((?:(?:本报)?(?:记者|通讯员)\s*)?{_NAME}(?:[\s、]+{_NAME})*\s*/?\s*摄(?:影)?)\s*[)）]\s*$"
)
_BYLINE_BOX = re.compile(r"^[□■◇◆○●◎▲△▇]\s*(\S.*)$")
_BYLINE_PLAIN = re.compile(
    rf"^(?:(?:文|作者|撰文)\s*[/／:：]\s*\S.{{0,30}}"
    rf"|(?:(?:本报)?(?:特约)?(?:记者|通讯员|评论员|实习生)(?!手记)\s*{_NAME}(?:[\s、]+{_NAME})*\s*)+"
    rf"|本报评论员|本报特约评论员)$"
)
DATELINE = re.compile(
    r"^((?:本报讯|本报[\u4e00-\u9fff]{1,8}电|新华社[\u4e00-\u9fff\d]{0,14}电|[\u4e00-\u9fff]{2,6}讯)\s*"
    r"[（(]\s*([^()（）]{1,60}?)\s*[)）])\s*"
)
_META_LINE = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


# -- output model ------------------------------------------------------------------------


@dataclass
class Block:
    type: str  # "paragraph" | "heading"
    text: str


@dataclass
class Piece:
    """One article or photo caption as found on a page."""

    kind: str = "article"
    title: str = ""
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    blocks: list[Block] = field(default_factory=list)

    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.type == "paragraph"]


@dataclass
class ParsedPage:
    pieces: list[Piece]
    published_on: date | None = None


# -- line level --------------------------------------------------------------------------


@dataclass
class _Unit:
    kind: str  # display | byline | credit | para
    text: str
    level: int = 0  # Markdown heading level, 0 = none
    byline: str | None = None  # for byline units, and dateline paragraphs
    caption_credit: str | None = None  # set on paragraphs that are photo captions


def strip_markdown(line: str) -> tuple[str, int]:
    """Return the line's text without Markdown marks, and its heading level (0 if none)."""
    level = 0
    m = _HEADING.match(line)
    if m:
        level, line = len(m.group(1)), m.group(2)
    elif _RULE.match(line):
        return "", 0
    line = _BULLET.sub("", line)
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _BOLD.sub(r"\2", line)
    line = _ITALIC.sub(r"\1", line)
    line = _CODE.sub(r"\1", line)
    line = _TAG.sub("", line)
    line = _ESCAPE.sub(r"\1", line)
    return line.strip(" \t\u3000\u00a0"), level


def ends_sentence(text: str) -> bool:
    """True when the text ends a sentence (closing quotes and brackets looked through)."""
    core = text.rstrip(CLOSERS + " \t\u3000")
    return bool(core) and core[-1] in SENTENCE_END


def is_display(text: str) -> bool:
    """Short line without sentence punctuation: a title, heading, banner or label candidate."""
    if len(text) > MAX_DISPLAY_CHARS or ends_sentence(text):
        return False
    return not any(ch in CLAUSE_PUNCT for ch in text)


def _classify(text: str, level: int) -> _Unit:
    if level:  # a Markdown heading is display text, whatever it says (`## 记者手记`)
        return _Unit("display", text, level)
    if _CREDIT.match(text):
        return _Unit("credit", text)
    m = _BYLINE_BOX.match(text)
    if m and len(text) <= 60:
        return _Unit("byline", text, byline=m.group(1).strip())
    if _BYLINE_PLAIN.match(text):
        return _Unit("byline", text, byline=text)
    if is_display(text):
        return _Unit("display", text)
    unit = _Unit("para", text)
    d = DATELINE.match(text)
    if d:
        unit.byline = d.group(2).strip()
    return unit


def _units(text: str) -> list[_Unit]:
    units = []
    for raw in text.splitlines():
        line, level = strip_markdown(raw)
        if line:
            units.append(_classify(line, level))
    return units


# -- passes ------------------------------------------------------------------------------


def _mark_captions(units: list[_Unit]) -> list[_Unit]:
    """A credit marks its neighbouring paragraph as a caption; the credit line itself goes."""
    out: list[_Unit] = []
    for i, unit in enumerate(units):
        if unit.kind == "para":
            m = _INLINE_CREDIT.search(unit.text)
            if m and len(unit.text) - len(m.group(0)) > 0:
                unit.caption_credit = m.group(1)
                unit.text = unit.text[: m.start()].rstrip()
        if unit.kind != "credit":
            out.append(unit)
            continue
        before = out[-1] if out else None
        after = units[i + 1] if i + 1 < len(units) else None
        if before is not None and before.kind == "para" and before.byline is None and before.caption_credit is None:
            before.caption_credit = unit.text
        elif after is not None and after.kind == "para" and after.byline is None:
            after.caption_credit = unit.text
    return out


def _starts_header(units: list[_Unit], i: int) -> bool:
    """Is units[i] (a display line) the start of a header group that a byline/dateline closes?"""
    j = i
    while j < len(units) and units[j].kind == "display":
        j += 1
    return j < len(units) and (units[j].kind == "byline" or (units[j].kind == "para" and units[j].byline is not None))


def _promote_titles(units: list[_Unit]) -> list[_Unit]:
    """A short unfinished line right before a byline is a title, even with a comma in it."""
    for unit, nxt in zip(units, units[1:], strict=False):
        closes = nxt.kind == "byline" or (nxt.kind == "para" and nxt.byline is not None)
        if (
            unit.kind == "para"
            and closes
            and unit.byline is None
            and unit.caption_credit is None
            and len(unit.text) <= MAX_DISPLAY_CHARS
            and not ends_sentence(unit.text)
        ):
            unit.kind = "display"
    return units


def _join_breaks(units: list[_Unit]) -> list[_Unit]:
    """Re-join paragraphs cut by column breaks: an unfinished paragraph takes the next one."""
    out: list[_Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        i += 1
        if unit.kind == "para" and unit.caption_credit is None:
            while not ends_sentence(unit.text) and i < len(units):
                nxt = units[i]
                joinable = nxt.kind == "para" and nxt.byline is None and nxt.caption_credit is None
                fragment = nxt.kind == "display" and not nxt.level and not _starts_header(units, i)
                if not (joinable or fragment):
                    break
                unit.text += nxt.text
                i += 1
        out.append(unit)
    return out


def _split_header(lines: list[_Unit]) -> tuple[str | None, str, str | None]:
    """(kicker, title, subtitle) from a header group of display lines."""
    marked = [u.level for u in lines if u.level]
    if marked:
        t = next(k for k, u in enumerate(lines) if u.level == min(marked))
    else:
        t = 0
        while t < len(lines) - 1 and lines[t].text.endswith(("——", "—", "--")):
            t += 1
    kicker = lines[t - 1].text if t > 0 else None
    subtitle = " ".join(u.text for u in lines[t + 1 :]) or None
    return kicker, lines[t].text, subtitle


def _derived_title(piece: Piece) -> str:
    first = next((t for t in piece.paragraphs()), "")
    first = strip_dateline(first)
    cut = re.split(r"[。！？!?；;，,]", first, maxsplit=1)[0]
    return cut if len(cut) <= 30 else cut[:30] + "…"


def _assemble(units: list[_Unit]) -> list[Piece]:
    pieces: list[Piece] = []
    current: Piece | None = None
    pending: list[_Unit] = []  # display lines waiting to learn what they are

    def start(header: list[_Unit], byline: str | None) -> Piece:
        header = header[-MAX_HEADER_LINES:]
        piece = Piece(byline=byline)
        if header:
            piece.kicker, piece.title, piece.subtitle = _split_header(header)
        pieces.append(piece)
        return piece

    for unit in units:
        if unit.kind == "display":
            pending.append(unit)
        elif unit.kind == "byline":
            if current is not None and not pending and not current.blocks and current.byline is None:
                current.byline = unit.byline
            else:
                current = start(pending, unit.byline)
            pending = []
        elif unit.caption_credit is not None:
            pieces.append(
                Piece(
                    kind="caption",
                    byline=unit.caption_credit,
                    blocks=[Block("paragraph", unit.text)],
                )
            )
            pending = []  # labels next to a photo are furniture
        elif unit.byline is not None and (pending or current is None or current.blocks):
            current = start(pending, unit.byline)
            current.blocks.append(Block("paragraph", unit.text))
            pending = []
        else:
            if current is None:
                current = start(pending, None)
            elif pending and any(u.text.endswith(("——", "—")) for u in pending[:-1]):
                current = start(pending, None)  # kicker + title without a byline
            else:
                current.blocks.extend(Block("heading", u.text) for u in pending)
            pending = []
            current.blocks.append(Block("paragraph", unit.text))
    # display lines with no body after them (banners, column labels) are dropped
    kept = [p for p in pieces if p.paragraphs()]
    for piece in kept:
        if piece.kind == "article" and not piece.title:
            piece.title = _derived_title(piece)
    return kept


def strip_dateline(paragraph: str) -> str:
    """`本报讯 (记者 X) 12月7日,…` -> `12月7日,…`: the dateline is not news."""
    return DATELINE.sub("", paragraph, count=1)


def date_from_name(name: str) -> date | None:
    m = _DATE_IN_NAME.search(name)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Strip a leading `---` block of `key: value` lines (Markdown front matter)."""
    m = re.match(r"^---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", text, re.S)
    if not m or not all(_META_LINE.match(line) for line in m.group(1).splitlines() if line.strip()):
        return text, {}  # a leading rule, not front matter: keep the text
    meta = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return text[m.end() :], meta


def parse_page(text: str, name: str = "") -> ParsedPage:
    """Split one page's text into pieces. `name` (the file name) may carry a date."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text, meta = _front_matter(text)
    units = _join_breaks(_promote_titles(_mark_captions(_units(text))))
    published = None
    if meta.get("date"):
        published = date_from_name(meta["date"].replace("/", "-"))
    return ParsedPage(_assemble(units), published or date_from_name(name))
