"""The bot's own admins (telegram.admins): /stats, /reload, /push. Everyone else is refused politely."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.config.runtime import Runtime
from bot.digest.schedule import editions, find_edition
from bot.ops.stats import collect
from bot.telegram.handlers.common import Context, args_text, chat_language, off_loop, runtime, send, services
from bot.ui.i18n import label, t
from bot.ui.messages import escape
from bot.ui.when import edition_title


async def _admin_only(update: Update, context: Context) -> bool:
    user = update.effective_user
    if user is not None and runtime(context).is_admin(user.id):
        return True
    await send(update, context, t(await chat_language(update, context), "admin.only"))
    return False


def _stats_text(rt: Runtime, lang: str) -> str:
    data = collect(rt.store, rt.settings)
    titles = {e.name: edition_title(lang, e) for e in editions(rt.settings.digest)}
    sep = "，" if lang == "zh" else ", "

    def counts(values: dict) -> str:
        """Statuses, counters and outcomes by the names readers use (bot.ui.i18n.LABELS)."""
        return sep.join(f"{label(lang, k)} {v}" for k, v in values.items() if v is not None) or "—"

    upcoming = {
        name: when[:16].replace("T", " ") for name, when in data["next"].items() if when
    }  # local time of the edition

    text = t(
        lang,
        "stats",
        articles=data["articles"]["article"],
        captions=data["articles"]["caption"],
        subscribed=data["subscribed"]["total"],
        private=data["subscribed"]["private"],
        groups=data["subscribed"]["groups"],
        channels=data["subscribed"]["channels"],
        follows=data["follows"],
        ledger=counts(data["ledger"]),
        counters=counts(data["delivery"]),
        next=sep.join(f"{escape(titles.get(n, n))} {when}" for n, when in upcoming.items()) or "—",
        source=f"<code>{escape(str(rt.config_path))}</code>" if rt.config_path else t(lang, "config.defaults"),
    )
    if data.get("sources"):
        text += t(lang, "stats.sources", sources=sep.join(_source(lang, n, v) for n, v in data["sources"].items()))
    shown = sep.join(_instance(lang, i) for i in data["instances"]) or label(lang, "none_running")
    return text + "\n" + t(lang, "stats.instances", instances=shown)


def _instance(lang: str, instance: dict) -> str:
    """`host:pid:x（收发，共享限速，主实例）`: its role, its pacer, whether it leads."""
    parts = [label(lang, f"role_{instance['role']}"), label(lang, f"pacer_{instance['pacer']}")]
    if instance["leader"]:
        parts.append(label(lang, "leader"))
    opening, closing = ("（", "）") if lang == "zh" else (" (", ")")
    return f"<code>{escape(instance['id'])}</code>{opening}{('，' if lang == 'zh' else ', ').join(parts)}{closing}"


def _source(lang: str, name: str, state: dict) -> str:
    """`name status ×failures +new` with the status as readers say it."""
    extra = (f" ×{state['failures']}" if state["failures"] else "") + (f" +{state['new']}" if state["new"] else "")
    return f"{escape(name)} {label(lang, state['status'])}{extra}"


async def stats(update: Update, context: Context) -> None:
    if not await _admin_only(update, context):
        return
    lang = await chat_language(update, context)
    await send(update, context, await off_loop(_stats_text, runtime(context), lang))


async def reload_command(update: Update, context: Context) -> None:
    if not await _admin_only(update, context):
        return
    lang = await chat_language(update, context)
    await send(update, context, await services(context).reload(lang))


async def push(update: Update, context: Context) -> None:
    if not await _admin_only(update, context):
        return
    lang = await chat_language(update, context)
    rt = runtime(context)
    name = args_text(update, context) or None
    names = [e.name for e in rt.settings.digest.editions]
    edition = find_edition(rt.settings.digest, name)
    if edition is None or (name is not None and edition.name != name):
        shown = f"<code>{escape(name)}</code>" if name else "—"
        known = ", ".join(f"<code>{escape(n)}</code>" for n in names) or "—"
        await send(update, context, t(lang, "push.no_edition", name=shown, names=known))
        return
    report, stats_ = await services(context).run_edition(edition, datetime.now(UTC))
    sep = "，" if lang == "zh" else ", "
    outcomes = sep.join(f"{label(lang, k)} {v}" for k, v in sorted(stats_.outcomes.items())) or "—"
    await send(
        update,
        context,
        t(
            lang,
            "push.done",
            edition=f"{escape(edition_title(lang, edition))} <code>{escape(edition.name)}</code>",
            key=report.key,
            planned=report.planned,
            skipped=report.skipped,
            already=report.already,
            outcomes=outcomes,
        ),
    )
