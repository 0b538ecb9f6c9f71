"""Every user-facing string, in Chinese (default) and English, in one catalogue.

Strings are `str.format` templates; values passed in must already be HTML-escaped where the
string is sent with parse_mode=HTML. A test checks that both languages define every key with
the same placeholders.
"""

from __future__ import annotations

from datetime import date

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_WEEKDAYS = {
    "zh": ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}

CATALOGUE: dict[str, dict[str, str]] = {
    # -- digest ---------------------------------------------------------------------------
    "digest.title": {"zh": "📰 <b>今日新闻摘要</b> · {date}", "en": "📰 <b>Daily digest</b> · {date}"},
    "digest.title_edition": {
        "zh": "📰 <b>新闻摘要（{edition}）</b> · {date}",
        "en": "📰 <b>Digest ({edition})</b> · {date}",
    },
    "digest.trending": {"zh": "🔥 热词：{tags}", "en": "🔥 Trending: {tags}"},
    "digest.count": {"zh": "共 {n} 篇新文章，按重要性排序。", "en": "{n} new articles, most important first."},
    "digest.more": {"zh": "另有 {n} 篇，发送 /latest 查看。", "en": "{n} more: send /latest to see them."},
    "digest.empty": {"zh": "📭 自上次摘要以来没有新文章。", "en": "📭 Nothing new since your last digest."},
    "digest.continued": {"zh": "（续）", "en": "(continued)"},
    "button.read": {"zh": "{n} 全文", "en": "{n} Read"},
    "button.read_one": {"zh": "📖 阅读", "en": "📖 Read"},
    "alert.title": {"zh": "🔔 关注词「{word}」有新文章：", "en": "🔔 New article for “{word}”:"},
}


def t(lang: str | None, key: str, **values: object) -> str:
    """The template for `key` in `lang` (falling back to Chinese), formatted with `values`."""
    entry = CATALOGUE[key]
    template = entry.get(lang or DEFAULT_LANGUAGE) or entry[DEFAULT_LANGUAGE]
    return template.format(**values) if values else template


def format_date(lang: str | None, day: date) -> str:
    if (lang or DEFAULT_LANGUAGE) == "en":
        return f"{_WEEKDAYS['en'][day.weekday()]} {day.day} {day:%b %Y}"
    return f"{day.year}年{day.month}月{day.day}日 {_WEEKDAYS['zh'][day.weekday()]}"


def language_of(preferred: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    return preferred if preferred in LANGUAGES else default
