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
    "button.read": {"zh": "{n} 查看", "en": "{n} Open"},
    "button.read_one": {"zh": "📖 阅读", "en": "📖 Read"},
    "alert.title": {"zh": "🔔 关注词「{word}」有新文章：", "en": "🔔 New article for “{word}”:"},
    # -- start / help ---------------------------------------------------------------------
    "start": {
        "zh": "👋 你好！我是<b>新闻摘要机器人</b>。\n\n"
        "我为每篇报纸文章自动生成摘要和关键词，每天按时推送新闻摘要，并且可以按关键词搜索。\n\n"
        "• /subscribe 订阅每日摘要（每天 {times} 推送）\n"
        "• /digest 马上看今天的摘要\n"
        "• /search 武进 搜索文章（私聊里直接发文字也行）\n"
        "• /help 全部命令",
        "en": "👋 Hi! I am a <b>news digest bot</b>.\n\n"
        "I summarise every newspaper article with key sentences and keywords, push a daily digest "
        "on schedule, and search the articles by keyword.\n\n"
        "• /subscribe to the daily digest (sent {times})\n"
        "• /digest to read today's digest now\n"
        "• /search 武进 to search (in a private chat, just send words)\n"
        "• /help for every command",
    },
    "help": {
        "zh": "<b>命令</b>\n"
        '/digest 今日摘要\n/latest [N] 最新 N 篇\n/search 关键词 搜索（支持 "短语"、-排除、#关键词）\n'
        "/article 编号 查看文章\n/keywords 热门关键词\n"
        "/subscribe /unsubscribe 订阅或退订每日摘要\n/follow 词 /unfollow 词 /following 关键词提醒\n"
        "/settings 本聊天的设置（摘要长度、语言、推送开关）",
        "en": "<b>Commands</b>\n"
        '/digest today\'s digest\n/latest [N] newest N articles\n/search words (supports "a phrase", -exclude, #keyword)\n'
        "/article ID show an article\n/keywords trending keywords\n"
        "/subscribe /unsubscribe the daily digest\n/follow word /unfollow word /following keyword alerts\n"
        "/settings this chat's settings (summary length, language, digests on/off)",
    },
    "help.admin": {
        "zh": "\n\n<b>管理员</b>\n/stats 运行统计\n/reload 重新加载配置\n/push [版次] 立即推送摘要",
        "en": "\n\n<b>Admin</b>\n/stats statistics\n/reload reload the config\n/push [edition] push the digest now",
    },
    "times.join": {"zh": "、", "en": ", "},
    "times.none": {"zh": "（暂未设定时间）", "en": "(no times set)"},
    "button.subscribe": {"zh": "✅ 订阅每日摘要", "en": "✅ Subscribe"},
    "button.digest": {"zh": "📰 今日摘要", "en": "📰 Today's digest"},
    "button.keywords": {"zh": "🔥 热门关键词", "en": "🔥 Trending"},
    # -- subscriptions ---------------------------------------------------------------------
    "subscribe.done": {
        "zh": "✅ 已订阅。每天 {times} 推送摘要。发送 /settings 调整。",
        "en": "✅ Subscribed. Digests arrive {times}. See /settings.",
    },
    "subscribe.already": {
        "zh": "你已经订阅了。发送 /unsubscribe 可退订。",
        "en": "Already subscribed. /unsubscribe to stop.",
    },
    "unsubscribe.done": {
        "zh": "已退订，不会再收到每日摘要。随时可以 /subscribe 重新订阅。",
        "en": "Unsubscribed: no more digests. /subscribe any time.",
    },
    "unsubscribe.not": {"zh": "本聊天尚未订阅。", "en": "This chat is not subscribed."},
    "group.admins_only": {
        "zh": "只有群管理员可以更改本群的订阅和设置。",
        "en": "Only group admins can change this group's subscription and settings.",
    },
    # -- articles --------------------------------------------------------------------------
    "article.usage": {
        "zh": "用法：/article 编号，例如 /article 3。编号可在 /latest 或搜索结果里找到。",
        "en": "Usage: /article ID, e.g. /article 3. IDs are shown by /latest and /search.",
    },
    "article.missing": {"zh": "没有编号为 {id} 的文章。", "en": "No article with ID {id}."},
    "article.summary": {"zh": "📝 <b>摘要</b>", "en": "📝 <b>Summary</b>"},
    "article.keywords": {"zh": "🏷 关键词（点按可搜索）", "en": "🏷 Keywords (tap to search)"},
    "article.caption": {"zh": "（图片说明）", "en": "(photo caption)"},
    "article.id": {"zh": "编号 {id}", "en": "ID {id}"},
    "button.full": {"zh": "📄 全文", "en": "📄 Full text"},
    "button.related": {"zh": "🔗 相关", "en": "🔗 Related"},
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
        "zh": "⚙️ <b>本聊天的设置</b>\n摘要长度：{sentences} 句\n语言：中文\n每日摘要：{digests}\n推送版次：{edition}",
        "en": "⚙️ <b>Settings for this chat</b>\nSummary length: {sentences} sentences\nLanguage: English\nDaily digest: {digests}\nEdition: {edition}",
    },
    "settings.on": {"zh": "开", "en": "on"},
    "settings.off": {"zh": "关", "en": "off"},
    "settings.saved": {"zh": "已保存", "en": "Saved"},
    "button.sentences": {"zh": "{n} 句", "en": "{n} sent."},
    "button.lang_zh": {"zh": "中文", "en": "中文"},
    "button.lang_en": {"zh": "English", "en": "English"},
    "button.digests_on": {"zh": "开启推送", "en": "Digests on"},
    "button.digests_off": {"zh": "关闭推送", "en": "Digests off"},
    # -- admin -----------------------------------------------------------------------------
    "admin.only": {"zh": "抱歉，这个命令只对管理员开放。", "en": "Sorry, that command is for the bot's admins only."},
    "reload.ok": {"zh": "✅ 配置已重新加载（{source}）。{changes}", "en": "✅ Config reloaded ({source}). {changes}"},
    "reload.unchanged": {"zh": "配置没有变化。", "en": "Nothing changed."},
    "reload.changed": {"zh": "已更新：{keys}", "en": "Changed: {keys}"},
    "reload.failed": {
        "zh": "⚠️ 新配置有错误，已拒绝，旧配置继续运行：\n<pre>{error}</pre>",
        "en": "⚠️ The new config is invalid and was refused; the old one keeps running:\n<pre>{error}</pre>",
    },
    "reload.restart": {"zh": "（{keys} 需要重启后生效）", "en": "({keys} take effect after a restart)"},
    "push.done": {
        "zh": "📤 版次 {edition}（{key}）：新排入 {planned} 个聊天，{skipped} 个没有新内容，{already} 个已推送过。发送结果：{outcomes}",
        "en": "📤 Edition {edition} ({key}): {planned} chats queued, {skipped} with nothing new, {already} already done. Sent: {outcomes}",
    },
    "push.no_edition": {"zh": "没有名为 {name} 的版次。现有：{names}", "en": "No edition named {name}. Known: {names}"},
    "stats": {
        "zh": "📊 <b>运行统计</b>\n文章：{articles} 篇（另有图片说明 {captions} 条）\n订阅聊天：{subscribed}（私聊 {private}，群 {groups}，频道 {channels}）\n关注词：{follows}\n"
        "推送记录：{ledger}\n发送统计：{counters}\n下次推送：{next}\n配置：{source}",
        "en": "📊 <b>Statistics</b>\nArticles: {articles} (plus {captions} photo captions)\nSubscribed chats: {subscribed} (private {private}, groups {groups}, channels {channels})\nFollowed words: {follows}\n"
        "Ledger: {ledger}\nDelivery: {counters}\nNext digest: {next}\nConfig: {source}",
    },
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
        "zh": "⚠️ 配置文件的改动有错误，已拒绝，旧配置继续运行：\n<pre>{error}</pre>",
        "en": "⚠️ The config file change is invalid and was refused; the old config keeps running:\n<pre>{error}</pre>",
    },
    "menu.start": {"zh": "开始使用", "en": "What this bot does"},
    "menu.help": {"zh": "全部命令", "en": "All commands"},
    "menu.digest": {"zh": "今日摘要", "en": "Today's digest"},
    "menu.latest": {"zh": "最新文章", "en": "Newest articles"},
    "menu.search": {"zh": "搜索文章", "en": "Search articles"},
    "menu.keywords": {"zh": "热门关键词", "en": "Trending keywords"},
    "menu.subscribe": {"zh": "订阅每日摘要", "en": "Subscribe to the daily digest"},
    "menu.unsubscribe": {"zh": "退订", "en": "Unsubscribe"},
    "menu.follow": {"zh": "关注关键词", "en": "Follow a keyword"},
    "menu.following": {"zh": "我关注的词", "en": "Followed keywords"},
    "menu.settings": {"zh": "设置", "en": "Settings"},
}


def t(lang: str | None, key: str, /, **values: object) -> str:
    """The template for `key` in `lang` (falling back to Chinese), formatted with `values`.

    `lang` and `key` are positional-only so that templates may use `{key}` and `{lang}`."""
    entry = CATALOGUE[key]
    template = entry.get(lang or DEFAULT_LANGUAGE) or entry[DEFAULT_LANGUAGE]
    return template.format(**values) if values else template


def format_date(lang: str | None, day: date) -> str:
    if (lang or DEFAULT_LANGUAGE) == "en":
        return f"{_WEEKDAYS['en'][day.weekday()]} {day.day} {day:%b %Y}"
    return f"{day.year}年{day.month}月{day.day}日 {_WEEKDAYS['zh'][day.weekday()]}"


def language_of(preferred: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    return preferred if preferred in LANGUAGES else default
