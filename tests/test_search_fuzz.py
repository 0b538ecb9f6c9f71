"""Property-based: whatever is typed, search raises nothing but QueryError and returns exactly the
articles the query's definition (`Query.matches`, evaluated here in Python) selects, on both stores."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.corpus.ingest import Ingestor
from bot.search import QueryError, parse, search
from bot.search.document import build_doc
from bot.search.index import load_articles
from bot.store.db import Store
from bot.store.models import Article
from conftest import SEEDS

WORDS = [
    "机器人", "清洁生产", "武进", "发展", "创新发展", "高质量", "史莲寅", "沈东", "调研", "钟楼", "武高新",
    "国家高新区", "产业链", "新质生产力", "记者", "本报评论员", "实干", "绿", "成金", "大寰", "人研", "器人研发",
    "5亿元", "2024", "iFM", "AI", "covid-19", "的", "区", "一", "x", "不存在的词",
]  # fmt: skip
SYNTAX = [
    '"', "“", "”", "＂", "-", "－", "#", "＃", " ", "  ", "*", "^", "(", ")", ":", "NEAR", "OR", "AND", "NOT",
    "'", ";", "--", "/*", "*/", "\\", "%", "_", "{", "}", "[", "]", "+", "~", "|", "&", "!", "=", "<", ">",
    "'; DROP TABLE articles; --", "\" OR 1=1 --", "SELECT * FROM search_docs", "NEAR(a b, 2)", "a*", "^b",
    "ＡＢＣ", "ｗｗｗ", "😀", "🇨🇳", "\x00", "\x1b[31m", "\u200b", "\u202e", "\ufeff", "\ud800", "\U0010ffff",
    "e\u0301", "\t", "\n", "\r\n", "…", "——", "，", "。", "《", "》",
]  # fmt: skip
KEYWORDS = {  # set like the summarizer would, so #keyword queries have something to find
    "深圳大寰机器人研发制造中心项目签约落户武高新": [
        {"word": "机器人", "weight": 1.0},
        {"word": "大寰", "weight": 0.5},
    ],
    "武高新点“绿”成金 激发清洁生产新动能": [{"word": "清洁生产", "weight": 1.0}, {"word": "武高新", "weight": 0.3}],
    "全区领导干部思路研讨会召开": ["武进", "发展", "机器人"],
    "钟楼区党政代表团来我区考察": ["钟楼", "AI"],
}

piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(SYNTAX),
    st.builds(lambda op, w: op + w, st.sampled_from(["-", "#", "-#", '"', "“"]), st.sampled_from(WORDS)),
    st.text(max_size=3),
)
few_words = st.lists(
    st.builds(lambda op, w: op + w, st.sampled_from(["", "", "", "-", "#", "-#"]), st.sampled_from(WORDS)),
    min_size=1,
    max_size=3,
).map(" ".join)  # short queries, so that many have hits
queries = st.one_of(
    few_words,
    st.lists(piece, max_size=10).map(" ".join),
    st.lists(piece, max_size=10).map("".join),
    st.text(max_size=40),
)


@pytest.fixture
def corpus(store: Store):
    Ingestor(store, 5_000_000).ingest([SEEDS])
    with store.session.begin() as s:
        for title, words in KEYWORDS.items():
            s.execute(update(Article).where(Article.title == title).values(keywords=words))
    with store.engine.connect() as conn:
        ids = list(conn.execute(select(Article.id)).scalars())
        docs = [build_doc(a) for a in load_articles(conn, ids)]
    return store, {d.article_id: (d.term_set(), d.lines()) for d in docs}


def check_query(store: Store, docs: dict, query: str) -> None:
    try:
        parsed = parse(query)
    except QueryError as exc:
        with pytest.raises(QueryError) as again:
            search(store, query)
        assert again.value.code == exc.code
        return
    expected = {i for i, (terms, lines) in docs.items() if parsed.matches(terms, lines)}
    result = search(store, query, page=1, page_size=100)
    got = [h.id for h in result.hits]
    assert result.total == len(got) == len(set(got))
    assert set(got) == expected, (query, parsed.terms)
    scores = [float(f"{h.score:.12g}") for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    for hit in result.hits:
        assert len(hit.snippet.text) <= 120
    if result.total > 2:  # paging agrees with the full list
        second = search(store, query, page=2, page_size=2)
        assert [h.id for h in second.hits] == got[2:4]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_any_query_is_answered_correctly(corpus, query: str):
    store, docs = corpus
    check_query(store, docs, query)


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "机器人 " * 2_000,
        '"' * 301,
        "\x00" * 50,
        "-" * 100,
        "#" * 100,
        "😀" * 100,
        "a" * 300,
        "机" * 300,
        " ".join(WORDS),
        '"' + "".join(WORDS) + '"',
        "'; DROP TABLE articles; --",
        "NEAR(机器人 产业, 3) OR 清洁生产*",
        "机器人 -机器人",
        "#机器人 -#机器人",
        "-#机器人 机器人",
        '-"武高新" 清洁生产',
        "人研",
        "器人研发",
    ],
)
def test_awkward_queries(corpus, query: str):
    store, docs = corpus
    check_query(store, docs, query)
