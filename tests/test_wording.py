"""What users read: schedules in words from cron lines, edition titles, English plurals, and no
English internals (`morning`, `sent`, `digests_sent`, validation text) anywhere in the Chinese UI."""

from __future__ import annotations

import re
from datetime import date

import pytest
from e2e_harness import BotRun, Env, run_bot
from hypothesis import given
from hypothesis import strategies as st

from bot.config import parse_settings
from bot.digest.compose import Digest
from bot.digest.render import DigestEntry, render_digest
from bot.digest.schedule import editions
from bot.ui.i18n import CATALOGUE, EN_ONE, LABELS, t
from bot.ui.messages import visible_text
from bot.ui.when import describe_cron, edition_title

pytest_plugins = ["e2e_harness"]
SHANGHAI = "Asia/Shanghai"

CRONS = [
    ("0 8 * * *", "每天 08:00", "every day at 08:00"),
    ("30 18 * * 1-5", "工作日 18:30", "on weekdays at 18:30"),
    ("30 18 * * mon-fri", "工作日 18:30", "on weekdays at 18:30"),
    ("0 9 * * 1,3", "每周一、三 09:00", "on Mondays and Wednesdays at 09:00"),
    ("0 9 * * 1,3,5", "每周一、三、五 09:00", "on Mondays, Wednesdays and Fridays at 09:00"),
    ("0 9 * * 0", "每周日 09:00", "on Sundays at 09:00"),
    ("0 9 * * 7", "每周日 09:00", "on Sundays at 09:00"),
    ("0 10 * * 6,0", "每周六、日 10:00", "on Saturdays and Sundays at 10:00"),
    ("0 7 * * 0-6", "每天 07:00", "every day at 07:00"),
    ("5 7 1 * *", "每月1日 07:05", "on the 1st of every month at 07:05"),
    ("0 7 1,15 * *", "每月1日、15日 07:00", "on the 1st and 15th of every month at 07:00"),
    ("0 7 1-7 * *", "每月1日至7日 07:00", "on the 1st to 7th of every month at 07:00"),
    ("0 7 2,3,22 * *", "每月2日、3日、22日 07:00", "on the 2nd, 3rd and 22nd of every month at 07:00"),
    ("0 8 1 1 *", "每年1月1日 08:00", "on the 1st of January at 08:00"),
    ("0 8 * 12 1-5", "每年12月工作日 08:00", "on weekdays in December at 08:00"),
    ("0 6 * jan,jul 1", "每年1月、7月每周一 06:00", "on Mondays in January and July at 06:00"),
    # an edition delivers once a day per chat: the day's first fire is the promise
    ("0 8,18 * * *", "每天 08:00", "every day at 08:00"),
    ("15,45 */6 * * *", "每天 00:15", "every day at 00:15"),
]


@pytest.mark.parametrize(("cron", "zh", "en"), CRONS)
def test_cron_lines_in_words_in_both_languages(cron: str, zh: str, en: str) -> None:
    assert describe_cron("zh", cron, SHANGHAI, SHANGHAI) == zh
    assert describe_cron("en", cron, SHANGHAI, SHANGHAI) == en


def test_the_time_zone_is_said_only_when_it_is_not_the_bots() -> None:
    assert describe_cron("zh", "0 8 * * 1-5", "Europe/Berlin", SHANGHAI) == "工作日 08:00（Europe/Berlin 时间）"
    assert describe_cron("en", "0 8 * * 1-5", "Europe/Berlin", SHANGHAI) == "on weekdays at 08:00 (Europe/Berlin time)"
    assert describe_cron("en", "0 8 * * 1-5", SHANGHAI, SHANGHAI) == "on weekdays at 08:00"


@given(
    minute=st.integers(0, 59),
    hour=st.integers(0, 23),
    days=st.sets(st.integers(0, 6), min_size=1),
)
def test_every_weekday_cron_reads_as_words_with_its_first_time(minute: int, hour: int, days: set[int]) -> None:
    cron = f"{minute} {hour} * * {','.join(map(str, sorted(days)))}"
    for lang in ("zh", "en"):
        words = describe_cron(lang, cron, SHANGHAI, SHANGHAI)
        assert f"{hour:02d}:{minute:02d}" in words and cron not in words


def test_edition_titles_per_language_with_fallbacks() -> None:
    settings = parse_settings(
        {
            "digest": {
                "editions": [
                    {"name": "am", "cron": "0 8 * * *", "title": {"zh": "早报", "en": "Morning"}},
                    {"name": "pm", "cron": "0 18 * * 1-5", "title": "晚报"},
                    {"name": "weekly", "cron": "0 9 * * 1"},
                ]
            }
        },
        "t",
        env={},
    )
    am, pm, weekly = editions(settings.digest)
    assert [edition_title("zh", e) for e in (am, pm, weekly)] == ["早报", "晚报", "每周一 09:00"]
    assert [edition_title("en", e) for e in (am, pm, weekly)] == ["Morning", "晚报", "weekly"]
    with pytest.raises(ValueError, match="title"):
        parse_settings(
            {"digest": {"editions": [{"name": "x", "cron": "0 8 * * *", "title": {"fr": "Matin"}}]}}, "t", {}
        )


def test_english_plurals_for_one() -> None:
    assert t("en", "digest.count", n=1) == "1 new article."
    assert t("en", "digest.count", n=2).startswith("2 new articles")
    assert t("en", "button.sentences", n=1) == "1 sentence" and t("en", "button.sentences", n=3) == "3 sentences"
    assert "1 result (" in t("en", "search.header", query="x", total=1, page=1, pages=1)
    assert "2 results (" in t("en", "search.header", query="x", total=2, page=1, pages=1)
    panel = t("en", "settings.title", sentences=1, digests="on", edition="x")
    assert "Summary length: 1 sentence\n" in panel
    digest = Digest(date(2024, 12, 8), "en", None, [DigestEntry(1, "T", None, ["S."], [])], 0, [], 1)
    digest.published = (date(2024, 12, 8), date(2024, 12, 8))
    assert "1 new article." in render_digest(digest)[0].text
    for key, (count, singular) in EN_ONE.items():  # the singular forms keep the other placeholders
        fields = set(re.findall(r"{(\w*)}", CATALOGUE[key]["en"])) - {count}
        assert set(re.findall(r"{(\w*)}", singular)) == fields, key


def test_a_dated_digest_says_its_articles_date_and_today_only_when_it_is() -> None:
    entry = DigestEntry(1, "标题", None, ["摘要。"], [])
    digest = Digest(date(2024, 12, 9), "zh", None, [entry], 0, [], 1)
    digest.published = (date(2024, 12, 8), date(2024, 12, 8))
    assert render_digest(digest)[0].text.startswith("📰 <b>新闻摘要</b> · 2024年12月8日 星期日")
    digest.published = (date(2024, 12, 9), date(2024, 12, 9))
    assert render_digest(digest)[0].text.startswith("📰 <b>今日新闻摘要</b> · 2024年12月9日 星期一")
    digest.published = (date(2024, 12, 7), date(2024, 12, 9))
    assert "2024年12月7日 星期六 至 2024年12月9日 星期一" in render_digest(digest)[0].text
    digest.published = None
    assert render_digest(digest)[0].text.startswith("📰 <b>新闻摘要</b> · 最新 1 篇（原文未注明日期）")


# -- no English internals in the Chinese UI ----------------------------------------------------------

# ASCII words a Chinese reader may see: the language button, search operators the user typed
ALLOWED = {"English", "AND", "OR", "NEAR", "Telegram"}


def ascii_words(html_text: str) -> list[str]:
    """English words in what a reader sees, leaving out commands, and identifiers in <code>/<pre>
    (config keys, file paths, edition names that admins type in /push)."""
    text = re.sub(r"<(code|pre)>.*?</\1>", "", html_text, flags=re.S)
    text = visible_text(text)
    text = re.sub(r"/\w+(@\w+)?|\{\w*\}|#\w+", "", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in ALLOWED]


def test_no_chinese_template_holds_english_words() -> None:
    found = {key: ascii_words(entry["zh"]) for key, entry in CATALOGUE.items()}
    assert {k: v for k, v in found.items() if v} == {}
    assert [name for name, (zh, _) in LABELS.items() if ascii_words(zh)] == []


def test_every_rendered_chinese_message_is_free_of_english_internals(env: Env, tmp_path) -> None:
    """/start, /help, /subscribe, /settings, /push, /stats, /reload and the digest header, as a
    Chinese admin meets them after a push, on a config whose editions have no titles."""
    config = tmp_path / "digestbot.toml"
    url = env.settings.storage.database_url
    config.write_text(
        f'[storage]\ndatabase_url = "{url}"\n[telegram]\nadmins = [9001]\n[digest]\ncatchup_grace_minutes = 0\n'
        '[[digest.editions]]\nname = "morning"\ncron = "0 3 * * *"\n'
        '[[digest.editions]]\nname = "evening"\ncron = "30 18 * * 1-5"\ntimezone = "Europe/Berlin"\n',
        "utf-8",
    )
    from bot.config import load_config

    shown: list[str] = []

    async def scenario(bot: BotRun) -> None:
        admin = bot.admin()
        for command in ("/start", "/help", "/subscribe", "/subscribe", "/settings"):
            shown.append((await bot.reply(admin, admin, command)).source)
        pushed = await bot.say(admin, admin, "/push", count=2)  # the digest, then the report
        shown.extend([pushed[0].source.split("\n\n")[0], pushed[-1].source])
        shown.append((await bot.reply(admin, admin, "/stats")).source)
        config.write_text(config.read_text("utf-8").replace("0 3 * * *", "0 4 * * *"), "utf-8")
        shown.append((await bot.reply(admin, admin, "/reload")).source)
        shown.append((await bot.reply(admin, admin, "/push nope")).source)
        digest = await bot.say(admin, admin, "/digest")
        shown.append(digest[0].source.split("\n\n")[0])  # the header (the rest is the corpus's text)
        config.write_text(config.read_text("utf-8").replace("0 4 * * *", "0 25 * * *"), "utf-8")
        shown.append((await bot.reply(admin, admin, "/reload")).source)

    run_bot(Env(load_config(config).settings, env.store, config), scenario)
    text = "\n\n".join(shown)
    assert "每天 03:00" in shown[0] and "早报" not in text  # no titles: the schedule names the edition
    assert "已发送 1" in text and "摘要已送达 1" in text and "内置默认值" not in text
    assert {i: ascii_words(m) for i, m in enumerate(shown) if ascii_words(m)} == {}


def test_start_subscribe_and_settings_tell_the_chats_own_schedule_and_one_truth(env: Env) -> None:
    """/start and /subscribe describe the edition the chat picked; /settings shows the subscription
    (not "digests on" in a chat that is not subscribed) and its button is /subscribe."""
    settings = env.settings.model_copy(deep=True)
    settings.digest.editions = [
        *settings.digest.editions,
        parse_settings(
            {"digest": {"editions": [{"name": "pm", "cron": "30 18 * * 1-5", "timezone": "Europe/Berlin"}]}}, "t", {}
        ).digest.editions[0],
    ]
    hour = int(settings.digest.editions[0].cron.split()[1])

    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        assert f"每天 {hour:02d}:00 推送" in (await bot.reply(alice, alice, "/start")).text  # the default edition
        panel = await bot.reply(alice, alice, "/settings")
        assert "新闻摘要：未订阅" in panel.text and "✅ 订阅" in [b.text for b in panel.button_list]
        await bot.press(alice, panel, "工作日 18:30")  # the edition button: its schedule, not "pm"
        start = await bot.reply(alice, alice, "/start")
        assert "工作日 18:30（Europe/Berlin 时间） 推送" in start.text and "每天" not in start.text.split("•")[1]
        await bot.press(alice, panel, "✅ 订阅")
        assert "新闻摘要：已订阅，工作日 18:30（Europe/Berlin 时间） 推送" in panel.text
        assert "退订" in [b.text for b in panel.button_list]
        assert "工作日 18:30（Europe/Berlin 时间）" in (await bot.reply(alice, alice, "/subscribe")).text

    run_bot(Env(settings, env.store), scenario)
