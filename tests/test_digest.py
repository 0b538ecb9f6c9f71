"""Digest content and planning on the seeds: what is new per chat, order, rendering, editions,
catch-up windows, and `digestbot digest --preview` / `schedule`."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import select, update

from bot.cli import main
from bot.config import parse_settings
from bot.corpus import ingest_paths
from bot.corpus.enrich import summary_for
from bot.delivery import ledger
from bot.digest.compose import DigestComposer, centrality_order
from bot.digest.plan import missed_fires, plan_alerts, plan_edition
from bot.digest.render import hashtag, render_entry
from bot.digest.schedule import editions, find_edition
from bot.store.chats import ChatView, get_chat, subscribe, update_settings
from bot.store.models import Article, Chat, Delivery
from bot.ui.messages import LIMIT, visible_len, visible_text
from conftest import SEEDS

NOW = datetime(2026, 11, 21, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai, after the morning edition


def ingest_seeds(store, settings, path=SEEDS):
    return ingest_paths(store, settings, [path])


def compose(store, settings, chat=None, now=NOW):
    return DigestComposer(store, settings, summary_for(settings)).for_chat(
        chat, find_edition(settings.digest, None), now
    )


def test_first_digest_has_the_latest_days_articles_in_order(store, settings):
    ingest_seeds(store, settings)
    digest = compose(store, settings)
    assert len(digest.entries) == 14 and digest.more == 0  # the caption is not a story
    titles = [e.title for e in digest.entries]
    # as the README says: every page's lead story first (the editors' own ranking), then
    # keyword centrality; leads are ranked among themselves by centrality too
    with store.session() as s:
        leads = set(s.scalars(select(Article.title).where(Article.position == 0, Article.kind == "article")))
    assert len(leads) == 5 and set(titles[:5]) == leads
    assert all(len(e.summary) == 2 for e in digest.entries)
    text = "\n".join(visible_text(m.text) for m in digest.messages)
    # the seed pages carry no date: the header says what it shows, not today's date
    assert text.startswith("📰 新闻摘要 · 最新 14 篇（原文未注明日期）") and "热词" in text
    # hashtags say what each story is about: not the paper's own district on every entry
    assert sum("#武进" in visible_text(render_entry(e, 1)) for e in digest.entries) <= 2
    assert digest.published is None
    assert "本报讯" not in text  # no datelines in summaries
    assert all(visible_len(m.text) <= LIMIT for m in digest.messages)
    buttons = [d for m in digest.messages for row in m.buttons for _, d in row]
    assert buttons == [f"a:{e.article_id}" for e in digest.entries]


def test_cursor_means_only_new_articles_and_nothing_new_is_skipped_or_noted(store, settings, seeds_copy):
    ingest_seeds(store, settings)
    with store.session() as s:
        newest = s.scalar(select(Article.id).order_by(Article.id.desc()).limit(1))
    chat = ChatView(1, 1, "private", None, None, None, True, None, True, newest)
    assert compose(store, settings, chat) is None  # when_empty = "skip"
    settings.digest.when_empty = "note"
    note = compose(store, settings, chat)
    assert note.entries == [] and "没有新文章" in note.messages[0].text
    (seeds_copy / "005_new.txt").write_text(
        "# 新一天的稿件\n\n本报讯 (记者 王五) 今天武进发布了新的机器人产业政策。\n", encoding="utf-8"
    )
    ingest_seeds(store, settings, seeds_copy)
    fresh = compose(store, settings, chat)
    assert [e.title for e in fresh.entries] == ["新一天的稿件"] and fresh.cursor > newest


def test_per_chat_length_and_language(store, settings):
    ingest_seeds(store, settings)
    chat = ChatView(1, 1, "private", None, "en", 1, True, None, True, None)
    digest = compose(store, settings, chat)
    assert all(len(e.summary) == 1 for e in digest.entries)
    assert digest.messages[0].text.startswith("📰 <b>Digest</b> · the latest 14 articles (undated)")
    assert digest.messages[0].buttons[0][0][0] == "1 Open"


def test_long_digests_split_at_article_boundaries(store, settings):
    ingest_seeds(store, settings)
    settings.digest.summary_sentences = 5
    with store.session.begin() as s:  # make every summary long
        s.execute(update(Article).values(summary=["很长的一句摘要，" * 30 + "。"] * 5))
    digest = DigestComposer(store, settings).for_chat(None, find_edition(settings.digest, None), NOW)
    assert len(digest.messages) > 1
    numbered = []
    for m in digest.messages:
        assert visible_len(m.text) <= LIMIT
        assert m.text.count("<b>") == m.text.count("</b>")
        here = [int(n) for n in re.findall(r"^(\d+)\. ", visible_text(m.text), re.M)]
        assert here  # every message carries whole entries
        numbered += here
        assert [d for row in m.buttons for _, d in row] == [f"a:{digest.entries[n - 1].article_id}" for n in here]
    assert numbered == list(range(1, 15))  # every article once, in order, none cut in two


def test_one_enormous_entry_is_clipped_to_fit_a_message(store, settings, tmp_path):
    page = tmp_path / "huge.txt"
    page.write_text(
        "超长稿件\n\n本报讯(记者 甲)" + "这是一个没有句号只有逗号的长句，" * 600 + "完。\n", encoding="utf-8"
    )
    ingest_seeds(store, settings, page)
    digest = compose(store, settings)
    assert all(visible_len(m.text) <= LIMIT for m in digest.messages)
    assert "…" in visible_text(digest.messages[0].text)
    from bot.digest.render import DigestEntry, alert_message

    with store.session() as s:
        article = s.scalars(select(Article).where(Article.title == "超长稿件")).one()
    entry = DigestEntry.of(article, list(article.summary or []))
    assert visible_len(alert_message("zh", "长句", entry).text) <= LIMIT


def test_plan_edition_is_idempotent_and_cursor_moves_only_on_delivery(store, settings):
    ingest_seeds(store, settings)
    for tid in (11, 12, 13):
        subscribe(store, tid, "private")
    update_settings(store, 13, digests_enabled=False)
    edition = find_edition(settings.digest, None)
    first = plan_edition(store, settings, edition, NOW, summary_for(settings))
    again = plan_edition(store, settings, edition, NOW + timedelta(minutes=5), summary_for(settings))
    assert (first.planned, first.already, again.planned, again.already) == (2, 0, 0, 2)
    assert first.key == "2026-11-21"
    with store.session() as s:
        rows = list(s.scalars(select(Delivery)))
        assert len(rows) == 2 and all(r.status == "pending" for r in rows)
        assert rows[0].payload["articles"] and rows[0].payload["cursor"]
    assert get_chat(store, 11).digest_cursor is None  # planned is not delivered


def test_chats_get_only_their_edition(store):
    settings = parse_settings(
        {
            "digest": {
                "editions": [
                    {"name": "morning", "cron": "0 8 * * *"},
                    {"name": "evening", "cron": "0 18 * * *", "title": {"zh": "晚报", "en": "Evening"}},
                ]
            }
        },
        "t",
        env={},
    )
    settings.storage.database_url = str(store.engine.url.render_as_string(hide_password=False))
    ingest_seeds(store, settings)
    subscribe(store, 1, "private")
    subscribe(store, 2, "private")
    update_settings(store, 2, edition="evening")
    morning, evening = editions(settings.digest)
    assert plan_edition(store, settings, morning, NOW, summary_for(settings)).planned == 1
    assert plan_edition(store, settings, evening, NOW, summary_for(settings)).planned == 1
    with store.session() as s:
        pairs = set(s.execute(select(Chat.telegram_id, Delivery.edition).join(Chat, Chat.id == Delivery.chat_id)))
    assert pairs == {(1, "morning"), (2, "evening")}
    # with several editions, the header names the edition by its title (without one, in Chinese,
    # by its schedule: a Chinese reader never sees the config name)
    composer = DigestComposer(store, settings, summary_for(settings))
    assert composer.for_chat(None, evening, NOW).messages[0].text.startswith("📰 <b>新闻摘要（晚报）</b>")
    assert composer.for_chat(None, morning, NOW).messages[0].text.startswith("📰 <b>新闻摘要（每天 08:00）</b>")
    english = ChatView(3, 3, "private", None, "en", None, True, "evening", True, None)
    assert composer.for_chat(english, evening, NOW).messages[0].text.startswith("📰 <b>Digest (Evening)</b>")


def test_missed_fires_within_grace_are_caught_up_once(store, settings):
    edition = find_edition(settings.digest, None)
    inside = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)  # 09:00 Shanghai: 08:00 fired an hour ago
    outside = datetime(2026, 11, 21, 3, 30, tzinfo=UTC)  # 11:30: beyond the 120-minute grace
    assert [(e.name, f.isoformat()) for e, f in missed_fires(store, settings, inside)] == [
        ("morning", "2026-11-21T08:00:00+08:00")
    ]
    assert missed_fires(store, settings, outside) == []
    plan_edition(store, settings, edition, edition.last_fire_time(inside))
    assert missed_fires(store, settings, inside) == []  # done: nothing to catch up


def test_keyword_alerts_are_planned_once_per_chat_and_article(store, settings, seeds_copy):
    from bot.store.chats import follow

    ingest_seeds(store, settings)
    assert plan_alerts(store, settings) == 0  # first run: the corpus already there is not news
    follow(store, 7, "private", "机器人")
    follow(store, 7, "private", "武进")  # both words match the new page: still one alert
    follow(store, 8, "private", "太空")
    (seeds_copy / "005_new.txt").write_text(
        "# 机器人产业再添新军\n\n本报讯 (记者 王五) 武进今天签约机器人项目。\n", encoding="utf-8"
    )
    ingest_seeds(store, settings, seeds_copy)
    assert plan_alerts(store, settings) == 1
    assert plan_alerts(store, settings) == 0
    with store.session() as s:
        row = s.scalars(select(Delivery)).one()
    assert row.edition == ledger.ALERT and "机器人产业再添新军" in row.payload["messages"][0]["text"]


def test_a_chat_that_blocked_the_bot_gets_alerts_again_once_it_writes(store, settings, seeds_copy):
    from bot.store.chats import follow, touch_chat, unsubscribe

    ingest_seeds(store, settings)
    plan_alerts(store, settings)
    follow(store, 7, "private", "机器人")
    unsubscribe(store, 7, "blocked")  # a 403 while sending
    (seeds_copy / "005_a.txt").write_text("# 机器人一号\n\n本报讯 (记者 王五) 机器人项目签约。\n", encoding="utf-8")
    ingest_seeds(store, settings, seeds_copy)
    assert plan_alerts(store, settings) == 0  # blocked: nothing planned
    touch_chat(store, 7, "private", None)  # they unblocked the bot and wrote again
    (seeds_copy / "006_b.txt").write_text("# 机器人二号\n\n本报讯 (记者 王五) 又一个机器人项目。\n", encoding="utf-8")
    ingest_seeds(store, settings, seeds_copy)
    assert plan_alerts(store, settings) == 1
    assert get_chat(store, 7).subscribed is False  # the digest waits for /subscribe


def test_centrality_prefers_articles_sharing_the_days_terms():
    def art(i, words, position=1):
        return Article(id=i, position=position, keywords=[{"word": w, "weight": 1.0} for w in words], title=str(i))

    ranked = centrality_order(
        [art(1, ["天气"]), art(2, ["武进", "发展", "创新"]), art(3, ["武进", "创新"]), art(4, ["发展", "武进"])]
    )
    assert ranked[-1].id == 1 and ranked[0].id in (2, 3, 4)
    assert hashtag("DH-5") == "#DH5" and hashtag("2024") is None and hashtag("武进") == "#武进"


def test_digest_preview_cli(db_url, seeds_copy):
    runner = CliRunner()
    assert runner.invoke(main, ["digest", "--preview", "--db", db_url]).output.startswith("Nothing new")
    runner.invoke(main, ["ingest", "--db", db_url, str(seeds_copy)])
    out = runner.invoke(main, ["digest", "--preview", "--db", db_url])
    assert out.exit_code == 0 and "新闻摘要 · 最新 14 篇" in out.output and "[1 查看]" in out.output
    data = json.loads(runner.invoke(main, ["digest", "--preview", "--json", "--db", db_url]).output)
    assert len(data["articles"]) == 14 and data["messages"][0]["parse_mode"] == "HTML"
    assert runner.invoke(main, ["digest", "--db", db_url]).exit_code == 2  # --preview is required
    bad = runner.invoke(main, ["digest", "--preview", "--chat", "42", "--db", db_url])
    assert bad.exit_code == 1 and "no chat with id 42" in bad.output


def test_schedule_cli(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[digest.editions]]\nname = "am"\ncron = "0 8 * * 1-5"\ntimezone = "Europe/Berlin"\n')
    out = CliRunner().invoke(main, ["schedule", "--json", "--config", str(cfg), "--count", "2"])
    (item,) = json.loads(out.output)
    assert item["edition"] == "am" and item["timezone"] == "Europe/Berlin" and len(item["next"]) == 2
    assert all(datetime.fromisoformat(t).weekday() < 5 for t in item["next"])


def test_latest_day_uses_publication_dates(store, settings, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "wj_2024-12-07.txt").write_text("旧闻\n\n本报讯(记者 甲)昨天的消息。\n", encoding="utf-8")
    (pages / "wj_2024-12-08.txt").write_text("新闻\n\n本报讯(记者 乙)今天的消息。\n", encoding="utf-8")
    ingest_seeds(store, settings, pages)
    digest = compose(store, settings)
    assert [e.title for e in digest.entries] == ["新闻"] and digest.day == date(2026, 11, 21)
