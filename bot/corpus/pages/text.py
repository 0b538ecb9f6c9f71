"""Text-level helpers of the page parser: Markdown marks, sentence ends, display shape, dates.

Pages arrive as plain text or Markdown exports; these functions reduce a line to its words and
say what shape it has, before any cue about its role is read (that is `cues`).
"""

from __future__ import annotations

import re
from datetime import date

SENTENCE_END = "。！？!?…；;：:"
CLOSERS = "”’」』）)】》〉\"'"
CLAUSE_PUNCT = "。！？!?；;，,"
MAX_DISPLAY_CHARS = 40

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
_IMG_TAG = re.compile(r"<img\b", re.I)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_BULLET = re.compile(r"^\s{0,3}(?:[-*+]|>)\s+")
_META_LINE = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
SPACES = " \t\u3000\u00a0"
# a bracketed tag closing a story after its last sentence (`（完）`, `（据新华社）`)
# a bracketed tag after the last sentence (`（完）`, `（据新华社）`); not a list's next number
# (`…监管。（2）` is cut before its item)
_END_TAG = re.compile(
    r"[ \t\u3000\u00a0]*[（(](?![\d一二三四五六七八九十]+[)）])[^（）()]{1,30}[)）][ \t\u3000\u00a0]*$"
)
_FULL_STOPS = "。！？!?…"


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
    return line.strip(SPACES), level


def is_image(line: str) -> bool:
    """A line that is only a picture (`![](a.jpg)`, `<img …>`): a photo sits here."""
    return bool(_IMAGE.search(line) or _IMG_TAG.search(line)) and not strip_markdown(line)[0]


def ends_sentence(text: str) -> bool:
    """True when the text ends a sentence (closing quotes and brackets looked through), also
    when a bracketed tag follows the sentence's end: the wire's `…收益。（完）`, a source
    `…医生。（据新华社）`, a credit `…办法。（本报记者 X 整理）`."""
    core = without_end_tag(text).rstrip(CLOSERS + SPACES)
    return bool(core) and core[-1] in SENTENCE_END


def end_tag(text: str) -> str | None:
    """`…收益。（记者 X）` -> `（记者 X）`: the bracketed tag after the text's last sentence end."""
    rest = text[len(without_end_tag(text)) :].strip()
    return rest or None


def without_end_tag(text: str) -> str:
    """`…收益。（完）` -> `…收益。`: text without the bracketed tag after its last sentence end."""
    m = _END_TAG.search(text)
    if m is None or m.start() == 0:
        return text
    head = text[: m.start()]
    core = head.rstrip(CLOSERS + SPACES)
    return head if core and core[-1] in _FULL_STOPS else text


def is_display(text: str) -> bool:
    """Short line without sentence punctuation: a title, heading, banner or label candidate."""
    if len(text) > MAX_DISPLAY_CHARS or ends_sentence(text):
        return False
    return not any(ch in CLAUSE_PUNCT for ch in text)


def visible_len(text: str) -> int:
    """Characters that are not spaces (`走基层 看变化` is 6)."""
    return sum(1 for ch in text if ch not in SPACES)


def date_from_name(name: str) -> date | None:
    m = _DATE_IN_NAME.search(name)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def front_matter(text: str) -> tuple[str, dict[str, str]]:
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
