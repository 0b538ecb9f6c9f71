"""The sentence splitter: whole sentences, closing quotes kept, numbers and URLs left alone."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.corpus.pages import parse_page, strip_dateline
from bot.nlp.sentences import CLOSERS, split_paragraph, split_sentences
from conftest import SEEDS


def texts(paragraph: str) -> list[str]:
    return [s.text for s in split_paragraph(paragraph)]


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        ("今天下雨。明天晴！后天呢？", ["今天下雨。", "明天晴！", "后天呢？"]),
        ("ASCII marks too! Do they split? Yes;and this", ["ASCII marks too!", "Do they split?", "Yes;and this"]),
        ("第一;第二；第三。", ["第一;", "第二；", "第三。"]),
        ("是的……他走了…真的吗？！好。", ["是的……", "他走了…", "真的吗？！", "好。"]),
        # closing quotes and brackets stay with the sentence they close
        ("他说:“我们要努力。”记者了解到,这是好事。", ["他说:“我们要努力。”", "记者了解到,这是好事。"]),
        ("文件写道(见附件。)随后大会继续进行。", ["文件写道(见附件。)", "随后大会继续进行。"]),
        ("好。 ”下一句。", ["好。 ”", "下一句。"]),
        # a quotation that closes later is not cut inside, and a short tail stays with it
        ("“不行！”他说。然后走了。", ["“不行！”他说。", "然后走了。"]),
        ("他强调:“要抓落实。要抓项目。”会议随后宣布结束。", ["他强调:“要抓落实。要抓项目。”", "会议随后宣布结束。"]),
        # numbers, formulas and URLs
        ("增长3.5%。坚持“1+8+5”治理思路。", ["增长3.5%。", "坚持“1+8+5”治理思路。"]),
        ("访问 a.php?id=3 即可。", ["访问 a.php?id=3 即可。"]),
        ("  前后有空格。  下一句。 ", ["前后有空格。", "下一句。"]),
        ("没有句末标点", ["没有句末标点"]),
    ],
)
def test_split(paragraph: str, expected: list[str]):
    assert texts(paragraph) == expected


def test_flags_and_offsets():
    paragraph = "“第一句。第二句。他指出:"
    first, second, third = split_paragraph(paragraph, paragraph=4)
    assert (first.text, first.balanced, first.complete) == ("“第一句。", False, True)  # quote never closed
    assert (second.text, second.balanced, second.complete) == ("第二句。", True, True)
    assert (third.text, third.balanced, third.complete) == ("他指出:", True, False)  # a lead-in
    assert first.paragraph == third.paragraph == 4
    assert paragraph[third.start : third.end] == third.text


def test_an_orphan_closer_is_flagged_not_moved():
    # the last paragraph of a multi-paragraph quotation closes a quote it never opened
    first, second = split_paragraph("第一点。第二点。”后来。")[:2]
    assert first.balanced and not second.balanced and second.text == "第二点。”"


def test_seed_sentences_never_start_with_a_closer():
    count = 0
    for path in sorted(SEEDS.glob("*.txt")):
        for piece in parse_page(path.read_text(encoding="utf-8"), path.name).pieces:
            paragraphs = [strip_dateline(p) for p in piece.paragraphs()]
            for s in split_sentences(paragraphs):
                count += 1
                assert s.text and s.text[0] not in CLOSERS, s.text
                assert not s.text.startswith("本报讯")
    assert count > 300


_ALPHABET = "我们发展会议武进区，、。！？!?;；…“”‘’（）()《》0123.+ \u3000"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
@example("; ) 0")  # closers moved back to the sentence before once took the space after them
def test_sentences_tile_the_paragraph(paragraph: str):
    sentences = split_paragraph(paragraph)
    end = 0
    for k, s in enumerate(sentences):
        assert s.text and s.text == s.text.strip(" \u3000")
        assert paragraph[s.start : s.end] == s.text
        assert paragraph[end : s.start].strip(" \u3000") == ""  # only spaces between sentences
        if k:
            assert s.text[0] not in CLOSERS
        end = s.end
    assert paragraph[end:].strip(" \u3000") == ""
