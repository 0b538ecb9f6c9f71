"""The page parser on hand-written pages, one per layout convention of Chinese dailies.

Each page under tests/fixtures/pages/ is invented text laid out the way dailies print it; its
expected split is in expected.json next to it. Every page is checked the same way: the pieces
in order (kind and title), each piece's kicker, subtitle and byline, the first and last
paragraph, the section headings, that no page furniture reached a title or a body, and that no
paragraph stops mid-sentence (the last one may, when a `下转` marker sends the story on).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.corpus.pages import ends_sentence, parse_page
from bot.corpus.pages.cues import caption_cue
from bot.corpus.pages.diagnostics import diagnose
from bot.nlp.datelines import DATELINE, dateline_credit, strip_dateline

PAGES = Path(__file__).parent / "fixtures" / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))


def parsed(name: str):
    return parse_page((PAGES / name).read_text(encoding="utf-8"), name)


def check_piece(piece, want: dict, furniture: list[str]) -> None:
    assert (piece.kind, piece.kicker, piece.title, piece.subtitle) == (
        want["kind"],
        want["kicker"],
        want["title"],
        want["subtitle"],
    )
    if "byline" in want:
        assert piece.byline == want["byline"]
    for name in want["names"]:
        assert name in (piece.byline or ""), (name, piece.byline)
    paragraphs = piece.paragraphs()
    assert paragraphs and paragraphs[0].startswith(want["first"]), paragraphs[:1]
    assert paragraphs[-1].endswith(want["last"]), paragraphs[-1:]
    assert piece.continued_on == want.get("continued_on")
    body = "\n".join(paragraphs)
    for fragment in want.get("contains", []):
        assert fragment in body
    finished = paragraphs[:-1] if piece.continued_on else paragraphs
    if piece.kind == "caption":
        finished = [t for t in finished if not caption_cue(t)]  # `▲比赛现场` labels its photo
    for text in finished:
        assert ends_sentence(text), f"unfinished paragraph: …{text[-20:]}"
    fields = [piece.title, piece.kicker or "", piece.subtitle or ""] + [b.text for b in piece.blocks]
    for junk in furniture:
        assert not any(junk in f for f in fields), f"furniture {junk!r} in {piece.title!r}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hand_written_page_splits_as_expected(name: str):
    spec = EXPECTED[name]
    pieces = parsed(name).pieces
    assert [(p.kind, p.title) for p in pieces] == [(w["kind"], w["title"]) for w in spec["pieces"]]
    for piece, want in zip(pieces, spec["pieces"], strict=True):
        check_piece(piece, want, spec["furniture"])
    for title, headings in spec.get("headings", {}).items():
        piece = next(p for p in pieces if p.title == title)
        assert [b.text for b in piece.blocks if b.type == "heading"] == headings


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_clean_hand_written_pages_raise_no_doubts_but_the_expected_ones(name: str):
    """Warnings are for what looks wrong: on these pages only stories without any credit (a
    continued story) and the deliberately tiny articles are flagged."""
    codes = {(w.title, w.code) for w in diagnose(parsed(name)) if w.code != "short"}
    expected = {
        (w["title"], "no-credit") for w in EXPECTED[name]["pieces"] if w["kind"] == "article" and not w["names"]
    }
    assert codes == expected


# -- single conventions, each on the smallest page that shows it ----------------------------


@pytest.mark.parametrize(
    ("paragraph", "credit", "rest"),
    [
        ("本报讯（记者 甲乙 通讯员 丙丁）今天开会。", "记者 甲乙 通讯员 丙丁", "今天开会。"),
        ("本报讯(通讯员 丙丁 记者 甲乙)今天开会。", "通讯员 丙丁 记者 甲乙", "今天开会。"),
        ("本报北京12月8日电（记者 甲乙）今天开会。", "记者 甲乙", "今天开会。"),
        ("本报广州3月20日电 （记者甲乙）今天开会。", "记者甲乙", "今天开会。"),
        ("新华社北京12月8日电（记者 甲乙、丙丁）今天开会。", "新华社记者 甲乙、丙丁", "今天开会。"),
        ("新华社北京12月8日电 今天开会。", "新华社北京12月8日电", "今天开会。"),
        ("据新华社电 今天开会。", "据新华社电", "今天开会。"),
        ("本报讯 （记者 甲乙） 今天开会。", "记者 甲乙", "今天开会。"),
        ("本报6月3日讯（记者 甲乙）今天开会。", "记者 甲乙", "今天开会。"),
        ("本报6月3日讯 今天开会。", "本报6月3日讯", "今天开会。"),
        ("某新网6月3日电 今天开会。", "某新网6月3日电", "今天开会。"),
        ("某新网东港6月3日电（记者 甲乙）今天开会。", "某新网记者 甲乙", "今天开会。"),
        ("本报讯 记者甲乙 今天开会。", "记者甲乙", "今天开会。"),
        ("本报讯 记者甲乙 通讯员丙丁 6月3日，开会。", "记者甲乙 通讯员丙丁", "6月3日，开会。"),
        ("本报讯　记者 甲乙、丙丁　今天开会。", "记者 甲乙、丙丁", "今天开会。"),
        ("据《某某日报》报道 今天开会。", "据《某某日报》报道", "今天开会。"),
        ("据新华社消息 今天开会。", "据新华社消息", "今天开会。"),
        ("新华社记者 甲乙 丙丁 今天开会。", "新华社记者 甲乙 丙丁", "今天开会。"),
        ("本报记者 甲乙 昨日，开会。", "本报记者 甲乙", "昨日，开会。"),
        (
            "本报讯　记者甲乙、通讯员丙丁报道：7月下旬，开会。",
            "记者甲乙、通讯员丙丁",
            "7月下旬，开会。",
        ),  # joined by 、
        # the head or the whole credit in brackets, as papers of Hong Kong and Taiwan set them
        ("【本报讯】记者 甲乙 报道：今天开会。", "记者 甲乙", "今天开会。"),
        ("【本报讯】今天开会。", "本报讯", "今天开会。"),
        ("〔记者甲乙丙／某市报导〕今天开会。", "记者甲乙丙", "今天开会。"),
        ("（某某社记者甲乙丙某市4日电）今天开会。", "某某社记者甲乙丙", "今天开会。"),
        # a two-character name before the place: 北京 is a place, 京 is none, so not 甲乙北
        ("（某某社记者甲乙北京4日电）今天开会。", "某某社记者甲乙", "今天开会。"),
        ("（某某社记者甲乙丙南京4日电）今天开会。", "某某社记者甲乙丙", "今天开会。"),
    ],
)
def test_dateline_shapes(paragraph: str, credit: str, rest: str):
    m = DATELINE.match(paragraph)
    assert m is not None and dateline_credit(m) == credit
    assert strip_dateline(paragraph) == rest
    page = parse_page(f"第一篇\n\n□ 记者 戊己\n\n正文一句。\n\n第二篇\n\n{paragraph}\n")
    assert [(p.title, p.byline) for p in page.pieces] == [("第一篇", "记者 戊己"), ("第二篇", credit)]


@pytest.mark.parametrize(
    "text",
    [
        "合作社供电站今天检修线路。",
        "本报记者从市里获悉，今天开会。",
        "经济日报讯今天开会。",
        "社会各界讯息不断。",
        "据《某某日报》报道，今年春茶提前上市。",  # a source quoted in the story: no space sets it off
        "新华社记者甲乙在现场看到，工人正在作业。",
        "本报记者 甲乙说，今天开会。",
    ],
)
def test_text_that_only_resembles_a_dateline_is_body(text: str):
    assert DATELINE.match(text) is None


@pytest.mark.parametrize(
    ("paragraph", "credit"),
    [
        ("本报讯 记者从市交通局获悉，今天开会。", "本报讯"),  # 记者 is the subject, not a credit
        ("据新华社电 记者从部里获悉 今天开会。", "据新华社电"),
        ("本报讯 记者甲乙说，今天开会。", "本报讯"),  # no space after the name
    ],
)
def test_a_bare_head_takes_an_unbracketed_credit_only_when_spaces_set_it_off(paragraph: str, credit: str):
    m = DATELINE.match(paragraph)
    assert m is not None and dateline_credit(m) == credit


def test_a_word_cut_by_a_column_break_is_joined_not_taken_for_a_heading():
    text = "标题\n\n□ 记者 甲乙\n\n第一段说完了。\n\n局里有\n\n关负责人表示，工作进展顺利。\n"
    piece = parse_page(text).pieces[0]
    assert [(b.type, b.text) for b in piece.blocks] == [
        ("paragraph", "第一段说完了。"),
        ("paragraph", "局里有关负责人表示，工作进展顺利。"),
    ]


def test_a_short_heading_stays_a_heading():
    text = "标题\n\n□ 记者 甲乙\n\n第一段说完了。\n\n记者手记\n\n手记正文写在这里。\n"
    piece = parse_page(text).pieces[0]
    assert [b.type for b in piece.blocks] == ["paragraph", "heading", "paragraph"]


def test_a_paragraph_that_continues_an_unfinished_one_is_never_a_caption():
    text = "标题\n\n□ 记者 甲乙\n\n全校学生中约\n\n六成来自外地。\n\n丙丁 摄\n"
    pieces = parse_page(text).pieces
    assert [(p.kind, p.paragraphs()) for p in pieces] == [("article", ["全校学生中约六成来自外地。"])]


def test_the_last_paragraph_is_not_a_caption_just_because_a_credit_follows():
    text = "标题\n\n□ 记者 甲乙\n\n第一段。\n\n第二段写完了。\n\n丙丁 摄\n"
    assert [(p.kind, len(p.paragraphs())) for p in parse_page(text).pieces] == [("article", 2)]


def test_label_then_headline_then_subtitle():
    text = "要闻\n\n城市更新迈出新步伐\n\n——老旧小区改造全面提速\n\n本报讯（记者 甲乙）今年改造小区八十个。\n"
    piece = parse_page(text).pieces[0]
    assert (piece.kicker, piece.title, piece.subtitle) == (None, "城市更新迈出新步伐", "——老旧小区改造全面提速")


def test_staff_line_glued_to_a_subtitle_is_cut_off():
    text = "城市更新迈出新步伐\n返岗率超过九成　责任编辑：甲乙\n\n本报讯（记者 丙丁）今年改造小区八十个。\n"
    assert parse_page(text).pieces[0].subtitle == "返岗率超过九成"


def test_editors_note_before_the_headline_opens_that_article():
    text = (
        "前一篇\n\n□ 记者 甲乙\n\n前文结束。\n\n编者按：今起推出系列报道。\n\n新的一篇\n\n□ 记者 丙丁\n\n正文开始。\n"
    )
    first, second = parse_page(text).pieces
    assert first.paragraphs() == ["前文结束。"]
    assert (second.title, second.byline, second.paragraphs()) == (
        "新的一篇",
        "记者 丙丁",
        ["编者按：今起推出系列报道。", "正文开始。"],
    )


def test_two_byline_lines_make_one_byline():
    text = "标题\n\n本报记者 甲乙\n\n通讯员 丙丁\n\n正文一句。\n"
    assert parse_page(text).pieces[0].byline == "本报记者 甲乙 通讯员 丙丁"


def test_diagnostics_flag_what_looks_wrong():
    text = (
        "没有署名的标题\n\n短稿件只有一句话。\n\n"
        "第三篇稿件的标题\n\n□ 记者 丙丁\n\n第一段写到一半就断了，\n\n2024年12月9日 星期一\n\n"
        "新的标题在这里\n\n□ 记者 戊己\n\n，这一段以逗号开头，是被断开的一段，写得足够长才不算短稿件，再多写几句话凑足字数，多写一点总没有坏处，到这里才结束。\n"
    )
    warnings = {(w.title, w.code) for w in diagnose(parse_page(text))}
    assert warnings == {
        ("没有署名的标题", "no-credit"),
        ("没有署名的标题", "short"),
        ("第三篇稿件的标题", "unfinished"),
        ("第三篇稿件的标题", "short"),
        ("新的标题在这里", "mid-word"),
    }


def test_title_with_a_furniture_shape_is_flagged():
    from bot.corpus.pages.diagnostics import diagnose_piece
    from bot.corpus.pages.model import Block, Piece

    piece = Piece(title="第3版", byline="记者 甲乙", blocks=[Block("paragraph", "正文写得足够长，" * 8 + "到此结束。")])
    assert [w.code for w in diagnose_piece(piece, 0)] == ["title-furniture"]


def test_space_sets_a_caption_apart_only_when_it_is_more_than_the_page_usually_leaves():
    airy = "标题\n\n\n□ 记者 甲乙\n\n\n第一段。\n\n\n第二段写完了。\n\n\n丙丁 摄\n"
    assert [p.kind for p in parse_page(airy).pieces] == ["article"]
    apart = "标题\n\n□ 记者 甲乙\n\n第一段。\n\n\n\n市民在广场上放风筝。\n\n丙丁 摄\n"
    assert [(p.kind, p.byline) for p in parse_page(apart).pieces] == [("article", "记者 甲乙"), ("caption", "丙丁 摄")]


def test_credit_lines_in_brackets_and_page_numbers_between_dashes_are_furniture():
    text = "— 3 —\n\n标题\n\n□ 记者 甲乙\n\n正文写完了。\n\n（本报记者 丙丁 摄）\n\n（作者单位：某某研究院）\n"
    [piece] = parse_page(text).pieces
    assert (piece.title, [b.text for b in piece.blocks]) == ("标题", ["正文写完了。"])


def test_a_caption_with_an_agency_credit_in_brackets_under_it():
    text = "标题\n\n□ 记者 甲乙\n\n正文写完了。\n\n\n工人在检修线路。\n（新华社发 丙丁摄）\n"
    article, caption = parse_page(text).pieces
    assert article.paragraphs() == ["正文写完了。"]
    assert (caption.kind, caption.byline, caption.paragraphs()) == ("caption", "新华社发 丙丁摄", ["工人在检修线路。"])


def test_a_pointer_mark_opens_a_caption():
    text = "标题\n\n□ 记者 甲乙\n\n正文写完了。\n\n▲市民在广场上放风筝。\n丙丁 摄\n"
    assert [(p.kind, p.paragraphs()) for p in parse_page(text).pieces] == [
        ("article", ["正文写完了。"]),
        ("caption", ["▲市民在广场上放风筝。"]),
    ]


def test_numbered_captions_under_one_credit_make_one_caption():
    text = "标题\n\n□ 记者 甲乙\n\n正文写完了。\n\n图①：工人在巡检。\n图②：工人在调度。\n丙丁 摄\n"
    caption = parse_page(text).pieces[1]
    assert (caption.kind, caption.byline, caption.paragraphs()) == (
        "caption",
        "丙丁 摄",
        ["图①：工人在巡检。", "图②：工人在调度。"],
    )


def test_nothing_after_a_continuation_marker_is_that_storys_body():
    text = "标题\n\n□ 记者 甲乙\n\n正文写到这里转版。（下转第三版）\n\n另起一段没有标题的短讯，写得足够长足够完整，也没有署名。\n"
    first, second = parse_page(text).pieces
    assert (first.continued_on, first.paragraphs()) == ("第三版", ["正文写到这里转版。"])
    assert second.paragraphs() == ["另起一段没有标题的短讯，写得足够长足够完整，也没有署名。"] and second.byline is None


@pytest.mark.parametrize(
    ("line", "split"),
    [
        ("图为工人在作业。本报记者 甲乙 摄", ("图为工人在作业。", "本报记者 甲乙 摄")),
        ("游客在赏花。 新华社发（丙丁 摄）", ("游客在赏花。", "新华社发（丙丁 摄）")),
        ("游客在赏花。 新华社发", ("游客在赏花。", "新华社发")),
        ("游客在赏花。（记者 甲乙 摄）", ("游客在赏花。", "记者 甲乙 摄")),
        ("他说：“好。”通讯员 丙丁 摄", ("他说：“好。”", "通讯员 丙丁 摄")),
        ("工人在作业。图/甲乙", ("工人在作业。", "图/甲乙")),  # the slash sets it off
        ("工人在作业。图/本报记者 甲乙", ("工人在作业。", "图/本报记者 甲乙")),
        ("游客在赏花。（新华社发 丙丁摄）", ("游客在赏花。", "新华社发 丙丁摄")),
        ("游客在赏花。 新华社发 丙丁 摄", ("游客在赏花。", "新华社发 丙丁 摄")),
        ("不少游客前来。游客前来拍摄", None),  # a cut sentence ending in 摄, not a credit
        ("游客在赏花。新华社记者", None),
        ("正文写完了。", None),
    ],
)
def test_a_credit_at_the_end_of_a_line_is_split_off(line: str, split):
    from bot.corpus.pages.cues import inline_credit

    assert inline_credit(line) == split


@pytest.mark.parametrize(
    ("text", "scene"),
    [
        ("10月8日，农机手在稻田里收割晚稻。", True),
        ("3月17日清晨，市民在公园内晨练。", True),
        ("2024年5月1日，游客在广场上参观。", True),
        ("16日，工人在检修线路。", True),
        ("10月6日，路灯完成调试。市政部门表示，明年再改。", False),  # two sentences
        ("农机手在稻田里收割晚稻。", False),  # no day
        ("10月8日，农机手在稻田里", False),  # unfinished
    ],
)
def test_a_dated_one_sentence_scene_reads_as_a_caption(text: str, scene: bool):
    from bot.corpus.pages.cues import dated_scene

    assert dated_scene(text) is scene


def test_a_boxed_bare_phrase_is_a_byline_under_a_headline_and_a_heading_after_body():
    text = "标题\n\n■ 甲乙丙\n\n第一段写完了。\n\n■ 温馨提示\n\n第二段也写完了。\n"
    [piece] = parse_page(text).pieces
    assert piece.byline == "甲乙丙"
    assert [(b.type, b.text) for b in piece.blocks] == [
        ("paragraph", "第一段写完了。"),
        ("heading", "■ 温馨提示"),
        ("paragraph", "第二段也写完了。"),
    ]


def test_a_title_with_a_comma_over_a_dashed_subtitle_and_a_byline():
    text = "某某晚报\n\n寒风里，他们把热水送到工地\n\n——记者走访夜班建筑工人\n\n记者 甲乙\n\n正文写完了。\n"
    [piece] = parse_page(text).pieces
    assert (piece.kicker, piece.title, piece.subtitle, piece.byline) == (
        None,
        "寒风里，他们把热水送到工地",
        "——记者走访夜班建筑工人",
        "记者 甲乙",
    )


def test_a_short_line_with_a_comma_over_a_dashed_line_in_a_story_stays_body():
    text = "标题\n\n□ 记者 甲乙\n\n第一段写完了。\n\n他说，这是\n\n——一个好开始。\n"
    [piece] = parse_page(text).pieces
    assert piece.title == "标题" and piece.paragraphs()[-1].endswith("一个好开始。")


@pytest.mark.parametrize(
    ("head", "split"),
    [
        # the line with the figures, and the fuller one, states the news: the other frames it
        (
            "村口的小广场又热闹起来\n城西12个村新建文化广场全部启用",
            ("村口的小广场又热闹起来", "城西12个村新建文化广场全部启用", None),
        ),
        # a couplet is a title of its own, over a longer line that details it
        (
            "稻香飘满田 开镰正当时\n东湾镇3万亩晚稻进入收割期",
            (None, "稻香飘满田 开镰正当时", "东湾镇3万亩晚稻进入收割期"),
        ),
        # a shorter line with figures under a title is its subtitle
        ("防汛救灾工作有序推进\n已转移群众1.2万人", (None, "防汛救灾工作有序推进", "已转移群众1.2万人")),
        # a figure counts as one character: this line is no fuller than the title above it
        ("防汛抢险演练举行\n参演人员1200余名", (None, "防汛抢险演练举行", "参演人员1200余名")),
        # the title gives the figures itself: the line under it is a subtitle
        ("全市新增就业2.1万人\n重点群体就业总体稳定", (None, "全市新增就业2.1万人", "重点群体就业总体稳定")),
        # no figures on either line: title and subtitle, as before
        ("春季用工高峰平稳度过\n返岗复工率超过九成", (None, "春季用工高峰平稳度过", "返岗复工率超过九成")),
        # three lines without dashes: kicker, title, subtitle
        (
            "稳住基本盘 跑出加速度\n全市一季度外贸进出口增长8%\n民营企业进出口占比过半",
            ("稳住基本盘 跑出加速度", "全市一季度外贸进出口增长8%", "民营企业进出口占比过半"),
        ),
    ],
)
def test_headline_lines_without_dashes(head: str, split):
    text = f"{head}\n\n本报讯（记者 甲乙）正文写完了。\n"
    [piece] = parse_page(text).pieces
    assert (piece.kicker, piece.title, piece.subtitle) == split


def test_a_boxed_or_numbered_heading_never_continues_an_unfinished_paragraph():
    for heading in ("■ 新的小节", "二、新的小节"):
        text = f"标题\n\n□ 记者 甲乙\n\n第一段写到这里，结尾漏了句号\n\n{heading}\n\n第二段写完了。\n"
        [piece] = parse_page(text).pieces
        assert [(b.type, b.text) for b in piece.blocks] == [
            ("paragraph", "第一段写到这里，结尾漏了句号"),
            ("heading", heading),
            ("paragraph", "第二段写完了。"),
        ]


@pytest.mark.parametrize(
    ("marker", "jump"),
    [
        ("（下转第3版）", "第3版"),
        ("（下接第3版）", "第3版"),
        ("【下转第2版】", "第2版"),
        ("（转A3版·要闻）", "A3版"),
        ("（转第二版）", "第二版"),
        ("（详见第3版）", "第3版"),
    ],
)
def test_continuation_markers_in_other_shapes_end_the_story(marker: str, jump: str):
    text = f"标题\n\n□ 记者 甲乙\n\n正文写到这里转版，还要{marker}\n\n另起一篇短讯\n\n本报讯（记者 丙丁）今天开会。\n"
    first, second = parse_page(text).pieces
    assert (first.continued_on, first.paragraphs()) == (jump, ["正文写到这里转版，还要"])
    assert (second.title, second.byline) == ("另起一篇短讯", "记者 丙丁")


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("全市新增三条夜间公交线路 ▶2版", True),  # an index entry (今日导读)
        ("东坪，一座老码头的“新生” ▶A3", True),
        ("社区食堂开进老小区 → 第4版", True),
        ("换乘路线为A1→A3", False),  # an arrow inside the text is not a pointer to a page
        ("DONGPING RIBAO", True),  # a masthead's pinyin
        ("CITY NEWS", True),
        ("5G", False),
        ("AI", False),
        ("B2  城乡                    2025年6月18日 星期三  某某晚报", True),  # a header spread out
    ],
)
def test_index_entries_latin_mastheads_and_spread_headers_are_furniture(line: str, furniture: bool):
    from bot.corpus.pages.cues import is_furniture

    assert is_furniture(line) is furniture


def test_a_question_that_ends_a_story_stays_its_body():
    text = "标题\n\n□ 记者 甲乙\n\n正文写完了。\n\n你会怎么选？\n\n新的标题\n\n□ 记者 丙丁\n\n正文二。\n"
    first, second = parse_page(text).pieces
    assert first.paragraphs() == ["正文写完了。", "你会怎么选？"]
    assert (second.title, second.byline) == ("新的标题", "记者 丙丁")


def test_two_sentences_before_a_byline_are_no_title():
    text = "标题\n\n□ 记者 甲乙\n\n正文写完了。真的吗？\n\n本报讯（记者 丙丁）今天开会。\n"
    first, second = parse_page(text).pieces
    assert first.paragraphs() == ["正文写完了。真的吗？"]
    assert second.byline == "记者 丙丁"


def test_a_question_title_may_name_its_subject_before_a_colon():
    text = "记者调查：旧小区加装电梯难在哪？\n\n本报讯（记者 甲乙）今天开会。\n"
    [piece] = parse_page(text).pieces
    assert (piece.title, piece.byline) == ("记者调查：旧小区加装电梯难在哪？", "记者 甲乙")


@pytest.mark.parametrize(
    ("text", "finished"),
    [
        ("有关负责人表示，将确保收益。（完）", True),
        ("出行前最好先咨询医生。（据某某社）", True),
        ("大家说，这才是好办法。”（本报记者 甲乙 整理）", True),
        ("某某办法（试行）", False),  # a title's bracket, no sentence before it
        ("周末去哪儿玩(组图)", False),
        ("（完）", False),
        ("工程将于年底前完成（", False),
    ],
)
def test_a_bracketed_tag_after_the_last_sentence_still_ends_it(text: str, finished: bool):
    assert ends_sentence(text) is finished


def test_the_wires_end_mark_is_removed_and_the_next_story_starts_after_it():
    page = parse_page(
        "甲地开通新航线\n\n本报讯（记者 甲乙）新航线今天首航。（完）\n\n乙地新建两所学校\n\n据某某社电 两所学校秋季招生。\n"
    )
    assert [p.title for p in page.pieces] == ["甲地开通新航线", "乙地新建两所学校"]
    assert page.pieces[0].paragraphs() == ["本报讯（记者 甲乙）新航线今天首航。"]


@pytest.mark.parametrize(
    ("lines", "title", "subtitle"),
    [
        (["小微企业贷款利率", "降至历史低位"], "小微企业贷款利率降至历史低位", None),
        (["全市中小学午餐补贴标准", "提高至每天八元"], "全市中小学午餐补贴标准提高至每天八元", None),
        (
            ["市委常委会召开会议", "孟庆远主持"],
            "市委常委会召开会议",
            "孟庆远主持",
        ),  # a verb in the first line: it tells the news
        (["城郊游持续升温", "周末带娃去哪儿"], "城郊游持续升温", "周末带娃去哪儿"),
        (["老街坊的新约定", "记社区志愿服务队"], "老街坊的新约定", "记社区志愿服务队"),  # not a bare noun phrase
        (["甲乙区举行推进会", "凝心聚力 攻坚克难"], "甲乙区举行推进会", "凝心聚力 攻坚克难"),
        (["全市居民人均收入", "增长百分之八"], "全市居民人均收入增长百分之八", None),
        (["全市公交票价", "下调至一元"], "全市公交票价下调至一元", None),
        (["港口装卸工人群像", "致敬节日一线"], "港口装卸工人群像", "致敬节日一线"),  # a verb with its own object
        (["山区乡村小学教师群像", "致敬坚守讲台"], "山区乡村小学教师群像", "致敬坚守讲台"),
    ],
)
def test_a_noun_phrase_over_a_predicate_is_one_headline_in_two_lines(lines: list[str], title: str, subtitle):
    for before in ("", "第一篇\n\n□ 记者 戊己\n\n正文一句。\n\n"):  # at the top of the page and under a story
        page = parse_page(before + "\n".join(lines) + "\n本报讯（记者 甲乙）今天开会。\n")
        assert (page.pieces[-1].title, page.pieces[-1].subtitle) == (title, subtitle)


@pytest.mark.parametrize(
    ("third", "kicker", "title", "subtitle"),
    [
        ("甲乙丙主持", None, "区委常委会召开会议", "研究部署防汛工作 甲乙丙主持"),
        ("甲乙丙出席并讲话 丁戊主持", None, "区委常委会召开会议", "研究部署防汛工作 甲乙丙出席并讲话 丁戊主持"),
        ("全区上下齐心备汛", "区委常委会召开会议", "研究部署防汛工作", "全区上下齐心备汛"),  # the classic order
        ("近万名市民参加", "区委常委会召开会议", "研究部署防汛工作", "近万名市民参加"),  # who came, not who chaired
        ("区委书记讲话", "区委常委会召开会议", "研究部署防汛工作", "区委书记讲话"),
    ],
)
def test_who_chaired_the_meeting_is_a_second_subtitle(third: str, kicker, title: str, subtitle: str):
    page = parse_page(f"区委常委会召开会议\n研究部署防汛工作\n{third}\n\n本报讯（记者 甲乙）今天开会。\n")
    assert [(p.kicker, p.title, p.subtitle) for p in page.pieces] == [(kicker, title, subtitle)]


@pytest.mark.parametrize("head", ["目前", "近年来", "今年以来", "据统计", "近日", "与此同时"])
def test_a_sentences_opening_words_cut_off_by_a_column_break_are_joined(head: str):
    page = parse_page(f"甲地开通新航线\n\n本报讯（记者 甲乙）新航线今天首航。\n\n{head}\n\n航线每周往返三班。\n")
    assert page.pieces[0].paragraphs() == ["本报讯（记者 甲乙）新航线今天首航。", f"{head}航线每周往返三班。"]


@pytest.mark.parametrize(
    "heading", ["记者手记", "延伸阅读", "航线规划", "一、航线规划", "2019年", "3月", "过去", "如今", "春节", "春天"]
)
def test_a_short_heading_is_not_taken_for_a_sentences_opening_words(heading: str):
    page = parse_page(f"甲地开通新航线\n\n本报讯（记者 甲乙）新航线今天首航。\n\n{heading}\n\n航线每周往返三班。\n")
    assert [b.text for b in page.pieces[0].blocks if b.type == "heading"] == [heading]


@pytest.mark.parametrize(
    ("byline", "credit"),
    [
        ("县融媒体中心记者 钱小舟　通讯员 丙丁", "县融媒体中心记者 钱小舟　通讯员 丙丁"),
        ("市电视台记者 甲乙", "市电视台记者 甲乙"),
        ("某某日报记者 钱小舟", "某某日报记者 钱小舟"),
    ],
)
def test_a_newsroom_before_the_reporter_is_part_of_the_byline(byline: str, credit: str):
    page = parse_page(f"第一篇\n\n□ 记者 戊己\n\n正文一句。\n\n第二篇\n{byline}\n\n今天开会，会议研究了工作。\n")
    assert [(p.title, p.byline) for p in page.pieces] == [("第一篇", "记者 戊己"), ("第二篇", credit)]


@pytest.mark.parametrize(
    "title", ["日报记者走基层", "体育中心记者见面会", "举报记者遭打", "日报记者 走基层", "跟着晚报记者 逛年货市场"]
)
def test_a_headline_about_reporters_is_not_a_byline(title: str):
    page = parse_page(f"{title}\n\n本报记者 甲乙\n\n今天开会，会议研究了工作。\n")
    assert [(p.title, p.byline) for p in page.pieces] == [(title, "本报记者 甲乙")]


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("来源：某某社", True),
        ("数据来源：某某统计局", True),
        ("稿件来源：某某网", True),
        ("数据来源：公司公告　制图：某某", True),  # a chart's
        ("来源：县财政和社会捐助", False),  # names no outlet or body: a line of the story
        ("来源：记者调查，本报整理后刊发。", False),  # a sentence, not a source line
    ],
)
def test_a_source_line_is_furniture(line: str, furniture: bool):
    from bot.corpus.pages.cues import is_furniture

    assert is_furniture(line) is furniture
    page = parse_page(f"第二篇\n{line}\n\n本报记者 甲乙\n\n今天开会，会议研究了工作。\n")
    piece = page.pieces[0]
    shown = [piece.title, piece.subtitle, piece.byline, *piece.paragraphs()]
    assert (line in shown) is not furniture


def test_a_dateline_line_cut_before_its_first_stop_opens_the_paragraph_not_the_headline():
    page = parse_page("全省外贸稳中有进\n　　本报讯（记者 甲乙 通讯员 丙丁）记者从海关\n获悉，外贸总值增长。\n")
    piece = page.pieces[0]
    assert (piece.title, piece.subtitle, piece.byline) == ("全省外贸稳中有进", None, "记者 甲乙 通讯员 丙丁")
    assert piece.paragraphs() == ["本报讯（记者 甲乙 通讯员 丙丁）记者从海关获悉，外贸总值增长。"]


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("（二）出现发热怎么办？", True),
        ("二、家中如何消毒？", True),
        ("3．孩子咳嗽要不要吃药?", True),
        ("二、发热怎么办？多喝水。", False),  # a question and its answer: a paragraph
        ("二、如果发热，怎么办？", False),  # a comma: the head of a cut paragraph may read so
        ("出现发热怎么办？", False),  # not numbered: a question in the story
    ],
)
def test_a_numbered_question_heads_its_answer(line: str, heading: bool):
    page = parse_page(f"流感防护知识\n\n本报记者 甲乙\n\n入冬以来，病例增多。\n\n{line}\n\n多喝水，注意休息。\n")
    assert [b.text for b in page.pieces[0].blocks if b.type == "heading"] == ([line] if heading else [])


@pytest.mark.parametrize("title", ["夜市为何越开越旺？（上）", "春天来了！（组图）", "夜市为何越开越旺？"])
def test_a_headline_that_asks_or_exclaims_keeps_its_tag_and_stays_the_title(title: str):
    page = parse_page(f"某某晚报\n\n{title}\n\n本报记者 甲乙\n\n今天开会，会议研究了工作。\n")
    assert [(p.title, p.byline) for p in page.pieces] == [(title, "本报记者 甲乙")]


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("首页 > 新闻 > 本地 > 正文", True),  # a site's breadcrumb
        ("当前位置：首页 > 社会", True),
        ("甲 > 乙 > 丙是三种情况。", False),  # a sentence with arrows
        ("[字号：大 中 小]　[打印]　[关闭]", True),  # the site's tools
        ("【纠错】 【责任编辑：某某】", True),
        ("【相关链接】", False),  # a section heading stays one
        ("分享到：微信 微博", True),
        ("原标题：某地新建三座公园", True),
        ("点击查看大图", True),
        ("· 某地新建三座公园 2026-02-28", True),  # a related link
        ("关于我们 | 联系我们 | 网站地图 | 举报", True),  # the footer's links
        ("两会时光 | 代表委员 | 建言献策", False),  # a headline set with bars
        ("版权声明：本站所有作品版权归本站所有，未经授权不得转载。", True),
        ("（本版文章仅供参考，不构成投资建议。）", True),  # the page's own notice, in brackets
        ("本报地址：某某路1号　邮编：100000　发行热线：010-1234567", True),  # the imprint
        ("（据介绍，该项目明年完工。）", False),  # an aside that is a sentence of the story
    ],
)
def test_a_news_sites_clutter_and_the_pages_foot_notices_are_furniture(line: str, furniture: bool):
    from bot.corpus.pages.cues import is_furniture

    assert is_furniture(line) is furniture


def test_a_news_site_page_pasted_as_text_keeps_the_title_author_and_body():
    text = (
        "首页 > 新闻 > 社会 > 正文\n甲地夜市重新开张\n2026-03-05 09:12:33　来源：某某日报　作者：甲乙　责任编辑：丙丁\n"
        "[字号：大 中 小]　[打印]　[关闭]\n分享到：微信 微博\n\n原标题：甲地夜市今晚重新开张\n\n"
        "夜市今晚重新开张，摊位增至两百个。\n\n管理方表示，夜市每天营业到零点。\n\n"
        "【纠错】 【责任编辑：丙丁】\n\n相关新闻\n· 乙地夜市延长营业 2026-02-28\n"
        "版权声明：本站所有作品版权归本站所有，未经授权不得转载。\n关于我们 | 联系我们 | 网站地图\n"
    )
    [piece] = parse_page(text).pieces
    assert (piece.kicker, piece.title, piece.subtitle, piece.byline) == (None, "甲地夜市重新开张", None, "甲乙")
    assert piece.paragraphs() == ["夜市今晚重新开张，摊位增至两百个。", "管理方表示，夜市每天营业到零点。"]


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("2026-03-05 09:12　来源：某某网　作者：甲乙", "甲乙"),
        ("2026-03-05 09:12:33 来源：某某网 记者：甲乙", "记者 甲乙"),
        ("2026-03-05 09:12 来源：某某网 编辑：甲乙", None),  # an editor is staff, not the author
        ("作者：甲乙", None),  # no time: not the site's line
    ],
)
def test_the_author_on_a_sites_time_and_source_line(line: str, credit):
    from bot.corpus.pages.cues import web_byline

    assert web_byline(line) == credit


@pytest.mark.parametrize(
    "header",
    [
        "2026年3月5日 星期四　主编：某甲　编辑：某乙　美编：某丙",
        "B3 公司新闻 2026年3月5日 星期四 编辑：某甲 电话：010-1234567",
    ],
)
def test_a_page_header_with_the_desks_staff_and_phone_on_its_line_is_furniture(header: str):
    page = parse_page(f"{header}\n\n甲地开通新航线\n\n本报讯（记者 甲乙）新航线今天首航。\n")
    assert [(p.kicker, p.title, p.byline) for p in page.pieces] == [(None, "甲地开通新航线", "记者 甲乙")]


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("□ 本报记者 甲乙　□ 本报通讯员 丙丁", "本报记者 甲乙\u3000本报通讯员 丙丁"),  # a box before each credit
        ("晚报记者 钱小舟 文/图", "晚报记者 钱小舟 文/图"),  # the story and its photos
        ("记者 甲乙 报道", "记者 甲乙 报道"),
    ],
)
def test_bylines_with_a_box_before_each_credit_or_what_the_reporter_did_after_the_name(line: str, credit: str):
    page = parse_page(f"甲地开通新航线\n\n{line}\n\n新航线今天首航。\n")
    assert [(p.title, p.byline) for p in page.pieces] == [("甲地开通新航线", credit)]


@pytest.mark.parametrize("heading", ["【追问】为何迟迟修不好", "【追问】为何迟迟修不好？"])
def test_a_heading_after_a_bracketed_label_is_a_heading_not_a_cut_paragraph(heading: str):
    text = f"路灯为何不亮\n\n本报记者 甲乙\n\n滨河路的路灯已经一个月没亮了。\n\n{heading}\n\n维修需要先更换整段电缆。\n"
    [piece] = parse_page(text).pieces
    assert [b.text for b in piece.blocks if b.type == "heading"] == [heading]
    assert piece.paragraphs()[-1] == "维修需要先更换整段电缆。"


@pytest.mark.parametrize(
    ("ending", "credit"),
    [
        ("\n（记者 钱小舟 实习生 孙一帆）\n", "记者 钱小舟 实习生 孙一帆"),  # on a line of its own
        ("（本报记者 钱小舟）\n", "本报记者 钱小舟"),  # after the last sentence
        ("\n（钱小舟　孙一帆）\n", "钱小舟 孙一帆"),  # names alone
        ("\n（钱小舟）\n", "钱小舟"),
        ("\n（晚报记者 钱小舟 通讯员 孙一帆）\n", "晚报记者 钱小舟 通讯员 孙一帆"),  # the newsroom before the role
    ],
)
def test_a_credit_at_the_end_of_a_story_is_its_byline(ending: str, credit: str):
    text = f"甲地开通新航线\n\n本报讯　新航线今天首航。\n\n航线每周往返三班。{ending}"
    [piece] = parse_page(text).pieces
    assert (piece.title, piece.byline) == ("甲地开通新航线", credit)
    assert piece.paragraphs() == ["本报讯　新航线今天首航。", "航线每周往返三班。"]


def test_a_story_set_without_a_credit_under_its_headline_is_split_off_by_the_credit_it_ends_with():
    text = (
        "甲地开通新航线\n\n本报讯（通讯员 戊己）新航线今天首航。\n\n航线每周往返三班。\n\n"
        "乡村文艺晚会热闹上演\n\n3月2日晚，村文化广场上锣鼓喧天。\n\n十二个节目全部由村民担纲。\n\n（钱小舟　孙一帆）\n"
    )
    first, second = parse_page(text).pieces
    assert (first.title, first.byline, first.paragraphs()) == (
        "甲地开通新航线",
        "通讯员 戊己",
        ["本报讯（通讯员 戊己）新航线今天首航。", "航线每周往返三班。"],
    )
    assert (second.title, second.byline, second.paragraphs()) == (
        "乡村文艺晚会热闹上演",
        "钱小舟 孙一帆",
        ["3月2日晚，村文化广场上锣鼓喧天。", "十二个节目全部由村民担纲。"],
    )


@pytest.mark.parametrize(
    "ending", ["（本报记者 甲乙 整理）", "（完）", "（待续）", "（有删节）", "（高清）", "（读者 刘先生）"]
)
def test_other_brackets_after_a_credited_story_leave_it_whole(ending: str):
    text = f"甲地开通新航线\n\n本报记者 甲乙\n\n新航线今天首航。\n\n一、航线规划\n\n航线每周往返三班。\n\n{ending}\n"
    [piece] = parse_page(text).pieces
    assert (piece.title, piece.byline) == ("甲地开通新航线", "本报记者 甲乙")
    assert [b.text for b in piece.blocks] == ["新航线今天首航。", "一、航线规划", "航线每周往返三班。"]


def test_a_heading_of_the_story_is_not_split_off_by_its_own_reporters_end_credit():
    text = "甲地开通新航线\n\n本报记者 甲乙\n\n新航线今天首航。\n\n航线如何规划\n\n航线每周往返三班。\n\n（本报记者 甲乙）\n"
    [piece] = parse_page(text).pieces
    assert [b.type for b in piece.blocks] == ["paragraph", "heading", "paragraph"]


def test_the_items_of_a_list_a_paragraph_announces_are_paragraphs_not_headings():
    text = (
        "甲队主场逆转乙队\n本报记者 甲乙\n\n　　甲队昨晚以2∶1逆转乙队。\n　　本轮其他比赛结果如下：\n"
        "　　丙队 0∶0 丁队\n　　戊队 3∶1 己队\n　　赛后，甲队主帅表示满意。\n"
    )
    [piece] = parse_page(text).pieces
    assert [b.type for b in piece.blocks] == ["paragraph"] * 5
    assert piece.paragraphs()[2:4] == ["丙队 0∶0 丁队", "戊队 3∶1 己队"]


def test_a_quoted_title_and_its_subtitle_over_an_editors_note_open_a_story_credited_at_its_end():
    text = (
        "甲队主场逆转乙队\n本报记者 甲乙\n\n　　甲队昨晚以2∶1逆转乙队。\n\n"
        "“我们没有放弃，这是最重要的”\n——甲队主帅赛后答记者问\n\n"
        "　　编者按：赛后，甲队主帅回答了记者提问。\n　　问：为什么换人？\n　　答：他状态很好。\n（本报记者 孙一帆）\n"
    )
    first, second = parse_page(text).pieces
    assert (first.title, first.paragraphs()) == ("甲队主场逆转乙队", ["甲队昨晚以2∶1逆转乙队。"])
    assert (second.title, second.subtitle, second.byline) == (
        "“我们没有放弃，这是最重要的”",
        "——甲队主帅赛后答记者问",
        "本报记者 孙一帆",
    )
    assert second.paragraphs()[0].startswith("编者按：")


def test_a_page_number_before_a_dated_header_is_furniture_with_one_space():
    from bot.corpus.pages.cues import is_furniture

    assert is_furniture("3 科技前沿　　　　2026年3月5日　星期四")
    assert not is_furniture("3 个社区新建菜园")  # a figure opening a headline


def test_a_byline_set_above_the_headline_credits_the_story_under_it():
    text = (
        "◎本报记者 甲乙\n\n新型储能电池问世\n低温下仍能保持九成容量\n零下30摄氏度环境中实测衰减不到10%\n\n"
        "　　记者从某大学获悉，新型电池研制成功。\n"
    )
    [piece] = parse_page(text).pieces
    assert (piece.kicker, piece.title, piece.subtitle, piece.byline) == (
        "新型储能电池问世",
        "低温下仍能保持九成容量",
        "零下30摄氏度环境中实测衰减不到10%",
        "本报记者 甲乙",
    )
    assert piece.paragraphs() == ["记者从某大学获悉，新型电池研制成功。"]


def test_a_page_in_traditional_characters_is_read_by_the_same_cues_and_printed_as_written():
    text = (
        "A8 ｜ 港聞 ｜ 2026年3月5日 星期四\n責任編輯：某甲　美術編輯：某乙\n\n"
        "舊區重建再提速\n\n【本報訊】記者 甲乙 報道：重建局昨日宣布，項目將於今年動工。\n項目涉及約一千戶居民。\n\n"
        "圖：一帶舊樓林立。（記者 丙丁攝）\n\n"
        "公共自行車站5月底啟用\n〔記者戊己庚／某市報導〕市政府今天宣布，將新設12處租借站。\n新站點主要設在捷運站周邊。\n\n"
        "長者乘車優惠擴至60歲\n（中央社記者辛壬癸某市4日電）交通部今天表示，優惠年齡將下調。\n相關預算已送審議。\n"
    )
    pieces = parse_page(text).pieces
    articles = [p for p in pieces if p.kind == "article"]
    assert [(p.title, p.byline) for p in articles] == [
        ("舊區重建再提速", "記者 甲乙"),
        ("公共自行車站5月底啟用", "記者戊己庚"),
        ("長者乘車優惠擴至60歲", "中央社記者辛壬癸"),
    ]
    assert articles[0].paragraphs() == [
        "【本報訊】記者 甲乙 報道：重建局昨日宣布，項目將於今年動工。",
        "項目涉及約一千戶居民。",
    ]
    [caption] = [p for p in pieces if p.kind == "caption"]
    assert (caption.byline, caption.paragraphs()) == ("記者 丙丁攝", ["圖：一帶舊樓林立。"])


def test_a_simplified_page_with_a_few_traditional_characters_is_read_as_it_is():
    from bot.corpus.pages.script import is_traditional, simplified

    text = "甲地开通新航线\n\n本报讯（记者 甲乙）新航线今天首航，《國風》杂志的记者也来了。\n"
    assert not is_traditional(text, simplified(text))
    [piece] = parse_page(text).pieces
    assert piece.paragraphs() == ["本报讯（记者 甲乙）新航线今天首航，《國風》杂志的记者也来了。"]


def test_a_column_label_over_a_story_credited_at_its_end_is_no_heading_of_the_story_before():
    text = (
        "甲地开通新航线\n本报讯（记者 戊己）新航线今天首航。\n航线每周往返三班。\n"
        "经济观察\n让小店更有烟火气\n　　小店虽小，却是稳就业的重要力量。\n　　小店连着民生。\n（钱小舟）\n"
    )
    first, second = parse_page(text).pieces
    assert [b.text for b in first.blocks] == ["本报讯（记者 戊己）新航线今天首航。", "航线每周往返三班。"]
    assert (second.title, second.byline, second.paragraphs()) == (
        "让小店更有烟火气",
        "钱小舟",
        ["小店虽小，却是稳就业的重要力量。", "小店连着民生。"],
    )


def test_the_expert_who_answered_credits_a_readers_questions_set_under_another_story():
    text = (
        "老人如何防跌倒\n本报记者 戊己\n\n　　气温下降，跌倒风险增加。\n\n读者问诊\n结节一定要切吗\n\n"
        "　　问：体检发现结节，要手术吗？（读者 刘先生）\n　　答：一般不需要。\n"
        "　　（解答专家：某某医院主任医师　钱小舟）\n"
    )
    first, second = parse_page(text).pieces
    assert (first.title, first.paragraphs()) == ("老人如何防跌倒", ["气温下降，跌倒风险增加。"])
    assert (second.title, second.byline) == ("结节一定要切吗", "解答专家：某某医院主任医师 钱小舟")
    assert second.paragraphs()[0] == "问：体检发现结节，要手术吗？（读者 刘先生）"  # the reader stays in the question


def test_a_bracketed_label_under_a_box_above_the_headline_is_no_kicker():
    text = (
        "民生热线 96111 | 每天 8:00-22:00\n\n【热线追踪】\n小区电梯停运半个月 老人“困”在九楼\n"
        "记者介入后，物业承诺修复\n\n晚报讯（记者 甲乙）电梯停了。\n"
    )
    [piece] = parse_page(text).pieces
    assert (piece.kicker, piece.title, piece.subtitle) == (
        None,
        "小区电梯停运半个月 老人“困”在九楼",
        "记者介入后，物业承诺修复",
    )


@pytest.mark.parametrize("line", ["图①：修缮一新的古戏台", "▲游客体验包粽子"])
def test_a_short_caption_without_a_credit_is_a_caption_not_a_heading(line: str):
    text = f"古戏台重生\n\n本报记者 甲乙\n\n戏台修缮完工。\n\n{line}\n\n老台唱新戏\n\n修缮后，戏台天天有戏。\n"
    pieces = parse_page(text).pieces
    assert [(p.kind, p.paragraphs()) for p in pieces if p.kind == "caption"] == [("caption", [line])]
    [article] = [p for p in pieces if p.kind == "article"]
    assert article.paragraphs() == ["戏台修缮完工。", "修缮后，戏台天天有戏。"]


@pytest.mark.parametrize(
    ("line", "credit"),
    [("文·图／本报记者　甲乙", "文·图／本报记者　甲乙"), ("文/图　本报记者 甲乙", "文/图　本报记者 甲乙")],
)
def test_a_byline_for_the_text_and_the_pictures(line: str, credit: str):
    page = parse_page(f"一座小城的戏台记忆\n——探访古戏台的修缮\n{line}\n\n七月的傍晚，戏台前摆满了长条凳。\n")
    assert [(p.title, p.subtitle, p.byline) for p in page.pieces] == [
        ("一座小城的戏台记忆", "——探访古戏台的修缮", credit)
    ]


def test_a_chart_credit_after_its_caption_makes_it_a_caption():
    text = "外贸稳中有进\n\n本报记者 甲乙\n\n外贸总值增长。\n\n图为近三年外贸走势。　制图：丙丁\n"
    article, caption = parse_page(text).pieces
    assert article.paragraphs() == ["外贸总值增长。"]
    assert (caption.kind, caption.byline, caption.paragraphs()) == ("caption", "制图：丙丁", ["图为近三年外贸走势。"])


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("读者热线：96111　新闻线索请发邮件，一经采用，即付报酬", True),  # a hotline box
        ("民生热线 96111 | 每天 8:00-22:00", True),
        ("原创 某某发布 2024年06月10日 18:30", True),  # an account's post
        ("点击蓝字 关注我们", True),
        ("编辑：某甲 | 审核：某乙", True),
        ("分享　收藏　点赞　在看", True),
        ("发布时间：2024-03-12 10:32　来源：某某局　浏览次数：1245", True),  # a government site
        ("首页　政务公开　政务服务　互动交流", True),
        ("原创 民族歌剧走出国门", False),  # a headline, not an account's line
        ("政务热线12345：一年接听来电320万个", False),
        ("2024年6月10日 18:30　第一批救援队抵达现场", False),  # a timeline's line
        ("受访者：一般是早上九点到晚上十点。", False),  # an answer in an interview
        ("【编辑手记】", False),
        ("来源：新华社客户端", True),
        ("首页建成投用", False),
        ("受访专家：某某医院主任医师　甲乙", True),  # who was interviewed, under the headline
    ],
)
def test_hotline_boxes_and_the_clutter_of_accounts_and_government_sites_are_furniture(line: str, furniture: bool):
    from bot.corpus.pages.cues import is_furniture

    assert is_furniture(line) is furniture


def test_who_was_interviewed_between_the_title_and_the_byline_is_dropped():
    text = (
        "秋冬季节，老人如何防跌倒\n受访专家：某某医院主任医师　丙丁\n本报记者　甲乙\n\n　　气温下降，跌倒风险增加。\n"
    )
    [piece] = parse_page(text).pieces
    assert (piece.title, piece.byline, piece.paragraphs()) == (
        "秋冬季节，老人如何防跌倒",
        "本报记者　甲乙",
        ["气温下降，跌倒风险增加。"],
    )


def test_an_accounts_post_pasted_as_text():
    text = (
        "某区龙舟赛开赛！32支队伍激情竞渡\n原创 某区发布 2024年06月10日 18:30\n点击蓝字 关注我们\n"
        "6月10日上午，龙舟邀请赛鸣锣开赛。\n▲比赛现场（图源：某某局）\n上午9时，一艘艘龙舟冲出起点。\n"
        "文字：甲乙　图片：丙丁\n编辑：某甲 | 审核：某乙\n往期推荐\n这条绿道上新了，周末去打卡！\n"
        "@某区人 ，这些惠民政策请查收\n阅读原文\n"
    )
    pieces = parse_page(text).pieces
    [post] = [p for p in pieces if p.kind == "article"]
    assert (post.title, post.byline) == ("某区龙舟赛开赛！32支队伍激情竞渡", "文字：甲乙　图片：丙丁")
    assert post.paragraphs() == ["6月10日上午，龙舟邀请赛鸣锣开赛。", "上午9时，一艘艘龙舟冲出起点。"]
    assert [(p.byline, p.paragraphs()) for p in pieces if p.kind == "caption"] == [("图源：某某局", ["▲比赛现场"])]


def test_a_kicker_over_a_meeting_headline_keeps_the_usual_order():
    page = parse_page("深入学习贯彻会议精神\n区委常委会召开会议\n甲乙丙主持\n\n本报讯（记者 甲乙）今天开会。\n")
    assert [(p.kicker, p.title, p.subtitle) for p in page.pieces] == [
        ("深入学习贯彻会议精神", "区委常委会召开会议", "甲乙丙主持")
    ]


def test_numbered_questions_with_no_answer_under_them_stay_in_the_story():
    text = (
        "学校征求家长意见\n\n本报记者 甲乙\n\n学校发出问卷，请家长填写后交回班主任。\n\n"
        "（一）你是否支持延长课后服务时间？\n\n（二）你对学校食堂是否满意？\n\n"
        "另一篇\n\n本报记者 丙丁\n\n正文二。\n"
    )
    first, second = parse_page(text).pieces
    assert first.paragraphs()[1:] == ["（一）你是否支持延长课后服务时间？", "（二）你对学校食堂是否满意？"]
    assert (second.title, second.paragraphs()) == ("另一篇", ["正文二。"])


def test_a_lists_next_number_after_a_sentence_is_no_end_tag():
    page = parse_page(
        "新规出台\n\n本报记者 甲乙\n\n新规提出三项措施：（1）加强日常监管。（2）\n完善追溯制度。（3）强化问责。\n"
    )
    assert page.pieces[0].paragraphs() == ["新规提出三项措施：（1）加强日常监管。（2）完善追溯制度。（3）强化问责。"]


def test_a_numbered_exclamation_with_its_tag_is_a_heading():
    text = "村里变了样\n\n本报记者 甲乙\n\n村里修了新路。\n\n二、好日子来了！（组图）\n\n村民住上了新房。\n"
    [piece] = parse_page(text).pieces
    assert [b.text for b in piece.blocks if b.type == "heading"] == ["二、好日子来了！（组图）"]


def test_a_source_line_with_its_author_gives_the_byline_and_a_source_that_names_no_body_is_text():
    page = parse_page("甲地开通新航线\n来源：某某日报　作者：钱小舟\n\n新航线今天首航。\n")
    assert [(p.title, p.byline) for p in page.pieces] == [("甲地开通新航线", "钱小舟")]
    text = "学校建起图书室\n\n本报记者 甲乙\n\n图书室今天开放。\n\n来源：县财政和社会捐助\n\n藏书三千册。\n"
    assert "来源：县财政和社会捐助" in [b.text for b in parse_page(text).pieces[0].blocks]  # kept, not dropped


@pytest.mark.parametrize(
    ("line", "caption"),
    [("▲游客体验包粽子", True), ("▲坚持问题导向", False)],  # the last line of a story, or over its text
)
def test_an_arrow_line_is_a_caption_unless_text_follows_it(line: str, caption: bool):
    below = "" if caption else "\n\n会议要求，各部门要坚持问题导向。"
    text = f"某区召开推进会\n\n本报记者 甲乙\n\n会议今天召开。\n\n{line}{below}\n"
    pieces = parse_page(text).pieces
    assert [p.paragraphs() for p in pieces if p.kind == "caption"] == ([[line]] if caption else [])


def test_a_story_after_a_columns_recommended_reading_is_kept():
    text = (
        "读书周刊\n\n本报记者 甲乙\n\n新书今天首发。\n\n推荐阅读\n\n这本书写的是一条河。\n\n"
        "老街改造完成\n\n本报讯（记者 钱小舟）老街改造今天完成。\n"
    )
    assert [p.title for p in parse_page(text).pieces] == ["读书周刊", "老街改造完成"]


def test_a_traditional_story_and_a_simplified_one_on_one_page_keep_their_own_characters():
    text = (
        "台北颱風\n\n【本報訊】記者 甲乙 報道：颱風昨日登陸台北，村裡停電，其後恢復。\n天后宮受損。\n\n"
        "两岸活动\n\n本报讯（记者 钱小舟）两岸活动今天举行，天后宫参与。\n"
    )
    first, second = parse_page(text).pieces
    assert first.paragraphs() == ["【本報訊】記者 甲乙 報道：颱風昨日登陸台北，村裡停電，其後恢復。", "天后宮受損。"]
    assert (second.title, second.paragraphs()) == ("两岸活动", ["本报讯（记者 钱小舟）两岸活动今天举行，天后宫参与。"])


def test_an_end_credit_that_shares_a_name_with_the_byline_is_the_same_story():
    text = (
        "驿站温暖过冬\n\n本报记者 钱小舟\n\n驿站今天开放。\n\n小驿站里的大温暖\n\n环卫工在这里歇脚。\n\n"
        "服务还将持续升级\n\n明年再建十座。\n\n（本报记者 钱小舟 孙一帆）\n"
    )
    [piece] = parse_page(text).pieces
    assert piece.byline == "本报记者 钱小舟 本报记者 孙一帆"
    assert [b.type for b in piece.blocks] == ["paragraph", "heading", "paragraph", "heading", "paragraph"]


@pytest.mark.parametrize("aside", ["（唐太宗）", "（黄金周）", "（高铁站）", "（本报记者综合报道）"])
def test_an_aside_after_the_last_sentence_stays_in_the_text(aside: str):
    text = f"古语新说\n\n本报记者 钱小舟\n\n以铜为镜，可以正衣冠。{aside}\n"
    [piece] = parse_page(text).pieces
    assert piece.paragraphs() == [f"以铜为镜，可以正衣冠。{aside}"]
    assert piece.byline == "本报记者 钱小舟"


def test_a_byline_over_the_next_headline_is_not_the_story_aboves_credit():
    text = "社区食堂开进老小区\n\n食堂今天开张。\n\n◎本报记者 钱小舟\n\n夜市经济点亮烟火气\n\n夜市今晚开市。\n"
    first, second = parse_page(text).pieces
    assert (first.title, first.byline) == ("社区食堂开进老小区", None)
    assert (second.title, second.byline) == ("夜市经济点亮烟火气", "本报记者 钱小舟")


def test_a_list_ends_where_a_line_unlike_its_items_heads_more_text():
    text = (
        "甲队主场逆转乙队\n本报记者 甲乙\n\n　　甲队昨晚以2∶1逆转乙队。\n　　本轮其他比赛结果如下：\n"
        "　　丙队 0∶0 丁队\n　　戊队 3∶1 己队\n\n赛后花絮\n\n　　下一轮比赛门票已售罄。\n"
    )
    [piece] = parse_page(text).pieces
    assert [b.text for b in piece.blocks if b.type == "heading"] == ["赛后花絮"]
    assert "戊队 3∶1 己队" in piece.paragraphs()


def test_a_traditional_story_credited_at_its_end_keeps_its_own_characters():
    text = (
        "王后訪港\n\n本報訊　王后明日抵港，出席慈善活動。\n（記者 余大文）\n\n"
        "頒獎典禮舉行\n\n本報訊（記者 鍾一鳴）王先生頒獎之後發表講話，現場反應熱烈。\n"
    )
    first, second = parse_page(text).pieces
    assert (first.byline, first.paragraphs()) == ("記者 余大文", ["本報訊　王后明日抵港，出席慈善活動。"])
    assert second.paragraphs() == ["本報訊（記者 鍾一鳴）王先生頒獎之後發表講話，現場反應熱烈。"]


@pytest.mark.parametrize(
    ("ending", "credit"),
    [("（记者 方圆 通讯员 马力）", "记者 方圆 通讯员 马力"), ("（记者 欧阳海燕）", "记者 欧阳海燕")],
)
def test_an_end_credit_after_a_role_takes_names_that_are_also_words(ending: str, credit: str):
    text = f"甲地开通新航线\n\n本报讯　新航线今天首航。\n\n航线每周往返三班。{ending}\n"
    [piece] = parse_page(text).pieces
    assert (piece.byline, piece.paragraphs()[-1]) == (credit, "航线每周往返三班。")


def test_arrow_lines_set_together_are_read_together_and_a_long_one_is_a_caption():
    text = (
        "口袋公园开放\n\n本报记者 甲乙\n\n公园今天开放。\n\n▲孩子们在草坪上玩耍\n▲公园入口\n\n"
        "公园占地三亩。\n\n▲市民在新建的口袋公园内健身\n\n公园晚上十点关门。\n"
    )
    pieces = parse_page(text).pieces
    captions = [t for p in pieces if p.kind == "caption" for t in p.paragraphs()]
    assert captions == ["▲孩子们在草坪上玩耍", "▲公园入口", "▲市民在新建的口袋公园内健身"]
    [article] = [p for p in pieces if p.kind == "article"]
    assert article.paragraphs() == ["公园今天开放。", "公园占地三亩。", "公园晚上十点关门。"]


def test_numbered_items_of_unlike_lengths_are_one_list():
    text = (
        "重点项目开工\n\n本报记者 甲乙\n\n　　今年开工的项目如下：\n　　1.城东污水处理厂\n　　2.城西快速路\n"
        "　　3.城南新区综合管廊及配套道路工程二期\n　　4.城北体育中心\n　　项目总投资百亿元。\n"
    )
    [piece] = parse_page(text).pieces
    assert [b.type for b in piece.blocks] == ["paragraph"] * 6


def test_the_links_after_an_accounts_post_go_when_its_clutter_comes_last():
    text = (
        "某区龙舟赛开赛\n6月10日上午，龙舟邀请赛鸣锣开赛。\n上午9时，一艘艘龙舟冲出起点。\n"
        "往期推荐\n这条绿道上新了，周末去打卡！\n某区中考时间定了\n阅读原文\n"
    )
    [piece] = parse_page(text).pieces
    assert piece.paragraphs() == ["6月10日上午，龙舟邀请赛鸣锣开赛。", "上午9时，一艘艘龙舟冲出起点。"]
