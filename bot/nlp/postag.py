"""Words with parts of speech for the summarizer: segment once per sentence, cheaply.

jieba.posseg is what textrank4zh uses, and its cost is the joint word+tag HMM it runs over
every stretch of unknown characters. News text is mostly dictionary words, and for those
jieba's dictionary already lists the tag posseg would give. So the default path cuts with
jieba's own algorithm (max-probability route over the prefix dictionary, HMM for new words
such as names) and looks tags up; words only the HMM found get a tag guessed from their shape.
`posseg_words` is the slow reference path, for the textrank4zh mode.

The cut itself runs in one of two ways, with the same words (`jieba.cut`'s, tested):

* native: rjieba (jieba-rs), 10-25x faster than `jieba.cut`, while it stands in for
  jieba's shipped dictionary (bot.nlp.segment says when); jieba's own dictionary is then
  never loaded;
* fused: jieba's route re-written in Python as one fused pass, about 2x faster than
  `jieba.cut`, for everything else: rjieba missing, another dictionary, words added with
  `jieba.add_word` (which rjieba would not know).
"""

from __future__ import annotations

import re
import threading
from math import log
from typing import cast

import jieba
from jieba import finalseg

from bot.nlp.segment import HAN, LATIN_PIECES, MARKS, native, tokenizer

# jieba's block patterns for the default (HMM) cut: runs it segments vs. runs it passes through
_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9" + MARKS + "]+)")
_SPACE = re.compile(r"(\r\n|\s)")
_NUMBER = re.compile(r"^[0-9０-９.．%％+\-－/:：]+$|^[零〇一二三四五六七八九十百千万亿两]+$")
_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9.&+#_\-]*$")
_PLACE_END = tuple("省市县区镇乡村湖山河江岛港") + ("街道", "社区", "园区", "开发区", "新区")
_ORG_END = (
    "公司",
    "集团",
    "银行",
    "大学",
    "学院",
    "医院",
    "协会",
    "中心",
    "研究院",
    "研究所",
    "委员会",
    "局",
    "厅",
    "办",
)
# characters that start or end a grammatical glue word, not a content word: an unknown word
# the HMM built with one of them at its edge (这是, 要学得, 和校) is no name or term
_GLUE_START = frozenset(
    "的了着过是在和与及或这那哪要能会没不也都就还又被把将对从向为以其之所而但并且该每各我你他她它们"
)
_GLUE_END = frozenset("的了着过是在和与及或这那要能会没不也都就还又被把将对从向为以其之所而但并得地率称说")
# frequent Chinese surnames: an unknown 2-3 character word starting with one is most often a name
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝恽鞠祁"
)


_PREFIX = None  # in the table below: a prefix of a word, no word itself
_ABSENT = object()


def _block(text: str, logp: dict[str, float | None], unknown: float, freq: dict[str, int], out: list[str]) -> None:
    """Append the words of one block: jieba's route (DAG + calc) fused into one backward pass."""
    n = len(text)
    best = [0.0] * (n + 1)
    end = [0] * n
    get, absent = logp.get, _ABSENT
    for k in range(n - 1, -1, -1):
        i = k
        value = None
        last = k
        f = get(text[k], absent)
        while f is not absent:  # jieba's prefix dictionary: a prefix that is no word has no log-probability
            if f is not None:
                v = f + best[i + 1]
                if value is None or v >= value:  # ties go to the longer word, as in jieba
                    value, last = v, i
            i += 1
            if i >= n:
                break
            f = get(text[k : i + 1], absent)
        best[k] = unknown + best[k + 1] if value is None else value
        end[k] = last
    # walk the route; runs of single characters go to the HMM when they are not a word together
    x, run = 0, -1
    while x < n:
        y = end[x] + 1
        if y - x == 1:
            if run < 0:
                run = x
        else:
            if run >= 0:
                _flush(text[run:x], freq, out)
                run = -1
            out.append(text[x:y])
        x = y
    if run >= 0:
        _flush(text[run:], freq, out)


_LOGP: tuple[tuple[int, int, int], dict[str, float | None]] | None = None
_LOGP_LOCK = threading.Lock()


def log_probabilities(freq: dict[str, int], total: int) -> dict[str, float | None]:
    """ln(count / total) of every word of jieba's prefix dictionary, None for a prefix that is no
    word: the route's inner loop then does one lookup and one addition per candidate word instead
    of a lookup, a log and two subtractions (about 10% faster segmentation, for a table built once
    in ~0.3 s that shares jieba's keys and ~5,000 distinct floats). Built again when words are
    added to jieba's dictionary (`jieba.add_word`: its size or total changes); `del_word` only
    sets a count to 0 in place, which nothing here can notice (the project never calls it)."""
    global _LOGP
    stamp = (id(freq), len(freq), total)
    cached = _LOGP
    if cached is None or cached[0] != stamp:
        with _LOGP_LOCK:
            cached = _LOGP
            if cached is None or cached[0] != stamp:
                logtotal, shared = log(total), {}
                table: dict[str, float | None] = {}
                for word, count in freq.items():
                    if count:
                        value = shared.get(count)
                        if value is None:
                            value = shared[count] = log(count) - logtotal
                        table[word] = value
                    else:
                        table[word] = _PREFIX
                cached = _LOGP = (stamp, table)
    return cached[1]


def _flush(buf: str, freq: dict[str, int], out: list[str]) -> None:
    if len(buf) == 1:
        out.append(buf)
    elif not freq.get(buf):
        hmm_cut(buf, out)
    else:
        out.extend(buf)


def hmm_cut(text: str, out: list[str]) -> None:
    """Append `list(jieba.finalseg.cut(text))`: its HMM for words the dictionary lacks, with the
    same Viterbi sums and tie-breaks, unrolled for its four states (about twice as fast)."""
    for blk in HAN.split(text):
        if not blk:
            continue
        if HAN.match(blk):
            for word in _hmm_words(blk):
                if word in finalseg.Force_Split_Words:
                    out.extend(word)
                else:
                    out.append(word)
        else:
            out.extend(x for x in LATIN_PIECES.split(blk) if x)


def _best(a: float, sa: str, b: float, sb: str) -> tuple[float, str]:
    """max((a, sa), (b, sb)) as tuples compare: the larger sum, ties to the later state letter."""
    if a > b or (a == b and sa > sb):
        return a, sa
    return b, sb


_TRANS: tuple[float, ...] | None = None


def _transitions() -> tuple[float, ...]:
    global _TRANS
    if _TRANS is None:
        low, trans = finalseg.MIN_FLOAT, finalseg.trans_P
        pairs = ("EB", "SB", "MM", "BM", "BE", "ME", "SS", "ES")
        _TRANS = tuple(trans[p[0]].get(p[1], low) for p in pairs)
    return _TRANS


def _hmm_words(obs: str) -> list[str]:
    low = finalseg.MIN_FLOAT
    start, emit = finalseg.start_P, finalseg.emit_P
    e_b, e_m, e_e, e_s = emit["B"], emit["M"], emit["E"], emit["S"]
    eb, sb, mm, bm, be, me, ss, es = _transitions()
    o = obs[0]
    v_b, v_m = start["B"] + e_b.get(o, low), start["M"] + e_m.get(o, low)
    v_e, v_s = start["E"] + e_e.get(o, low), start["S"] + e_s.get(o, low)
    back: list[tuple[str, str, str, str]] = []
    for o in obs[1:]:
        m_b, m_m, m_e, m_s = e_b.get(o, low), e_m.get(o, low), e_e.get(o, low), e_s.get(o, low)
        n_b, p_b = _best(v_e + eb + m_b, "E", v_s + sb + m_b, "S")
        n_m, p_m = _best(v_m + mm + m_m, "M", v_b + bm + m_m, "B")
        n_e, p_e = _best(v_b + be + m_e, "B", v_m + me + m_e, "M")
        n_s, p_s = _best(v_s + ss + m_s, "S", v_e + es + m_s, "E")
        back.append((p_b, p_m, p_e, p_s))
        v_b, v_m, v_e, v_s = n_b, n_m, n_e, n_s
    _, state = _best(v_e, "E", v_s, "S")
    states = [state]
    index = {"B": 0, "M": 1, "E": 2, "S": 3}
    for pointers in reversed(back):
        state = pointers[index[state]]
        states.append(state)
    states.reverse()
    words, begin, nexti = [], 0, 0
    for i, pos in enumerate(states):
        if pos == "B":
            begin = i
        elif pos == "E":
            words.append(obs[begin : i + 1])
            nexti = i + 1
        elif pos == "S":
            words.append(obs[i])
            nexti = i + 1
    if nexti < len(obs):
        words.append(obs[nexti:])
    return words


def cut(text: str) -> list[str]:
    """The words of `text`, exactly as `jieba.cut(text)` (HMM on) gives them, spaces included:
    natively (rjieba, bot.nlp.segment) where it gives the same words, else by the fused Python route."""
    found = native()
    return found.cut(text) if found is not None else fused_cut(text)


def fused_cut(text: str) -> list[str]:
    """`jieba.cut(text)`'s words (HMM on) by jieba's route re-written in Python."""
    dt = tokenizer()
    freq = dt.FREQ
    logp, unknown = log_probabilities(freq, dt.total), -log(dt.total)
    out: list[str] = []
    for k, blk in enumerate(_BLOCK.split(text)):  # split on a group: odd pieces are the blocks
        if not blk:
            continue
        if k % 2:
            _block(blk, logp, unknown, freq, out)
        else:
            for j, part in enumerate(_SPACE.split(blk)):
                if j % 2:
                    out.append(part)
                else:
                    out.extend(part)
    return out


_TAGS: dict[str, str] | None = None
_TAG_LOCK = threading.Lock()


def tag_table() -> dict[str, str]:
    """jieba's word -> part-of-speech table: its dictionary, plus the user words added with a
    tag before the first call (the table is read once).

    Read from jieba's dictionary file as jieba.posseg reads it, with one string per tag and
    without loading jieba's own dictionary (rjieba cuts meanwhile): ~35 MB, where importing
    jieba.posseg costs ~47 MB with its HMM tables, and news mode never does."""
    global _TAGS
    if _TAGS is None:
        with _TAG_LOCK:
            if _TAGS is None:
                _TAGS = _read_tags()
    return _TAGS


def _read_tags() -> dict[str, str]:
    dt = jieba.dt  # its dictionary file, which reading needs no loaded dictionary
    table: dict[str, str] = {}
    names: dict[str, str] = {}
    with dt.get_dict_file() as stream:
        for line in stream:
            fields = line.strip().decode("utf-8").split(" ")
            if len(fields) == 3:
                table[fields[0]] = names.setdefault(fields[2], fields[2])
    table.update((w, names.setdefault(t, t)) for w, t in dt.user_word_tag_tab.items())
    return table


def guess_tag(word: str) -> str:
    """A part of speech for a word not in jieba's dictionary, from its shape."""
    if not any(ch.isalnum() for ch in word):
        return "x"  # punctuation, spaces
    if _NUMBER.match(word):
        return "m"
    if _LATIN.match(word):
        return "eng"
    if word.isascii():
        return "x" if not any(ch.isalpha() for ch in word) else "eng"
    if word[0] in _GLUE_START or word[-1] in _GLUE_END:
        return "un"  # unknown, not content-like
    if len(word) >= 3 and word.endswith(_ORG_END):
        return "nt"
    if len(word) >= 2 and word.endswith(_PLACE_END):
        return "ns"
    if 2 <= len(word) <= 3 and word[0] in _SURNAMES:
        return "nr"
    return "nz"


def tagged_words(text: str, seen: dict[str, tuple[str, str] | None] | None = None) -> list[tuple[str, str]]:
    """(word, tag) for every non-space word of `text`, fast path; punctuation is tagged x.

    `seen` (one dict per article) shares one (word, tag) pair per distinct word: a long text is
    then a list of references, not a million small strings."""
    tags = tag_table()
    seen = {} if seen is None else seen
    words = cut(text)
    for word in set(words).difference(seen):
        tag = tags.get(word)
        if tag is None:
            if word.isspace():
                seen[word] = None
                continue
            tag = "x" if len(word) == 1 and not word.isalnum() else guess_tag(word)
        seen[word] = (word, tag)
    out = [seen[w] for w in words]
    if None in out:  # spaces
        return [p for p in out if p is not None]
    return cast(list[tuple[str, str]], out)


def posseg_words(text: str) -> list[tuple[str, str]]:
    """(word, tag) from jieba.posseg with HMM, as textrank4zh gets them (spaces included)."""
    tokenizer()
    import jieba.posseg

    jieba.posseg.dt.makesure_userdict_loaded()

    return [(p.word, p.flag) for p in jieba.posseg.dt.cut(text)]
