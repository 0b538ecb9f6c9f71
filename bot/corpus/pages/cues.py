"""The cues of the newspaper trade, by shape: what a line *is* before we know where it belongs.

Every rule here reads length, punctuation, position in the line and the few generic words of
the trade (本报讯, 记者, 通讯员, 评论员, 摄, 责任编辑, 版式, 下转, 上接, 编者按, 图为); none
names a paper or a word of a story.

* photo credits: `陆新 徐芊卉 摄`, `本报记者 X 摄`, `新华社发`, `（新华社发 X摄）`, `（图片由X提供）`,
  `图/X`, `资料图片`, on their own line or after a caption's last sentence on the same line
  (`…现场作业。本报记者 X 摄`, `…作业。图/X`, `…外景。资料图片`);
* bylines on their own line: `本报记者 X 通讯员 Y`, `◎记者 X`, `■本报记者 X`, `文/X 图/Y`,
  a newsroom before the role, a space before the name (`县融媒体中心记者 X　通讯员 Y`),
  `□ 本报评论员`, `特约评论员 X`, `■ X` (a box and a bare name: see `names_no_role`), the
  writer's post in brackets after the name (`■ X（某某大学教授）`), a box before each credit
  (`□ 本报记者 X　□ 本报通讯员 Y`), what the reporter did after the names (`晚报记者 X 文/图`),
  and on a news site's pasted page, the author on its line of time and source;
* page furniture: source lines (`来源：新华社`, `数据来源：市统计局`), page headers (`2024年12月9日 星期一`, `A3`, `第3版`, `A06 城事`, also spread
  across the line with runs of spaces, dotted dates, lunar dates and issue numbers:
  `2025.03.11　周二　乙巳年二月十二`, `乙巳年三月廿七`, `今日12版　第9021号`, a bare page number set off by
  a full-width space: `06　城市·民生`), staff lines (`责任编辑：X  版式：Y  校对：Z`, `本版编辑/X`,
  `本版编辑　X　　美编　Y`, a rank before the role: `首席编辑：X`, `值班主任 X　责编 Y`), the
  paper's imprint and weather box (`地址：…　每份定价1.50元`, `新闻热线：…`, `今日天气　多云
  19℃～26℃`: fields side by side, never a sentence), the page's own notices (`本版内容仅供读者参考，…`: a line opening with
  本版 or 本栏 speaks of the page, not of a story, also in brackets at its foot; a site's
  rights notice), staff and the desk's phone on a page header's line (`…星期四　主编：X　电话：…`),
  a news site's clutter pasted with its article (breadcrumb, tools, `分享到：`, `原标题：`,
  related links, the footer's links), whole-line asides (`（作者为…）`), index
  entries pointing to another page (`…的“新生” ▶3版`, `◆ …　　3版`), a masthead's pinyin or an
  English section name (`DONGPING RIBAO`: Latin letters alone);
* continuation markers (`（下转第3版）`, `（上接A1版）`, `（转A5）`, `（下接第3版）`, `【下转第2版】`,
  `（转A3版·要闻）`, `（详见第3版）`, `▶下转B3版`), stripped wherever they sit;
* shapes: column labels (short, bare; a line wholly in brackets, `【民生热线】`, is a column's or
  series' name above a headline), numbered, bracketed or boxed section headings (a bracketed
  label before it too: `【追问】为何迟迟修不好`; a comma
  inside too: `一、离家太远，老人走不动`), a word with a colon alone (`链接：`) or with a colon
  and a quotation (`一群人：“手艺要传下去，窑火不能灭”`), editor's notes,
  caption openers (`图为…`, `这是…拍摄的…`, `…（无人机照片）。`), and text that cannot open a
  sentence (`，…`, `的…`).
"""

from __future__ import annotations

import re

from bot.corpus.pages.text import (
    CLAUSE_PUNCT,
    CLOSERS,
    SENTENCE_END,
    SPACES,
    ends_sentence,
    is_display,
    visible_len,
    without_end_tag,
)

_CJK = r"[\u4e00-\u9fff]"
# the commonest surnames (about nine in ten people carry one of them): how a bare name is told
# from a word when nothing else says it is a name
SURNAME = (
    "[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒"
    "阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓"
    "古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣"
    "巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝]"
)
# a personal name; two-character names are often padded with a space (`刘　洋`)
NAME = r"[\u4e00-\u9fff](?:[\u3000 ]?[\u4e00-\u9fff·]){1,4}"
ROLE = (
    r"(?:本报|[\u4e00-\u9fff]{1,6}?(?:社|台|网))?(?:驻[\u4e00-\u9fff]{1,4})?"
    r"(?:特约|特派|首席|见习|实习|融媒体?|全媒体|摄影|资深)?"
    r"(?:记者|通讯员|评论员|实习生|撰稿人|摄影师)"
    # `记者手记`, `记者观察`: column heads of the trade, not a reporter called 手记
    r"(?!手记|观察|调查|追踪|探访|走访|连线|体验|见闻|在线|来信)"
)
_SEP = r"[\s、，,/]+"
_PEOPLE = rf"(?:{ROLE}\s*)?{NAME}(?:{_SEP}(?:{ROLE}\s*)?{NAME})*"
_OPEN, _CLOSE = r"[（(]?\s*", r"\s*[)）]?"

_CREDIT = re.compile(
    rf"^{_OPEN}(?:"
    rf"{_PEOPLE}\s*/?\s*摄(?:影)?"
    rf"|(?:图|摄影|摄|图片|图文|制图|绘图|漫画|插图)\s*[/／:：|丨]\s*{_PEOPLE}"
    rf"|{_CJK}{{1,8}}?(?:社|网|台)(?:记者\s*{NAME})?发(?:\s*[（(]\s*{_PEOPLE}\s*摄\s*[)）]|\s+{_PEOPLE}\s*摄)?"
    rf"|(?:本版)?(?:图片|照片|图)(?:均)?由.{{1,20}}?提供"
    rf"|资料(?:图片?|照片)|{_CJK}{{0,10}}供图|(?:图片来源|图源)\s*[:：].{{1,20}}"
    rf"){_CLOSE}$"
)
_INLINE_CREDIT = re.compile(
    rf"\s*[（(]\s*({_PEOPLE}\s*/?\s*摄(?:影)?|{_CJK}{{1,8}}?社发(?:\s+{_PEOPLE}\s*摄)?|(?:图片|照片)由.{{1,20}}?提供"
    r"|(?:图片来源|图源)\s*[:：][^（）()]{1,20})"
    rf"\s*[)）]\s*$"
)
# `图/X`, `摄影：X`: a credit that its own mark sets off from the sentence before it
_MARKED_CREDIT = re.compile(r"^(?:图|摄影|摄|图片|图文|制图|绘图|漫画|插图)\s*[/／|丨:：]")
_FILE_PHOTO = re.compile(r"^[（(]?资料(?:图片?|照片)[)）]?$")
# the text up to its last sentence end, then what follows it on the same line
_TRAILING_CREDIT = re.compile(r"^(.*[。！？!?…][”’」』）)]*)([\s\u3000]*)(\S.*)$")
# what the reporter did, after the names: `报道`, `文/图` (the story and its photos), `摄`
_WORK = r"(?:[\s\u3000]*(?:文/图|图/文|文／图|图／文|报道))?"
_BOX = re.compile(r"^[□■◇◆○●◎▲△▇★☆]\s*(\S.*)$")
_INNER_BOX = re.compile(r"[\s\u3000]+[□■◇◆○●◎▲△▇★☆]\s*")
_BYLINE = re.compile(
    rf"^(?:(?:文|作者|撰文|文字|整理|文[·・/／]图|图[·・/／]文)\s*[/／:：|丨]\s*\S.{{0,30}}"
    # a newsroom named before the role (`县融媒体中心记者 X`, `某某日报记者 X`): only with a space
    # before the name, since `…中心记者见面会` and `日报记者走基层` read the same without one, and a
    # name that opens with a surname (`日报记者 走基层`, `晚报记者 帮你问` are headlines)
    rf"|{_CJK}{{1,8}}?(?:中心|报)(?:记者|通讯员)[\s\u3000]+{SURNAME}(?:[\u3000 ]?{_CJK}){{1,2}}"
    rf"(?:(?:{_SEP}(?:{ROLE}\s*)?{NAME})*){_WORK}"
    rf"|(?:{ROLE}\s*{NAME}(?:{_SEP}{NAME})*\s*)+{_WORK}"
    rf"|(?:本报)?(?:特约)?评论员|本报记者)$"
)
# `区发改局党组书记、局长 祁斌`: an office, then the name after a space
_OFFICE_NAME = re.compile(rf"^\S.{{0,30}}\s{NAME}$|^{NAME}$")
# the writer's post in brackets after the name: `■ 宁某（某某大学教授）`, `特约评论员 X（…）`
_AFFILIATION = re.compile(r"(?<=[\u4e00-\u9fff])\s*[（(][^（）()]{4,24}[)）]$")

_STAFF_ROLE = (
    r"(?:责任编辑|责编|编辑|主编|版式|版式设计|美编|美术编辑|校对|组版|排版|审读|制图|"
    r"图片编辑|值班编辑|终审|视觉设计|值班主任|总值班)"
)
# the desk's ranks before a role: `首席编辑`, `值班编辑`, `执行主编`
_STAFF_RANK = r"(?:本版|本期)?(?:首席|值班|执行)?"
# `责任编辑：X`, `本版编辑/X`, `本版编辑　X　美编　Y`, `值班主任 X　责编 Y` (a role, then a mark
# or space, then a name)
_STAFF = re.compile(
    rf"^{_STAFF_RANK}(?:{_STAFF_ROLE}\s*[:：/／]"
    r"|(?:责任编辑|责编|美编|美术编辑|校对|主编|编辑|值班主任|总值班)\s+[\u4e00-\u9fff]{2,4}(?:\s|$))"
)
# the paper's imprint, set under the masthead or at the foot of the front page: `地址：…`,
# `总编室：…`, `新闻热线：…`, `每份定价1.50元` (a field of the trade and a colon, or the price)
_IMPRINT = re.compile(
    r"^(?:本[报刊社])?(?:(?:社|地)址|邮编|邮政编码|总编室|编辑部|发行部?|广告部?|印刷|订阅|邮发代号|零售价|定价"
    r"|(?:新闻|读者|服务|订报|发行|广告)?热线(?:电话)?|电话|传真)\s*[:：]"
    r"|(?:每份|零售价|定价)\s*[:：]?\s*[0-9.．]+\s*元"
)
# the weather box: `今日天气　多云转小雨　19℃～26℃`
_WEATHER = re.compile(r"^(?:今[日天]|明[日天]|本市)?天气(?:预报)?(?:[\s\u3000]|[:：]).*\d\s*℃")
# `来源：新华社`, `稿件来源：某某网`, `数据来源：市统计局`: where a story or a chart comes from, a
# line of its own naming an outlet or a body (`来源：县财政和社会捐助` is a sentence of a story)
_SOURCE_LINE = re.compile(
    r"^(?:来源|稿源|稿件来源|信息来源)\s*[:：]\s*"
    r"[^，。,；;！？!?\s]{0,20}(?:[报社网台刊局委部办院所会厅站处署团室馆司行号版]|中心|集团|公司|新闻|客户端|频道|微博|微信|[A-Za-z])"
    r"(?:[\s\u3000][^，。,；;！？!?]{0,30})?$"
    r"|^(?:数据来源|资料来源)\s*[:：]\s*[^，。,；;！？!?]{1,40}$"  # a chart's, whatever it names
)
# who was interviewed, under the headline (`受访专家：某某医院主任医师 X`): the story names them
_SOURCES_INTERVIEWED = re.compile(r"^(?:受访专家|受访嘉宾|受访者|采访对象|讲述人|口述人?)\s*[:：]")
# the page speaking of itself (`本版内容仅供读者参考，…`, `本栏目欢迎来稿…`): a notice, no story's
# also in brackets at the foot of the page (`（本版文章仅供参考，…）`), and a site's rights notice
_PAGE_NOTICE = re.compile(r"^[（(]?本(?:版|栏目?)\S|^(?:版权声明|免责声明|版权所有)\s*[:：]")
# staff glued to a line (`返岗复工率超过九成 责任编辑：王某`), cut wherever it sits ...
_STAFF_TAIL = re.compile(r"[\s\u3000]+(?:本版)?(?:责任编辑|责编|版式|美编|校对)\s*[:：]")
# ... and the desk's editor and phone, cut after a page header (`…星期四　主编：X　电话：…`)
_DESK_TAIL = re.compile(
    r"[\s\u3000]+(?:本版)?(?:责任编辑|责编|主编|编辑|版式|美编|校对|组版|(?:新闻)?(?:热线|电话))\s*[:：].*$"
)
# what a news site puts around an article, pasted with it: the breadcrumb (`首页 > 新闻 > 正文`),
# the line of time, source and author, the tools (`[字号：大 中 小]　[打印]`, `分享到：…`,
# `【纠错】`), `原标题：…`, related links (`· 某某新闻 2026-02-28`) and the footer's links
_WEB_TIME = r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*\d{1,2}:\d{2}(?::\d{2})?"
_WEB_FURNITURE = re.compile(
    r"^(?:当前位置|您的位置|您现在的位置)\s*[:：]|^(?:首页|主页)\s*(?:[>＞›»]|$)"
    r"|^(?:[^\s>＞›»]{1,8}\s*[>＞›»]\s*){2,}[^\s>＞›»]{0,10}$"
    r"|^(?:分享到|分享至|扫一扫|原标题)\s*[:：]"
    r"|^(?:发布时间|发布日期|发稿时间|更新时间)\s*[:：]\s*\d{4}"
    # a WeChat account's post: `原创 某某发布 2024年06月10日`, `点击蓝字 关注我们`, `阅读原文`,
    # `编辑：X | 审核：Y`, `分享　收藏　点赞　在看`; a government site's bar (`无障碍 | 长者模式`)
    r"|^原创[\s\u3000]+\S{1,20}[\s\u3000].*\d{4}\s*[-年]|^点击(?:上方)?(?:蓝字|“?阅读原文)|关注我们$|^(?:阅读原文|长按识别二维码.*|扫码关注.*)$"
    r"|^(?:编辑|审核|校对|责编|初审|复审|终审|监制)\s*[:：]\s*\S{1,8}\s*[|｜]"
    r"|^(?:分享|收藏|点赞|在看|转发)(?:[\s\u3000]+(?:分享|收藏|点赞|在看|转发)){2,}$"
    r"|^首页(?:[\s\u3000]+\S{2,6}){2,}$"
    # a hotline box: `民生热线 96111 | 每天 8:00-22:00`, `读者热线：96111　新闻线索请…`
    r"|^\S{0,4}热线(?:电话)?\s*[:：]?\s*[\d-]{5,}(?:$|[\s\u3000|｜])"
    r"|^(?:[\[［【][^\]］】]{1,12}[\]］】][\s\u3000]*){2,}$"
    r"|^[\[［【](?:(?:字号|字体|责任编辑|编辑)\s*[:：][^\]］】]{0,12}|纠错|打印|关闭|收藏|分享|打印本页|关闭窗口)[\]］】]$"
    r"|^(?:点击(?:查看|进入)(?:大图|原图|全文|下一页)|返回顶部|打印本页|关闭窗口)$"
    r"|^[·•]\s*\S.{1,40}?\s+\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2})?$"
    # a time opening the site's line of source, author or views (`2026-03-05 09:12　来源：X`),
    # not a timeline's (`2024年6月10日 18:30　救援队抵达`)
    rf"|^{_WEB_TIME}(?:[\s\u3000]*$|[\s\u3000]+(?:来源|作者|编辑|责任编辑|浏览|阅读|点击|字号)[:：\s])"
    # four or more short items between bars: a site's bar or footer (`关于我们 | 联系我们 | …`)
    r"|^(?:[^|｜\s]{2,8}\s*[|｜]\s*){3,}[^|｜\s]{2,12}$"
)
# `2024年5月8日`, `2024.06.26`, `2024.12.6`
_DATE = r"(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[.．-]\d{1,2}[.．-]\d{1,2})"
_WEEKDAY = r"(?:星期|周)[一二三四五六日天]"
_CN_NUM = r"[一二三四五六七八九十]{1,3}"
_PAGE_NO = rf"(?:第[A-H]?\d{{1,3}}版|第{_CN_NUM}版|[A-H]\d{{1,2}}版?|\d{{1,2}}版)"
# the lunar date, with or without `农历`: `农历六月初二`, `乙巳年三月廿七` (a year of the sixty-year cycle)
_LUNAR = r"[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年(?:[正一二三四五六七八九十冬腊]{1,2}月)?(?:[初十廿卅二三][一二三四五六七八九十]?)?"
_ISSUE = rf"(?:总)?第\d+[期号]|今日\d+版|农历\S{{2,10}}|{_LUNAR}"
_HEADER_FACT = re.compile(rf"(?:{_DATE}\s*(?:{_WEEKDAY})?|{_WEEKDAY}|{_ISSUE}|{_PAGE_NO})")
# a bare page number set off by a full-width space or a run of spaces (`06　城市·民生`, `评论　7`)
_PAGE_DIGITS = re.compile(r"\d{1,2}")
_BARE_PAGE_NO = re.compile(r"^\d{1,2}(?:\u3000|\s{2,})\S|\S(?:\u3000|\s{2,})\d{1,2}$")
_SPACED_PAGE_NO = re.compile(r"^\d{1,2}\s+\S")
_DATED = re.compile(rf"{_DATE}|{_WEEKDAY}")
_HEADER_SEP = re.compile(r"[\s\u3000|丨｜/·,，]+")
_HEADER_LABEL = re.compile(rf"{_CJK}{{1,6}}")
_ONLY_PAGE_NO = re.compile(
    rf"^(?:第\s*[A-H]?\s*\d{{1,3}}\s*版|第{_CN_NUM}版|[A-H]\s?\d{{1,2}}(?:\s*版)?|\d{{1,2}}|[-—－–]\s*\d{{1,3}}\s*[-—－–])$"
)
_ASIDE = re.compile(r"^[（(][^（）()]{1,60}[)）]$")

_JUMP = r"(?:第?\s*[A-H]?\s*[\d一二三四五六七八九十]{1,3}\s*(?:版|页)|[A-H]\s*\d{1,2}|上版|下版)"
# where on that page, when the marker says (`（转A3版·要闻）`, `（下转第3版右）`)
_WHERE = rf"(?:\s*[·・]?\s*{_CJK}{{1,4}})?"
_OUTWARD = r"下转|下接|转至|转|详见|见"
_OPEN_MARK, _CLOSE_MARK = r"[（(【\[]", r"[)）】\]]"
_MARKER = rf"{_OPEN_MARK}?\s*(下转|下接|上接|紧接|转至|转|接|续|详见|见)\s*({_JUMP}){_WHERE}\s*{_CLOSE_MARK}?"
# a pointer arrow may stand for the bracket (`▶下转B3版`)
_ARROW = r"[▶►▷]"
_MARKER_END = re.compile(
    rf"\s*(?:{_OPEN_MARK}\s*(?:{_OUTWARD})\s*({_JUMP}){_WHERE}\s*{_CLOSE_MARK}"
    rf"|{_ARROW}\s*(?:{_OUTWARD})\s*({_JUMP}){_WHERE})\s*$"
)
_MARKER_START = re.compile(rf"^\s*{_OPEN_MARK}\s*(?:上接|紧接|接|续)\s*{_JUMP}{_WHERE}\s*{_CLOSE_MARK}\s*")
_MARKER_LINE = re.compile(rf"^(?:{_ARROW}\s*)?{_MARKER}$")
_INWARD = ("上接", "紧接", "接", "续")
# the wire's end of story after the last sentence: `…收益。（完）`, `【全文完】`
_END_MARK = re.compile(r"(?<=[。！？!?…”’」』])[ \t\u3000]*[（(【\[]\s*(?:全文)?完\s*[)）】\]]\s*$")
# an index entry (今日导读): a headline and the page it is on, after an arrow (`…的“新生” ▶3版`)
# or after a wide gap (`◆ 城西新建三所幼儿园　　3版`)
_INDEX_ENTRY = re.compile(rf"^\S.{{0,40}}?(?:\s*[▶►▷]+|\s+(?:→|>>|»|详见)|\u3000+|\s{{2,}})\s*{_JUMP}$")
# a masthead's pinyin or an English section name: Latin letters and no Chinese
_LATIN_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9 .,&'’·-]*$")

_NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、．]|第[一二三四五六七八九十]+[部章节篇])"
)
# `一群人：“手艺要传下去，窑火不能灭”`: a word, a colon, then a quotation as the whole rest
_QUOTED_HEAD = re.compile(r"^[\u4e00-\u9fff]{1,6}[：:]“[^“”]+”$")
_BRACKETED_HEADING = re.compile(r"^(?:【[^】]+】|\[[^\]]+\]|/[^/]+/|〖[^〗]+〗)$")
# a bracketed label, then the heading (`【追问】为何迟迟修不好`, `[观察]…`)
_LABELLED_HEAD = re.compile(r"^(?:【[^】]{1,8}】|\[[^\]]{1,8}\]|〖[^〗]{1,8}〗)\s*[^\s【\[〖]")
_NOTE = re.compile(r"^[【\[〖]?编者(?:按|的话)[】\]〗]?\s*[:：]?")
_ARROW = re.compile(r"^[▲△▼▽◀▶↑↓←→]\s*\S")
# `图为…`, `上图：…`, `图①：…`, or a pointer to the picture (`▲6月2日，…`)
_CAPTION_CUE = re.compile(
    r"^(?:[▲△▼▽◀▶↑↓←→]\s*\S|[①-⑩\s]*(?:图为|上图|下图|左图|右图|中图|图[①-⑩\d一二三四五六][:：\s]|图片说明|图注))"
)
# `这是6月1日在…拍摄的…`: how the agencies word a caption; `（无人机照片）` names the kind of photo
_SHOT = re.compile(r"^这是[^。！？]{0,40}?拍摄的")
_PHOTO_KIND = re.compile(r"[（(](?:无人机|航拍|资料|手机|合成)照片[)）][。.]?$")
# a caption says when the picture was taken: `3月16日，…`, `11月5日上午，…`, `16日，…`
_DAY = r"(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*)?\d{1,2}\s*日"
_SCENE_DAY = re.compile(rf"^{_DAY}(?:[上中下]午|清晨|早晨|凌晨|傍晚|晚间?|夜间?|深夜)?\s*[，,]")
MAX_HEADING_CHARS = 40
_QUESTION_CHARS = 30
_LEAD_WORD_CHARS = 6
_CUT_ENDS = "，,、；;"
_NO_OPENER = "，。、；：？！）》」』”’…,.;:?!)%"
_SENTENCE_STOPS = "。！？!?；;"
_LABEL_MARKS = " \t\u3000·•“”‘’《》「」"


def is_credit(text: str) -> bool:
    """A photo credit line (`陆新 徐芊卉 摄`, `新华社发`, `（图片由X提供）`)."""
    return len(text) <= 50 and bool(_CREDIT.match(text))


def unbracket(credit: str) -> str:
    """`（新华社发 X摄）` -> `新华社发 X摄`: a credit line's own brackets are not its words."""
    inner = credit[1:-1].strip()
    if (
        credit[:1] in "（("
        and credit[-1:] in "）)"
        and inner.count("（") + inner.count("(") == inner.count("）") + inner.count(")")
    ):
        return inner
    return credit


def inline_credit(text: str) -> tuple[str, str] | None:
    """`市民在公园赏花。(记者 张三 摄)` -> (`市民在公园赏花。`, `记者 张三 摄`); also a credit
    without brackets after the last sentence (`…现场作业。本报记者 X 摄`, `…增收。 新华社发`)."""
    m = _TRAILING_CREDIT.match(text)
    if m is not None and is_credit(m.group(3)) and _set_off(m.group(3), m.group(2)):
        return m.group(1), unbracket(m.group(3))  # `(记者 张三 摄)`: the brackets go
    m = _INLINE_CREDIT.search(text)
    if m is None or m.start() == 0:
        return None
    return text[: m.start()].rstrip(), m.group(1)


def _set_off(credit: str, space: str) -> bool:
    """A credit printed after a sentence is set off from it (a space before it or inside it, or
    a slash form `图/X`, an agency's `…发`, or a credit of the trade's words alone: `资料图片`), so a
    word that merely ends in `摄` (`…前来拍摄`) is not taken for one."""
    if space or any(ch in SPACES for ch in credit) or _MARKED_CREDIT.match(credit):
        return True
    return credit.endswith(("发", "提供", "供图")) or bool(_FILE_PHOTO.match(credit))


def byline_of(text: str) -> str | None:
    """The credit of a byline line, or None when the line is not one."""
    if len(text) > 60 or any(ch in CLAUSE_PUNCT for ch in text.replace("，", "")):
        return None
    m = _BOX.match(text)
    if m:
        inner = _INNER_BOX.sub("\u3000", m.group(1).strip())  # `□ 本报记者 X　□ 本报通讯员 Y`
        bare = _AFFILIATION.sub("", inner)
        if _BYLINE.match(bare) or _OFFICE_NAME.match(bare):
            return inner
        return None  # `■ 多措并举稳就业`: a boxed heading, not a credit
    return text if len(text) <= 40 and _BYLINE.match(_AFFILIATION.sub("", text)) else None


_WEB_AUTHOR = re.compile(rf"(?:^|[\s\u3000])(?:作者|(记者|编辑))\s*[:：]?\s*({NAME}?)(?=[\s\u3000]|$)")


# the credit a story ends with, in brackets: `（记者 X）`, `（本报记者 X 整理）`, or two or more
# names alone (`（X　Y）`, `（X）`), each opening with a common surname, since a word in brackets
# may be anything else (`（待续）`, `（有删节）`, `（读者 刘先生）`); in brackets, a newsroom may
# stand before the role (`（晚报记者 X 通讯员 Y）`)
_END_ROLE = rf"(?:{_CJK}{{1,6}}?报)?{ROLE}"
_END_CREDIT = re.compile(
    rf"^[（(]\s*(?:(?P<roled>(?:{_END_ROLE}\s*{NAME}(?:{_SEP}{NAME})*\s*)+?)"
    rf"|(?P<names>{SURNAME}{_CJK}{{1,2}}(?:[\s\u3000、]+{SURNAME}{_CJK}{{1,2}}){{0,3}})"
    # the expert who answered a reader's questions: `（解答专家：某某医院主任医师 X）`
    r"|(?P<expert>(?:解答|答疑|受访|审核)专家\s*[:：][^（）()]{2,40}))"
    r"\s*(?:参与采写|综合报道|整理|报道|综合|采写|文/图|文)?\s*[)）]$"
)
_ROLE_WORD = re.compile(rf"^{_END_ROLE}$")
# what the credited did, after the names: read apart, so no name takes it (`（实习生 X 参与采写）`)
_CREDIT_WORK = re.compile(r"[\s\u3000]*(?:参与采写|综合报道|整理|报道|综合|采写|文/图)(?=[)）]$)")


def is_role_word(token: str) -> bool:
    """`记者`, `本报通讯员`, `晚报记者`: a role of the trade, not a name."""
    return bool(_ROLE_WORD.match(token))


def _is_verb(token: str) -> bool:
    """`参与`: a verb of the dictionary, which no name after a role is (`方圆`, `江河` may be)."""
    from bot.nlp.postag import tag_table

    return (tag_table().get(token) or "").startswith("v")


def _word_not_name(token: str) -> bool:
    """A word of the language rather than a name: a dictionary word that is no person's
    (`参与`), or one the dictionary cuts into two words (`综合` + `报道`)."""
    from bot.nlp.postag import tag_table
    from bot.nlp.segment import words

    table = tag_table()
    tag = table.get(token)
    if tag is not None and not tag.startswith("nr"):
        return True
    return sum(len(w) >= 2 and w in table for w in words(token, hmm=False)) >= 2


def end_credit(text: str, own_line: bool = True) -> str | None:
    """`（记者 X 实习生 Y）` -> `记者 X 实习生 Y`, `（X　Y）` -> `X Y`: the credit a story ends
    with, on a line of its own or after the last sentence; None for any other text. Names alone
    must open with a common surname; one name alone counts only on a line of its own and when
    the dictionary does not know it (`（唐太宗）`, `（华为）`, `（黄金周）` are words it knows)."""
    m = _END_CREDIT.match(_CREDIT_WORK.sub("", text.strip()))
    if m is None:
        return None
    if m.group("roled"):
        roled = m.group("roled").strip()
        tokens = [t for t in re.split(r"[\s\u3000、，,/]+", roled) if t and not _ROLE_WORD.match(t)]
        names = [re.sub(rf"^{_END_ROLE}", "", t) for t in tokens]
        glued = not re.search(r"[\s\u3000]", roled)  # `（记者调查）`: the role and a word, no space
        if not names or any(_is_verb(n) or (glued and _word_not_name(n)) for n in names if n):
            return None
    elif m.group("names"):
        names = re.split(r"[\s\u3000、]+", m.group("names"))
        if len(names) == 1 and not (own_line and _unknown_word(names[0])):
            return None
    return re.sub(r"[\s\u3000、]+", " ", (m.group("roled") or m.group("names") or m.group("expert")).strip())


def _unknown_word(token: str) -> bool:
    """Not in the dictionary, nor made of a word of it besides a name (`高铁` + `站`)."""
    from bot.nlp.postag import tag_table
    from bot.nlp.segment import words

    table = tag_table()
    if token in table:
        return False
    return not any(len(w) >= 2 and not (table.get(w) or "nr").startswith("nr") for w in words(token, hmm=False))


def web_byline(text: str) -> str | None:
    """The author on a news site's line of time and source (`2026-03-05 09:12　来源：X　作者：Y`)
    or on a source line (`来源：X　作者：Y`): `Y`, or `记者 Y` when the line names the role; None
    for any other line."""
    if len(text) > 120 or not (re.match(_WEB_TIME, text) or _SOURCE_LINE.match(text)):
        return None
    m = _WEB_AUTHOR.search(text)
    if m is None or m.group(1) == "编辑" or not m.group(2):
        return None
    return f"{m.group(1)} {m.group(2)}" if m.group(1) else m.group(2)


def names_no_role(text: str) -> bool:
    """A byline line whose credit is a box and a bare name-shaped phrase, with no word of the
    trade (`■ 张三`, `□ 区发改局局长 张三`): under a headline it credits the story; after body
    text it is a boxed section heading (`■ 警方提醒`), since no story puts its byline there."""
    m = _BOX.match(text)
    return m is not None and _BYLINE.match(_AFFILIATION.sub("", m.group(1).strip())) is None


# what an account or a site lists after its post (`往期推荐` + links): nothing below is the post's
_POST_END = re.compile(r"^(?:往期推荐|往期回顾|往期精彩|推荐阅读|猜你喜欢|热门推荐|精彩推荐|更多精彩)[:：]?$")


def ends_post(text: str) -> bool:
    """`往期推荐`: the links to other posts begin, and everything after them is furniture (on a
    page that shows a site's or an account's clutter: see `is_site_clutter`)."""
    return bool(_POST_END.match(text.strip()))


def is_site_clutter(text: str) -> bool:
    """A line only a news site or an account prints around its post (`点击蓝字 关注我们`, the
    breadcrumb, `分享到：…`): a page pasted from one."""
    return len(text) <= 120 and bool(_WEB_FURNITURE.search(text)) and not ends_sentence(text)


def is_furniture(text: str) -> bool:
    """Page headers, staff lines, the page's own notices, whole-line asides and source lines
    (`来源：新华社`, under a title or a chart): never a title and never body text."""
    if _SOURCE_LINE.match(text) or is_site_clutter(text):
        return True
    if _SOURCES_INTERVIEWED.match(text) and len(text) <= 60 and not ends_sentence(text):
        return True
    if (_STAFF.match(text) or _PAGE_NOTICE.match(text)) and len(text) <= 80:
        return True
    if _is_imprint(text):
        return True
    if _ASIDE.match(text) and not ends_sentence(text[1:-1]):
        return True
    if visible_len(text) > 40:  # a header may be spread across the line (`B2  城乡      2025年…`)
        return False
    if _ONLY_PAGE_NO.match(text) or _INDEX_ENTRY.match(text) or _is_latin_line(text):
        return True
    return _is_header_line(text)


def _is_imprint(text: str) -> bool:
    """The paper's imprint and the weather box (`地址：…　每份定价1.50元`, `新闻热线：…`,
    `今日天气　多云　19℃～26℃`): fields set side by side, never a sentence — a story's line
    that gives an address or a phone number (`咨询电话：12345。`) ends one or runs on with a comma."""
    if len(text) > 80 or ends_sentence(text) or any(ch in "，,。" for ch in text):
        return False
    return bool(_IMPRINT.search(text) or _WEATHER.match(text))


def _is_latin_line(text: str) -> bool:
    """`DONGPING RIBAO`, `CITY NEWS`: a Chinese daily sets no headline or paragraph in Latin
    letters alone (a page number such as `A3` is read by the header rule)."""
    return bool(_LATIN_LINE.match(text)) and sum(ch.isalpha() for ch in text) >= 4


def _is_header_line(text: str) -> bool:
    """`2024年12月9日 星期一`, `A06 城事`, `第3版 要闻`, `某某晚报　2025.03.11　周二`: dates,
    weekdays, page numbers and at most short labels between them. A bare number is the page's
    only at either end of the line and set off by a full-width space or a run of spaces (`06　城市·民生`):
    a headline puts no such gap before a figure."""
    # a bare page number at either end: set off by a wide space, or by any space when the line
    # holds a date as well (`3 科技前沿　　2026年3月5日　星期四`)
    bare_no = bool(_BARE_PAGE_NO.search(text.strip()) or (_SPACED_PAGE_NO.match(text) and _DATED.search(text)))
    text = re.sub(r"(第|[A-H])\s+(?=\d)|(?<=\d)\s+(?=版)|(?<=[年月])\s+|\s+(?=[月日])", "", text)
    tokens = _HEADER_SEP.split(text.strip())
    facts = 0
    for k, token in enumerate(tokens):
        if _HEADER_FACT.fullmatch(token) or (bare_no and k in (0, len(tokens) - 1) and _PAGE_DIGITS.fullmatch(token)):
            facts += 1
        elif not _HEADER_LABEL.fullmatch(token):
            return False
    return facts > 0


def marker_line(text: str) -> tuple[bool, str] | None:
    """A line that is only a continuation marker: (inward, jump); `（下转第3版）` -> (False, `第3版`)."""
    m = _MARKER_LINE.match(text)
    if m is None:
        return None
    return m.group(1) in _INWARD, re.sub(r"\s+", "", m.group(2))


def strip_staff_tail(text: str) -> str:
    """`返岗复工率超过九成 责任编辑：王某` -> `返岗复工率超过九成`; the desk's editor and phone
    (`…星期四　主编：X　电话：…`) only after a page header, since a story may give a phone."""
    if _STAFF.match(text):
        return text
    cut = _DESK_TAIL.sub("", text)
    return cut if _STAFF_TAIL.search(text) or _is_header_line(cut) else text


def strip_markers(text: str) -> tuple[str, bool, str | None]:
    """(text, opened with `上接…`, the jump of a closing `下转…`) with the markers removed, and
    the wire's end mark (`…收益。（完）`) too."""
    text = _END_MARK.sub("", text) if len(text) > 4 else text
    jump_in = False
    m = _MARKER_START.match(text)
    if m and m.end() < len(text):
        text, jump_in = text[m.end() :], True
    m = _MARKER_END.search(text)
    jump_out = None
    if m and m.start() > 0:
        text, jump_out = text[: m.start()].rstrip(), re.sub(r"\s+", "", m.group(1) or m.group(2))
    return text, jump_in, jump_out


def is_bare(text: str) -> bool:
    """A display line with no sentence mark, dash or colon: the shape of a label."""
    bare = "".join(ch for ch in text if ch not in _LABEL_MARKS)
    if not bare or not is_display(text):
        return False
    return not any(ch in SENTENCE_END or ch in "—-－" for ch in bare) and not bare.isdigit()


def is_label(text: str) -> bool:
    """A column or section label (`要闻`, `民生直通车`, `走基层 看变化`): short and bare."""
    return visible_len(text) <= 6 and is_bare(text)


def is_bracketed(text: str) -> bool:
    """A line wholly in brackets (`【民生热线】`, `〖一事一议〗`, `【某某·系列报道①】`): a column's
    or a series' name, or a section heading; a headline's own lines carry no brackets."""
    return bool(_BRACKETED_HEADING.match(text.strip()))


def is_heading_shape(text: str) -> bool:
    """Numbered, bracketed or boxed section headings (`一、…`, `（二）…`, `【相关链接】`,
    `/ 记者手记 /`, `■ 小标题`, a bracketed label before the heading: `【追问】为何迟迟修不好`)."""
    if _LABELLED_HEAD.match(text) and not _NOTE.match(text):
        return visible_len(text) <= MAX_HEADING_CHARS
    return bool(_NUMBERED.match(text) or _BRACKETED_HEADING.match(text.strip()) or _BOX.match(text))


def is_lead_in(text: str) -> bool:
    """A short line that heads what follows though it has a comma, a colon or a question mark:
    a numbered question (`（二）出现发热怎么办？`), a numbered or boxed heading (`一、离家太远，老人走不动`, `（二）多方核实，追回损失`), a word and a colon
    alone (`链接：`, `小贴士：`), or a word, a colon and a quotation that closes the line
    (`一群人：“手艺要传下去，窑火不能灭”`). Never a paragraph: it does not end a sentence, and no
    column break leaves a comma last (`二、要加强统筹，` is the head of a cut paragraph)."""
    if len(text) > MAX_HEADING_CHARS or text[-1:] in _CUT_ENDS:
        return False
    if _QUOTED_HEAD.match(text):
        return not ends_sentence(text)
    if text[-1:] in "：:":
        return visible_len(text) <= _LEAD_WORD_CHARS and not any(ch in CLAUSE_PUNCT for ch in text)
    if (_NUMBERED.match(text) or _LABELLED_HEAD.match(text)) and (asks_one_question(text) or _exclaims_once(text)):
        return True  # `（二）出现发热怎么办？`, `【追问】为何修不好？`: a numbered question heads its answer
    return is_heading_shape(text) and not (ends_sentence(text) or _NOTE.match(text) or caption_cue(text))


def numbered_question(text: str) -> bool:
    """`（一）你是否支持延长课后服务时间？`: a numbered question, which may head its answer."""
    return bool(_NUMBERED.match(text)) and asks_one_question(text)


def _exclaims_once(text: str) -> bool:
    """A single short exclamation, its tag looked through (`二、好日子来了！（组图）`)."""
    core = without_end_tag(text).rstrip(CLOSERS + SPACES)
    if len(core) > _QUESTION_CHARS or not core.endswith(("！", "!")):
        return False
    return not any(ch in _SENTENCE_STOPS or ch in "，," for ch in core[:-1])


def asks_one_question(text: str) -> bool:
    """A single short question and nothing else (`出现发热怎么办？`), no comma in it."""
    core = without_end_tag(text).rstrip(CLOSERS + SPACES)
    if len(core) > _QUESTION_CHARS or not core.endswith(("？", "?")):
        return False
    return not any(ch in _SENTENCE_STOPS or ch in "，," for ch in core[:-1])


def is_note(text: str) -> bool:
    """An editor's note (`编者按：…`): it opens the article it introduces."""
    return bool(_NOTE.match(text))


def caption_cue(text: str) -> bool:
    """Text that says it describes a picture (`图为…`, `上图：…`, the agencies' `这是…拍摄的…`,
    a photo's kind in brackets at its end: `…（无人机照片）。`)."""
    return bool(_CAPTION_CUE.match(text) or _SHOT.match(text) or _PHOTO_KIND.search(text))


def points_up(text: str) -> bool:
    """A line opening with an arrow (`▲游客体验包粽子`): a caption pointing at its photo, or a
    boxed heading, as what follows tells."""
    return bool(_ARROW.match(text))


def dated_scene(text: str) -> bool:
    """One sentence that opens with the day of the picture (`3月16日，工人在车间内查看设备。`):
    how a caption without `图为` reads. A story's closing paragraph is rarely a lone dated
    sentence; with a second sentence (`…完成调试。市政部门表示，…`) it may well be one."""
    return scene_day(text) and one_sentence(text)


def scene_day(text: str) -> bool:
    """Text that opens with the day of a picture (`6月10日，…`, `11月5日上午，…`)."""
    return bool(_SCENE_DAY.match(text))


def sentences_at_most(text: str, count: int) -> bool:
    """Finished text of at most `count` sentences, not opening with a quotation."""
    return not text.startswith(("“", "「", '"')) and 0 < _sentences(text) <= count


def states_a_scene(text: str) -> bool:
    """One plain statement, as a caption is worded: a single sentence ending in a full stop,
    not a question, not a quotation, and no speaker before a colon (`问：…`, `记者：…`)."""
    head = text[:_LEAD_WORD_CHARS]
    if text.startswith(("“", "「", '"')) or "：" in head or ":" in head:
        return False
    return without_end_tag(text).rstrip(CLOSERS + SPACES).endswith("。") and one_sentence(text)


def one_sentence(text: str) -> bool:
    """Text that is a single finished sentence (`贺某（右）向游客介绍新茶具。`)."""
    return _sentences(text) == 1


def _sentences(text: str) -> int:
    """How many sentences finished text holds (0: it is not finished)."""
    if not ends_sentence(text):
        return 0
    core = without_end_tag(text).rstrip(CLOSERS + SPACES)[:-1]
    return 1 + sum(ch in _SENTENCE_STOPS for ch in core)


def cannot_open(text: str) -> bool:
    """Text starting with a mark no sentence starts with (`，`, `。`, `”`…)."""
    return bool(text) and text[0] in _NO_OPENER


def is_kicker_end(text: str) -> bool:
    return text.endswith(("——", "—", "--", "：", ":"))


def is_subtitle_start(text: str) -> bool:
    return text.startswith(("——", "—", "--", "－－"))
