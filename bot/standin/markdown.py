"""MarkdownV2 and legacy Markdown parse modes, strict where Telegram is strict.

The digest bot speaks HTML, but a stray parse_mode="MarkdownV2" must fail here as it would on Telegram (an
unescaped "." or "-" is the classic bug) rather than pass silently. Supported: bold, italic, underline,
strikethrough, spoiler, inline code, pre blocks with a language, [text](url) links, custom emoji and
">" blockquote lines in MarkdownV2; bold, italic, code, pre and links in legacy Markdown. Entity offsets are
UTF-16 code units and error offsets UTF-8 bytes, as in the HTML parser.
"""

from __future__ import annotations

from bot.standin.html import EntityParseError, Parsed, checked_link, utf16_len

_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _bytes(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8", "surrogatepass"))


def _is_space(c: str) -> bool:
    return c in " \t\r\n\v\x00"


class _Out:
    """Visible text being built, with its running UTF-16 length."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos16 = 0

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        self.pos16 += utf16_len(piece)

    def text_since(self, index: int) -> str:
        return "".join(self.parts[index:])


def _pre_language(source: str, i: int) -> tuple[str, int]:
    """After ``` at i: the optional language word and the index where the block's text starts."""
    n = len(source)
    end = i
    while end < n and not _is_space(source[end]) and source[end] != "`":
        end += 1
    language = ""
    if end != i and end < n and source[end] != "`":
        language, i = source[i:end], end
    if i < n and source[i] in "\r\n":
        i += 2 if i + 1 < n and source[i + 1] in "\r\n" and source[i + 1] != source[i] else 1
    return language, i


def parse_markdown_v2(source: str) -> Parsed:
    """Parse MarkdownV2, raising EntityParseError with Telegram's wording."""
    out = _Out()
    entities: list[dict] = []
    stack: list[list] = []  # [type, argument, UTF-16 start, byte-offset index, parts index]
    quote_start: int | None = None
    n = len(source)
    i = 0
    while i < n:
        c = source[i]
        at_line_start = i == 0 or source[i - 1] == "\n"
        if at_line_start and quote_start is not None and c != ">" and not stack:
            entities.append({"type": "blockquote", "offset": quote_start, "length": out.pos16 - quote_start})
            quote_start = None
        if c == "\\" and i + 1 < n and 0 < ord(source[i + 1]) <= 126:
            out.add(source[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        if at_line_start and c == ">" and not in_code:
            if quote_start is None:
                quote_start = out.pos16
            i += 1
            continue
        if c != "`" if in_code else c not in _RESERVED:
            out.add(c)
            i += 1
            continue
        nxt = source[i + 1] if i + 1 < n else ""
        top = stack[-1][0] if stack else None
        closes = (
            (top == "bold" and c == "*")
            or (top == "italic" and c == "_" and nxt != "_")
            or (top == "underline" and c == "_" and nxt == "_")
            or (top == "strikethrough" and c == "~")
            or (top == "spoiler" and c == "|" and nxt == "|")
            or (top == "code" and c == "`")
            or (top == "pre" and source.startswith("```", i))
            or (top in ("text_link", "custom_emoji") and c == "]")
        )
        if not closes:
            begin = i
            argument = ""
            if c == "_":
                kind = "underline" if nxt == "_" else "italic"
                i += 2 if nxt == "_" else 1
            elif c == "*":
                kind, i = "bold", i + 1
            elif c == "~":
                kind, i = "strikethrough", i + 1
            elif c == "|" and nxt == "|":
                kind, i = "spoiler", i + 2
            elif c == "[":
                kind, i = "text_link", i + 1
            elif c == "!" and nxt == "[":
                kind, i = "custom_emoji", i + 2
            elif c == "`" and source.startswith("```", i):
                kind = "pre"
                argument, i = _pre_language(source, i + 3)
            elif c == "`":
                kind, i = "code", i + 1
            else:
                raise EntityParseError(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
            stack.append([kind, argument, out.pos16, begin, len(out.parts)])
            continue
        kind, argument, start16, _, parts_index = stack.pop()
        entity: dict | None = {"type": kind, "offset": start16, "length": out.pos16 - start16}
        if kind in ("underline", "spoiler"):
            i += 2
        elif kind == "pre":
            i += 3
            if argument:
                entity["language"] = argument
        elif kind in ("text_link", "custom_emoji"):
            i += 1
            if i < n and source[i] == "(":
                url_begin = i + 1
                j = url_begin
                url_chars: list[str] = []
                while j < n and source[j] != ")":
                    if source[j] == "\\" and j + 1 < n and 0 < ord(source[j + 1]) <= 126:
                        url_chars.append(source[j + 1])
                        j += 2
                        continue
                    url_chars.append(source[j])
                    j += 1
                if j >= n:
                    what = "a custom emoji URL" if kind == "custom_emoji" else "a URL"
                    raise EntityParseError(f"Can't find end of {what} at byte offset {_bytes(source, url_begin)}")
                url = "".join(url_chars)
                i = j + 1
            elif kind == "custom_emoji":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            else:
                url = out.text_since(parts_index)
            if kind == "custom_emoji":
                emoji_id = url.removeprefix("tg://emoji?id=")
                if emoji_id == url or not emoji_id.isdigit():
                    raise EntityParseError("Invalid custom emoji identifier specified")
                entity["custom_emoji_id"] = emoji_id
            elif url.startswith("tg://user?id=") and url[len("tg://user?id=") :].isdigit():
                entity = {**entity, "type": "text_mention", "user": {"id": int(url[len("tg://user?id=") :])}}
            else:
                link = checked_link(url)
                entity = {**entity, "url": link} if link else None
        else:
            i += 1
        if entity is not None and entity["length"] > 0:
            entities.append(entity)
    if stack:
        kind, _, _, begin, _ = stack[-1]
        raise EntityParseError(f"Can't find end of {_NAMES[kind]} entity at byte offset {_bytes(source, begin)}")
    if quote_start is not None and out.pos16 > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": out.pos16 - quote_start})
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return Parsed("".join(out.parts), entities)


def parse_markdown(source: str) -> Parsed:
    """Parse legacy Markdown (*bold*, _italic_, `code`, ```pre```, [text](url)), no nesting."""
    out = _Out()
    entities: list[dict] = []
    n = len(source)
    i = 0
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.add(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = source.startswith("```", i)
        language = ""
        i += 1
        if is_pre:
            language, i = _pre_language(source, i + 2)
        start16 = out.pos16
        parts_index = len(out.parts)
        while i < n and not (source.startswith("```", i) if is_pre else source[i] == end_char):
            out.add(source[i])
            i += 1
        if i >= n:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {_bytes(source, begin)}")
        length = out.pos16 - start16
        entity: dict | None = None
        if c == "_":
            entity = {"type": "italic"}
        elif c == "*":
            entity = {"type": "bold"}
        elif c == "`":
            entity = (
                {"type": "pre", "language": language} if is_pre and language else {"type": "pre" if is_pre else "code"}
            )
        else:
            url = out.text_since(parts_index)
            if i + 1 < n and source[i + 1] == "(":
                close = source.find(")", i + 2)
                close = n if close < 0 else close
                url = source[i + 2 : close]
                i = close
            link = checked_link(url)
            entity = {"type": "text_link", "url": link} if link else None
        i += 3 if is_pre else 1
        if entity is not None and length > 0:
            entities.append({**entity, "offset": start16, "length": length})
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return Parsed("".join(out.parts), entities)
