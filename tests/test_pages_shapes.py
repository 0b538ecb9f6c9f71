"""Single shapes of the fifth and sixth rounds of page conventions, each on the smallest text that shows it.

The whole hand-written pages (tests/fixtures/pages/, checked by test_page_conventions.py) show
each convention in a page's context; these pin the edges: what is furniture and what only looks
like it, which of two headline lines is which.
"""

from __future__ import annotations

import pytest

from bot.corpus.pages import parse_page
from bot.corpus.pages.cues import is_furniture


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("南湖晨报　2025.06.26　周四　农历六月初二", True),  # dotted date, lunar date
        ("第3版　劳动·保障　　某某工人报　　2025年4月24日　星期四　乙巳年三月廿七", True),  # lunar, no 农历
        ("今日16版　第10086号", True),  # pages today and the issue number
        ("06　城市·民生", True),  # a bare page number set off by a full-width space
        ("评论　7", True),
        ("第七版", True),
        ("本版编辑/甲乙　校对/丙丁", True),
        ("本版编辑　甲乙　　美编　丙丁", True),
        ("本版主编：甲乙　美编：丙丁", True),
        ("◆ 城西新建三所幼儿园　　3版", True),  # an index entry after a wide gap
        # a figure in a headline is not a page number: no wide gap sets it off
        ("10 年 坚守", False),
        ("3个细节看懂新规", False),
        ("编辑部来了位新同事", False),
    ],
)
def test_header_and_staff_shapes(line: str, furniture: bool):
    assert is_furniture(line) is furniture


@pytest.mark.parametrize(
    ("head", "split"),
    [
        # a single phrase over a line with a comma or a question: kicker and title
        ("秋季出游高峰来临\n十一假期，去哪里避开人潮？", ("秋季出游高峰来临", "十一假期，去哪里避开人潮？", None)),
        (
            "博物馆研学受追捧\n暑期名额一抢而空，家长直呼难约",
            ("博物馆研学受追捧", "暑期名额一抢而空，家长直呼难约", None),
        ),
        # a couplet under a phrase stays the subtitle
        ("全县秋粮收购工作会召开\n稳住收购价 守好粮袋子", (None, "全县秋粮收购工作会召开", "稳住收购价 守好粮袋子")),
        # a line with its source and a colon reports a finding under the title, figures or not
        (
            "儿童手表安全隐患不容忽视\n质检抽查：15批次中2批次电池不合格",
            (None, "儿童手表安全隐患不容忽视", "质检抽查：15批次中2批次电池不合格"),
        ),
        # without the colon the line with the figures is still the news
        (
            "小区充电桩又添新成员\n城东20个小区新装充电桩全部启用",
            ("小区充电桩又添新成员", "城东20个小区新装充电桩全部启用", None),
        ),
    ],
)
def test_two_headline_lines_without_dashes(head: str, split):
    text = f"{head}\n\n本报讯（记者 甲乙）正文写完了。\n"
    [piece] = parse_page(text).pieces
    assert (piece.kicker, piece.title, piece.subtitle) == split


def test_space_speaks_only_on_a_page_that_keeps_to_one_spacing():
    """One blank line sets a caption apart on a page that sets its paragraphs tight; on a page
    that spaces them anyhow, two blank lines above a story's last paragraph say nothing."""
    tight = "标题\n记者 甲乙\n第一段。\n第二段。\n第三段写完了。\n\n市民在广场上放风筝。\n丙丁 摄\n"
    assert [p.kind for p in parse_page(tight).pieces] == ["article", "caption"]
    anyhow = (
        "标题\n记者 甲乙\n第一段。\n\n第二段。\n第三段。\n\n\n第四段。\n\n第五段。\n\n\n天亮后，大家才散去。\n丙丁 摄\n"
    )
    [piece] = parse_page(anyhow).pieces
    assert piece.paragraphs()[-1] == "天亮后，大家才散去。"


def test_a_retold_storys_source_opens_a_story_only_right_under_a_headline():
    text = (
        "第一条新闻的标题\n\n本报讯（记者 甲乙）第一段写完了。\n\n据新华社报道，这一段引用了别处的消息。\n\n"
        "第二条新闻的标题\n\n据某某日报报道，第二条新闻从这里开始。\n"
    )
    first, second = parse_page(text).pieces
    assert first.paragraphs()[-1].startswith("据新华社报道，")  # after body text it only cites
    assert (second.title, second.byline) == ("第二条新闻的标题", "据某某日报报道")


def test_the_agencies_caption_wording_reads_as_a_caption_on_an_airy_page():
    text = (
        "标题\n\n记者 甲乙\n\n第一段。\n\n第二段写完了。\n\n"
        "这是6月1日在某地拍摄的新建大桥（无人机照片）。\n\n新华社记者 丙丁 摄\n"
    )
    assert [(p.kind, p.byline) for p in parse_page(text).pieces] == [
        ("article", "记者 甲乙"),
        ("caption", "新华社记者 丙丁 摄"),
    ]


@pytest.mark.parametrize(
    ("line", "lead_in"),
    [
        ("一、离家太远，老人走不动", True),
        ("（二）多方核实，追回损失", True),
        ("链接：", True),
        ("小贴士：", True),
        ("二、要加强统筹，", False),  # a comma last: the head of a paragraph a column break cut
        ("一、今年全市新建食堂八十家。", False),  # a numbered sentence is a paragraph
        ("▲6月2日，工人在车间调试设备", False),  # a pointer mark opens a caption
        ("记者从市里获悉：", False),  # a colon after a clause, not after a word
        ("一群人：“手艺要传下去，窑火不能灭”", True),  # a word, a colon and a quotation
        ("他说：“今年的收成不错。”", False),  # a quoted sentence is body
    ],
)
def test_lead_in_lines_head_what_follows(line: str, lead_in: bool):
    from bot.corpus.pages.cues import is_lead_in

    assert is_lead_in(line) is lead_in


def test_the_page_speaking_of_itself_is_furniture():
    assert is_furniture("本版内容仅供读者参考，不作为投资依据。")
    assert is_furniture("本栏目欢迎读者来稿。")
    assert not is_furniture("本报讯（记者 甲乙）全市今年新建公园十个。")


def test_a_retold_storys_source_under_a_title_with_a_comma():
    text = "旧闻一则\n\n本报讯（记者 甲乙）第一段写完了。\n\n寒潮夜，邻居们守住了一家面馆\n\n据某某晚报报道，街坊们连夜垒起了沙袋。\n"
    first, second = parse_page(text).pieces
    assert (second.title, second.byline) == ("寒潮夜，邻居们守住了一家面馆", "据某某晚报报道")


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("首席编辑：甲乙　美编：丙丁", True),  # a rank before the role
        ("值班主任 甲乙　责编 丙丁　美编 戊己", True),  # roles and names set off by spaces
        ("地址：某市某区某路8号　总编室：（0000）1234 5678　每份定价1.50元", True),  # the imprint
        ("新闻热线：0000-1234　投稿邮箱见本报客户端", True),
        ("今日天气　多云转小雨　19℃～26℃　东南风2～3级", True),  # the weather box
        # a story's line that gives a phone number or the weather is a sentence
        ("咨询电话：12345，工作日接听。", False),
        ("天气转凉 老人出门注意保暖", False),
        ("今日天气晴好，最高气温26℃。", False),
        ("主编说，今年的刊物改版了。", False),
    ],
)
def test_imprint_weather_and_desk_lines(line: str, furniture: bool):
    assert is_furniture(line) is furniture


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("■ 甲乙丙（某某大学教授）", "甲乙丙（某某大学教授）"),  # the writer's post in brackets
        ("特约评论员 甲乙（某某研究院研究员）", "特约评论员 甲乙（某某研究院研究员）"),
        ("■ 年终盘点（上）", None),  # a part number is no post
        ("甲乙丙（某某大学教授）", None),  # no box and no word of the trade: not a credit
    ],
)
def test_a_writers_post_in_brackets_after_the_name(line: str, byline):
    from bot.corpus.pages.cues import byline_of

    assert byline_of(line) == byline


def test_a_boxed_name_under_a_title_with_a_comma_credits_the_story():
    text = "旧文一篇\n□ 本报评论员\n　　第一段写完了。\n新题目有逗号，也有下半句\n■ 甲乙丙（某某大学教授）\n　　第二篇的正文。\n"
    first, second = parse_page(text).pieces
    assert (second.title, second.byline) == ("新题目有逗号，也有下半句", "甲乙丙（某某大学教授）")
    assert first.paragraphs() == ["第一段写完了。"]


_FLUSH = (
    "题目在这里\n本报记者 甲乙\n{i}第一段写完了。\n{i}第二段也写完了。\n"
    "工人在车间里检查新装的设备。\n{i}第三段接着讲故事，写到这\n里才完。\n{i}第四段写完了。\n"
)


def test_a_sentence_set_flush_on_a_page_that_indents_is_a_caption_and_the_story_goes_on():
    story, caption = parse_page(_FLUSH.format(i="\u3000\u3000")).pieces
    assert (caption.kind, caption.byline, caption.paragraphs()) == ("caption", None, ["工人在车间里检查新装的设备。"])
    # the column break's flush tail (`里才完。`) is joined, never a caption
    assert story.paragraphs() == [
        "第一段写完了。",
        "第二段也写完了。",
        "第三段接着讲故事，写到这里才完。",
        "第四段写完了。",
    ]


def test_on_a_page_that_sets_every_paragraph_flush_the_sentence_is_body():
    [story] = parse_page(_FLUSH.format(i="")).pieces
    assert "工人在车间里检查新装的设备。" in story.paragraphs()


@pytest.mark.parametrize(
    "line",
    ["问：托管期间孩子们做些什么？", "记者：今年的报名人数多吗？", "“今年收成不错。”", "大家都来了吗？"],
)
def test_a_question_a_quotation_or_a_speakers_line_set_flush_stays_body(line: str):
    [story] = parse_page(_FLUSH.replace("工人在车间里检查新装的设备。", line).format(i="\u3000\u3000")).pieces
    assert line in story.paragraphs()
