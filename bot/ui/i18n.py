"""Every user-facing string, in Chinese (default) and English, in one catalogue.

Strings are `str.format` templates; values passed in must already be HTML-escaped where the
string is sent with parse_mode=HTML. A test checks that both languages define every key with
the same placeholders.
"""

from __future__ import annotations

import html
from datetime import date

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_WEEKDAYS = {
    "zh": ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}

CATALOGUE: dict[str, dict[str, str]] = {
    # -- digest ---------------------------------------------------------------------------
    "digest.title": {"zh": "📰 <b>{name}</b> · {when}", "en": "📰 <b>{name}</b> · {when}"},
    "digest.name_today": {"zh": "今日新闻摘要", "en": "Daily digest"},
    "digest.name": {"zh": "新闻摘要", "en": "Digest"},
    "digest.name_edition": {"zh": "新闻摘要（{edition}）", "en": "Digest ({edition})"},
    "digest.latest": {"zh": "最新 {n} 篇（原文未注明日期）", "en": "the latest {n} articles (undated)"},
    "digest.span": {"zh": "{first} 至 {last}", "en": "{first} to {last}"},
    "digest.trending": {"zh": "🔥 热词：{tags}", "en": "🔥 Trending: {tags}"},
    "digest.count": {
        "zh": "共 {n} 篇新文章，各版头条在前，其余按重要性排序。",
        "en": "{n} new articles: each page's lead story first, then the most important.",
    },
    "digest.more": {"zh": "另有 {n} 篇，发送 /latest 查看。", "en": "{n} more: send /latest to see them."},
    "digest.empty": {"zh": "📭 自上次摘要以来没有新文章。", "en": "📭 Nothing new since your last digest."},
    "digest.continued": {"zh": "（续）", "en": "(continued)"},
    "button.read": {"zh": "{n} 查看", "en": "{n} Open"},
    "button.read_one": {"zh": "📖 阅读", "en": "📖 Read"},
    "alert.title": {"zh": "🔔 关注词「{word}」有新文章：", "en": "🔔 New article for “{word}”:"},
    # -- start / help ---------------------------------------------------------------------
    "start": {
        "zh": "👋 你好！我是<b>新闻摘要机器人</b>。\n\n"
        "我为每篇报纸文章自动生成摘要和关键词，每天按时推送新闻摘要，并且可以按关键词搜索。\n\n"
        "• /subscribe 订阅新闻摘要（{when} 推送）\n"
        "• /digest 马上看今天的摘要\n"
        "• /search 武进 搜索文章（私聊里直接发文字也行）\n"
        "• /help 全部命令",
        "en": "👋 Hi! I am a <b>news digest bot</b>.\n\n"
        "I summarise every newspaper article with key sentences and keywords, push a daily digest "
        "on schedule, and search the articles by keyword.\n\n"
        "• /subscribe to the digest (sent {when})\n"
        "• /digest to read today's digest now\n"
        "• /search 武进 to search (in a private chat, just send words)\n"
        "• /help for every command",
    },
    "help": {
        "zh": "<b>命令</b>\n"
        '/digest 今日摘要\n/latest [N] 最新 N 篇\n/search 关键词 搜索（支持 "短语"、-排除、#关键词）\n'
        "/article 编号 查看文章\n/keywords 热门关键词\n"
        "/subscribe /unsubscribe 订阅或退订新闻摘要\n/follow 词 /unfollow 词 /following 关键词提醒\n"
        "/settings 本聊天的设置（摘要长度、语言、推送版次）",
        "en": "<b>Commands</b>\n"
        '/digest today\'s digest\n/latest [N] newest N articles\n/search words (supports "a phrase", -exclude, #keyword)\n'
        "/article ID show an article\n/keywords trending keywords\n"
        "/subscribe /unsubscribe the digest\n/follow word /unfollow word /following keyword alerts\n"
        "/settings this chat's settings (summary length, language, edition)",
    },
    "help.admin": {
        "zh": "\n\n<b>管理员</b>\n/stats 运行统计\n/reload 重新加载配置\n/push [版次] 立即推送摘要",
        "en": "\n\n<b>Admin</b>\n/stats statistics\n/reload reload the config\n/push [edition] push the digest now",
    },
    # -- schedules in words (bot.ui.when) ------------------------------------------------------
    "schedule.at": {"zh": "{days} {time}", "en": "{days} at {time}"},
    "schedule.in_months": {"zh": "每年{months}{days} {time}", "en": "{days} in {months} at {time}"},
    "schedule.every_day": {"zh": "每天", "en": "every day"},
    "schedule.weekdays": {"zh": "工作日", "en": "on weekdays"},
    "schedule.week": {"zh": "每周{days}", "en": "on {days}"},
    "schedule.month_days": {"zh": "每月{days}", "en": "on the {days} of every month"},
    "schedule.dates": {"zh": "每年{months}{days} {time}", "en": "on the {days} of {months} at {time}"},
    "schedule.timezone": {"zh": "{schedule}（{timezone} 时间）", "en": "{schedule} ({timezone} time)"},
    "schedule.cron": {"zh": "按计划 {cron}", "en": "on the schedule {cron}"},
    "schedule.none": {"zh": "暂未设定推送时间", "en": "no delivery time is set yet"},
    "schedule.edition": {"zh": "{edition}：{schedule}", "en": "{schedule} ({edition})"},
    "button.subscribe": {"zh": "✅ 订阅新闻摘要", "en": "✅ Subscribe"},
    "button.digest": {"zh": "📰 今日摘要", "en": "📰 Today's digest"},
    "button.keywords": {"zh": "🔥 热门关键词", "en": "🔥 Trending"},
    # -- subscriptions ---------------------------------------------------------------------
    "subscribe.done": {
        "zh": "✅ 已订阅。摘要推送时间：{when}。发送 /settings 调整。",
        "en": "✅ Subscribed. Digests arrive {when}. See /settings.",
    },
    "subscribe.already": {
        "zh": "你已经订阅了（{when} 推送）。发送 /unsubscribe 可退订。",
        "en": "Already subscribed (digests arrive {when}). /unsubscribe to stop.",
    },
    "unsubscribe.done": {
        "zh": "已退订，不会再收到新闻摘要。随时可以 /subscribe 重新订阅。",
        "en": "Unsubscribed: no more digests. /subscribe any time.",
    },
    "unsubscribe.not": {"zh": "本聊天尚未订阅。", "en": "This chat is not subscribed."},
    "group.admins_only": {
        "zh": "只有群管理员可以更改本群的订阅和设置。",
        "en": "Only group admins can change this group's subscription and settings.",
    },
    # -- articles --------------------------------------------------------------------------
    "article.usage": {
        "zh": "用法：/article 编号，例如 /article 3。编号是 /latest 和搜索结果里方括号中的数字。",
        "en": "Usage: /article ID, e.g. /article 3. IDs are the numbers in brackets in /latest and /search.",
    },
    "article.missing": {"zh": "没有编号为 {id} 的文章。", "en": "No article with ID {id}."},
    "article.summary": {"zh": "📝 <b>摘要</b>", "en": "📝 <b>Summary</b>"},
    "article.keywords": {"zh": "🏷 关键词（点按可搜索）", "en": "🏷 Keywords (tap to search)"},
    "article.caption": {"zh": "（图片说明）", "en": "(photo caption)"},
    "article.id": {"zh": "编号 {id}", "en": "ID {id}"},
    "list.ids": {
        "zh": "<i>方括号里是文章编号：点按钮或发送 /article {id} 查看。</i>",
        "en": "<i>In brackets: the article's ID. Tap it, or send /article {id}.</i>",
    },
    "button.full": {"zh": "📄 全文", "en": "📄 Full text"},
    "button.related": {"zh": "🔗 相关", "en": "🔗 Related"},
    "button.original": {"zh": "🔗 原文", "en": "🔗 Original"},
    "button.original_n": {"zh": "🔗 原文 {n}", "en": "🔗 {n} Original"},
    "article.source": {"zh": "来源 {name}", "en": "via {name}"},
    "article.also_in": {"zh": "📰 同一报道也见于：", "en": "📰 The same story also ran in:"},
    "article.also_in_item": {"zh": "• {name}（编号 {id}）", "en": "• {name} (ID {id})"},
    "source.failing_admin": {
        "zh": "⚠️ 来源 <b>{name}</b> 已连续 {n} 次抓取失败（{status}）：{detail}\n其他来源照常运行；恢复后会再通知一次。",
        "en": "⚠️ Source <b>{name}</b> has failed {n} polls in a row ({status}): {detail}\nThe other sources keep running; you will be told once when it recovers.",
    },
    "source.recovered_admin": {
        "zh": "✅ 来源 <b>{name}</b> 已恢复正常：{detail}",
        "en": "✅ Source <b>{name}</b> works again: {detail}",
    },
    "stats.sources": {"zh": "\n来源：{sources}", "en": "\nSources: {sources}"},
    "related.title": {"zh": "🔗 与《{title}》相关的文章：", "en": "🔗 Related to “{title}”:"},
    "related.none": {"zh": "暂时没有找到相关文章。", "en": "No related articles found."},
    "latest.title": {"zh": "🗞 最新 {n} 篇：", "en": "🗞 Newest {n}:"},
    "latest.usage": {"zh": "用法：/latest [N]，N 为 1 到 {max}。", "en": "Usage: /latest [N], N from 1 to {max}."},
    "corpus.empty": {
        "zh": "📭 还没有文章。请管理员先导入报纸版面。",
        "en": "📭 No articles yet. Ask the admin to ingest some pages.",
    },
    "digest.none_today": {"zh": "📭 今天还没有可以摘要的文章。", "en": "📭 Nothing to digest yet today."},
    # -- search ----------------------------------------------------------------------------
    "search.usage": {
        "zh": '用法：/search 关键词。例如 /search 武进，/search "清洁生产"，/search 机器人 -深圳，/search #创新',
        "en": 'Usage: /search words. E.g. /search 武进, /search "清洁生产", /search 机器人 -深圳, /search #创新',
    },
    "search.header": {
        "zh": "🔍 <b>{query}</b> · 共 {total} 条结果（第 {page}/{pages} 页）",
        "en": "🔍 <b>{query}</b> · {total} results (page {page}/{pages})",
    },
    # more matches than were counted (the first 1,000): "1000+"
    "search.header_capped": {
        "zh": "🔍 <b>{query}</b> · {total}+ 条结果（第 {page} 页，共 {pages}+ 页）",
        "en": "🔍 <b>{query}</b> · {total}+ results (page {page} of {pages}+)",
    },
    "search.none": {
        "zh": "🔍 没有找到与 <b>{query}</b> 相关的文章。换个词试试？",
        "en": "🔍 Nothing found for <b>{query}</b>. Try other words?",
    },
    "search.notice.unbalanced_quote": {
        "zh": "（有一个引号没有配对，已忽略）",
        "en": "(an unpaired quote mark was ignored)",
    },
    "search.notice.symbols_ignored": {
        "zh": "（* ^ ( ) 等符号不是运算符，已忽略）",
        "en": "(symbols such as * ^ ( ) are not operators and were ignored)",
    },
    "search.notice.operators_ignored": {
        "zh": "（AND、OR、NEAR 不是运算符：所有词都要匹配；用 -词 排除）",
        "en": "(AND, OR, NEAR are not operators: all words must match; use -word to exclude)",
    },
    "search.error.empty": {
        "zh": "请输入要查找的词，例如 /search 武进（表情和符号不会被搜索）。",
        "en": "Type some words to look for, e.g. /search 武进 (emoji and symbols are not searched).",
    },
    "search.error.only_exclusions": {
        "zh": "只有排除词（-词）无法搜索，请再加一个要查找的词。",
        "en": "Only exclusions (-word): add a word to look for.",
    },
    "search.error.too_long": {
        "zh": "查询太长了（{length} 个字，上限 {limit}）。请只输入几个词或一个短语。",
        "en": "That query is too long ({length} characters, limit {limit}). Search for a few words or a short phrase.",
    },
    "search.error.too_many_terms": {
        "zh": "查询里的词太多了（{terms} 个，上限 {limit}）。请只输入几个词。",
        "en": "Too many search terms ({terms}, limit {limit}). Search for a few words.",
    },
    "search.error.other": {"zh": "这个查询无法处理：{detail}", "en": "Cannot search for that: {detail}"},
    "button.prev": {"zh": "◀ 上一页", "en": "◀ Prev"},
    "button.next": {"zh": "下一页 ▶", "en": "Next ▶"},
    "keywords.title": {"zh": "🔥 热门关键词（点按可搜索）：", "en": "🔥 Trending keywords (tap to search):"},
    "keywords.none": {"zh": "还没有关键词。", "en": "No keywords yet."},
    # -- follows ---------------------------------------------------------------------------
    "follow.usage": {
        "zh": "用法：/follow 词，例如 /follow 机器人。有新文章提到它时我会通知你。",
        "en": "Usage: /follow word, e.g. /follow 机器人. I'll tell you when a new article mentions it.",
    },
    "follow.done": {
        "zh": "🔔 已关注「{word}」。有新文章提到它时会通知你。",
        "en": "🔔 Following “{word}”. New articles that mention it will be sent here.",
    },
    "follow.already": {"zh": "已经在关注「{word}」了。", "en": "Already following “{word}”."},
    "follow.too_many": {
        "zh": "最多关注 {max} 个词，请先 /unfollow 一些。",
        "en": "At most {max} words; /unfollow some first.",
    },
    "follow.too_long": {"zh": "关注词最长 {max} 个字。", "en": "A followed word can be at most {max} characters."},
    "unfollow.usage": {
        "zh": "用法：/unfollow 词。发送 /following 查看已关注的词。",
        "en": "Usage: /unfollow word. /following lists your words.",
    },
    "unfollow.done": {"zh": "已取消关注「{word}」。", "en": "Stopped following “{word}”."},
    "unfollow.not": {"zh": "没有关注「{word}」。", "en": "Not following “{word}”."},
    "following.list": {"zh": "🔔 已关注：{words}", "en": "🔔 Following: {words}"},
    "following.none": {
        "zh": "还没有关注任何词。试试 /follow 机器人。",
        "en": "Not following any words. Try /follow 机器人.",
    },
    # -- settings --------------------------------------------------------------------------
    "settings.title": {
        "zh": "⚙️ <b>本聊天的设置</b>\n摘要长度：{sentences} 句\n语言：中文\n新闻摘要：{digests}\n推送版次：{edition}",
        "en": "⚙️ <b>Settings for this chat</b>\nSummary length: {sentences} sentences\nLanguage: English\nDigest: {digests}\nEdition: {edition}",
    },
    "settings.subscribed": {"zh": "已订阅，{when} 推送", "en": "subscribed, sent {when}"},
    "settings.not_subscribed": {"zh": "未订阅", "en": "not subscribed"},
    "settings.saved": {"zh": "已保存", "en": "Saved"},
    "button.sentences": {"zh": "{n} 句", "en": "{n} sentences"},
    "button.lang_zh": {"zh": "中文", "en": "中文"},
    "button.lang_en": {"zh": "English", "en": "English"},
    "button.digests_on": {"zh": "✅ 订阅", "en": "✅ Subscribe"},
    "button.digests_off": {"zh": "退订", "en": "Unsubscribe"},
    # -- admin -----------------------------------------------------------------------------
    "admin.only": {"zh": "抱歉，这个命令只对管理员开放。", "en": "Sorry, that command is for the bot's admins only."},
    "reload.ok": {"zh": "✅ 配置已重新加载（{source}）。{changes}", "en": "✅ Config reloaded ({source}). {changes}"},
    "reload.unchanged": {"zh": "配置没有变化。", "en": "Nothing changed."},
    "reload.changed": {"zh": "已更新：{keys}", "en": "Changed: {keys}"},
    "config.defaults": {"zh": "内置默认值", "en": "built-in defaults"},
    "reload.failed": {
        "zh": "⚠️ 新配置有错误，已拒绝，旧配置继续运行：\n{error}",
        "en": "⚠️ The new config is invalid and was refused; the old one keeps running:\n{error}",
    },
    "reload.restart": {"zh": "（需要重启才生效：{keys}）", "en": "(restart to apply: {keys})"},
    "push.done": {
        "zh": "📤 {edition}（{key}）：新排入 {planned} 个聊天，{skipped} 个没有新内容，{already} 个已推送过。发送结果：{outcomes}",
        "en": "📤 {edition} ({key}): queued for {planned}, nothing new for {skipped}, already sent to {already}. Sent: {outcomes}",
    },
    "push.no_edition": {"zh": "没有名为 {name} 的版次。现有：{names}", "en": "No edition named {name}. Known: {names}"},
    "stats": {
        "zh": "📊 <b>运行统计</b>\n文章：{articles} 篇（另有图片说明 {captions} 条）\n订阅聊天：{subscribed}（私聊 {private}，群 {groups}，频道 {channels}）\n关注词：{follows}\n"
        "推送记录：{ledger}\n发送统计：{counters}\n下次推送：{next}\n配置：{source}",
        "en": "📊 <b>Statistics</b>\nArticles: {articles} · photo captions: {captions}\nSubscribed chats: {subscribed} (private {private}, groups {groups}, channels {channels})\nFollowed words: {follows}\n"
        "Ledger: {ledger}\nDelivery: {counters}\nNext digest: {next}\nConfig: {source}",
    },
    "stats.instances": {"zh": "运行实例：{instances}", "en": "Instances: {instances}"},
    # -- errors ----------------------------------------------------------------------------
    "error.unknown_command": {
        "zh": "我不认识这个命令：{command}。发送 /help 查看可用命令。",
        "en": "I don't know {command}. Send /help for the commands.",
    },
    "error.internal": {
        "zh": "😵 抱歉，处理时出了点问题，已记录下来。请稍后再试。",
        "en": "😵 Sorry, something went wrong on my side; it has been logged. Please try again later.",
    },
    "error.stale_button": {
        "zh": "这个按钮已失效，请重新发送命令。",
        "en": "This button has expired; please send the command again.",
    },
    "error.private_only": {"zh": "这个命令请在私聊中使用。", "en": "Please use this command in a private chat."},
    "config.refused_admin": {
        "zh": "⚠️ 配置文件的改动有错误，已拒绝，旧配置继续运行：\n{error}",
        "en": "⚠️ The config file change is invalid and was refused; the old config keeps running:\n{error}",
    },
    "menu.start": {"zh": "开始使用", "en": "What this bot does"},
    "menu.help": {"zh": "全部命令", "en": "All commands"},
    "menu.digest": {"zh": "今日摘要", "en": "Today's digest"},
    "menu.latest": {"zh": "最新文章", "en": "Newest articles"},
    "menu.search": {"zh": "搜索文章", "en": "Search articles"},
    "menu.keywords": {"zh": "热门关键词", "en": "Trending keywords"},
    "menu.subscribe": {"zh": "订阅新闻摘要", "en": "Subscribe to the digest"},
    "menu.unsubscribe": {"zh": "退订", "en": "Unsubscribe"},
    "menu.follow": {"zh": "关注关键词", "en": "Follow a keyword"},
    "menu.following": {"zh": "我关注的词", "en": "Followed keywords"},
    "menu.settings": {"zh": "设置", "en": "Settings"},
}


# English templates for a count of exactly one: key -> (the placeholder that counts, the template).
# Chinese needs no plural forms.
EN_ONE: dict[str, tuple[str, str]] = {
    "digest.count": ("n", "1 new article."),
    "digest.latest": ("n", "the latest article (undated)"),
    "search.header": ("total", "🔍 <b>{query}</b> · 1 result (page {page}/{pages})"),
    "settings.title": (
        "sentences",
        "⚙️ <b>Settings for this chat</b>\nSummary length: 1 sentence\nLanguage: English\nDigest: {digests}\nEdition: {edition}",
    ),
    "button.sentences": ("n", "1 sentence"),
    "latest.title": ("n", "🗞 The newest article:"),
    "digest.more": ("n", "1 more: send /latest to see it."),
    "search.error.too_many_terms": ("terms", "Too many search terms (1, limit {limit}). Search for a few words."),
}

# What the ledger, the delivery counters and a broadcast's outcomes are called (bot.delivery and
# bot.telegram.broadcaster name them in code); a name not listed here is shown as written, in <code>.
LABELS: dict[str, tuple[str, str]] = {
    "pending": ("待发送", "pending"),
    "sending": ("发送中", "sending"),
    "sent": ("已发送", "sent"),
    "skipped": ("已跳过", "skipped"),
    "failed": ("失败", "failed"),
    "uncertain": ("不确定是否送达", "uncertain"),
    "uncertain_resent": ("不确定后重发", "uncertain, resent"),
    "messages_sent": ("消息已发送", "messages sent"),
    "digests_sent": ("摘要已送达", "digests sent"),
    "alerts_sent": ("提醒已送达", "alerts sent"),
    "migrated": ("群组已迁移", "groups migrated"),
    "retry_after": ("被限流", "flood waits"),
    "deferred": ("已推迟", "deferred"),
    "forbidden": ("被拒收（已退订）", "blocked (unsubscribed)"),
    "bad_request": ("被 Telegram 拒绝", "refused by Telegram"),
    "timeout": ("超时", "timeouts"),
    "network": ("网络错误", "network errors"),
    "stopped": ("已停止", "stopped"),
    "claim_lost": ("由其他进程发送", "taken over by another sender"),
    "merged": ("已并入超级群", "merged into a supergroup"),
    "aborted": ("已中止", "aborted"),
    "error": ("出错", "errors"),
    # a live source's status (bot.sources): `timeout` and `network` above serve both
    "ok": ("正常", "ok"),
    "not_modified": ("无更新", "unchanged"),
    "partial": ("部分读取", "partly read"),
    "never": ("尚未抓取", "not polled yet"),
    "bad_url": ("网址无效", "bad URL"),
    "http_error": ("网站返回错误", "server error"),
    "malformed": ("格式损坏", "malformed"),
    "not_a_feed": ("不是订阅源", "not a feed"),
    "redirect_loop": ("重定向循环", "redirect loop"),
    "too_large": ("内容过大", "too large"),
    "undecodable": ("无法解码", "undecodable"),
    "no_text": ("没有正文", "no article text"),
    "missing_folder": ("文件夹不存在", "folder missing"),
    # the running instances (bot.ops.instances)
    "role_all": ("接收并发送", "polls and sends"),
    "role_sender": ("只发送", "sends only"),
    "role_poller": ("只接收", "polls only"),
    "pacer_redis": ("共享限速", "shared send budget"),
    "pacer_local": ("本进程限速", "own send budget"),
    "leader": ("主实例", "leader"),
    "none_running": ("没有在运行的实例", "none running"),
}


def label(lang: str | None, name: str) -> str:
    """A ledger status, delivery counter or outcome as readers say it (HTML)."""
    if name in LABELS:
        return LABELS[name][0 if (lang or DEFAULT_LANGUAGE) == "zh" else 1]
    return f"<code>{html.escape(name)}</code>"


def t(lang: str | None, key: str, /, **values: object) -> str:
    """The template for `key` in `lang` (falling back to Chinese), formatted with `values`; in
    English, the singular template when the key's count is 1 (EN_ONE).

    `lang` and `key` are positional-only so that templates may use `{key}` and `{lang}`."""
    entry = CATALOGUE[key]
    template = entry.get(lang or DEFAULT_LANGUAGE) or entry[DEFAULT_LANGUAGE]
    if lang == "en" and key in EN_ONE and values.get(EN_ONE[key][0]) == 1:
        template = EN_ONE[key][1]
    return template.format(**values) if values else template


def format_date(lang: str | None, day: date) -> str:
    if (lang or DEFAULT_LANGUAGE) == "en":
        return f"{_WEEKDAYS['en'][day.weekday()]} {day.day} {day:%b %Y}"
    return f"{day.year}年{day.month}月{day.day}日 {_WEEKDAYS['zh'][day.weekday()]}"


def language_of(preferred: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    return preferred if preferred in LANGUAGES else default
