"""The search query language, normalisation and snippets, without a database."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.query import MAX_QUERY_CHARS, MAX_TOKENS, QueryError, compile_query, parse
from bot.search.snippets import find_spans, highlight, make_snippet
from bot.search.tokens import (
    KEYWORD_MARK,
    MAX_TOKEN_CHARS,
    keyword_token,
    normalize,
    query_tokens,
    squash,
    tokens,
)


def kinds(query: str) -> list[tuple[str, str, bool]]:
    return [(t.kind, t.key, t.negated) for t in parse(query).terms]


def codes(query: str) -> list[str]:
    return [n.code for n in parse(query).notices]


def error_code(query: str) -> str:
    with pytest.raises(QueryError) as err:
        parse(query)
    return err.value.code


# -- normalisation and tokens ---------------------------------------------------------------


def test_normalize_folds_width_case_and_punctuation():
    assert normalize("ＡＢＣ　Ｄｅｆ，武进！") == "abc def 武进"
    assert normalize("“绿”成金——①号") == "绿 成金 1号"
    assert normalize("a\x00b\u200bc\td") == "a b c d"
    assert normalize("😀 *^() ") == ""
    assert squash("武高新点“绿”成金") == "武高新点绿成金"
    assert normalize("Cafe\u0301") == normalize("Café") == "café"  # composed either way


def test_tokens_are_search_mode_and_bounded():
    assert tokens("机器人") == ["机器", "机器人"]
    # unknown names fall apart into characters; their pairs are tokens too, punctuation aside
    assert tokens("沈东调研") == ["沈", "东", "沈东", "调研"]
    assert tokens("点“绿”成") == ["点", "绿", "点绿", "成", "绿成"]
    # a query term is looked up by its words only, single-character runs by their pairs
    assert query_tokens("高质量发展") == ["高质量", "发展"]
    assert query_tokens("史莲寅") == ["史莲", "莲寅"]
    assert query_tokens("武高新点绿成金") == ["武", "高新", "点绿", "绿成", "成金"]
    assert tokens("清洁生产") == ["清洁", "生产"]
    assert tokens("COVID-19 ｉＰｈｏｎｅ15") == ["covid", "19", "iphone15"]
    assert tokens("x" * 200) == ["x" * MAX_TOKEN_CHARS]
    assert tokens("，。！") == []
    assert keyword_token("机器人") == KEYWORD_MARK + "机器人"
    assert keyword_token("！") is None


# -- the query language ---------------------------------------------------------------------


def test_words_phrases_exclusions_keywords():
    assert kinds("武进 机器人") == [("word", "武进", False), ("word", "机器人", False)]
    assert kinds('"清洁 生产" -钟楼') == [("phrase", "清洁生产", False), ("word", "钟楼", True)]
    assert kinds('#机器人 -#钟楼 #"New Energy"') == [
        ("keyword", "机器人", False),
        ("keyword", "钟楼", True),
        ("keyword", "newenergy", False),
    ]
    assert kinds('武进 -"高新区 建设"') == [("word", "武进", False), ("phrase", "高新区建设", True)]
    # curly quotes delimit phrases too; a phrase glued to words splits them
    assert kinds("武高新点“绿”成金") == [("word", "武高新点", False), ("phrase", "绿", False), ("word", "成金", False)]
    # full-width operators and spaces
    assert kinds("ＡＢＣ　－钟楼　＃武进") == [
        ("word", "abc", False),
        ("word", "钟楼", True),
        ("keyword", "武进", False),
    ]
    assert kinds("COVID-19 a-b") == [("word", "covid19", False), ("word", "ab", False)]


def test_duplicates_collapse_and_words_need_text_only_when_split():
    assert kinds('机器人 "机器人" 机器人') == [("word", "机器人", False)]
    robot, clean = parse("机器人 清洁生产").terms
    assert not robot.needs_text and clean.needs_text
    plan = compile_query(parse("机器人 清洁生产 -钟楼 -创新发展 #科技"))
    assert plan.must == ["机器人", "清洁", "生产", KEYWORD_MARK + "科技"]
    assert plan.texts == ["清洁生产"]
    assert plan.must_not == [["钟楼"]]
    assert plan.not_texts == [(["创新", "发展"], "创新发展")]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "empty"),
        ("   \t\n", "empty"),
        ("***", "empty"),
        ("😀🎉", "empty"),
        ("\x00\x01\x1f", "empty"),
        ('""', "empty"),
        ("-", "empty"),
        ("# - #", "empty"),
        ("-钟楼", "only_exclusions"),
        ("-钟楼 -#武进", "only_exclusions"),
        ("机" * (MAX_QUERY_CHARS + 1), "too_long"),
        ("x" * 10_000, "too_long"),
    ],
)
def test_unsearchable_queries_raise_query_error_with_a_code(query: str, code: str):
    assert error_code(query) == code


def test_too_many_terms_and_the_error_shape():
    words = " ".join(f"w{i}" for i in range(MAX_TOKENS + 1))
    with pytest.raises(QueryError) as err:
        parse(words)
    assert err.value.code == "too_many_terms"
    assert err.value.params == {"terms": MAX_TOKENS + 1, "limit": MAX_TOKENS}
    assert err.value.to_dict()["message"].startswith("The query has")
    with pytest.raises(QueryError) as err:
        parse("x" * 400)
    assert err.value.params == {"length": 400, "limit": MAX_QUERY_CHARS}


def test_stray_syntax_is_searched_as_text_with_notices():
    assert kinds('"清洁生产') == [("word", "清洁生产", False)]
    assert codes('"清洁生产') == ["unbalanced_quote"]
    assert kinds('"a b" "c') == [("phrase", "ab", False), ("word", "c", False)]
    assert kinds("武进 OR 钟楼 AND NOT NEAR(高新区)") == [
        ("word", "武进", False),
        ("word", "钟楼", False),
        ("word", "高新区", False),
    ]
    assert codes("武进 OR 钟楼 AND NOT NEAR(高新区)") == ["symbols_ignored", "operators_ignored"]
    assert kinds("OR") == [("word", "or", False)]  # nothing else to search: the word itself
    assert kinds("or and") == [("word", "or", False), ("word", "and", False)]
    assert kinds("武进* ^2 (钟楼)") == [("word", "武进", False), ("word", "2", False), ("word", "钟楼", False)]
    assert kinds("'; DROP TABLE articles; --") == [
        ("word", "drop", False),
        ("word", "table", False),
        ("word", "articles", False),
    ]
    assert kinds("武进 --钟楼") == [("word", "武进", False), ("word", "钟楼", True)]


def test_term_semantics_in_python():
    (term,) = parse("清洁生产").terms
    assert term.matches({"清洁", "生产"}, ["武高新点绿成金", "开展清洁生产审核"])
    assert not term.matches({"清洁", "生产"}, ["清洁的生产"])  # words apart: no
    assert not term.matches({"清洁"}, ["清洁生产"])  # tokens narrow first
    (robot,) = parse("机器人").terms
    assert robot.matches({"机器", "机器人"}, [])  # one token is the whole word: no text check


# -- snippets -------------------------------------------------------------------------------


def test_snippet_marks_matches_on_the_original_text():
    spans = find_spans("武高新点“绿”成金，激发", ["武高新点绿成金"])
    assert spans == [(0, 9, "武高新点绿成金")]
    title = highlight("深圳大寰机器人研发制造中心", ["机器人", "机器"])
    assert title.parts == (("深圳大寰", False), ("机器人", True), ("研发制造中心", False))
    assert title.marked() == "深圳大寰**机器人**研发制造中心"
    assert highlight("ＡＢＣ abc", ["abc"]).parts == (("ＡＢＣ", True), (" ", False), ("abc", True))


def test_snippet_window_is_bounded_and_around_the_best_paragraph():
    filler = "这是一段与查询无关的文字。" * 20
    texts = ["标题", filler, filler + "这里提到清洁生产审核的成效。" + filler, "清洁"]
    snip = make_snippet(texts, ["清洁生产"], 120, lead=1)
    assert len(snip) <= 120
    assert ("清洁生产", True) in snip.parts
    assert snip.text.startswith("…") and snip.text.endswith("…")
    assert snip.marked().count("**清洁生产**") == 1
    plain = make_snippet(texts, ["没有"], 60, lead=1)  # no match: the lead paragraph's start
    assert plain.text == filler[:59] + "…" and not any(m for _, m in plain.parts)
    short = make_snippet(["清洁生产很重要"], ["清洁", "生产"], 120)
    assert short.parts == (("清洁生产", True), ("很重要", False))
    assert make_snippet([], ["x"]).parts == ()


def test_snippet_opens_at_a_clause_when_no_sentence_starts_before_the_match():
    text = (
        "原本根据相关法规的规定一些规模较小并且污染很少的企业" * 3
        + "，企业可自愿开展清洁生产审核"
        + "后文很长" * 40
        + "。"
    )
    snip = make_snippet([text], ["清洁生产"], 60)  # the window would open 12 characters before the match
    assert snip.text.startswith("…企业可自愿开展") and ("清洁生产", True) in snip.parts
    assert len(snip) <= 60


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("武进绿成金ＡＢｃ１２，。…“”　 ㈱ﬁ①e\u0301-#xX9"), max_size=30))
def test_snippet_folding_takes_the_fast_path_only_when_it_aligns(text: str):
    """The folded text and its character origins are the same whichever way they are computed."""
    from bot.search.snippets import _folded
    from bot.search.tokens import fold, fold_char

    squashed, origin = _folded(text)
    slow_chars, slow_origin = [], []
    for i, ch in enumerate(text):
        slow_chars.append(fold_char(ch))
        slow_origin.extend([i] * len(fold_char(ch)))
    assert (squashed, list(origin)) == ("".join(slow_chars), slow_origin)
    assert squashed == fold(text)
