"""News summaries and keywords on invented text: what is picked, what never is, bounded cost.

The texts here are written for these tests (no news copy). No timing assertions: speed is
measured by benchmarks/summarize.py and benchmarks/ingest.py.
"""

from __future__ import annotations

import math
import random
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from bot.nlp import keywords as kw
from bot.nlp import textrank
from bot.nlp.datelines import split_credit
from bot.nlp.postag import tag_table
from bot.nlp.specificity import CorpusStats, background_idf, blended_idf, burst, jieba_idf
from bot.nlp.stopwords import load_stopwords
from bot.nlp.summarizer import Options, Summary, summarize

STOP = load_stopwords()
NEWS = Options(stopwords=STOP, sentences=2)


def words_of(result: Summary) -> list[str]:
    return [k["word"] for k in result.keywords]


def keywords_of(paragraphs: list[str]) -> set[str]:
    """The top 20 keywords of an article (no corpus, no title)."""
    return set(words_of(summarize(paragraphs, Options(stopwords=STOP, keywords=20))))


# -- PageRank and the sentence graph --------------------------------------------------------


def networkx_style_pagerank(graph: sp.csr_array, damping: float, p: np.ndarray | None) -> np.ndarray:
    """PageRank exactly as before the transpose was built once: `x @ transition` every step."""
    n = graph.shape[0]
    out = graph.sum(axis=1)
    nonzero = out != 0
    out[nonzero] = 1.0 / out[nonzero]
    transition = sp.csr_array(sp.spdiags(out.T, 0, n, n)) @ graph
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n) if p is None else p / p.sum()
    dangling = np.where(out == 0)[0]
    for _ in range(100):
        last = x
        x = damping * (x @ transition + sum(x[dangling]) * p) + (1 - damping) * p
        if np.absolute(x - last).sum() < n * 1e-6:
            break
    return x


def random_graphs(count: int, seed: int = 3) -> list[tuple[sp.csr_array, np.ndarray | None]]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        n = int(rng.integers(2, 70))
        m = sp.random(
            n, n, density=float(rng.uniform(0.02, 0.6)), random_state=int(rng.integers(1 << 30)), format="csr"
        )
        out.append((sp.csr_array(m + m.T), rng.random(n) if k % 2 else None))
    return out


def test_pagerank_with_the_transpose_built_once_gives_identical_scores():
    for graph, prior in random_graphs(120):
        ours = textrank.pagerank(graph, 0.85, prior)
        assert ours.tobytes() == networkx_style_pagerank(graph, 0.85, prior).tobytes()


def bags_of(texts: list[str]) -> tuple[list[list[int]], int]:
    from bot.nlp.postag import tagged_words

    vocab: dict[str, int] = {}
    bags = [[vocab.setdefault(w, len(vocab)) for w, t in tagged_words(s) if t != "x" and w not in STOP] for s in texts]
    return bags, len(vocab)


SENTENCES = [
    "区里新建了三座口袋公园，居民下楼就能散步。",
    "口袋公园由闲置地块改造而成，种了樱花和桂花。",
    "街道还在公园旁边设了共享书架。",
    "附近的老人说，以前这里堆满了杂物。",
    "明年还将建设五座口袋公园。",
    "公园管理员每天清扫两次。",
]


def test_edge_pagerank_matches_the_sparse_one_and_both_graph_paths_agree(monkeypatch: pytest.MonkeyPatch):
    bags, vocabulary = bags_of(SENTENCES * 3)
    prior = np.linspace(1.0, 0.2, len(bags))
    graph = textrank.similarity_graph(bags, vocabulary, self_loops=False)
    edges = textrank.sentence_edges(bags, vocabulary)
    dense = np.zeros((len(bags), len(bags)))
    dense[edges.src, edges.dst] = edges.weight
    assert np.allclose(dense, graph.toarray())
    assert np.allclose(textrank.pagerank_edges(edges, 0.85, prior), textrank.pagerank(graph, 0.85, prior), rtol=1e-9)
    monkeypatch.setattr(textrank, "SMALL_PAIRS", 0)  # the sparse-matrix path gives the same graph
    big = textrank.sentence_edges(bags, vocabulary)
    as_matrix = np.zeros_like(dense)
    as_matrix[big.src, big.dst] = big.weight
    assert np.allclose(as_matrix, dense) and len(big.src) == len(edges.src)


def test_the_pair_budget_keeps_the_graph_linear_in_the_sentences():
    n = 3000
    rng = random.Random(5)
    # word 0 is in every sentence, word 1 in every other: 12 million pairs without a budget
    bags = [[0, *([1] if i % 2 else []), rng.randrange(2, 400), rng.randrange(2, 400)] for i in range(n)]
    edges = textrank.sentence_edges(bags, 400)
    assert len(edges.src) <= 2 * textrank.pair_budget(n)
    shared = textrank.shared_words(bags, 400)
    assert shared.nnz <= textrank.pair_budget(n) * 2 + n
    # a normal article is far below the budget: the exact graph
    small, vocabulary = bags_of(SENTENCES)
    assert not textrank.widespread_words(small, vocabulary, textrank.pair_budget(len(small))).any()


def test_huge_inputs_stay_small_in_memory():
    rng = random.Random(7)
    chars = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
    # one paragraph of 20,000 short sentences over a small vocabulary: every word in thousands
    sentences = ["".join(rng.choice(chars) for _ in range(rng.randrange(6, 12))) + "。" for _ in range(20_000)]
    paragraph = "".join(sentences)
    tracemalloc.start()
    try:
        result = summarize([paragraph], Options(stopwords=STOP, sentences=3))
        news_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        reference = summarize([paragraph[:60_000]], Options(stopwords=STOP, sentences=3, mode="textrank4zh"))
        reference_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(result.sentences) == 3 and len(reference.sentences) == 3
    assert news_peak < 150 * 2**20 and reference_peak < 150 * 2**20  # a dense 20,000² graph alone is 3 GB


# -- credits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opening, credit, names, rest",
    [
        (
            "本报讯（记者 王小明 李大华）昨天，区里开了会。",
            "本报讯（记者 王小明 李大华）",
            ["王小明", "李大华"],
            "昨天",
        ),
        ("新浪体育讯北京时间5月2日，某队赢了。", "新浪体育讯", [], "北京时间"),
        ("新华网南京3月1日电(记者 赵一) 今天下雨。", "新华网南京3月1日电(记者 赵一)", ["赵一"], "今天"),
        ("本报记者：孙二    今年以来，股市回暖。", "本报记者：孙二", ["孙二"], "今年"),
        ("⊙本报记者 郑小五 近日，某基金成立。", "⊙本报记者 郑小五", ["郑小五"], "近日"),
        ("导语：夏天到了，穿什么好？", "导语：", [], "夏天"),
        ("晚报记者 吴四 报道 “这很难得。”他说。", "晚报记者 吴四 报道", ["吴四"], "“这很难得"),
        ("（某某在线数码相机行情报道）这款相机很轻。", "（某某在线数码相机行情报道）", [], "这款"),
        ("记者从有关部门获悉，新规将实施。", "", [], "记者从"),
        ("他说（记者注：这是原话）很好。", "", [], "他说"),
    ],
)
def test_opening_credits_are_read_and_left_out(opening: str, credit: str, names: list[str], rest: str):
    found = split_credit(opening)
    assert (found.text, found.names) == (credit, names)
    assert found.rest.startswith(rest)


# -- sentences ---------------------------------------------------------------------------------

LEAD = "本报讯（记者 王小明）昨天，区里召开口袋公园建设推进会，明确明年再建五座口袋公园。"
BODY = [
    LEAD,
    "会议指出，口袋公园要建在居民家门口，让大家下楼就能走进绿地。",
    "据介绍，今年建成的三座口袋公园由闲置地块改造而成，种了樱花、桂花和香樟。",
    "街道负责人说，口袋公园建成后，附近居民散步、健身的人多了不少。",
    "下一步，区里将把口袋公园和共享书架、健身步道结合起来，打造十五分钟生活圈。",
]


def test_news_leads_by_default_after_the_dateline():
    result = summarize(BODY, NEWS, "区里明年再建五座口袋公园")
    assert result.sentences[0].startswith("昨天，区里召开口袋公园建设推进会")
    assert not any("本报讯" in s or "王小明" in s for s in result.sentences)


def test_list_steps_headings_and_walls_are_not_picks():
    wall = "会议强调，" + "，".join(["要坚持问题导向、目标导向和结果导向，把各项任务落到实处"] * 5) + "。"
    paragraphs = [
        wall,
        "一、规划先行",
        "1、锅里加入清水，放入切好的口袋公园样品。",
        "在建设家门口的口袋公园上下功夫。",
        "区里今年建成三座口袋公园，附近居民散步、健身的人多了不少。",
        "街道负责人说，口袋公园的设计听取了居民的意见，种了樱花和桂花。",
        "下一步，区里将把口袋公园和健身步道结合起来，打造十五分钟生活圈。",
    ]
    shown = summarize(paragraphs, Options(stopwords=STOP, sentences=3)).sentences
    assert wall not in shown and len(wall) > 120
    assert not any(s.startswith(("一、", "1、")) for s in shown)
    assert "在建设家门口的口袋公园上下功夫。" not in shown  # a heading set as a paragraph
    assert all(len(s) <= 120 for s in shown)


def test_a_sentence_restating_a_shown_one_is_passed_over():
    """The second sentence says the lead's clause again word for word: a reader would see it
    twice, so the summary shows the next sentence instead (the lead itself stays)."""
    paragraphs = [
        "本报讯（记者 王小明）昨天，区里召开推进会，要求口袋公园建在居民家门口、让大家下楼就能走进绿地。",
        "会议强调，口袋公园建在居民家门口、让大家下楼就能走进绿地是明年的重点。",
        "据介绍，今年建成的三座口袋公园由闲置地块改造而成，种了樱花、桂花和香樟。",
        "街道负责人说，口袋公园建成后，附近居民散步、健身的人多了不少。",
    ]
    shown = summarize(paragraphs, NEWS).sentences
    assert shown[0].startswith("昨天，区里召开推进会") and len(shown) == 2
    assert not any(s.startswith("会议强调") for s in shown)


def test_a_wall_is_shown_when_nothing_else_is_left():
    wall = "会议强调，" + "，".join(["要坚持问题导向、目标导向和结果导向，把各项任务落到实处"] * 5) + "。"
    assert summarize([wall], NEWS).sentences == [wall]


def test_commentary_chooses_by_centrality_not_position():
    paragraphs = [
        "秋风送爽，又到一年收获时。田野里稻谷金黄，果园里硕果累累，人们脸上洋溢着笑容。",
        "家门口的口袋公园，是城市温度的体现，也是为民办实事的答卷。口袋公园建在哪里、怎么建，要听居民的。",
        "建好口袋公园，要听取居民意见；管好口袋公园，要靠长效机制。口袋公园不能一建了之，要常管常新。",
        "口袋公园虽小，连着民生大事，各地要把口袋公园建到群众心坎上，让口袋公园成为居民的好去处。",
    ]
    as_news = summarize(paragraphs, Options(stopwords=STOP, sentences=1), byline="记者 王小明")
    as_commentary = summarize(paragraphs, Options(stopwords=STOP, sentences=1), byline="本报评论员")
    assert as_news.sentences == ["秋风送爽，又到一年收获时。"]  # the lead, even a weak one
    assert as_commentary.sentences != as_news.sentences


# -- keywords --------------------------------------------------------------------------------------


def test_keywords_merge_the_phrase_the_text_uses_and_never_name_the_reporter():
    text = [*BODY, "新浪网友在微博上说，口袋公园让王小明也常来散步。"]
    words = words_of(summarize(text, Options(stopwords=STOP), None, byline="记者 王小明"))
    assert words[0] == "口袋公园" and "口袋" not in words
    for never in ("王小明", "新浪", "微博", "记者", "本报讯", "网友"):
        assert never not in words


def test_a_word_counts_inside_a_longer_word_of_the_cut_but_not_inside_a_derived_word():
    # the cut keeps `飞鱼队` whole twice and `飞鱼` alone once: the short word was said three times
    sentences = [
        [("飞鱼队", "nt"), ("主场", "n"), ("取胜", "v"), ("。", "x")],
        [("飞鱼队", "nt"), ("连胜", "v"), ("，", "x"), ("飞鱼", "n"), ("士气", "n"), ("高涨", "v"), ("。", "x")],
        [("现代化", "vn"), ("场馆", "n"), ("启用", "v"), ("，", "x"), ("现代", "t"), ("气息", "n"), ("。", "x")],
    ]
    found = kw._tally(sentences, STOP, frozenset(), 2)
    assert found.tf["飞鱼"] == 3 and found.tf["飞鱼队"] == 2
    assert found.tf["现代"] == 1  # `现代化` is another word, not `现代` said again
    found = kw._tally(
        [[("中国式", "b"), ("道路", "n"), ("，", "x"), ("中国", "ns"), ("成长基金", "nz")]], STOP, frozenset(), 2
    )
    assert found.tf["中国"] == 1 and found.tf["道路"] == 1


def test_the_tail_of_a_phrase_and_english_function_words_are_never_keywords():
    text = [
        "新区提出建设创新之城，创新之城的蓝图由The Lab团队设计。",
        "The Lab团队表示，创新之城将在三年内建成，The Lab将常驻新区。",
    ]
    words = keywords_of(text)
    assert "Lab" in words
    assert "之城" not in words and "The" not in words


def test_a_team_is_called_by_its_name_but_a_common_noun_keeps_its_suffix():
    text = [
        "上海队主场以98比90战胜广东队，上海队外援拿下30分。",
        "国家队主教练在场边观看了比赛，医疗队在场边待命。",
        "广东队主帅赛后表示，上海队的防守让广东队很难受，国家队和医疗队的工作人员也向双方致意。",
    ]
    words = keywords_of(text)
    assert {"上海", "广东", "国家队", "医疗队"} <= words  # a headline says 上海, never 国家
    assert not {"上海队", "广东队", "国家", "医疗"} & words
    # a team name the dictionary lacks, whole and stem, loses its suffix; `啦啦队` (a dictionary noun) keeps it
    sentences = [[("星鲨队", "nt"), ("啦啦队", "n"), ("。", "x")]]
    kw.team_names(sentences, tag_table())
    assert sentences == [[("星鲨", "nt"), ("啦啦队", "n"), ("。", "x")]]


def test_a_word_the_text_sets_in_quotes_weighs_more_but_not_inside_a_saying_or_a_list():
    def weights(opening: str, closing: str, filler: list[tuple[str, str]]) -> dict[str, float]:
        sentences = [
            [("市民", "n"), ("热议", "v"), (opening, "x"), ("夜经济", "n"), *filler, (closing, "x"), ("。", "x")],
            [("夜经济", "n"), ("带动", "v"), ("消费", "vn"), ("，", "x"), ("商圈", "n"), ("客流", "n"), ("。", "x")],
        ]
        return kw.evidence(sentences, STOP).weights

    plain = weights("，", "，", [])
    term = weights("“", "”", [])
    saying = weights("“", "”", [("我们", "r"), ("希望", "v"), ("街区", "n"), ("越来越", "d"), ("热闹", "a")])
    params = kw.KeywordParams()
    assert term["夜经济"] == pytest.approx(params.quoted_prior * plain["夜经济"])
    assert saying["夜经济"] == pytest.approx(plain["夜经济"])  # a quote of 15 characters is a saying
    slogans = weights("“", "”", [("、", "x"), ("慢生活", "n")])  # short, but a list of slogans
    assert slogans["夜经济"] == pytest.approx(plain["夜经济"])
    assert term["商圈"] == pytest.approx(plain["商圈"])


NOT_SOURCES = [
    "据北岭县气象台消息，今天下午起将出现强降雨。",
    "据启航科技年报披露，公司营业收入增长。",
    "据外交部新闻发言人透露，会谈顺利。",
    "据当地旅行社透露，游客增多。",
    "据电影《远山谣》出品方透露，影片定档。",
    "据WHO消息，疫情缓和。",
    "据某市政府网消息，政策出台。",
]


def tagged(sentence: str) -> list[tuple[str, str]]:
    from bot.nlp.postag import guess_tag, tag_table
    from bot.nlp.segment import words

    table = tag_table()
    return [(w, table.get(w) or guess_tag(w)) for w in words(sentence)]


def test_the_publication_an_article_cites_is_not_a_keyword_unless_the_story_is_about_it():
    text = [
        "据《江滨晚报》报道，青松队后卫张伟强本赛季场均得到21分，青松队正与他商谈续约。",
        "据山城通讯社消息，青松队的报价为三年两千万，据XBN报道，另有两支球队关注张伟强。",
        "张伟强表示希望留在青松队，据美国《海风周报》称，青松队将在下周给出答复。",
    ]
    words = keywords_of(text)
    assert {"张伟强", "青松"} <= words
    assert not {"江滨晚报", "江滨", "晚报", "山城", "通讯社", "XBN", "海风", "周报", "海风周报"} & words  # the sources
    # a citation's other words and a person quoted as a source stay; so does a paper the story is about
    sentences = [
        [("据", "p"), ("美国", "ns"), ("《", "x"), ("海风周报", "nt"), ("》", "x"), ("称", "v"), ("。", "x")],
        [("据", "p"), ("张明", "nr"), ("透露", "v"), ("，", "x"), ("江滨晚报", "nt"), ("据", "p")],
        [("据", "p"), ("江滨晚报", "nt"), ("报道", "v"), ("。", "x"), ("据", "p"), ("了解", "v"), ("，", "x")],
    ]
    assert kw.cited_sources(sentences) == {"海风周报"}
    # what ends so but names no publication, a spokesman, a film, an agency's newsmaker: all stay
    assert kw.cited_sources([tagged(t) for t in NOT_SOURCES]) == set()
    # two sources joined by `、`, and a paper on its own account, are sources
    assert kw.cited_sources([tagged("据江滨晚报、山城通讯社报道，球队获胜。")]) == {"江滨", "晚报", "山城", "通讯社"}
    assert kw.cited_sources([tagged("据江滨晚报官方微博消息，球队获胜。")]) == {"江滨", "晚报"}
    # an organisation announcing on its own channel is the news, not a source
    own = [
        [("据", "p"), ("QXR", "eng"), ("官网", "n"), ("消息", "n"), ("，", "x")],
        [("据", "p"), ("北岭", "ns"), ("电网", "n"), ("消息", "n"), ("，", "x")],
        [("据", "p"), ("市", "n"), ("气象局", "nt"), ("官方网站", "n"), ("消息", "n"), ("，", "x")],
    ]
    assert kw.cited_sources(own) == set()
    story = [*text, "江滨晚报创刊于1950年，江滨晚报的体育版今年改版。"]
    assert "江滨晚报" in keywords_of(story)


def test_keywords_have_no_fragments():
    text = [
        "区发改局局长张三介绍，发改局局长办公会研究了三大任务。",
        "三大任务分别是招商、建设和服务，发改局局长张三牵头。",
        "会上，10个项目集中签约，张三表示要抓好落实。",
    ]
    words = keywords_of(text)
    assert "局局长" not in words and "三大" not in words
    assert all(len(w) >= 2 and not w[0].isdigit() for w in words)


def test_a_word_in_nearly_every_article_is_a_keyword_only_when_the_headline_has_it():
    found = summarize(BODY, Options(stopwords=STOP)).evidence
    assert found is not None and "口袋公园" in found.weights
    everywhere = CorpusStats(docs=100, df={"口袋公园": 95})
    params = kw.KeywordParams()
    assert "口袋公园" not in [k["word"] for k in kw.rank(found, everywhere, "区里开会", 5, params)]
    assert "口袋公园" in [k["word"] for k in kw.rank(found, everywhere, "口袋公园明年再建五座", 5, params)]


def test_the_idf_blend_starts_from_jiebas_and_follows_the_corpus():
    table, _ = jieba_idf()
    word = "公园"
    prior = kw.KeywordParams().prior_docs
    assert math.isclose(blended_idf(0, 0, background_idf(word), prior), table[word], rel_tol=1e-9)
    rare = blended_idf(1, 10_000, background_idf(word), prior)
    common = blended_idf(9_000, 10_000, background_idf(word), prior)
    assert rare > table[word] > common > 0
    assert background_idf("口袋公园", ["口袋", "公园"]) == max(table["口袋"], table["公园"])


def test_burst_scores_a_word_by_how_unusual_its_count_is():
    assert burst(1, 10, 200, 1000, 3.0, 50) == 0.0  # less often than usual: no burst
    assert burst(6, 10, 8, 1000, 8.0, 50) > burst(3, 10, 5, 1000, 8.0, 50) > 0
    assert burst(6, 10, 600, 1000, 8.0, 50) < burst(6, 10, 8, 1000, 8.0, 50)


def test_the_fast_hmm_gives_jiebas_words():
    from jieba import finalseg

    from bot.nlp.postag import hmm_cut

    rng = random.Random(11)
    pool = "王李张刘陈杨沈恽淇丞朱梦琪大寰机器人研发清洁生产口袋公园樱花桂花东西南北甲乙丙丁" + "ABCxyz0123.%"
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(1, 14)))
        out: list[str] = []
        hmm_cut(text, out)
        assert out == list(finalseg.cut(text)), text
