"""The page parser on the five seed pages and on hand-made tricky pages."""

from __future__ import annotations

import pytest

from bot.corpus.pages import ends_sentence, parse_page, strip_markdown
from conftest import SEEDS

# (page, kind, kicker, title, subtitle, byline, headings, first paragraph starts, last paragraph ends)
SEED_PIECES = [
    (
        "000",
        "article",
        None,
        "全区领导干部思路研讨会召开",
        "坚定信心 保持定力 走稳走好武进自己的节奏",
        "记者 朱梦琪",
        [],
        "本报讯 (记者 朱梦琪) 12月7日,全区领导干部思路研讨会召开,",
        "相关部门负责同志参加研讨会。",
    ),
    (
        "000",
        "article",
        None,
        "钟楼区党政代表团来我区考察",
        "强化沟通对接 协同推进“双向赋能”",
        "记者 张可馨",
        [],
        "本报讯 (记者 张可馨) 昨天,钟楼区委书记、区长李超鲲率党政代表团",
        "实现合作共赢、协同发展。",
    ),
    (
        "000",
        "article",
        None,
        "察当前之“形” 驭长远之“势”",
        None,
        "本报评论员",
        [],
        "临近岁末,全区领导干部思路研讨会召开,",
        "努力在中国式现代化新征程上走出武进自己的节奏。",
    ),
    (
        "001",
        "article",
        None,
        "做好岁末工作 冲刺年度目标",
        None,
        "记者 鞠燎原 徐维庆",
        [],
        "本报讯(记者 鞠燎原 徐维庆)昨天,在区委十二届十次全会上,",
        "大力倡导勤俭、节约、文明的新风尚。",
    ),
    (
        "001",
        "article",
        "区委十二届十次全会强调——",
        "明年工作在五个方面争先奋进",
        None,
        "记者 徐维庆",
        [],
        "区委十二届十次全会强调,明年工作要全力在五个方面争先奋进:",
        "为客商营造稳定、公平、透明、可预期的法治环境。",
    ),
    (
        "001",
        "article",
        None,
        "争先奋进 扬帆启航",
        None,
        "本报评论员",
        [],
        "在市委十二届十一次全会上,市委书记齐家滨指出,",
        "以优异成绩迎接党的百年华诞!",
    ),
    (
        "002",
        "article",
        "崇尚实干 勇争一流",
        "沈东调研全区各镇、开发区、街道",
        None,
        "记者 朱梦琪",
        ["/ 记者手记 /"],
        "本报讯 (记者 朱梦琪) 底蕴深厚,未来可期。",
        "加快构建武进高质量发展新格局。",
    ),
    (
        "002",
        "article",
        None,
        "武高新点“绿”成金 激发清洁生产新动能",
        None,
        "记者 史莲寅",
        [],
        "本报讯 (记者 史莲寅) 近日,历时一年的",
        "更有效激发了其他企业推进清洁生产工作的动力。",
    ),
    (
        "002",
        "caption",
        None,
        "",
        None,
        "陆新 徐芊卉 摄",
        [],
        "位于“两湖”创新区核心区的南医大常州医疗健康科技园项目",
        "校地产教学研用合作新样板。",
    ),
    (
        "003",
        "article",
        None,
        "以实干为民谋福 用实绩书写答卷",
        None,
        "区发改局党组书记、局长 祁斌",
        [
            "始终把推动发展作为首要职责,奋力书写好“乘势而上谋发展”的新答卷",
            "始终把坚强党性作为鲜明本色,奋力书写好“旗帜鲜明讲政治”的新答卷",
            "始终把共同富裕作为最大政绩,奋力书写好“用心用情惠民生”的新答卷",
        ],
        "站在新的历史起点,",
        "确保居民人均可支配收入持续领先。",
    ),
    (
        "003",
        "article",
        "“一把手”政绩观",
        "武进国家高新区:为万亿之城再出发贡献硬核力量",
        None,
        "记者 史莲寅",
        ["多元载体 提升创新之核", "项目攻坚 夯实产业之基", "党建引领 澎湃发展之势"],
        "健全科创生态系统,",
        "激发园区上下自觉增强凝聚力、砥砺前行精神动力。",
    ),
    (
        "004",
        "article",
        None,
        "沈东调研区级机关部门",
        None,
        "记者 朱梦琪",
        ["记者手记"],
        "本报讯 (记者 朱梦琪) 近日,区委书记沈东",
        "以实实在在的业绩为武进发展增光添彩、加油助力。",
    ),
    (
        "004",
        "article",
        None,
        "沈东会见国开行江苏省分行高层",
        None,
        "记者 张可馨",
        [],
        "本报讯 (记者 张可馨) 昨天,区委书记沈东会见",
        "为武进经济社会高质量发展贡献更多力量。",
    ),
    (
        "004",
        "article",
        None,
        "深圳大寰机器人研发制造中心项目签约落户武高新",
        None,
        "记者 史莲寅",
        [],
        "本报讯 (记者 史莲寅) 昨天下午,",
        "人形灵巧手 DH-5 以及“磁悬浮”输送线—iFM 智能柔性运动系统。",
    ),
    (
        "004",
        "article",
        None,
        "以实干论英雄 靠业绩谈进步",
        "——武进“崇尚实干 勇争一流”系列评论①",
        "本报评论员",
        [],
        "党的二十大报告指出,“新时代的伟大成就",
        "在全区营造“以实干论英雄、靠业绩谈进步”的浓厚氛围。",
    ),
]

# Page banners, column labels and photo credits seen on the seed pages.
FURNITURE = ["陆新 徐芊卉 摄", "重点项目 进行时", "滨湖科创城 智造武高新", "启航新征程", "扬帆再出发"]


def seed_pieces():
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for piece in parse_page(path.read_text(encoding="utf-8"), path.name).pieces:
            out.append((path.name[:3], piece))
    return out


def test_seed_pages_split_into_14_articles_and_one_caption():
    pieces = seed_pieces()
    per_page = {}
    for page, piece in pieces:
        if piece.kind == "article":
            per_page[page] = per_page.get(page, 0) + 1
    assert per_page == {"000": 3, "001": 3, "002": 2, "003": 2, "004": 4}
    assert [p.kind for _, p in pieces].count("caption") == 1


@pytest.mark.parametrize("expected", SEED_PIECES, ids=lambda e: f"{e[0]}-{e[3][:8] or e[1]}")
def test_seed_piece_fields(expected):
    page, kind, kicker, title, subtitle, byline, headings, first, last = expected
    matches = [p for pg, p in seed_pieces() if pg == page and p.title == title and p.kind == kind]
    assert len(matches) == 1, [p.title for pg, p in seed_pieces() if pg == page]
    piece = matches[0]
    assert (piece.kicker, piece.subtitle, piece.byline) == (kicker, subtitle, byline)
    assert [b.text for b in piece.blocks if b.type == "heading"] == headings
    paragraphs = piece.paragraphs()
    assert paragraphs[0].startswith(first)
    assert paragraphs[-1].endswith(last)


def test_every_seed_paragraph_ends_a_sentence_and_column_breaks_are_joined():
    pieces = [p for _, p in seed_pieces()]
    for piece in pieces:
        for text in piece.paragraphs():
            assert ends_sentence(text), text[-30:]
    text = "\n".join(t for p in pieces for t in p.paragraphs())
    assert "“在全市挑大梁、在全省当先行、在全国占前列”" in text  # 挑大 | 梁
    assert "武高新经济发展局局长助理黄鹏介绍。" in text
    assert "在全省、全市“走在前、做示范”中展现新担当新作为。" in text
    assert "要对标“世界一流总部经济区”" in text


def test_no_furniture_or_markdown_in_any_piece():
    for _, piece in seed_pieces():
        fields = [piece.title, piece.kicker or "", piece.subtitle or ""] + [b.text for b in piece.blocks]
        for text in fields:
            for junk in FURNITURE:
                assert junk not in text
            assert not text.startswith("#")
    caption = next(p for _, p in seed_pieces() if p.kind == "caption")
    assert len(caption.blocks) == 1 and "南医大常州医疗健康科技园" in caption.blocks[0].text


def test_caption_is_not_glued_to_the_story_before_it():
    story = next(p for _, p in seed_pieces() if p.title.startswith("武高新点"))
    assert not any("南医大" in t for t in story.paragraphs())


# -- hand-made pages ------------------------------------------------------------------------


def test_single_article_file_title_then_body():
    page = parse_page(
        "春节前后城市交通运行平稳\n\n记者从市交通局获悉,春节期间全市道路运行平稳。\n\n客流同比增长一成。\n"
    )
    assert len(page.pieces) == 1
    piece = page.pieces[0]
    assert piece.title == "春节前后城市交通运行平稳" and piece.byline is None
    assert piece.paragraphs() == ["记者从市交通局获悉,春节期间全市道路运行平稳。", "客流同比增长一成。"]


def test_break_right_after_a_comma_is_joined():
    page = parse_page("标题在此\n\n本报讯(记者 王一)会议要求,\n\n要及早分解指标,加快制定细则。\n")
    assert page.pieces[0].paragraphs() == ["本报讯(记者 王一)会议要求,要及早分解指标,加快制定细则。"]


def test_short_line_with_comma_or_full_stop_is_a_fragment_not_a_title():
    text = "首段标题\n\n本报讯(记者 王一)这是第一句,\n\n短句片段,\n\n到这里结束。\n\n黄鹏介绍。\n"
    piece = parse_page(text).pieces[0]
    assert piece.title == "首段标题"
    assert piece.paragraphs() == ["本报讯(记者 王一)这是第一句,短句片段,到这里结束。", "黄鹏介绍。"]


def test_title_with_a_comma_before_a_byline():
    text = "稳中求进,再创佳绩\n\n□ 记者 李四\n\n全年经济运行总体平稳。\n\n# 春风十里,不如新城\n\n本报讯 (记者 王五) 新城建设提速。\n"
    pieces = parse_page(text).pieces
    assert [(p.title, p.byline) for p in pieces] == [
        ("稳中求进,再创佳绩", "记者 李四"),
        ("春风十里,不如新城", "记者 王五"),
    ]


def test_kicker_ending_in_dashes():
    text = "第一篇\n\n□ 记者 甲\n\n正文一。\n\n全会强调——\n\n明年工作争先奋进\n\n□ 记者 乙\n\n正文二。\n"
    second = parse_page(text).pieces[1]
    assert (second.kicker, second.title, second.byline) == ("全会强调——", "明年工作争先奋进", "记者 乙")


def test_kicker_and_subtitle_without_byline_starts_a_new_article():
    text = "第一篇\n\n正文一。\n\n全会强调——\n\n明年工作争先奋进\n\n正文二。\n"
    pieces = parse_page(text).pieces
    assert [p.title for p in pieces] == ["第一篇", "明年工作争先奋进"]


def test_section_headings_and_reporters_notes_stay_with_their_article():
    text = "# 标题\n\n□ 记者 甲\n\n## 一、稳增长\n\n正文一。\n\n## / 记者手记 /\n\n手记正文。\n"
    piece = parse_page(text).pieces[0]
    assert [(b.type, b.text) for b in piece.blocks] == [
        ("heading", "一、稳增长"),
        ("paragraph", "正文一。"),
        ("heading", "/ 记者手记 /"),
        ("paragraph", "手记正文。"),
    ]


def test_trailing_banner_lines_are_dropped():
    text = "标题\n\n□ 记者 甲\n\n正文。\n\n启航新征程  \n扬帆再出发\n"
    piece = parse_page(text).pieces[0]
    assert [b.text for b in piece.blocks] == ["正文。"]


def test_caption_with_inline_credit_is_its_own_piece():
    text = "标题\n\n□ 记者 甲\n\n正文。\n\n市民在公园赏花。(记者 张三 摄)\n\n正文继续。\n"
    pieces = parse_page(text).pieces
    assert [(p.kind, p.byline) for p in pieces] == [("article", "记者 甲"), ("caption", "记者 张三 摄")]
    assert pieces[0].paragraphs() == ["正文。", "正文继续。"]
    assert pieces[1].paragraphs() == ["市民在公园赏花。"]


def test_markdown_marks_are_stripped_and_front_matter_gives_the_date():
    text = "---\ndate: 2024-12-08\n---\n# **新区** 动态\n\n> 本报讯(记者 甲)[新区](http://x.cn)建设*提速*。\n\n---\n\n- 第二段`内容`。\n"
    page = parse_page(text, "page.md")
    assert str(page.published_on) == "2024-12-08"
    piece = page.pieces[0]
    assert piece.title == "新区 动态"
    assert piece.paragraphs() == ["本报讯(记者 甲)新区建设提速。", "第二段内容。"]


def test_html_formatting_tags_go_but_text_that_looks_like_markup_stays():
    text = '标题\n\n<p>第一段<b>加粗</b>，<font color="red">红字</font>。<br/></p>\n\n比较 a<b 与 c>d，以及 <script>x</script> 字样。\n'
    assert parse_page(text).pieces[0].paragraphs() == [
        "第一段加粗，红字。",
        "比较 a<b 与 c>d，以及 <script>x</script> 字样。",
    ]


def test_a_leading_rule_is_not_front_matter():
    page = parse_page("---\n第一篇\n\n正文一。\n\n---\n\n第二篇\n\n□ 记者 甲\n\n正文二。\n", "x.md")
    assert [p.title for p in page.pieces] == ["第一篇", "第二篇"]


def test_date_from_file_name_and_crlf_and_fullwidth_indent():
    page = parse_page("标题\r\n\r\n\u3000\u3000第一段。\r\n\u3000\u3000第二段。\r\n", "wj_2024-12-08_A01.txt")
    assert str(page.published_on) == "2024-12-08"
    assert page.pieces[0].paragraphs() == ["第一段。", "第二段。"]


def test_strip_markdown_levels():
    assert strip_markdown("### ——系列评论①") == ("——系列评论①", 3)
    assert strip_markdown("#话题#不是标题") == ("#话题#不是标题", 0)
    assert strip_markdown("1+8+5") == ("1+8+5", 0)


def test_page_without_paragraphs_has_no_pieces():
    assert parse_page("重点项目 进行时\n\n滨湖科创城 智造武高新\n").pieces == []
