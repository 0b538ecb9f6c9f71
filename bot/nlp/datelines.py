"""Datelines: the credit a news paragraph opens with (`本报讯（记者 X）`, `新华社北京12月8日电（记者 Y）`).

The page parser reads the byline out of it; summaries and keywords leave it out, since a
dateline is not news. One pattern serves both, so what the parser credits is what the
summarizer skips.

Shapes understood (full-width or half-width brackets, spaces or none):
* `本报讯（记者 X 通讯员 Y）`, `本报讯` alone;
* `本报北京12月8日电（记者 X）`, `本报广州3月20日电 （记者X）` (place and date inside);
* `新华社北京12月8日电（记者 X、Y）`, `新华社北京12月8日电` without a bracket, `据新华社电`;
* `本报5月13日讯（记者 X）` (the day inside 本报…讯);
* a news site's wire as an agency's: `中新网5月8日电`, `中新网西岭7月14日电（记者 X）`;
* a bare head with its credit unbracketed, set off by a space on both sides, or closed by
  `报道` and a colon: `本报讯 记者X 7月13日，…`, `本报讯 记者X 通讯员Y 昨日，…`,
  `本报讯 通讯员X报道：近日，…`;
* any `XX讯（…）` or `XX社…电（…）` with its bracket (`经济日报讯（记者 X）`);
* the head in brackets (`【本报讯】记者 X 报道：`), and the whole credit in brackets, as papers
  of Taiwan and Hong Kong set it: `〔记者X／台中报导〕`, `（中央社记者X台北4日电）`;
* a reprint's source set off by a space: `据《X日报》报道 …`, `据新华社消息 …`;
* a reporter's credit at the head of the paragraph, its names set off by spaces:
  `新华社记者 X Y 盛夏时节，…`, `本报记者 X 昨日，…`.
Group 1 is the whole dateline; `dateline_credit(match)` is the byline it gives. A retold
story's source with a comma (`据某某新闻报道，…`) is a dateline only right under a headline;
`reported_by` reads it, and the page parser decides where it stands.

`split_credit` reads the wider family of openings that wire copy and web
news carry (`新浪体育讯`, `中新网(微博)10月16日电(记者 X)`, `本报记者：X`, `⊙本报记者 X`,
`导语：`, `（…行情报道）`) and returns the names it credits, so a reporter never becomes a
keyword. Only the start of the first paragraph is read: a credit never sits mid-story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CJK = r"[\u4e00-\u9fff]"
_DATE = r"\d{1,2}\s*月\s*\d{1,2}\s*日"
_CREDIT = r"\s*[（(]\s*(?P<{name}>[^()（）]{{1,60}}?)\s*[)）]"
# an unbracketed credit after a bare head: roles and names, then a space before the news, or
# `报道` and a colon or comma (`本报讯 通讯员X报道：近日，…`)
_ROLE = r"(?:本报)?(?:特约|见习|实习)?(?:记者|通讯员|实习生)"
_NAME = rf"{_CJK}{{2,4}}(?:、{_CJK}{{2,4}})*"
_LOOSE = (
    rf"(?:[ \u3000]+|(?<=】))(?P<loose>{_ROLE}(?!从)[ \u3000]?{_NAME}(?:(?:[ \u3000]+|、){_ROLE}[ \u3000]?{_NAME})*)"
    rf"(?:[ \u3000]?报道[：:，,]|(?=[ \u3000]))"
)
_AGENCY = rf"{_CJK}{{2,6}}?(?:社|网)"
# a reprint's source, set off by a space as a dateline is: `据《X日报》报道 …`, `据新华社消息 …`
_REPRINT = rf"据(?:《[^《》]{{1,15}}》|{_AGENCY})(?:报道|消息)(?=[ \u3000（(])"
# heads that are datelines on their own; the others need their bracket
_BARE = (
    rf"本报讯|本报{_CJK}{{0,8}}?{_DATE}[电讯]"
    rf"|{_AGENCY}{_CJK}{{0,8}}?{_DATE}电"
    rf"|据{_CJK}{{2,6}}?社(?:{_CJK}{{0,8}}?{_DATE})?电"
    rf"|{_REPRINT}"
)
# a reporter's credit opening the paragraph, set off by spaces: `新华社记者 X Y 盛夏时节，…`
_REPORTERS = (
    rf"(?P<reporters>(?:本报|{_AGENCY})(?:特约|见习|实习)?记者"
    rf"[ \u3000]+{_NAME}(?:[ \u3000]+{_NAME})*)(?=[ \u3000])"
)
# a paragraph opening with its whole credit in brackets, as papers of Taiwan and Hong Kong set
# it: `〔记者X／台中报导〕`, `（中央社记者X台北4日电）` (the name taken as three characters
# where the place follows it unmarked); Hong Kong's `【本报讯】` is a bare head in brackets
_WIRE = (
    rf"[〔（(【]\s*(?P<wire>(?:{_AGENCY})?记者\s*{_CJK}{{2,3}}(?:[、，,]{_CJK}{{2,3}})*)"
    rf"\s*(?:[／/]\s*{_CJK}{{0,8}}?|{_CJK}{{0,8}}?\d{{1,2}}日)(?:报导|报道|电)\s*[〕）)】]"
)
_BRACKETED = rf"本报{_CJK}{{1,8}}电|{_CJK}{{2,6}}?社{_CJK}{{0,8}}电|{_CJK}{{2,6}}讯"

DATELINE = re.compile(
    rf"^(【?(?P<bare>{_BARE})(?:】?(?:{_CREDIT.format(name='credit')}|{_LOOSE})|】)?"
    rf"|{_WIRE}"
    rf"|(?P<head>{_BRACKETED}){_CREDIT.format(name='bracketed')}"
    rf"|{_REPORTERS})\s*"
)


# a source the story is retold from, opening its first paragraph: `据某某新闻报道，…`, `据《X报》消息，…`.
# Inside a story the same words merely cite (`据新华社报道，今年…`), so the page parser reads it
# as a dateline only right under a headline (`reported_by`), and the summarizer keeps it.
_REPORTED = re.compile(rf"^(据(?:《[^《》]{{1,15}}》|{_CJK}{{2,8}}?)(?:报道|消息))[，,]")


def reported_by(paragraph: str) -> str | None:
    """`据某某新闻报道，随着…` -> `据央视新闻报道`; None when the paragraph opens otherwise."""
    m = _REPORTED.match(paragraph)
    return m.group(1) if m else None


def dateline_credit(match: re.Match[str]) -> str:
    """The byline a dateline gives: the bracket's credit, or the head when it has none."""
    if match.group("wire"):
        return _wire_credit(match.group("wire"), match.string[match.end("wire") :])
    if match.group("reporters"):
        return re.sub(r"[ \u3000]+", " ", match.group("reporters"))
    credit = (match.group("credit") or match.group("bracketed") or match.group("loose") or "").strip()
    head = match.group("bare") or match.group("head")
    if not credit:
        return head.strip()
    agency = re.match(rf"^据?({_AGENCY})", head)
    if agency and credit.startswith("记者"):  # `新华社北京…电（记者 X）` -> `新华社记者 X`
        return agency.group(1) + credit
    return credit


def _wire_credit(credit: str, rest: str) -> str:
    """`中央社记者王明` + `北京3日电）`, not `王明北` + `京3日电）`: the unmarked place after a
    name read as three characters may have taken the place's first character. The name gives
    it back when that makes a place the dictionary knows and the place as read is none."""
    name = re.search(rf"[{_CJK}]{{3}}$", credit)
    place = re.match(rf"[{_CJK}]{{1,4}}", rest)
    if not name or not place:
        return credit
    from bot.nlp.postag import tag_table

    tags = tag_table()
    head = place.group()
    if any(tags.get(head[:j]) == "ns" for j in range(2, len(head) + 1)):
        return credit  # the place as read is one already (`台北`)
    if any(tags.get(credit[-1] + head[:j]) == "ns" for j in range(1, len(head) + 1)):
        return credit[:-1]
    return credit


_CJK = "\u4e00-\u9fff"
_SP = "[ \t\u3000\u00a0]"
_MARK = re.compile(rf"^[⊙□■●◆◇○◎▲△▇★☆]+{_SP}*")
# labels (导语： 编者按：) and a bracketed source line (（中关村在线数码相机行情报道） 【XX在线报道】)
_LABEL = re.compile(rf"^(?:导语|摘要|提要|编者按|编辑观点|核心提示|[\u4e00-\u9fff]{{0,4}}快讯)\s*[：:]{_SP}*")
_BRACKET_SOURCE = re.compile(rf"^[（(【\[][^）)】\]（(【\[]{{2,24}}?(?:报道|行情|讯)[）)】\]]{_SP}*")
_ROLE = r"(?:特约记者|摄影记者|记者|通讯员|实习生|评论员|作者|撰稿|撰文)"
_WHEN = r"(?:\d{1,2}月\d{1,2}日|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)"
_SRC = rf"[{_CJK}A-Za-z]{{0,10}}?(?:[(（]微博[)）])?"
_WIRE = re.compile(
    rf"^(?:{_SRC}[{_CJK}]{{0,6}}?(?:{_WHEN})?(?<![通资快简喜音短传电])讯(?!息)"  # 新浪体育讯 晨报讯 7月20日讯
    rf"|{_SRC}[{_CJK}]{{0,10}}?{_WHEN}(?:体育)?(?:电|消息)"  # 中新网6月8日电 新华网北京9月18日体育电 11月5日消息
    rf"|[{_CJK}]{{1,6}}[社网]电"  # 新华社电
    rf"|[{_CJK}A-Za-z]{{2,16}}?(?:{_WHEN})?(?=[ \u3000\u00a0]*[（(][^()（）：:，。]{{0,10}}{_ROLE}[^()（）：:，。]{{0,30}}[)）]))"  # 北京考试报（记者 X）
)
_PAREN = re.compile(rf"{_SP}*[（(]([^()（），。,]{{1,40}}?)[)）]{_SP}*")
_ROLE_START = re.compile(rf"^[{_CJK}]{{0,6}}?{_ROLE}(?:{_SP}*[：:/]{_SP}*|{_SP}+)")
_NAME = re.compile(rf"[{_CJK}·]{{2,4}}")
_REPORT = re.compile(rf"{_SP}*报道{_SP}*")
# 记者戴高乐报道: a role glued to a name and 报道
_ROLE_REPORT = re.compile(rf"^{_ROLE}([{_CJK}·]{{2,4}}?)报道{_SP}*")


@dataclass
class Credit:
    """What a first paragraph opens with, and what is left of it."""

    text: str = ""  # the credit as written ('' when there is none)
    names: list[str] = field(default_factory=list)  # the people it credits (reporters)
    rest: str = ""  # the paragraph without it


def strip_dateline(paragraph: str) -> str:
    """`本报讯 (记者 X) 12月7日,…` -> `12月7日,…`: the dateline is not news."""
    return DATELINE.sub("", paragraph, count=1)


def bracket_names(inside: str) -> list[str]:
    """Names in a credit's bracket: `记者 刘洋 张亚晨`, `记者陈青平 满洲里电台崔艳凤 通讯员张鹏`, `张曦`."""
    out = []
    for part in re.split(r"[\s、，,/]+", inside):
        part = re.sub(rf"^.*{_ROLE}", "", part)
        if _NAME.fullmatch(part):
            out.append(part)
    return out


def _person(word: str) -> bool:
    """Could `word` be a person's name? jieba tags it as one, or does not know it (most names)."""
    from bot.nlp.postag import tag_table

    tag = tag_table().get(word)
    return tag is None or tag in ("nr", "nrfg", "nrt")


def _glued_name(text: str) -> str:
    """The name at the start of `曹元近日，…` (a byline run into the text): jieba's first word."""
    from bot.nlp.postag import cut

    words = cut(text[:12])
    first = words[0] if words else ""
    if len(first) == 1 and len(words) > 1 and len(words[1]) <= 2:  # 程/满清: a surname jieba cut off
        first += words[1]
    return first if _NAME.fullmatch(first) and len(first) <= 3 and _person(first) else ""


def _reporter(text: str) -> tuple[int, list[str]] | None:
    """A reporter line at the start (`本报记者：X`, `晚报记者 X 报道`, `记者 X Y `): (length, names)."""
    glued = _ROLE_REPORT.match(text)
    if glued is not None and _person(glued.group(1)):
        return glued.end(), [glued.group(1)]
    m = _ROLE_START.match(text)
    if m is None:
        return None
    pos, names = m.end(), []
    while True:
        name = _NAME.match(text, pos)
        if name is None:
            break
        after = name.end()
        if after >= len(text) or re.match(rf"{_SP}|、|报道|[“”\"「]", text[after:]):
            if not _person(name.group()):
                break
            names.append(name.group())
            pos = after
            sep = re.match(rf"(?:{_SP}|、)+(?:{_ROLE}{_SP}*)?", text[pos:])
            if sep is None:
                break
            pos += sep.end()
            continue
        glued = _glued_name(text[pos:]) if not names else ""  # `本报记者 曹元近日`: run into the story
        if glued:
            names.append(glued)
            pos += len(glued)
        break
    if not names:
        return None
    report = _REPORT.match(text, pos)
    return (report.end() if report else pos), names


def _wire(text: str) -> tuple[int, list[str]] | None:
    """A wire or paper dateline at the start (`新华网北京7月26日电`, `新浪体育讯`): (length, names)."""
    m = _WIRE.match(text)
    if m is None:
        return None
    end, names = m.end(), []
    paren = _PAREN.match(text, end)
    if paren is not None:
        names = bracket_names(paren.group(1))
        end = paren.end()
    return end, names


def _step(text: str) -> tuple[int, list[str]] | None:
    for pattern in (_MARK, _LABEL, _BRACKET_SOURCE):
        m = pattern.match(text)
        if m is not None and m.end() > 0:
            return m.end(), []
    d = DATELINE.match(text)
    if d is not None:
        credit = dateline_credit(d)
        head = (d.group("bare") or d.group("head") or "").strip()
        return d.end(), [] if credit == head else bracket_names(credit)
    return _wire(text) or _reporter(text)


def split_credit(paragraph: str) -> Credit:
    """The credit a first paragraph opens with (dateline, reporter line, label), its names, the rest."""
    pos, names = 0, []
    for _ in range(4):  # `⊙本报记者 X`, `新快报(微博)讯 驻京记者 X 报道`: credits can follow one another
        step = _step(paragraph[pos:])
        if step is None:
            break
        pos += step[0]
        names += step[1]
        while pos < len(paragraph) and paragraph[pos] in " \t\u3000\u00a0":
            pos += 1
    if pos == 0:
        return Credit("", [], paragraph)
    rest = paragraph[pos:].lstrip("，,:： \t\u3000\u00a0")
    return Credit(paragraph[:pos].strip(), names, rest)
