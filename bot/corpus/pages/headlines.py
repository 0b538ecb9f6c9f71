"""Header groups -> (kicker, title, subtitle): which display line above a story is which.

A headline is set as one block: kicker (引题) above, title, subtitle (副题) below. Lines that
stand above it without belonging to it are column labels and page furniture. The cues, by
shape and by space only:

* Dashes and levels say it outright: a kicker ends with `——` (or a colon), a subtitle starts
  with `——`; with Markdown heading levels the top level is the title.
* Space: each page has a usual space between a headline and the story it opens (no blank line
  on a tight page, one on an airy one). A line set further apart from the line below it than
  that is not part of the headline: when it is bare and shorter than that line, it is a column
  label (`金融活水润实体` + blank line + the headline, on a page that sets headlines tight on
  their stories). A short bare line set closer to the line below than that is part of the
  headline: its kicker (`暑期将至` with a blank line above it and none between it and the
  title, on an airy page); right under the page header it is still a label.
* Lines above a page header or staff line inside the group (a masthead, a section name) are
  not part of the headline below it.
* Otherwise a short bare line (`要闻`, `民生直通车`, `走基层 看变化`) with a real headline after it
  is a label and is dropped — when in doubt a label is dropped, not promoted. A line wholly in
  brackets (`【民生热线】`, `【某某·系列报道①】`) always is: a kicker carries no brackets.
* Three lines without dashes are kicker, title and subtitle, the classic order, except under a
  meeting's headline whose last line says who chaired or spoke (`X主持`, `X出席并讲话 Y主持`):
  then they are title and two subtitles. The short first
  line of three stays the kicker (`产业旺 农家富`) unless space sets it apart, it sits right under
  the page header (or under labels stacked right under it: a masthead, then the section name),
  or a label stands among the lines under it.
* Two lines may be one headline set in two: a bare noun phrase over a short predicate with no
  subject of its own (`小微企业贷款利率` over `降至历史低位`).
* Of two lines without dashes the first is the title and the second its subtitle, unless the
  first frames the story rather than tells it: a short bare line kept in the group, a line
  that names a kind of report (`…调查`, `…观察`, `…纪实`: the generic genre words of the trade),
  or a single phrase without figures over a fuller line that gives them (`家门口的小公园又添新成员`
  over `老城区15个小游园月底前开放`): the line with the figures states the news, the other frames
  it. A space-set couplet (`茶香满山岗 采摘正当时`) and a line that names its subject before a
  colon (`北坡村：一朵菊花开出一条致富路`) are titles of their own, and a shorter line with
  figures under a title (`已转移群众1.2万人`) is its subtitle, as is a line that opens with its
  source and a colon (`质检抽查：15批次中2批次不合格`). A single bare phrase over a line in two
  clauses (a comma or a question: `冬季流感进入高发期` over `孩子发烧不退，要不要去急诊？`) is that
  line's kicker; over a space-set couplet it stays the title (`…推进会召开` over `凝心聚力 攻坚
  克难 …`), and two couplets stay title and subtitle: nothing in their shape says which frames
  the other.
"""

from __future__ import annotations

import re

from bot.corpus.pages import cues
from bot.corpus.pages.lines import Unit
from bot.corpus.pages.text import visible_len

MAX_HEADER_LINES = 3
_PREDICATE_CHARS = 10
_ONE_HEADLINE_CHARS = 24
_PHRASE_TAGS = frozenset("q j eng t f".split())  # besides nouns and numbers, in a bare noun phrase (`一季度…零售额`)
_PRESIDING_CHARS = 24
# who chaired, last (`孟庆远主持`), perhaps after who spoke (`张三出席并讲话 李四主持`); a line
# ending on anything else (`近万名市民参加`, `市委书记讲话`) may be a subtitle of its own
_PRESIDING = re.compile(
    rf"^(?:{cues.NAME}\s*(?:出席|讲话|致辞|作报告)(?:会议)?(?:并(?:讲话|致辞|作报告))?[\s\u3000]+)*"
    rf"{cues.NAME}\s*主持(?:会议)?$"
)
_MEETING = re.compile(r"召开|举行|开幕|闭幕|会议$")  # a line that tells of the meeting itself
_FIGURE = re.compile(r"[0-9０-９]")
_FIGURE_RUN = re.compile(r"[0-9０-９][0-9０-９.．%％]*")
# kinds of report a kicker names (`共享单车停放乱象调查`); no story's words
_GENRE = re.compile(r"(?:调查|观察|纪实|手记|追踪|探访|见闻|札记|特写|速写|侧记|述评|综述|扫描|巡礼)[”’」』》]*$")


def headline_space(units: list[Unit]) -> int | None:
    """How many blank lines this page usually leaves between a headline and the byline,
    dateline or continued paragraph it opens (None when no headline opens a story)."""
    gaps = sorted(b.gap for a, b in zip(units, units[1:], strict=False) if a.kind == "display" and b.opens_article)
    return gaps[(len(gaps) - 1) // 2] if gaps else None


def names_genre(text: str) -> bool:
    """A line naming a kind of report (`…调查`, `…观察`): it frames the headline under it."""
    return bool(_GENRE.search(text))


def _is_label_above(line: Unit, below: Unit, space: int | None) -> bool:
    """Is `line` a column label standing above `below` rather than a line of its headline?
    A bracketed line always is (`【民生热线】`, `【某某·系列报道①】`): no kicker is bracketed."""
    if cues.is_bracketed(line.text):
        return True
    if space is not None and below.gap > space:  # set apart from the headline
        return cues.is_bare(line.text) and visible_len(line.text) < visible_len(below.text)
    if space is not None and below.gap < space <= line.gap and not cues.is_label(below.text):
        return False  # space above it, set right on top of the headline: its kicker
    return cues.is_label(line.text)


def _below_furniture(lines: list[Unit]) -> list[Unit]:
    """A headline is set as one block: lines above a page header or staff line that stands
    among them (a masthead, a section name) are not part of it."""
    tops = [k for k, u in enumerate(lines) if u.top]
    return lines[tops[-1] :] if tops else lines


def _kicker_of_three(lines: list[Unit], space: int | None, under_header: bool) -> bool:
    """Three lines without dashes, not right under the page header, nothing but the headline's
    own space between them and two real headline lines (no label among them) under the first:
    kicker, title, subtitle — the short first line is the kicker (`产业旺 农家富`), not a label."""
    if len(lines) != MAX_HEADER_LINES or not _dashless(lines) or under_header or cues.is_bracketed(lines[0].text):
        return False
    if any(cues.is_label(u.text) for u in lines[1:]):
        return False  # `聚焦改革一线` + `走基层 看变化` + title: two labels over it
    return space is None or lines[1].gap <= space


def _drop_labels(lines: list[Unit], space: int | None) -> list[Unit]:
    """Leading column labels go when a real headline follows them. Labels stacked right under
    the page header (a masthead, then the section name: `某某法治报` + `政法·平安`) are all the
    header's own lines, so the last of them is no kicker either."""
    under_header = bool(lines) and lines[0].top
    while len(lines) > 1 and _is_label_above(lines[0], lines[1], space):
        rest = lines[1:]
        if all(cues.is_subtitle_start(u.text) for u in rest):
            break  # `短题` + `——副题`: the short line is the title
        if _kicker_of_three(lines, space, under_header):
            break
        under_header = under_header and rest[0].gap == 0
        lines = rest
    return lines


def _is_couplet(text: str) -> bool:
    """Two or more phrases set apart by spaces (`茶香满山岗 采摘正当时`): a title's shape."""
    return len([part for part in text.split() if visible_len(part) >= 2]) >= 2


def _names_subject(text: str) -> bool:
    """`北坡村：一朵菊花开出一条致富路`, `专访X：…`: a headline that names its subject, then a
    colon, then the news — a title's shape (a kicker's colon ends it)."""
    head, colon, rest = text.partition("：")
    if not colon:
        head, colon, rest = text.partition(":")
    return bool(colon) and 2 <= visible_len(head) <= 12 and visible_len(rest) >= 4


def _gives_figures_under(first: str, second: str) -> bool:
    """Does `second` state the news that `first` only frames? It gives the figures (Arabic
    numerals, as dailies print statistics) that a single-phrase `first` lacks, and is the
    fuller line (a figure counts as one character however many digits it has: `参演人员1200余名`
    is no fuller than `防汛抢险演练举行`). A line that opens with its source and a colon
    (`质检抽查：15批次中2批次不合格`) reports a finding under the title, as `——专家：…` does."""
    if not _FIGURE.search(second) or _FIGURE.search(first) or _is_couplet(first) or _names_subject(first):
        return False
    return not _names_subject(second) and visible_len(_FIGURE_RUN.sub("0", second)) > visible_len(first)


def _two_clauses_under_a_phrase(first: str, second: str) -> bool:
    """A single bare phrase (`冬季流感进入高发期`) over a line in two clauses, a comma or a
    question between them (`孩子发烧不退，要不要去急诊？`): that line is the headline, the phrase
    over it its kicker — a subtitle set without a dash states its fact flatly. (A space-set
    couplet under a phrase is not such a cue: `…推进会召开` over `凝心聚力 攻坚克难 …` is
    title and subtitle.)"""
    if not cues.is_bare(first) or _is_couplet(first) or _names_subject(second):
        return False
    core = second.rstrip("”’」』）)")
    return any(ch in "，," for ch in core) or core.endswith(("？", "?", "！", "!"))


def _frames(lines: list[Unit]) -> bool:
    """A first line that frames the headline below it instead of telling the story."""
    first = lines[0].text
    if cues.is_label(first) or names_genre(first):
        return True
    if len(lines) != 2:
        return False
    second = lines[1].text
    return _gives_figures_under(first, second) or _two_clauses_under_a_phrase(first, second)


def one_headline(first: str, second: str) -> bool:
    """`小微企业贷款利率` over `降至历史低位`: one headline set in two lines. The first is a bare
    noun phrase, which tells no news, and the second a short predicate with no subject of its
    own (it opens with a verb, preposition or adverb): a subtitle states its own fact, so this
    one finishes the line above."""
    if not (cues.is_bare(first) and cues.is_bare(second)) or _is_couplet(first) or _is_couplet(second):
        return False
    if visible_len(second) > _PREDICATE_CHARS or len(first) + len(second) > _ONE_HEADLINE_CHARS:
        return False
    from bot.nlp.postag import guess_tag, tag_table
    from bot.nlp.segment import words

    table = tag_table()
    head, tail = words(first), words(second)
    head_tags = [table.get(w) or guess_tag(w) for w in head]
    if not head_tags or not all(t[0] in "nm" or t in _PHRASE_TAGS for t in head_tags) or head_tags[-1][0] != "n":
        return False
    tail_tags = [table.get(w) or guess_tag(w) for w in tail]
    if not tail_tags or not (tail_tags[0][0] == "v" or tail_tags[0] in ("p", "d", "ad")):
        return False
    return _completes(tail_tags)


def _completes(tags: list[str]) -> bool:
    """A predicate that finishes a subject above it (`降至历史低位`, `正式开工`, `同比增长12%`):
    its verb ends the line or is followed by a complement (a preposition, a figure, a particle,
    another verb or adjective), not by an object of its own (`致敬春运一线`, which names what
    a feature is about and reads as a subtitle)."""
    verb = next((k for k, t in enumerate(tags) if t[0] == "v"), None)
    if verb is None:
        return False
    after = [t[0] for t in tags[verb + 1 :]]
    if not after or after[0] in "pmu":
        return True
    return all(t in "vadu" for t in after)  # `实现全覆盖`; not `致敬坚守讲台`, whose object is a noun


def presiding(text: str) -> bool:
    """`孟庆远主持`, `张三出席并讲话 李四主持`: who chaired or spoke, the last line of a meeting's
    headline (title, what it decided, who chaired): a second subtitle, not the subtitle of a
    title under a kicker."""
    return visible_len(text) <= _PRESIDING_CHARS and bool(_PRESIDING.match(text))


def _dashless(lines: list[Unit]) -> bool:
    return not any(cues.is_kicker_end(u.text) or cues.is_subtitle_start(u.text) for u in lines)


def _title_index(lines: list[Unit]) -> int:
    marked = [u.level for u in lines if u.level]
    if marked:
        return next(k for k, u in enumerate(lines) if u.level == min(marked))
    sub = next((k for k, u in enumerate(lines) if k and cues.is_subtitle_start(u.text)), None)
    if sub is not None:
        return sub - 1  # the title sits right above a `——` subtitle
    if len(lines) == MAX_HEADER_LINES and _dashless(lines):
        # `市委常委会召开会议` + `研究部署…` + `X主持`: title and two subtitles; a kicker over the
        # meeting (`深入学习贯彻全会精神` + `市委常委会召开会议` + `X主持`) keeps the usual order
        meeting = presiding(lines[-1].text) and _MEETING.search(lines[0].text) and not _MEETING.search(lines[1].text)
        return 0 if meeting else 1  # kicker, title, subtitle
    t = 1 if len(lines) > 1 and _frames(lines) else 0
    while t < len(lines) - 1 and cues.is_kicker_end(lines[t].text):
        t += 1
    return t


def split_header(lines: list[Unit], space: int | None = None) -> tuple[str | None, str, str | None]:
    """(kicker, title, subtitle) from a header group of display lines; `space` is the page's
    `headline_space`."""
    below = _below_furniture(lines)
    # the last three lines, without the labels leading them (`【热线追踪】` under a hotline box)
    lines = _drop_labels(_drop_labels(below, space)[-MAX_HEADER_LINES:], space)
    if len(lines) <= 2 and len(below) >= 2 and one_headline(below[-2].text, below[-1].text):
        return None, below[-2].text + below[-1].text, None  # a short subject is no label (`全市公交票价`)
    t = _title_index(lines)
    kicker = lines[t - 1].text if t > 0 else None
    subtitle = " ".join(u.text for u in lines[t + 1 :]) or None
    return kicker, lines[t].text, subtitle
