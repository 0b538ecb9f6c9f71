"""The stand-in's parse modes: what Telegram accepts, what it refuses, and how it counts."""

from __future__ import annotations

import pytest

from bot.standin.errors import ApiError
from bot.standin.html import EntityParseError, parse_html, trim, utf16_len
from bot.standin.markdown import parse_markdown, parse_markdown_v2
from bot.standin.markup import validate_reply_markup
from bot.standin.text import format_text


def entity_types(text: str) -> list[tuple[str, int, int]]:
    return [(e["type"], e["offset"], e["length"]) for e in parse_html(text).entities]


def test_allowed_tags_become_entities_and_disappear_from_the_text() -> None:
    source = (
        "<b>粗</b><strong>体</strong><i>斜</i><em>体</em><u>下</u><ins>划</ins><s>删</s><strike>除</strike>"
        '<del>线</del><span class="tg-spoiler">剧透</span><tg-spoiler>透</tg-spoiler><code>x</code>'
    )
    parsed = parse_html(source)
    assert parsed.text == "粗体斜体下划删除线剧透透x"
    kinds = [e["type"] for e in parsed.entities]
    assert kinds == ["bold"] * 2 + ["italic"] * 2 + ["underline"] * 2 + ["strikethrough"] * 3 + ["spoiler"] * 2 + [
        "code"
    ]


def test_links_pre_blockquote_and_custom_emoji() -> None:
    parsed = parse_html(
        '<a href="https://example.com/?a=1&amp;b=2">链接</a>\n'
        '<pre><code class="language-python">print(1)</code></pre>\n'
        "<blockquote expandable>引用</blockquote><blockquote>q</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    by_type = {e["type"]: e for e in parsed.entities}
    assert by_type["text_link"]["url"] == "https://example.com/?a=1&b=2"
    assert by_type["pre"]["language"] == "python"
    assert "code" not in by_type  # merged into the pre block
    assert {"expandable_blockquote", "blockquote", "custom_emoji"} <= set(by_type)
    assert by_type["custom_emoji"]["length"] == 2  # 👍 is two UTF-16 units


def test_nested_tags_and_mentions() -> None:
    assert entity_types("<b>a<i>b</i></b>") == [("bold", 0, 2), ("italic", 1, 1)]
    parsed = parse_html('<a href="tg://user?id=42">某人</a>')
    assert parsed.entities[0]["type"] == "text_mention" and parsed.entities[0]["user"]["id"] == 42


def test_only_four_named_entities_and_numeric_ones_are_decoded() -> None:
    parsed = parse_html("&lt;&gt;&amp;&quot; &#128512; &#x4E2D; &nbsp; AT&T &copy;")
    assert parsed.text == '<>&" 😀 中 &nbsp; AT&T &copy;'


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("新闻摘要<br>", 'Unsupported start tag "br" at byte offset 12'),  # byte offset, not characters
        ("0123456789<p>", 'Unsupported start tag "p" at byte offset 10'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<b x>y</b>", 'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0'),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ],
)
def test_malformed_html_is_refused_with_telegrams_wording(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as info:
        parse_html(source)
    assert str(info.value) == message


def test_length_is_counted_in_utf16_after_entity_parsing() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("中文") == 2
    assert utf16_len("😀") == 2
    tagged = "<b>" + "a" * 4000 + "</b><i>" + "b" * 96 + "</i>"
    assert utf16_len(format_text(tagged, "HTML").text) == 4096
    with pytest.raises(ApiError, match="message is too long"):
        format_text(tagged + "c", "HTML")
    with pytest.raises(ApiError, match="message is too long"):
        format_text("😀" * 2048 + "a", None)
    assert format_text("&amp;" * 4096, "HTML").text == "&" * 4096  # entities count as one character


def test_whitespace_is_trimmed_and_empty_text_refused() -> None:
    parsed = trim(parse_html("  \n<b> 标题 </b>\n"))
    assert parsed.text == "标题"
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 2}]
    for empty in ("", "   ", "<b></b>", "<b> </b>\n"):
        with pytest.raises(ApiError, match="message text is empty"):
            format_text(empty, "HTML")


def test_parse_mode_errors_are_prefixed_like_telegram() -> None:
    with pytest.raises(ApiError) as info:
        format_text("0123456789<foo>", "HTML")
    assert info.value.description == 'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 10'
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        format_text("x", "RTF")


def test_markdown_v2_requires_escaping_reserved_characters() -> None:
    parsed = parse_markdown_v2("*粗* _斜_ __下__ ~删~ ||透|| `c` [链接](https://example.com) 1\\.5")
    assert parsed.text == "粗 斜 下 删 透 c 链接 1.5"
    assert [e["type"] for e in parsed.entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    with pytest.raises(EntityParseError, match=r"Character '\.' is reserved"):
        parse_markdown_v2("版本 1.5")
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown_v2("*open")


def test_legacy_markdown() -> None:
    parsed = parse_markdown("*b* _i_ `c` [t](https://e.com) a.b-c!")
    assert parsed.text == "b i c t a.b-c!"
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte offset 2"):
        parse_markdown("a *b")


def test_inline_keyboard_validation() -> None:
    ok = {
        "inline_keyboard": [[{"text": "下一页", "callback_data": "p" * 64}, {"text": "原文", "url": "https://e.com"}]]
    }
    assert validate_reply_markup(ok) == ok
    cases = [
        ({"inline_keyboard": [[{"text": "x", "callback_data": "p" * 65}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "x", "callback_data": "中" * 22}]]}, "BUTTON_DATA_INVALID"),  # 66 bytes
        ({"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "x"}]]}, "Text buttons are unallowed in the inline keyboard"),
        ({"inline_keyboard": [[{"callback_data": "x"}]]}, 'Can\'t find field "text"'),
        ({"inline_keyboard": [[{"text": "x", "url": "javascript:alert(1)"}]]}, "BUTTON_URL_INVALID"),
        ({"inline_keyboard": [{"text": "x", "callback_data": "y"}]}, "Array of Arrays"),
        ({"inline_keyboard": [[{"text": "x", "callback_data": "y"}] * 101]}, "reply markup is too long"),
        ("{not json", "can't parse reply keyboard markup JSON object"),
    ]
    for markup, message in cases:
        with pytest.raises(ApiError, match=message):
            validate_reply_markup(markup)
    assert validate_reply_markup({"inline_keyboard": [[{"text": "x", "callback_data": "中" * 21}]]})
