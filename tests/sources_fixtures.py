"""Invented stories and the feeds and pages that carry them, for the live-source tests.

Every sentence here was written for these tests (no news was copied). `STORIES` are full
articles; `rss`, `atom` and `rdf` wrap entries in each dialect; `article_page` is a web page with
navigation, the article and a footer, as a news site would serve it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

STORIES = {
    "ferry": (
        "湖心岛渡轮恢复夜班航线",
        [
            "本报讯（记者 高远）停运两年的湖心岛夜班渡轮从本周五起恢复运营，每晚七点到十点之间每半小时一班，单程票价保持三元不变。",
            "航运公司负责人介绍，恢复夜班是岛上居民呼声最高的一件事。岛上有不少居民在城区上班，过去末班船下午六点就停了，下班晚一点就只能绕行大桥。",
            "为保证夜间航行安全，公司为两艘渡轮加装了雷达和探照灯，码头也新装了照明和候船座椅。",
            "首班夜船开出时，候船的乘客不少。一位在城里开面包店的岛民说，以后收了店也能坐船回家，再也不用赶时间了。",
        ],
    ),
    "clinic": (
        "山前社区卫生站开出中医夜诊",
        [
            "本报讯（记者 钟宁）山前社区卫生站本月起开设中医夜诊，每周二、周四晚上由两位退休老中医坐诊，主要看常见病和慢性病调理。",
            "卫生站站长说，白天来看病的多是老人，上班族很难抽出时间，夜诊就是为他们开的。开诊第一周，每晚都有二三十人前来就诊。",
            "夜诊的挂号费和白天相同，医保可以正常结算。卫生站还准备根据就诊情况，考虑增加推拿和针灸项目。",
        ],
    ),
    "kiln": (
        "古窑遗址发现一批宋代瓷片",
        [
            "本报讯（记者 龙泉）考古人员在城西古窑遗址的第三次发掘中，清理出一批宋代青瓷残片，其中一件刻有花卉纹样的碗底保存较为完整。",
            "领队介绍，这批瓷片出自两座相邻的窑炉，说明当时这里已有相当规模的烧造。瓷片的釉色和胎质，为研究本地制瓷工艺的演变提供了新材料。",
            "发掘工作预计持续到年底。遗址所在地将建设一座小型展示馆，部分出土器物修复后将在馆内展出。",
        ],
    ),
}

TEASER = "停运两年的湖心岛夜班渡轮从本周五起恢复运营……"


@dataclass
class Entry:
    title: str
    link: str
    guid: str | None = None
    html: str = ""
    author: str | None = None
    date: str = "Tue, 03 Dec 2024 08:30:00 +0800"
    full: bool = True  # content:encoded (full text) or a description only


def paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def story_entry(key: str, link: str, guid: str | None = None, full: bool = True) -> Entry:
    title, paragraphs = STORIES[key]
    html = paragraphs_html(paragraphs) if full else f"<p>{escape(TEASER)}</p>"
    return Entry(title, link, guid or link, html, "记者 某某", full=full)


def rss(entries: list[Entry], title: str = "一家虚构的新闻网站") -> str:
    items = []
    for e in entries:
        guid = f'<guid isPermaLink="false">{escape(e.guid)}</guid>' if e.guid else ""
        author = f"<dc:creator>{escape(e.author)}</dc:creator>" if e.author else ""
        body = (
            f"<description>{escape(e.html[:40])}</description><content:encoded><![CDATA[{e.html}]]></content:encoded>"
            if e.full
            else f"<description>{escape(e.html)}</description>"
        )
        items.append(
            f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>{guid}{author}"
            f"<pubDate>{e.date}</pubDate>{body}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><description>测试</description>"
        + "".join(items)
        + "</channel></rss>"
    )


def atom(entries: list[Entry]) -> str:
    items = "".join(
        f"<entry><id>{escape(e.guid or e.link)}</id><title>{escape(e.title)}</title>"
        f'<link rel="alternate" href="{escape(e.link)}"/><updated>2024-12-03T00:30:00Z</updated>'
        f"<author><name>{escape(e.author or '')}</name></author>"
        f'<content type="html">{escape(e.html)}</content></entry>'
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>虚构</title><id>urn:test:feed</id><updated>2024-12-03T00:30:00Z</updated>" + items + "</feed>"
    )


def rdf(entries: list[Entry]) -> str:
    items = "".join(
        f'<item rdf:about="{escape(e.link)}"><title>{escape(e.title)}</title><link>{escape(e.link)}</link>'
        f"<description>{escape(e.html)}</description><dc:date>2024-12-03T08:30:00+08:00</dc:date></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="http://127.0.0.1/"><title>虚构</title><link>http://127.0.0.1/</link>'
        "<description>测试</description></channel>" + items + "</rdf:RDF>"
    )


def article_page(key: str, charset: str = "utf-8", byline: str | None = "记者 某某") -> str:
    title, paragraphs = STORIES[key]
    meta = f'<meta name="author" content="{escape(byline)}">' if byline else ""
    nav = "".join(f'<li><a href="/c{i}">栏目{i}</a></li>' for i in range(1, 8))
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{escape(title)} - 虚构新闻网</title>{meta}'
        '<meta property="article:published_time" content="2024-12-03T08:30:00+08:00"></head><body>'
        f"<header><ul>{nav}</ul></header>"
        f"<main><article><h1>{escape(title)}</h1>{paragraphs_html(paragraphs)}</article></main>"
        '<aside><h3>热门</h3><ul><li><a href="/x">另一篇文章</a></li></ul></aside>'
        "<footer>虚构新闻网 版权所有 联系我们</footer></body></html>"
    )


ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>出错了</title></head><body><h1>页面不存在</h1>"
    "<p>您访问的页面不存在。</p><a href='/'>返回首页</a></body></html>"
)
