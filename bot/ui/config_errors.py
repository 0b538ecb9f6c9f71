"""A refused config file as an admin reads it, in the admin's language (HTML).

bot.config raises ConfigError with an English message for logs and the command line, and the
same facts as data (`kind`, `details`, one problem per bad key). In English the message is
shown as it is; in Chinese each problem is said again from those facts: the key and the value
stay as written (in <code>), what is wrong and what is allowed is said in Chinese. A problem
of a kind not known here keeps its English detail rather than being hidden.
"""

from __future__ import annotations

import re
from typing import Any

from bot.ui.messages import escape

# pydantic error types -> what is wrong, in Chinese (HTML; {…}: the error's context, escaped)
_ZH_TYPES = {
    "missing": "缺少这个必填的键",
    "extra_forbidden": "没有这个键（拼写错误？）",
    "literal_error": "只能是 <code>{expected}</code>",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "必须大于 {gt}",
    "less_than": "必须小于 {lt}",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 <code>true</code> 或 <code>false</code>",
    "bool_type": "应为 <code>true</code> 或 <code>false</code>",
    "string_type": "应为带引号的文字",
    "list_type": "应为列表，例如 <code>[1, 2]</code>",
    "dict_type": "应为表格",
    "model_type": "应为表格",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "只能包含字母、数字、<code>_</code> 和 <code>-</code>",
}
# our own validators' messages (bot.config.settings) -> Chinese (HTML), by a phrase of the English
_ZH_DETAILS = [
    ("not a known IANA time zone", "不是已知的时区名，例如 <code>Asia/Shanghai</code>、<code>UTC</code>"),
    (
        "not a valid cron expression",
        "不是有效的定时表达式：应为 5 个字段（分 时 日 月 周，0 和 7 是周日），例如 <code>0 8 * * 1-5</code>",
    ),
    (
        "must be an https:// URL",
        "必须是 <code>https://</code> 网址：Telegram 只向加密网址推送更新。机器人在终止加密的反向代理后面用普通 "
        "<code>http</code> 监听时，这里填代理的公开 <code>https://</code> 网址，监听地址和端口用 "
        "<code>telegram.webhook_listen</code>、<code>telegram.webhook_port</code> 设置",
    ),
    ("must be an http:// or https:// URL", "必须是 <code>http://</code> 或 <code>https://</code> 开头的网址，或留空"),
    ("edition names must be unique", "版次名称不能重复"),
]


_NAMED_FIELD = re.compile(r"^(\w+) = ('.*?') ")  # "cron = '61 25 * * *' not a valid cron expression (...)"


def _zh_problem(problem: dict[str, Any]) -> str:
    kind, ctx, detail = problem["type"], dict(problem.get("ctx") or {}), problem["detail"]
    key, value = problem["key"], problem["value"]
    named = _NAMED_FIELD.match(detail)
    if named and value is None:  # a check over a whole table that names its field
        key, value = f"{key}.{named[1]}", named[2]
    if kind == "literal_error" and isinstance(ctx.get("expected"), str):
        ctx["expected"] = ctx["expected"].replace(" or ", "、")
    said = _ZH_TYPES.get(kind)
    if said is not None:
        try:
            said = said.format(**{k: escape(str(v)) for k, v in ctx.items()})
        except (KeyError, IndexError):
            said = None
    if said is None:
        said = next((zh for en, zh in _ZH_DETAILS if en in detail), None)
    if said is None:
        said = f"值无效：{escape(detail)}"  # not known here: the English detail rather than nothing
    shown = "" if value is None else f" = <code>{escape(value)}</code>"
    return f"• <code>{escape(key)}</code>{shown}：{said}"


def _zh_other(error: Any) -> str | None:
    details, path = error.details, f"<code>{escape(str(error.details.get('path', '')))}</code>"
    if error.kind == "toml":
        where = f"（第 {details['line']} 行第 {details['column']} 列）" if details.get("line") else ""
        return f"• {path} 的格式有误，不是有效的 <code>TOML</code>{where}"
    if error.kind == "utf8":
        return f"• {path} 不是 <code>UTF-8</code> 编码的文本"
    if error.kind == "unreadable":
        return f"• 无法读取配置文件 {path}"
    if error.kind == "env_only":
        key, var = escape(details["key"]), escape(details["variable"])
        return f"• <code>{key}</code> 不能写在配置文件里，请设置环境变量 <code>{var}</code>"
    if error.kind == "table":
        return f"• <code>{escape(details['key'])}</code> 应为表格"
    return _zh_refusal(error.kind, details, path)


def _zh_refusal(kind: str, details: dict[str, Any], path: str) -> str | None:
    """A valid file refused because it would silently drop admins or editions (bot.config.runtime)."""
    if kind == "empty_file":
        return f"• {path} 是空的：重新加载会把所有设置（包括管理员和版次）恢复为内置默认值。如果确实要用默认值，请删除这个文件后重启"
    if kind == "drops_admins":
        ids = escape(str(details.get("ids", "")))
        return (
            f"• {path} 没有写 <code>telegram.admins</code>：重新加载会去掉管理员 {ids}。"
            "如果确实要去掉，请在 <code>[telegram]</code> 下写 <code>admins = []</code>"
        )
    if kind == "drops_editions":
        names = escape(str(details.get("names", "")))
        return (
            f"• {path} 没有写 <code>digest.editions</code>：重新加载会把版次（{names}）换成内置默认版次。"
            "请用 <code>[[digest.editions]]</code> 列出要保留的版次"
        )
    return None


def config_error_html(lang: str, error: Any, message: str) -> str:
    """What was wrong with the refused file, for the admin (HTML, under the refusal's heading)."""
    if lang == "zh" and error is not None:
        if error.kind == "invalid" and error.problems:
            return "\n".join(_zh_problem(p) for p in error.problems)
        said = _zh_other(error)
        if said is not None:
            return said
    return f"<pre>{escape(message)}</pre>"
