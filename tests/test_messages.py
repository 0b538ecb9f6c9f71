"""HTML escaping, visible length in UTF-16 units, and splitting under 4096."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ui.i18n import CATALOGUE, LANGUAGES
from bot.ui.messages import LIMIT, escape, pack, split_plain, utf16_len, visible_len, visible_text


def test_escape_and_visible_length():
    assert escape('<b>"a" & b</b>') == "&lt;b&gt;&quot;a&quot; &amp; b&lt;/b&gt;"
    assert visible_len("<b>武进</b> &amp; 😀") == 2 + 3 + 2  # emoji counts two UTF-16 units


def test_pack_never_splits_inside_a_block_and_respects_the_limit():
    blocks = [f"<b>{i}. 标题</b>\n" + escape("正文。" * 200) for i in range(12)]
    messages = pack(blocks)
    assert len(messages) > 1
    for m in messages:
        assert visible_len(m) <= LIMIT
        assert m.count("<b>") == m.count("</b>")
    assert "".join(visible_text(m) for m in messages).count("标题") == 12


def test_oversized_plain_block_is_split_at_sentence_ends():
    text = "第一句话很长。" * 1000 + "结尾”。"
    pieces = split_plain(text)
    assert all(utf16_len(p) <= LIMIT for p in pieces)
    assert "".join(pieces) == text
    assert all(p.endswith("。") for p in pieces)


def test_a_title_is_not_sent_alone_before_a_long_first_paragraph():
    paragraph = "这是很长的第一段中的一句话。" * 600
    messages = pack(["<b>标题</b>\n<i>记者 甲</i>", escape(paragraph), escape("第二段。")])
    assert messages[0].startswith("<b>标题</b>") and visible_len(messages[0]) > 3000
    assert all(visible_len(m) <= LIMIT for m in messages)
    assert "".join(visible_text(m) for m in messages).replace("\n", "").endswith(paragraph + "第二段。")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=3000), min_size=1, max_size=8))
def test_pack_fuzz(texts):
    messages = pack([escape(t) for t in texts])
    for m in messages:
        assert 0 < visible_len(m) <= LIMIT
    assert "".join(visible_text(m) for m in messages).replace("\n\n", "") == "".join(texts).replace("\n\n", "")


def test_catalogue_is_complete_in_both_languages():
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(LANGUAGES), key
        fields = {lang: sorted(re.findall(r"{(\w*)}", text)) for lang, text in entry.items()}
        assert fields["zh"] == fields["en"], key
