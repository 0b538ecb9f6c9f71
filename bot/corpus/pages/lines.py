"""Lines -> units, and the passes that repair layout damage before pieces are assembled.

Each non-blank line becomes one unit: display (short, no sentence punctuation: a title,
heading, label or a column-break fragment; or a lead-in with a comma or colon that heads what
follows: `一、离家太远，老人走不动`, `链接：`), byline, credit (photo), furniture (page header,
staff line, the page's own notice, imprint, aside) or para. A unit remembers where it sat:
blank lines above it, a picture above it, whether it is indented, a continuation marker it
carried. A boxed bare phrase (`■ 温馨提示`) right after body text is a heading, not a byline;
under a title (one with a comma too) it credits the story.

Then, in order:
1. a short unfinished line (or a lone question: `共享充电宝为何越用越贵？`) right before a byline or
   dateline (an editor's note may stand between), or before a `——` subtitle over one, is a
   title (`稳中求进,再创佳绩`); the lines are read bottom up, so a `——` subtitle with a comma is
   known before the title above it; a short line that stops on a comma set right over such a
   title is its first line (`秋季开学临近，` + `校园周边交通整治启动`), and one that ends with a
   kicker's dash is its kicker (`社区书屋延时开放，读者夜读有了好去处——`);
2. column breaks are undone: an unfinished paragraph takes the next paragraph (`挑大` + `梁、…`)
   or display line (never a numbered, bracketed or boxed heading),
   and a short head fragment is joined to the paragraph it starts when a word straddles the
   cut (`国资委有` + `关负责人表示`) or the paragraph cannot open a sentence (`，…`);
3. photo credits decide captions: the paragraph beside a credit is a caption only when it is
   set apart (a picture above it, more blank lines above it than the page regularly leaves
   between paragraphs — space says nothing on a page that spaces them anyhow — set flush on a
   page that indents its paragraphs, or nothing but furniture before it), says
   so (`图为…`), or reads as one — a lone dated sentence with the credit set right under it
   (`3月16日，…查看秧苗长势。` + `新华社记者 X 摄`); a paragraph that continued another is body.
   Credits then go. One sentence set flush between finished paragraphs on a page that
   indents them is a caption even without a credit (the story's byline credits its photos).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.corpus.pages import cues
from bot.corpus.pages.text import (
    CLOSERS,
    MAX_DISPLAY_CHARS,
    SPACES,
    end_tag,
    ends_sentence,
    is_display,
    is_image,
    strip_markdown,
    visible_len,
    without_end_tag,
)
from bot.nlp.datelines import DATELINE, dateline_credit, reported_by

MAX_CAPTION_CHARS = 200
_SENTENCE_STOPS = "。！？!?；;…"  # a colon may sit inside a headline (`专家：…？`)
_STRADDLE_WINDOW = 6
_MIN_PARAGRAPHS = 3  # a page with fewer says nothing by its indents
_ADVERBIAL_CHARS = 5
_PAGE_TITLE_CHARS = 8
_ARROW_HEADING_CHARS = 9  # an arrow and a heading's eight characters (`▲坚持问题导向`)
# words that only ever open a sentence (`目前`, `今年以来`, the trade's `据统计`): a line of
# nothing else is a sentence's head a column break cut off. Not a year, a month or a season
# (`2019年`, `3月`, `春节`, `如今`): those head the sections of a chronology or a feature
_ADVERBIAL = re.compile(
    r"^(?:目前|近日|日前|此前|近期|近年来|截至目前|与此同时|此外|另外|其中|\S{1,3}以来"
    r"|据(?:统计|了解|悉|介绍|调查|测算|估算|估计|初步统计|不完全统计))$"
)
_RUNS_ON = ("，", ",", "、")  # a line that stops on one of these has not ended
_TIGHT_CAPTION_CHARS = 90


@dataclass
class Unit:
    kind: str  # display | byline | credit | endcredit | furniture | para
    text: str
    level: int = 0  # Markdown heading level, 0 = none
    byline: str | None = None  # byline units, and dateline paragraphs
    credit: str | None = None  # photo credit of a caption paragraph
    end_credit: str | None = None  # `…收益。（记者 X）`: the story's credit after its last sentence
    gap: int = 0  # blank lines above
    image: bool = False  # a picture right above
    jump_in: bool = False  # opened with `（上接…）`: a story continued from another page
    jump_out: str | None = None  # closed with `（下转…）`: goes on on that page
    joined: bool = False  # continues an unfinished paragraph
    note: bool = False  # an editor's note (`编者按：…`)
    top: bool = False  # first on the page or right under furniture (a page header, a staff line)
    indent: bool = False  # set in from the margin (`　　…`), as most dailies set their paragraphs

    @property
    def opens_article(self) -> bool:
        """A byline, a dateline or a `上接` marker: what starts a story."""
        return self.kind == "byline" or (self.kind == "para" and (self.byline is not None or self.jump_in))


def _headline_line(unit: Unit | None) -> bool:
    """A line that may be a story's headline: a display line that is no numbered, bracketed or
    boxed section heading and no short label (`延伸阅读`), or a short unfinished line with a
    comma (`寒潮夜，邻居们守住了一家面馆`: `promote_titles` makes it the title)."""
    if unit is None or cues.is_heading_shape(unit.text):
        return False
    if unit.kind == "para":
        return (
            unit.byline is None and unit.credit is None and _headline_shape(unit.text) and not ends_sentence(unit.text)
        )
    return unit.kind == "display" and not cues.is_label(unit.text)


def read_dateline(unit: Unit, above: Unit | None) -> None:
    """The credit a paragraph opens with: a dateline (`本报讯（记者 X）`), or, right under a
    headline, the source it is retold from (`据某某新闻报道，…`: inside a story those words cite)."""
    if unit.byline is not None:
        return
    d = DATELINE.match(unit.text)
    if d:
        unit.byline = dateline_credit(d)
    elif _headline_line(above):
        unit.byline = reported_by(unit.text)


def classify(text: str, level: int, above: Unit | None = None) -> Unit:
    """What the line is; `above` is the unit before it (a headline there lets a retold story's
    source open a story)."""
    if not level and cues.is_credit(text):
        return Unit("credit", cues.unbracket(text))
    credit = cues.end_credit(text)
    if credit is not None and not level:
        return Unit("endcredit", text, byline=credit)  # `（记者 X）` under a story's last paragraph
    web = cues.web_byline(text)
    if web is not None:
        return Unit("byline", text, byline=web)  # a site's `时间　来源　作者` line under the title
    if cues.is_furniture(text):
        return Unit("furniture", text, level)
    if level:  # a Markdown heading is display text, whatever it says (`## 记者手记`)
        return Unit("display", text, level)
    if is_display(text) and cues.caption_cue(text):  # before bylines: `▲` points at a photo, it boxes no name
        inline = cues.inline_credit(text)  # `▲比赛现场（图源：X）`
        if inline is not None:
            return Unit("para", inline[0], credit=inline[1])
        if not cues.points_up(text):
            return Unit("para", text, credit="")  # `图①：修缮一新的戏台`: a caption, uncredited
        # `▲游客体验包粽子` is a caption unless text follows it (`▲坚持问题导向`: a heading), see read_units
        return Unit("display", text)
    byline = cues.byline_of(text)
    if byline is not None:
        return Unit("byline", text, byline=byline)
    if (is_display(text) or cues.is_lead_in(text)) and not DATELINE.match(text):
        return Unit("display", text)  # a dateline opens a paragraph, even one cut before its first stop
    unit = Unit("para", text, note=cues.is_note(text))
    read_dateline(unit, above)
    inline = cues.inline_credit(text)
    if inline is not None:
        unit.text, unit.credit = inline
    tag = end_tag(unit.text)
    if tag is not None:  # `…动能。（记者 X）`: kept in the text until the story takes it as its credit
        unit.end_credit = cues.end_credit(tag, own_line=False)
    return unit


def _boxed_after_body(unit: Unit, units: list[Unit]) -> bool:
    """A boxed bare phrase (`■ 警方提醒`) right after body text is a section heading; under a
    title, even one with a comma (`…火出圈，靠的不只是音乐` + `■ 宁某（某某大学教授）`), it credits
    the story. A line can be a title only where a story may start: not right under a byline,
    and not after a paragraph it would continue."""
    above = units[-1] if units else None
    if unit.kind != "byline" or above is None or above.kind != "para" or not cues.names_no_role(unit.text):
        return False
    before = units[-2] if len(units) > 1 else None
    if before is not None and (before.kind == "byline" or (before.kind == "para" and not ends_sentence(before.text))):
        return True
    return not _headline_line(above)


def read_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    lines = text.splitlines()
    site: bool | None = None  # does the page show a site's clutter? asked only at a `往期推荐`
    gap, image, jumped_in, tail = 0, False, False, False
    for raw in lines:
        if is_image(raw):
            image = True
            continue
        line, level = strip_markdown(raw)
        marker = cues.marker_line(line) if line else None
        if marker is not None:  # a marker on its own line belongs to the paragraph beside it
            inward, jump = marker
            if inward:
                jumped_in = True
            elif units and units[-1].kind == "para":
                units[-1].jump_out = jump
        elif line:
            line, jump_in, jump_out = cues.strip_markers(cues.strip_staff_tail(line))
            if not tail and cues.ends_post(line):  # `往期推荐` under a post: the rest is links
                if site is None:  # the clutter may be anywhere (`阅读原文` may come last)
                    site = any(cues.is_site_clutter(strip_markdown(raw)[0]) for raw in lines)
                tail = site
            unit = Unit("furniture", line) if tail else classify(line, level, units[-1] if units else None)
            if _boxed_after_body(unit, units):
                unit.kind, unit.byline = "display", None  # `■ 警方提醒` after body: a heading
            unit.gap, unit.image, unit.jump_out = gap, image, jump_out
            unit.indent = raw.startswith(("\u3000", "  ", "\t"))
            unit.top = not units or units[-1].kind == "furniture"
            unit.jump_in = jump_in or (jumped_in and unit.kind == "para")
            if jump_out and unit.kind == "display":  # `…（下转第3版）` never a title
                unit.kind = "para"
            units.append(unit)
            gap, image, jumped_in = 0, False, jumped_in and unit.kind != "para"
        else:
            gap += 1
    return _pointed_captions(units)


def _pointed_captions(units: list[Unit]) -> list[Unit]:
    """`▲游客体验包粽子`: a line the arrow points from at a photo is its caption when a picture
    sits right above it, when no paragraph of text follows it, or when it is longer than a
    heading (`▲市民在新建的口袋公园内健身`); a short one over paragraphs (`▲坚持问题导向`) is a
    boxed heading of the story. Arrow lines set one under another are read together."""
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and _arrow_line(units[j]):
            j += 1
        if j == i:
            i += 1
            continue
        run = units[i:j]
        nxt = next((u for u in units[j:] if u.kind != "furniture"), None)
        text_follows = nxt is not None and nxt.kind == "para" and nxt.credit is None and not nxt.opens_article
        if not text_follows or any(u.image or visible_len(u.text) > _ARROW_HEADING_CHARS for u in run):
            for unit in run:
                unit.kind, unit.credit = "para", ""
        i = j
    return units


def _arrow_line(unit: Unit) -> bool:
    return unit.kind == "display" and not unit.level and cues.points_up(unit.text)


# -- 1. titles before bylines ------------------------------------------------------------


def _heads_story(units: list[Unit], i: int) -> bool:
    """Does a byline or dateline follow units[i], or a `——` subtitle that heads one or an
    editor's note? An editor's note may stand between a title and its byline (`…怎么报？` +
    `编者按：…` + byline)."""
    k = i + 1
    while k < len(units) and units[k].kind == "furniture":
        k += 1  # `受访专家：…` between the title and the byline
    if k + 1 < len(units) and units[k].note and units[k].kind == "para":
        k += 1
    nxt = units[k] if k < len(units) else None
    if nxt is None or nxt.opens_article:
        return nxt is not None
    if not (nxt.kind == "display" and cues.is_subtitle_start(nxt.text)):
        return False
    # the `——` subtitle heads a byline, or an editor's note that opens the story (the credit
    # may come at its end: `“…”` + `——X答记者问` + `编者按：…`)
    below = units[k + 1] if k + 1 < len(units) else None
    return _starts_header(units, k) or (below is not None and below.kind == "para" and below.note)


def _headline_shape(text: str) -> bool:
    """Short, and either unfinished (`寒风里，他们守在岗位上`) or one question or exclamation
    (`共享充电宝为何越用越贵？`): a headline may ask, a story's last line before the next one rarely does."""
    if len(text) > MAX_DISPLAY_CHARS:
        return False
    if not ends_sentence(text):
        return True
    core = without_end_tag(text).rstrip(CLOSERS + SPACES)  # `…越用越贵？（上）` asks too
    return core[-1] in "？?！!" and not any(ch in _SENTENCE_STOPS for ch in core[:-1])


def promote_titles(units: list[Unit]) -> list[Unit]:
    """A short unfinished line (or a one-sentence question) right before a byline, or before a
    `——` subtitle over one, is a title, even with a comma in it (`40℃高温下，他们守在岗位上` +
    `——记者探访…` + byline); the subtitle itself may have a comma too. Read from the bottom up,
    so a subtitle is known before the title above it."""
    for i in range(len(units) - 1, -1, -1):
        unit = units[i]
        if (
            unit.kind == "para"
            and _heads_story(units, i)
            and unit.byline is None
            and unit.credit is None
            and not unit.jump_in
            and unit.jump_out is None
            and not unit.note
            and _headline_shape(unit.text)
        ):
            unit.kind = "display"
        elif _opens_page(units, i):
            unit.kind = "display"  # a site's or an account's post: its title, then the text
        elif _kicker_over_title(units, i):
            unit.kind = "display"  # `社区书屋延时开放，读者夜读有了好去处——` over the title: its kicker
        elif _runs_over(units, i):
            below = units.pop(i + 1)  # `秋季开学临近，` + `校园周边交通整治启动`: one headline line
            unit.kind, unit.text = "display", unit.text.rstrip() + below.text.lstrip()
            unit.level = unit.level or below.level
    return units


def _opens_page(units: list[Unit], i: int) -> bool:
    """The first line of a page pasted from a site or an account (nothing but furniture above
    it): a short line that ends no sentence (`某某赛开赛！32支队伍激情竞渡`) over a paragraph it
    does not run on into is the post's title, though it holds a `！`."""
    unit = units[i]
    if unit.kind != "para" or not _free_line(unit) or any(u.kind != "furniture" for u in units[:i]):
        return False
    if visible_len(unit.text) < _PAGE_TITLE_CHARS or not _headline_shape(unit.text) or ends_sentence(unit.text):
        return False
    if unit.text.rstrip()[-1:] in _RUNS_ON:
        return False
    nxt = next((u for u in units[i + 1 :] if u.kind != "furniture"), None)
    return (
        nxt is not None and nxt.kind == "para" and not cues.cannot_open(nxt.text) and not straddles(unit.text, nxt.text)
    )


def _free_line(unit: Unit) -> bool:
    """A line with nothing that ties it to a story: no byline, credit, marker or note."""
    return unit.byline is None and unit.credit is None and not (unit.jump_in or unit.jump_out or unit.note)


def _title_below(units: list[Unit], i: int) -> Unit | None:
    """The title line of a story set right under units[i], when units[i] is a short free line
    with no sentence end in it: what the two headline rules below start from."""
    unit = units[i]
    below = units[i + 1] if i + 1 < len(units) else None
    if below is None or below.kind != "display" or below.gap or not _free_line(unit):
        return None
    if len(unit.text) > MAX_DISPLAY_CHARS or any(ch in _SENTENCE_STOPS for ch in unit.text):
        return None
    return below if _heads_story(units, i + 1) else None


def _kicker_over_title(units: list[Unit], i: int) -> bool:
    """A short line ending with a kicker's dash (`社区书屋延时开放，读者夜读有了好去处——`, a comma in it)
    set right over the title line of a story: that headline's kicker, never body text."""
    unit = units[i]
    return unit.kind == "para" and cues.is_kicker_end(unit.text) and _title_below(units, i) is not None


def _runs_over(units: list[Unit], i: int) -> bool:
    """A short line that stops on a comma (`秋季开学临近，`) set right over the title line of
    a story: a headline in two lines, which no column break makes (a cut paragraph goes on
    in a paragraph, not in a display line that a byline or dateline follows)."""
    unit = units[i]
    if unit.kind not in ("para", "display") or not unit.text.rstrip().endswith(_RUNS_ON):
        return False
    below = _title_below(units, i)
    return below is not None and not below.top and len(unit.text) + len(below.text) <= MAX_DISPLAY_CHARS


# -- 2. column breaks ----------------------------------------------------------------------


def straddles(head: str, tail: str) -> bool:
    """Does a word run across the cut between `head` and `tail` (`国资委有` | `关负责人`)?"""
    from bot.nlp.segment import words

    a, b = head[-_STRADDLE_WINDOW:], tail[:_STRADDLE_WINDOW]
    if not a or not b or not ("\u4e00" <= a[-1] <= "\u9fff" and "\u4e00" <= b[0] <= "\u9fff"):
        return False
    at = 0
    for word in words(a + b, hmm=False):
        if at < len(a) < at + len(word):
            return True
        at += len(word)
    return False


_OPEN_TAGS = frozenset({"p", "c", "d", "u", "uj", "ul", "uz", "ud", "ug", "uv"})


def ends_open(text: str) -> bool:
    """Does the text stop on a word that needs what follows (a preposition, conjunction, adverb or
    particle: `预计随着`)? No heading ends so; a line cut by a column break can."""
    from bot.nlp.postag import tag_table  # jieba's dictionary tags, without loading jieba.posseg (~40 MB)
    from bot.nlp.segment import words

    found = words(text[-_STRADDLE_WINDOW:], hmm=False)
    return bool(found) and tag_table().get(found[-1]) in _OPEN_TAGS


def _is_fragment(unit: Unit, nxt: Unit) -> bool:
    """A display line that is really the head of the next paragraph, cut off by a column break."""
    if unit.kind != "display" or unit.level or cues.is_heading_shape(unit.text) or unit.jump_out:
        return False
    if nxt.kind != "para" or nxt.opens_article or nxt.note or nxt.credit is not None:
        return False
    return cues.cannot_open(nxt.text) or straddles(unit.text, nxt.text) or ends_open(unit.text) or adverbial(unit.text)


def adverbial(text: str) -> bool:
    """A short line of words that only open a sentence (`目前`, `今年以来`, `据统计`): the
    opening words of a sentence a column break cut off, never a heading."""
    return visible_len(text) <= _ADVERBIAL_CHARS and bool(_ADVERBIAL.match(text.strip()))


def _starts_header(units: list[Unit], i: int) -> bool:
    """Is units[i] (a display line) the start of a header group that a byline/dateline closes?"""
    j = i
    while j < len(units) and units[j].kind in ("display", "furniture"):
        j += 1
    return j < len(units) and units[j].opens_article


def _list_item(unit: Unit, units: list[Unit], i: int, out: list[Unit]) -> bool:
    """A short line under a paragraph that announces a list (`本轮其他比赛结果如下：`), or under
    an item of it: an item of the list (`甲队 2∶1 乙队`), a line of the story, not a heading."""
    if unit.kind != "display" or unit.level or cues.is_heading_shape(unit.text) or not out:
        return False
    above = out[-1]
    announces = above.kind == "para" and above.text.rstrip()[-1:] in "：:" and not cues.is_lead_in(above.text)
    if above.kind == "item" and not _like_items(above.text, unit.text):
        return False  # `群众期待值很高` after the score lines: the list has ended, a heading follows
    return (announces or above.kind == "item") and not _starts_header(units, i - 1)


_DIGIT = re.compile(r"[0-9０-９]")
_ENUMERATOR = re.compile(r"^[①-⑳⑴-⒇㈠-㈩]|^\d{1,2}[、.．)）]")


def _like_items(a: str, b: str) -> bool:
    """Two lines of one list: both with figures or both without, both enumerated or neither,
    of like length."""
    if _ENUMERATOR.match(a) and _ENUMERATOR.match(b):
        return True  # `1.城东污水处理厂` and `2.城南新区综合管廊…`: numbered alike, whatever their length
    same = bool(_DIGIT.search(a)) == bool(_DIGIT.search(b)) and not _ENUMERATOR.match(a) and not _ENUMERATOR.match(b)
    return same and 0.5 <= visible_len(a) / max(visible_len(b), 1) <= 2.0


def join_breaks(units: list[Unit]) -> list[Unit]:
    """Re-join paragraphs cut by column breaks; a list's items under the line announcing them
    are paragraphs of the story."""
    out: list[Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        i += 1
        if _list_item(unit, units, i, out):
            unit.kind = "item"
            out.append(unit)
            continue
        if i < len(units) and _is_fragment(unit, units[i]):
            nxt = units[i]
            nxt.text, nxt.gap, nxt.image, nxt.indent = unit.text + nxt.text, unit.gap, unit.image, unit.indent
            read_dateline(nxt, out[-1] if out else None)  # a dateline the break cut reads whole again
            continue
        if unit.kind == "para" and unit.credit is None:
            i = _take_continuations(unit, units, i)
        out.append(unit)
    for unit in out:
        if unit.kind == "item":
            unit.kind = "para"
    return out


def _take_continuations(unit: Unit, units: list[Unit], i: int) -> int:
    """An unfinished paragraph takes what continues it (furniture in between is skipped)."""
    while not ends_sentence(unit.text) and unit.jump_out is None:
        j = i
        while j < len(units) and units[j].kind == "furniture":
            j += 1
        if j >= len(units):
            break
        nxt = units[j]
        joinable = nxt.kind == "para" and not nxt.opens_article and nxt.credit is None and not nxt.note
        fragment = nxt.kind == "display" and not nxt.level and not cues.is_heading_shape(nxt.text)
        fragment = fragment and not _starts_header(units, j)
        if not (joinable or fragment):
            break
        unit.text += nxt.text
        unit.jump_out = nxt.jump_out
        unit.joined = True
        i = j + 1
    return i


# -- 3. captions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """How a page sets its paragraphs, counted once per page (each question then leaves the
    paragraph it is asked about out in constant time: a page of 10,000 paragraphs is not
    counted 10,000 times)."""

    gaps: Counter[int]  # blank lines above a paragraph -> how many paragraphs have so many
    paragraphs: int
    indented: int

    @classmethod
    def of(cls, units: list[Unit]) -> _Layout:
        paras = [u for u in units if u.kind == "para"]
        return cls(Counter(u.gap for u in paras), len(paras), sum(u.indent for u in paras))

    def usual_gap(self, unit: Unit) -> int | None:
        """How many blank lines this page puts between its paragraphs other than `unit`, when it
        keeps to one spacing (three in four of them); None when its spacing is irregular and so
        says nothing about `unit`."""
        own = unit.kind == "para"
        total = self.paragraphs - own
        if total <= 0:
            return None
        count = self.gaps.copy()
        if own:
            count[unit.gap] -= 1
        usual, n = count.most_common(1)[0]  # a tie can never hold three in four
        return usual if 4 * n >= 3 * total else None

    def indents(self, unit: Unit) -> bool:
        """Does this page set its paragraphs in from the margin (three in four of them, `unit`
        aside)? Then a paragraph set flush is not body text: captions are set so."""
        own = unit.kind == "para"
        marks, indented = self.paragraphs - own, self.indented - (own and unit.indent)
        return marks >= _MIN_PARAGRAPHS and 4 * indented >= 3 * marks


def _set_apart(units: list[Unit], i: int, layout: _Layout) -> bool:
    """More space above it than the page regularly puts between paragraphs (one blank line on a
    page that sets its paragraphs tight), set flush on a page that indents its paragraphs, a
    picture above it, or nothing but furniture between it and the story before."""
    unit = units[i]
    usual_gap = layout.usual_gap(unit)
    if unit.image or (usual_gap is not None and unit.gap > usual_gap) or i == 0:
        return True
    if not unit.indent and layout.indents(unit):
        return True
    before = units[i - 1]
    return before.kind in ("furniture", "credit") or before.jump_out is not None


def _may_caption(unit: Unit | None) -> bool:
    return (
        unit is not None
        and unit.kind == "para"
        and unit.byline is None
        and unit.credit is None
        and not (unit.joined or unit.jump_in or unit.note)
        and len(unit.text) <= MAX_CAPTION_CHARS
    )


def _reads_as_caption(para: Unit, credit: Unit) -> bool:
    """It says it describes a picture (`图为…`), or it is one dated sentence with its credit
    set right under it (`3月16日，…查看秧苗长势。` then `新华社记者 X 摄`, no blank line)."""
    return cues.caption_cue(para.text) or (credit.gap == 0 and cues.dated_scene(para.text))


def _held_by_credit(units: list[Unit], i: int, credit: Unit, layout: _Layout) -> bool:
    """A short paragraph (one or two plain sentences) with its credit set right under it on a
    page that leaves blank lines between its paragraphs: the credit is held to it as a
    caption's is (`桂花巷的老槐树下，…。` + `（图片由X提供）`), where a story's photo
    credit stands apart from the story's last paragraph."""
    para = units[i]
    if credit.gap or not layout.usual_gap(para) or len(para.text) > _TIGHT_CAPTION_CHARS:
        return False
    return cues.states_a_scene(para.text) or (bool(cues.scene_day(para.text)) and cues.sentences_at_most(para.text, 2))


def _mark_group(out: list[Unit], credit: str) -> None:
    """The paragraph before a credit is a caption, and so is each one before it that says so
    (`图①：…` `图②：…` then one credit)."""
    out[-1].credit = credit
    k = len(out) - 2
    while k >= 0 and _may_caption(out[k]) and cues.caption_cue(out[k].text):
        out[k].credit = credit
        k -= 1


def _flush_caption(units: list[Unit], i: int, layout: _Layout) -> bool:
    """One sentence set flush between finished paragraphs on a page that indents them, with no
    credit beside it (`贺某（右）向游客介绍新茶具。`): a caption whose photographer the story's
    byline names (`图/X`). A column break's tail is set flush too, but it is joined by now."""
    unit, before = units[i], units[i - 1] if i else None
    after = units[i + 1] if i + 1 < len(units) else None
    if unit.indent or not _may_caption(unit) or not cues.states_a_scene(unit.text):
        return False
    if before is None or before.kind != "para" or not ends_sentence(before.text):
        return False
    return (after is None or after.kind != "credit") and layout.indents(unit)


def mark_captions(units: list[Unit]) -> list[Unit]:
    """A credit makes the paragraph beside it a caption when that one is set apart or says so;
    otherwise it credits the story's photo and goes. Credit lines never reach a piece."""
    out: list[Unit] = []
    layout = _Layout.of(units)
    last = -1  # index in `units` of out[-1]
    for i, unit in enumerate(units):
        if unit.kind != "credit":
            out.append(unit)
            last = i
            continue
        before = out[-1] if out else None
        after = units[i + 1] if i + 1 < len(units) else None
        if _may_caption(before) and (
            _reads_as_caption(before, unit)
            or _set_apart(units, last, layout)
            or _held_by_credit(units, last, unit, layout)
        ):
            _mark_group(out, unit.text)
        elif (
            (before is None or before.kind != "para")
            and _may_caption(after)
            and (cues.caption_cue(after.text) or after.image)
        ):
            after.credit = unit.text
    for i, unit in enumerate(units):
        if unit.kind == "para" and unit.credit is None and _flush_caption(units, i, layout):
            unit.credit = ""  # a caption without a credit
    return out
