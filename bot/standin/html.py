"""Telegram's HTML parse mode, so the stand-in refuses exactly the markup Telegram refuses.

Telegram does not use a browser's forgiving HTML parser: a tag outside its short list, an unbalanced tag or
a crossed pair fails the whole request with "can't parse entities: … at byte offset N". The offsets in those
messages are UTF-8 byte offsets into the text as sent; entity offsets and lengths in the result are UTF-16
code units, which is also how the 4096-character limit is counted. Only &lt; &gt; &amp; &quot; and numeric
references are decoded; any other "&name;" stays as literal text, as on Telegram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TAGS = frozenset(
    "a b strong i em u ins s strike del span tg-spoiler tg-emoji code pre blockquote".split(),
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SPACE = frozenset(" \t\r\n\v\x00")
_SPECIAL = re.compile(r"[<&]")
_PLAIN_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z-]*)>")  # the common case: no attributes, no spaces
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TRIM = "".join(chr(c) for c in range(33))


class EntityParseError(ValueError):
    """The text cannot be parsed; str() is Telegram's wording without the "can't parse entities: " prefix."""


@dataclass(slots=True)
class Parsed:
    """Visible text and Bot API MessageEntity dicts (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def has_astral(text: str) -> bool:
    """Whether any character needs a UTF-16 surrogate pair (then str length and UTF-16 length differ)."""
    return bool(text) and not text.isascii() and max(text) > "\uffff"


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8", "surrogatepass"))


def decode_entity(source: str, i: int) -> tuple[str | None, int]:
    """Decode the character reference at source[i] == "&": (text, next index), or (None, i) if unsupported."""
    n = len(source)
    j = i + 1
    if j < n and source[j] == "#":
        j += 1
        code = 0
        if j < n and source[j] == "x":
            j += 1
            start = j
            while j < n and source[j] in "0123456789abcdefABCDEF":
                j += 1
            digits = source[start:j]
            code = int(digits, 16) if digits else 0
        else:
            start = j
            while j < n and source[j].isdigit() and source[j].isascii():
                j += 1
            digits = source[start:j]
            code = int(digits) if digits else 0
        if code == 0 or code >= 0x10FFFF or j - i >= 10:
            return None, i
        char = chr(code)
    else:
        while j < n and source[j].isascii() and source[j].isalpha():
            j += 1
        char = _NAMED.get(source[i + 1 : j])
        if char is None:
            return None, i
    if j < n and source[j] == ";":
        j += 1
    return char, j


def _decode_all(value: str) -> str:
    if "&" not in value:
        return value
    out: list[str] = []
    i = 0
    while True:
        j = value.find("&", i)
        if j < 0:
            out.append(value[i:])
            return "".join(out)
        out.append(value[i:j])
        char, end = decode_entity(value, j)
        if char is None:
            out.append("&")
            i = j + 1
        else:
            out.append(char)
            i = end


def checked_link(url: str) -> str | None:
    """A link Telegram would keep (http, https, tg, ton, or a bare host made http://), else None."""
    url = url.strip()
    if not url or any(c in _SPACE for c in url):
        return None
    scheme, sep, rest = url.partition(":")
    if sep and scheme.lower() in ("http", "https", "tg", "ton", "ftp"):
        return url if rest.strip("/") else None
    if sep and "/" not in scheme and "." not in scheme:
        return None  # mailto:, javascript: and friends are dropped
    host = url.split("/", 1)[0].split("?", 1)[0]
    if "." not in host or host.startswith(".") or host.endswith("."):
        return None
    return "http://" + url


def _entity_for(tag: str, argument: str, offset: int, length: int, inner: str) -> dict | None:
    simple = _SIMPLE.get(tag)
    if simple:
        return {"type": simple, "offset": offset, "length": length}
    if tag == "code":
        entity = {"type": "code", "offset": offset, "length": length}
        if argument:
            entity["language"] = argument  # removed later unless merged into a <pre>
        return entity
    if tag == "pre":
        return {"type": "pre", "offset": offset, "length": length}
    if tag == "blockquote":
        kind = "expandable_blockquote" if argument == "expandable" else "blockquote"
        return {"type": kind, "offset": offset, "length": length}
    if tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": argument}
    # <a>
    url = argument or inner
    m = re.fullmatch(r"tg://user\?id=(\d+)", url)
    if m:
        return {"type": "text_mention", "offset": offset, "length": length, "user": {"id": int(m.group(1))}}
    link = checked_link(url)
    if link is None:
        return None
    return {"type": "text_link", "offset": offset, "length": length, "url": link}


def parse_html(source: str) -> Parsed:
    """Parse Telegram HTML into visible text and entities, raising EntityParseError like Telegram does."""
    out: list[str] = []
    pos16 = 0  # UTF-16 length of the visible text so far
    stack: list[tuple[str, str, int, int]] = []  # tag, argument, UTF-16 start, index into out
    entities: list[dict] = []
    n = len(source)
    i = 0
    # Decoded references may add astral characters too, but only via "&#", which has_astral can't see.
    measure = utf16_len if has_astral(source) or "&#" in source else len

    def emit(piece: str) -> None:
        nonlocal pos16
        if piece:
            out.append(piece)
            pos16 += measure(piece)

    while True:
        m = _SPECIAL.search(source, i)
        if m is None:
            emit(source[i:])
            break
        j = m.start()
        emit(source[i:j])
        if source[j] == "&":
            char, end = decode_entity(source, j)
            if char is None:
                emit("&")
                i = j + 1
            else:
                emit(char)
                i = end
            continue
        begin = j
        plain = _PLAIN_TAG.match(source, j)
        if plain is not None and not plain.group(1):
            tag = plain.group(2).lower()
            if tag in TAGS and tag != "span":
                stack.append((tag, "", pos16, len(out)))
                i = plain.end()
                continue
        if j + 1 < n and source[j + 1] == "/":
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(source, begin)}")
            k = j + 2
            while k < n and source[k] not in _SPACE and source[k] != ">":
                k += 1
            name = source[j + 2 : k].lower()
            while k < n and source[k] in _SPACE:
                k += 1
            if k >= n or source[k] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
            tag, argument, start16, start_piece = stack.pop()
            if name and name != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(source, begin)}, expected "</{tag}>", found "</{name}>"'
                )
            if pos16 > start16:
                inner = "".join(out[start_piece:]) if tag == "a" and not argument else ""
                entity = _entity_for(tag, argument, start16, pos16 - start16, inner)
                if entity is not None:
                    _add_entity(entities, entity)
            i = k + 1
            continue
        i = _start_tag(source, begin, stack, pos16, len(out))
    if stack:
        raise EntityParseError(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return Parsed("".join(out), entities)


def _add_entity(entities: list[dict], entity: dict) -> None:
    """Append, merging <pre><code class="language-x"> into one pre entity with a language."""
    if entities:
        last = entities[-1]
        same = last["offset"] == entity["offset"] and last["length"] == entity["length"]
        if same and entity["type"] == "pre" and last["type"] == "code":
            language = last.get("language")
            entities.pop()
            if language:
                entity["language"] = language
        elif same and entity["type"] == "code" and last["type"] == "pre":
            if entity.get("language"):
                last["language"] = entity["language"]
            return
    entities.append(entity)


def _start_tag(source: str, begin: int, stack: list, pos16: int, piece_index: int) -> int:
    """Parse one start tag at source[begin] == "<", push it, and return the index after its ">"."""
    n = len(source)
    k = begin + 1
    while k < n and source[k] not in _SPACE and source[k] != ">":
        k += 1
    if k >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
    tag = source[begin + 1 : k].lower()
    if tag not in TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}')
    argument = ""
    while k < n and source[k] != ">":
        while k < n and source[k] in _SPACE:
            k += 1
        if k >= n:
            break
        if source[k] == ">":
            break
        attr_begin = k
        while k < n and source[k] not in _SPACE and source[k] not in "=>":
            k += 1
        attr = source[attr_begin:k]
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        while k < n and source[k] in _SPACE:
            k += 1
        if tag == "blockquote" and attr.lower() == "expandable" and (k >= n or source[k] != "="):
            argument = "expandable"
            continue
        if k >= n or source[k] != "=":
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(source, begin)}"
            )
        k += 1
        while k < n and source[k] in _SPACE:
            k += 1
        if k >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, begin)}')
        if source[k] in "'\"":
            quote = source[k]
            end = source.find(quote, k + 1)
            if end < 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
            value = _decode_all(source[k + 1 : end])
            k = end + 1
        else:
            token_begin = k
            while k < n and (source[k].isascii() and source[k].isalnum() or source[k] in ".-"):
                k += 1
            value = source[token_begin:k].lower()
            if k < n and source[k] not in _SPACE and source[k] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(source, token_begin)}"
                )
        if k >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
        attr = attr.lower()
        if tag == "a" and attr == "href":
            argument = value
        elif tag == "code" and attr == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and attr == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif tag == "tg-emoji" and attr == "emoji-id":
            argument = value
    if k >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
    if tag == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, begin)}')
    stack.append((tag, argument, pos16, piece_index))
    return k + 1


def trim(parsed: Parsed) -> Parsed:
    """Drop leading and trailing whitespace as Telegram does, shifting and clipping entities to match."""
    text = parsed.text
    stripped = text.strip(_TRIM)
    if stripped == text:
        return parsed
    if not stripped:
        return Parsed("", [])
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return Parsed(stripped, entities)


def escape(text: str) -> str:
    """Escape plain text for HTML parse mode (the three characters Telegram requires)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
