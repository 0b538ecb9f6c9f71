"""Summaries and keywords: readable on every seed, faithful to textrank4zh in its mode, stored.

No timing assertions here: throughput is measured by benchmarks/summarize.py.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import Settings
from bot.corpus.enrich import enricher_for, options_for, refresh_stale, version_of
from bot.corpus.pages import DATELINE, Piece, parse_page, strip_dateline
from bot.nlp.postag import cut
from bot.nlp.sentences import CLOSERS, split_sentences
from bot.nlp.stopwords import BUILTIN, load_stopwords, read_words
from bot.nlp.summarizer import Options, summarize, summarize_text
from bot.store.db import open_store
from conftest import SEEDS


@cache
def seed_pieces() -> list[tuple[str, Piece]]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        for piece in parse_page(path.read_text(encoding="utf-8"), path.name).pieces:
            out.append((f"{path.name}#{len(out)}", piece))
    return out


ARTICLES = [(name, p) for name, p in seed_pieces() if p.kind == "article"]
CAPTIONS = [(name, p) for name, p in seed_pieces() if p.kind == "caption"]


def body(piece: Piece) -> list[str]:
    return [strip_dateline(p.strip()) for p in piece.paragraphs()]


def test_the_seeds_hold_14_articles_and_a_caption():
    assert (len(ARTICLES), len(CAPTIONS)) == (14, 1)


def mixed_texts(count: int, seed: int = 7) -> list[str]:
    """Made-up strings of dictionary words, random Chinese characters (names the HMM must
    find), Latin letters, digits, `.-%+#&_`, full-width forms, quotes, spaces and line breaks."""
    import random

    from bot.nlp.segment import tokenizer

    rng = random.Random(seed)
    words = sorted(w for w, n in tokenizer().FREQ.items() if n)
    other = list("abcXYZ0123456789.-%+#&_ 　\r\n\t，。、：“”（）!?·—…") + ["😀", "é", "Ω", "①", "２", "ａ"]
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            roll = rng.random()
            if roll < 0.5:
                parts.append(rng.choice(words))
            elif roll < 0.75:
                parts.append("".join(chr(rng.randint(0x4E00, 0x9FD5)) for _ in range(rng.randint(1, 4))))
            else:
                parts.append("".join(rng.choice(other) for _ in range(rng.randint(1, 5))))
        out.append("".join(parts))
    return out


@cache
def cut_texts() -> tuple[str, ...]:
    """The seeds, an odd string and 1,500 made-up ones, built once for the cut tests."""
    odd = "ＡＢＣ 3.5% F-22和iPhone 15 Pro…“引号”\t\r\n混合 text DSC-H20 62.1mm i.d.sarr 010-8253"
    seeds = ["\n".join(piece.paragraphs()) for _, piece in seed_pieces()]
    return (*seeds, odd, *mixed_texts(1500))


def test_both_cuts_are_jiebas_cut():
    from bot.nlp import postag, segment
    from bot.nlp.segment import tokenizer

    assert segment.native() is not None  # rjieba is a dependency: the fast route is on
    for text in cut_texts():
        expected = list(tokenizer().cut(text))
        assert cut(text) == expected, text
        assert postag.fused_cut(text) == expected, text


def test_page_and_search_cuts_are_jiebas_without_the_hmm():
    from bot.nlp import segment
    from bot.nlp.segment import tokenizer

    assert segment.native() is not None
    for text in cut_texts():
        assert segment.words(text, hmm=False) == list(tokenizer().cut(text, HMM=False)), text
        assert segment.search_words(text) == list(tokenizer().cut_for_search(text, HMM=False)), text


def test_characters_jieba_cuts_alone_are_cut_alone():
    """rjieba's blocks of Chinese are wider than jieba's (CJK extensions, compatibility
    ideographs), so its HMM would join such a character to the next; and Rust strings cannot
    hold a lone surrogate. jieba gives each alone, and so do ours."""
    from bot.nlp import segment
    from bot.nlp.segment import tokenizer

    texts = [
        "记者孙㽏㽏报道",  # CJK extension A, as in a rare given name
        "杨𫐄建在会上发言",  # extension B-F
        "祖𠃤和\ufa11\ufae4晨光",  # compatibility ideographs, one of them unassigned
        "滨江\ud800新区F-22和晨光科技",  # a lone surrogate
        "２０２４年ＣＥＯ说éボ한",  # full-width forms, other scripts
    ]
    assert segment.native() is not None
    for text in texts:
        assert cut(text) == list(tokenizer().cut(text)), text
        assert segment.words(text, hmm=False) == list(tokenizer().cut(text, HMM=False)), text
        assert segment.search_words(text) == list(tokenizer().cut_for_search(text, HMM=False)), text
    assert "㽏" in cut(texts[0]) and "㽏㽏" not in cut(texts[0])


def test_a_dictionary_set_after_the_first_cut_is_loaded(tmp_path: Path):
    """`jieba.set_dictionary` after jieba was loaded: the Python route reads the new one."""
    import subprocess
    import sys

    custom = tmp_path / "dict.txt"
    custom.write_text("湖畔 500 n\n新城 800 n\n晨跑步道 900 n\n今天 900 t\n开放 700 v\n的 9000 uj\n", encoding="utf-8")
    script = (
        "import sys, jieba\n"
        "from bot.nlp.postag import cut\n"
        "from bot.nlp.segment import native, tokenizer, words\n"
        "tokenizer()\n"
        "jieba.set_dictionary(sys.argv[1])\n"
        "text = '湖畔新城的晨跑步道今天开放'\n"
        "assert native() is None\n"
        "assert cut(text) == list(jieba.dt.cut(text)), cut(text)\n"
        "assert '晨跑步道' in cut(text) and '晨跑步道' in words(text, hmm=False)\n"
        "print('ok')\n"
    )
    run = [sys.executable, "-c", script, str(custom)]
    done = subprocess.run(run, capture_output=True, text=True, timeout=120, check=False, cwd=SEEDS.parent)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_probe_rjieba_is_checked_with_is_cut_as_jieba_cuts_it():
    from bot.nlp import segment
    from bot.nlp.segment import tokenizer

    assert segment._spelled(segment.PROBE_WORDS) == list(tokenizer().cut(segment.PROBE))
    assert segment._spelled(segment.PROBE_PLAIN) == list(tokenizer().cut(segment.PROBE, HMM=False))


def test_the_native_cut_splits_a_latin_run_as_jiebas_hmm_does():
    from bot.nlp.segment import native_words, tokenizer

    freq = tokenizer().FREQ
    assert native_words(["型号", "DSC-H20", "和", "3.5%", "62.1mm", "iPhone"], freq.get) == (
        ["型号", "DSC", "-", "H20", "和", "3.5%", "62.1", "mm", "iPhone"]
    )


def test_news_mode_never_loads_jiebas_own_dictionary():
    """Pages, summaries, keywords and search tokens run on rjieba and the tag table alone: jieba's
    prefix dictionary (~60 MB of Python objects) stays unloaded in a fresh process."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "import jieba\n"
        "from bot.corpus.pages import parse_page\n"
        "from bot.nlp.stopwords import load_stopwords\n"
        "from bot.nlp.summarizer import Options, summarize_text\n"
        "from bot.search.tokens import query_tokens, tokens\n"
        "page = parse_page(open(sys.argv[1], encoding='utf-8').read())\n"
        "text = '\\n'.join(page.pieces[0].paragraphs()) + '记者孙\\u3f4f\\ud800报道。'\n"
        "result = summarize_text(text, Options(stopwords=load_stopwords()))\n"
        "assert result.sentences and result.keywords, result\n"
        "assert tokens(text) and query_tokens(result.keywords[0]['word'])\n"
        "print('loaded' if jieba.dt.initialized else 'unloaded')\n"
    )
    run = [sys.executable, "-c", script, str(sorted(SEEDS.glob("*.txt"))[0])]
    done = subprocess.run(run, capture_output=True, text=True, timeout=120, check=False, cwd=SEEDS.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "unloaded"


def test_without_rjieba_the_python_route_cuts_the_same(monkeypatch: pytest.MonkeyPatch):
    import sys

    from bot.nlp import segment
    from bot.nlp.segment import tokenizer

    monkeypatch.setitem(sys.modules, "rjieba", None)  # import rjieba now raises ImportError
    monkeypatch.setattr(segment, "_NATIVE", None)
    assert segment.native() is None
    assert cut(segment.PROBE) == list(tokenizer().cut(segment.PROBE))
    assert segment.search_words(segment.PROBE) == list(tokenizer().cut_for_search(segment.PROBE, HMM=False))
    monkeypatch.undo()
    segment._NATIVE = None
    assert segment.native() is not None


def test_fast_cut_follows_words_added_to_jiebas_dictionary():
    from bot.nlp import segment
    from bot.nlp.segment import tokenizer

    text = "湖畔新城的晨跑步道今天开放"
    dt = tokenizer()
    assert cut(text) == list(dt.cut(text))
    assert "晨跑步道" not in cut(text)
    before, total = set(dt.FREQ), dt.total
    dt.add_word("晨跑步道", 50_000)
    try:
        assert segment.native() is None  # rjieba does not have the word: the Python route
        assert "晨跑步道" in cut(text)  # the log-probability table is built again
        assert cut(text) == list(dt.cut(text))
        assert "晨跑步道" in segment.words(text, hmm=False)
        assert "晨跑步道" in segment.search_words(text)
    finally:  # jieba's dictionary as it was (del_word would leave the word behind with count 0)
        for word in set(dt.FREQ) - before:
            del dt.FREQ[word]
        dt.total = total
    assert segment.native() is not None
    assert cut(text) == list(dt.cut(text))
    assert "晨跑步道" not in cut(text)


@pytest.mark.parametrize("name, piece", ARTICLES, ids=[n for n, _ in ARTICLES])
def test_every_seed_article_gets_a_readable_three_sentence_summary(name: str, piece: Piece):
    options = options_for(Settings())
    result = summarize(piece.paragraphs(), options, piece.title)
    sentences = split_sentences(body(piece))
    texts = [s.text for s in sentences]
    assert len(result.sentences) == 3
    positions = [texts.index(s) for s in result.sentences]  # each one a real sentence of the article
    assert positions == sorted(positions)  # shown in article order
    for text, pos in zip(result.sentences, positions, strict=True):
        s = sentences[pos]
        assert s.complete and s.balanced, text  # whole, with its closing mark, no orphan quote
        assert text.rstrip("".join(CLOSERS))[-1] in "。！？!?；;…", text
        assert text[0] not in CLOSERS
        assert not DATELINE.match(text) and "本报讯" not in text
        if piece.byline:
            assert piece.byline not in text
        for heading in (b.text for b in piece.blocks if b.type == "heading"):
            assert text != heading


@pytest.mark.parametrize("name, piece", ARTICLES, ids=[n for n, _ in ARTICLES])
def test_every_seed_article_gets_ten_clean_keywords(name: str, piece: Piece):
    stop = load_stopwords()
    keywords = summarize(piece.paragraphs(), options_for(Settings())).keywords
    words = [k["word"] for k in keywords]
    assert len(words) == 10 and len(set(words)) == 10
    for word in words:
        assert len(word) >= 2, word
        assert word not in stop, word
        assert re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9·+#&.\-]+", word), word  # no punctuation or markup
        assert not re.fullmatch(r"[0-9.%]+", word), word  # no numbers
    weights = [k["weight"] for k in keywords]
    assert weights[0] == 1.0 and weights == sorted(weights, reverse=True)
    assert all(round(w, 4) == w for w in weights)


def test_the_caption_gets_its_sentences_and_no_photo_credit():
    (_, caption) = CAPTIONS[0]
    result = summarize(caption.paragraphs(), options_for(Settings()))
    assert 1 <= len(result.sentences) <= 3
    assert all(caption.byline not in s for s in result.sentences)
    assert result.keywords and all(len(k["word"]) >= 2 for k in result.keywords)


def test_single_character_keywords_only_when_configured():
    _, piece = ARTICLES[0]
    options = options_for(Settings(), keyword_min_length=1, keywords=50)
    keywords = summarize(piece.paragraphs(), options).keywords
    assert any(len(k["word"]) == 1 for k in keywords)


@pytest.mark.parametrize("chars", [1, 60, 150, 400])
def test_a_character_budget_takes_sentences_by_rank_until_reached(chars: int):
    _, piece = ARTICLES[0]
    result = summarize(piece.paragraphs(), options_for(Settings(), chars=chars))
    total = sum(map(len, result.sentences))
    assert total >= chars and result.sentences
    # the last sentence added (lowest ranked of those shown) was needed to reach the budget
    ranked = [i for i in result.ranking if result.units[i] in result.sentences]
    assert total - len(result.units[ranked[-1]]) < chars
    shown = [result.units.index(s) for s in result.sentences]
    assert shown == sorted(shown)
    if chars == 1:
        assert len(result.sentences) == 1


def test_sentence_count_option_and_empty_input():
    _, piece = ARTICLES[1]
    assert len(summarize(piece.paragraphs(), options_for(Settings(), sentences=1)).sentences) == 1
    assert len(summarize(piece.paragraphs(), options_for(Settings(), sentences=5)).sentences) == 5
    empty = summarize_text("", options_for(Settings()))
    assert empty.sentences == [] and empty.keywords == []
    punct = summarize_text("。。。\n——", options_for(Settings()))
    assert punct.keywords == []


def _reference_stopwords() -> Path:
    from textrank4zh.Segmentation import get_default_stop_words_file

    return Path(get_default_stop_words_file())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("stop_list", ["ours", "textrank4zh's"])
def test_textrank4zh_mode_picks_what_textrank4zh_picks(stop_list: str):
    """Top-3 sentences (and top-10 keywords) equal textrank4zh 0.3's own run on each seed.

    Both sides get the same article text (paragraphs with the dateline stripped, one per line)
    and the same stop words: once our bot/data/stopwords.txt (passed to textrank4zh as its
    stop_words_file), once textrank4zh's installed stopwords.txt (read at test time and given
    to our summarizer as its stop-word set).
    """
    from textrank4zh import TextRank4Keyword, TextRank4Sentence

    path = BUILTIN if stop_list == "ours" else _reference_stopwords()
    options = Options(stopwords=read_words(path), mode="textrank4zh", keywords=10, keyword_min_length=2)
    for name, piece in seed_pieces():
        text = "\n".join(body(piece))
        reference = TextRank4Sentence(stop_words_file=str(path))
        reference.analyze(text)
        expected = [item.sentence for item in reference.get_key_sentences(3)]
        ours = summarize(piece.paragraphs(), options)
        assert [ours.units[i] for i in ours.ranking[:3]] == expected, name
        # what users see: the whole sentences that hold those units, when presentable
        sentences = split_sentences(body(piece))
        for unit in expected:
            holder = next(s for s in sentences if unit.lstrip("".join(CLOSERS)) in s.text)
            assert holder.text in ours.sentences or not (holder.complete and holder.balanced), name
        kw = TextRank4Keyword(stop_words_file=str(path))
        kw.analyze(text, window=2)
        assert [k["word"] for k in ours.keywords] == [k.word for k in kw.get_keywords(10, word_min_len=2)], name


def test_textrank4zh_mode_shows_whole_sentences_without_orphan_quotes():
    options = options_for(Settings(), mode="textrank4zh")
    for _, piece in ARTICLES:
        texts = [s.text for s in split_sentences(body(piece))]
        for sentence in summarize(piece.paragraphs(), options).sentences:
            assert sentence in texts and sentence[0] not in CLOSERS


# -- stored ------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_ingest_stores_summaries_shown_by_articles_and_show(db_url: str):
    code, out = run("ingest", str(SEEDS), "--db", db_url)
    assert code == 0, out
    code, out = run("articles", "--json", "--db", db_url)
    items = json.loads(out)
    assert len(items) == 15
    for item in items:
        assert item["summary"] and item["keywords"]
        assert all(set(k) == {"word", "weight"} for k in item["keywords"])
        if item["kind"] == "article":
            assert len(item["summary"]) == 3 and len(item["keywords"]) == 10
    code, out = run("show", str(items[0]["id"]), "--json", "--db", db_url)
    shown = json.loads(out)
    assert shown["summary"] == items[0]["summary"] and shown["keywords"] == items[0]["keywords"]
    store = open_store(db_url)
    try:
        from bot.store.articles import list_articles

        versions = {a.summary_version for a in list_articles(store)}
        assert versions == {version_of(options_for(Settings()))}
    finally:
        store.dispose()


def test_changed_settings_refresh_stored_summaries(db_url: str, tmp_path: Path):
    assert run("ingest", str(SEEDS), "--db", db_url)[0] == 0
    config = tmp_path / "two.toml"
    config.write_text("[summary]\nsentences = 2\nkeywords = 5\n")
    code, out = run("ingest", str(SEEDS), "--db", db_url, "--config", str(config))  # pages unchanged
    assert code == 0, out
    items = json.loads(run("articles", "--json", "--db", db_url)[1])
    assert all(len(i["summary"]) <= 2 and len(i["keywords"]) <= 5 for i in items)
    assert any(len(i["summary"]) == 2 for i in items)
    # direct API: nothing stale now; a different setting makes all of them stale again
    store = open_store(db_url)
    try:
        settings = Settings()
        settings.summary.sentences, settings.summary.keywords = 2, 5
        assert refresh_stale(store, settings) == 0
        settings.summary.mode = "textrank4zh"
        assert refresh_stale(store, settings) == 15
        assert refresh_stale(store, settings) == 0
    finally:
        store.dispose()


def test_stop_words_file_changes_the_version(tmp_path: Path):
    extra = tmp_path / "stop.txt"
    extra.write_text("# extra words\n武进\n", encoding="utf-8")
    settings = Settings()
    base = version_of(options_for(settings))
    settings.summary.stopwords_file = extra
    assert version_of(options_for(settings)) != base
    _, piece = ARTICLES[0]
    assert "武进" not in [k["word"] for k in summarize(piece.paragraphs(), options_for(settings)).keywords]
    settings.summary.stopwords_file = tmp_path / "missing.txt"
    with pytest.raises(Exception, match="stopwords_file"):
        options_for(settings)


def test_an_edited_article_is_summarized_again(sqlite_store, seeds_copy: Path):
    from bot.corpus.ingest import Ingestor
    from bot.store.articles import list_articles

    ingestor = Ingestor(sqlite_store, 5_000_000, enricher_for(Settings()))
    ingestor.ingest([seeds_copy])
    page = seeds_copy / "000_156d55ca5c55ecb8.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("12月7日,全区领导干部", "12月8日,全区领导干部"), "utf-8")
    report = ingestor.ingest([seeds_copy])
    assert report.total("updated") == 1
    (article,) = [a for a in list_articles(sqlite_store) if a.title == "全区领导干部思路研讨会召开"]
    assert article.summary[0].startswith("12月8日")


# -- the summarize command ---------------------------------------------------------------


def test_summarize_a_file_without_storing_it(tmp_path: Path):
    page = SEEDS / "004_3499c55719d4de13.txt"
    code, out = run("summarize", str(page), "--json", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert code == 0, out
    data = json.loads(out)
    assert data["mode"] == "news" and len(data["pieces"]) == 4
    assert all(len(p["summary"]) == 3 and len(p["keywords"]) == 10 for p in data["pieces"])
    assert not (tmp_path / "x.sqlite3").exists()
    code, out = run("summarize", str(page), "--sentences", "1", "--mode", "textrank4zh")
    assert code == 0 and "【沈东调研区级机关部门】" in out and "关键词:" in out
    code, out = run("summarize", str(page), "--json", "--chars", "30")
    assert all(sum(map(len, p["summary"])) >= 30 for p in json.loads(out)["pieces"])


def test_summarize_a_stored_article_by_id(db_url: str):
    run("ingest", str(SEEDS), "--db", db_url)
    first = json.loads(run("articles", "--json", "--db", db_url)[1])[0]
    code, out = run("summarize", str(first["id"]), "--json", "--db", db_url)
    assert code == 0, out
    data = json.loads(out)
    assert data["id"] == first["id"] and data["summary"] == first["summary"]
    code, out = run("summarize", str(first["id"]), "--sentences", "2", "--db", db_url)
    assert code == 0 and out.startswith(f"【{first['title']}】")
    code, out = run("summarize", "99999", "--db", db_url)
    assert code == 1 and "no article with id 99999" in out


def test_summarize_jsonl_batch_reports_bad_lines(tmp_path: Path):
    _, piece = ARTICLES[0]
    lines = [
        json.dumps({"id": "a", "text": "\n".join(piece.paragraphs())}, ensure_ascii=False),
        "not json",
        json.dumps({"id": 2, "text": "今天天气很好。我们去公园散步,看见很多花。"}, ensure_ascii=False),
        json.dumps({"text": "没有编号。"}, ensure_ascii=False),
        json.dumps({"id": 3, "text": 5}),
        "",
        json.dumps({"id": 4, "text": "今天开会。", "title": 7}),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["summarize", "--jsonl", str(src), "--sentences", "2"])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 2]
    assert len(out[0]["summary"]) == 2 and len(out[0]["keywords"]) == 10
    assert not out[0]["summary"][0].startswith("本报讯")
    assert f"Error: {src}:2: not valid JSON" in result.stderr.splitlines()[0]  # the one spelling of Error:
    assert f'{src}:4: missing "id"' in result.stderr and f'{src}:5: "text" must be a string' in result.stderr
    assert f'{src}:7: "title" must be a string' in result.stderr
    good = tmp_path / "good.jsonl"
    good.write_text(lines[2] + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["summarize", "--jsonl", str(good)])
    assert result.exit_code == 0 and json.loads(result.stdout)["id"] == 2


def test_summarize_usage_errors(tmp_path: Path):
    page = str(SEEDS / "004_3499c55719d4de13.txt")
    code, out = run("summarize", page, "--sentences", "2", "--chars", "50")
    assert code == 2 and "not both" in out
    code, out = run("summarize")
    assert code == 2 and "--jsonl" in out
    code, out = run("summarize", str(tmp_path / "nope.txt"))
    assert code == 1 and "no such file" in out and "Traceback" not in out
