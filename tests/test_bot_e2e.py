"""End to end over real HTTP: the bot from `build_application` against the Bot API stand-in,
driven as Telegram users; every command, search paging, article buttons, settings and admin.

The main flow runs on SQLite and PostgreSQL; the focused tests on a SQLite copy of the seeds.
Helpers and invariants (no message refused by the stand-in, callback data ≤ 64 bytes, no
handler error) live in e2e_harness.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import BotRun, Env, run_bot, visible

from bot.corpus.enrich import summary_for
from bot.search import related
from bot.standin.model import Message
from bot.store import chats as chat_service
from bot.store.articles import article_dict, get_article
from bot.ui.messages import utf16_len

pytest_plugins = ["e2e_harness"]
pytestmark = pytest.mark.timeout(120)

PAGE = re.compile(r"第 (\d+)/(\d+) 页")


def page_of(message: Message) -> tuple[int, int]:
    match = PAGE.search(message.text or "")
    assert match, message.text
    return int(match.group(1)), int(match.group(2))


def hit_ids(message: Message) -> list[int]:
    return [int(b.data[2:]) for row in message.buttons for b in row if b.data and b.data.startswith("a:")]


def labels(message: Message) -> list[str]:
    return [b.text for b in message.button_list]


# -- the main flow, on both backends -------------------------------------------------------------


async def main_flow(bot: BotRun) -> None:
    tg = bot.tg
    alice = tg.user("Alice", id=1001)
    admin = bot.admin()

    # /start: what the bot does, how to subscribe, an example search, and menu buttons
    start = await bot.reply(alice, alice, "/start")
    assert "新闻摘要机器人" in start.text and "/subscribe" in start.text and "/search 武进" in start.text
    assert [b.data for b in start.button_list] == ["m:sub", "m:digest", "m:keywords"]
    assert tg.commands()[0] == {"command": "start", "description": "开始使用"}  # the menu, in Chinese
    assert tg.commands(language_code="en")[0]["description"] == "What this bot does"

    # /help: no admin section for users, one for admins
    help_ = await bot.reply(alice, alice, "/help")
    assert "/search" in help_.text and "/follow" in help_.text and "/push" not in help_.text
    assert "/push" in (await bot.reply(admin, admin, "/help")).text

    # subscribe twice: the second says so
    assert "已订阅" in (await bot.reply(alice, alice, "/subscribe")).text
    assert "已经订阅" in (await bot.reply(alice, alice, "/subscribe")).text
    chat = chat_service.get_chat(bot.store, alice.id)
    assert chat is not None and chat.subscribed

    # /search with paging that edits the same message
    results = await bot.reply(alice, alice, "/search 武进")
    assert results.text.startswith("🔍 武进")
    page, pages = page_of(results)
    assert (page, pages) == (1, pages) and pages >= 2
    first_ids = hit_ids(results)
    # every hit is labelled by the ID /article takes, in the text and on its button (issue 12.9)
    assert len(first_ids) == 5 and labels(results)[:5] == [f"[{i}]" for i in first_ids]
    assert all(f"[{i}] " in results.text for i in first_ids) and f"/article {first_ids[0]}" in results.text
    assert labels(results)[5:] == [f"1/{pages}", "下一页 ▶"]
    query, new = await bot.press(alice, results, "下一页 ▶")
    assert new == [] and query.answer is not None
    assert page_of(results) == (2, pages) and len(results.edits) == 1
    assert labels(results)[0] == f"[{hit_ids(results)[0]}]" and "◀ 上一页" in labels(results)
    assert not set(hit_ids(results)) & set(first_ids)
    await bot.press(alice, results, "◀ 上一页")
    assert page_of(results) == (1, pages) and hit_ids(results) == first_ids

    # a hit's button opens the article card
    _, (card,) = await bot.press_for(alice, results, f"[{first_ids[0]}]")
    article = get_article(bot.store, first_ids[0])
    assert article is not None
    assert article.title in card.text and f"编号 {article.id}" in card.text and "摘要" in card.text
    assert labels(card)[-2:] == ["📄 全文", "🔗 相关"]
    words = [k["word"] for k in article.keywords][:8]
    assert labels(card)[: len(words)] == words

    # a keyword button searches that keyword
    _, (by_word,) = await bot.press_for(alice, card, words[0])
    assert by_word.text.startswith(f"🔍 {words[0]}") and article.id in hit_ids(by_word)

    # 全文 sends the whole text; 相关 lists related articles as buttons
    _, full = await bot.press_for(alice, card, "📄 全文")
    shown = visible(full)
    assert all(block.text in shown for block in article.blocks)
    _, (shown_related,) = await bot.press_for(alice, card, "🔗 相关")
    expected = [h.id for h in related(bot.store, article.id, 5)]  # what the service finds
    if expected:
        assert shown_related.text.startswith("🔗 与《") and hit_ids(shown_related) == expected
    else:  # nothing above the similarity floor: said, not an empty list
        assert shown_related.text == "暂时没有找到相关文章。" and shown_related.buttons == []
    assert article.id not in hit_ids(shown_related)

    # /latest [N], /article ID, /keywords
    latest = await bot.reply(alice, alice, "/latest")
    assert latest.text.startswith("🗞 最新 5 篇") and len(hit_ids(latest)) == 5
    newest = hit_ids(latest)[0]
    typed = await bot.reply(alice, alice, f"/article {newest}")  # the number shown is the one to type
    _, (pressed,) = await bot.press_for(alice, latest, f"[{newest}]")
    assert f"[{newest}] " in latest.text and typed.text == pressed.text and f"编号 {newest}" in typed.text
    assert len(hit_ids(await bot.reply(alice, alice, "/latest 3"))) == 3
    by_id = await bot.reply(alice, alice, f"/article {article.id}")
    assert by_id.text == card.text
    keywords = await bot.reply(alice, alice, "/keywords")
    assert keywords.text.startswith("🔥") and len(keywords.button_list) == 12
    top = keywords.button_list[0].text.split(" (")[0]
    _, (searched,) = await bot.press_for(alice, keywords, keywords.button_list[0].text)
    assert searched.text.startswith(f"🔍 {top}")

    # follows
    assert "已关注「机器人」" in (await bot.reply(alice, alice, "/follow 机器人")).text
    assert "已经在关注" in (await bot.reply(alice, alice, "/follow 机器人")).text
    assert "机器人" in (await bot.reply(alice, alice, "/following")).text
    assert "已取消关注" in (await bot.reply(alice, alice, "/unfollow 机器人")).text
    assert "没有关注" in (await bot.reply(alice, alice, "/unfollow 机器人")).text
    assert "还没有关注" in (await bot.reply(alice, alice, "/following")).text

    # /settings: a button edits the panel in place
    panel = await bot.reply(alice, alice, "/settings")
    assert "摘要长度：2 句" in panel.text and "✓ 2 句" in labels(panel)
    query, new = await bot.press(alice, panel, "1 句")
    assert new == [] and query.answer.text == "已保存"
    assert "摘要长度：1 句" in panel.text and "✓ 1 句" in labels(panel)

    # /digest: today's digest now
    digest = await bot.say(alice, alice, "/digest")
    assert digest[0].text.startswith("📰") and "篇新文章" in digest[0].text

    # admin commands: refused politely to Alice, working for the admin
    for name in ("stats", "reload", "push"):
        assert (await bot.reply(alice, alice, f"/{name}")).text == "抱歉，这个命令只对管理员开放。"
    stats = await bot.reply(admin, admin, "/stats")
    assert "运行统计" in stats.text and "订阅聊天：1" in stats.text
    mark = tg.mark()
    pushed = await bot.reply(admin, admin, "/push")
    assert "新排入 1 个聊天" in pushed.text and "已发送 1" in pushed.text
    received = bot.new(alice, mark)
    assert received and received[0].text.startswith("📰")
    mark = tg.mark()
    again = await bot.reply(admin, admin, "/push")
    assert "新排入 0 个聊天" in again.text and "1 个已推送过" in again.text
    assert bot.new(alice, mark) == []

    # unsubscribe twice
    assert "已退订" in (await bot.reply(alice, alice, "/unsubscribe")).text
    assert "尚未订阅" in (await bot.reply(alice, alice, "/unsubscribe")).text
    assert not chat_service.get_chat(bot.store, alice.id).subscribed


def test_main_flow(both_env: Env) -> None:
    run_bot(both_env, main_flow)


# -- search and paging -----------------------------------------------------------------------------


def test_paging_walks_every_page_in_one_message_and_back(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        alice = tg.user("Alice")
        results = await bot.reply(alice, alice, "武进")  # in private, plain words are a search
        _, pages = page_of(results)
        seen: list[int] = []
        for n in range(1, pages + 1):
            assert page_of(results) == (n, pages)
            ids = hit_ids(results)
            assert labels(results)[: len(ids)] == [f"[{i}]" for i in ids]  # the IDs /article takes
            seen += ids
            nav = labels(results)[len(ids) :]
            assert ("◀ 上一页" in nav) == (n > 1) and ("下一页 ▶" in nav) == (n < pages)
            if n < pages:
                _, new = await bot.press(alice, results, "下一页 ▶")
                assert new == []
        assert len(seen) == len(set(seen))  # every hit once across the pages
        total = int(re.search(r"共 (\d+) 条", results.text).group(1))
        assert len(seen) == total
        for n in range(pages - 1, 0, -1):
            await bot.press(alice, results, "◀ 上一页")
            assert page_of(results) == (n, pages)
        # the page indicator is inert: answered, nothing edited
        edits = len(results.edits)
        query, new = await bot.press(alice, results, f"1/{pages}")
        assert query.answer is not None and query.answer.text is None and new == []
        assert len(results.edits) == edits
        # a second press on a page already shown (a double tap) changes nothing and is answered
        stale = next(b.data for b in results.button_list if b.text == "下一页 ▶")
        await bot.press(alice, results, data=stale)
        query, new = await bot.press(alice, results, data=stale)
        assert query.answer is not None and new == [] and page_of(results) == (2, pages)
        # exactly one search message in the chat, whatever was pressed
        assert [m.text.startswith("🔍") for m in tg.bot_messages(alice)] == [True]

    # pressing the page already shown makes Telegram answer "message is not modified"; the bot
    # expects that answer and moves on
    run_bot(env, scenario, allow_refused=lambda c: "message is not modified" in (c.description or ""))


def test_search_results_in_english_and_escaped_query(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        chat_service.update_settings(bot.store, alice.id, language="en")
        results = await bot.reply(alice, alice, "/search 机器人")
        assert re.match(r"🔍 机器人 · \d+ results \(page 1/\d+\)\n", results.text), results.text
        none = await bot.reply(alice, alice, '/search <b>不存在的词</b> & "x"')
        assert none.text == '🔍 Nothing found for <b>不存在的词</b> & "x". Try other words?'
        assert none.source.count("<b>") == 1 and "&lt;b&gt;" in none.source

    run_bot(env, scenario)


# -- articles: card, full text split, related ------------------------------------------------------

LONG_SENTENCE = "第{n}句说的是武进长篇报道里的一件事情，内容写得比较长，用来测试全文按句子分段发送。"


def long_page(paragraph_sentences: list[int]) -> str:
    n = 0
    paragraphs = []
    for count in paragraph_sentences:
        sentences = []
        for _ in range(count):
            n += 1
            sentences.append(LONG_SENTENCE.format(n=n))
        paragraphs.append("".join(sentences))
    paragraphs[0] = "本报讯 (记者 王长文) " + paragraphs[0]
    return "长篇报道测试全文分段\n\n" + "\n\n".join(paragraphs) + "\n"


def test_full_text_is_split_under_4096_at_sentence_ends_and_nothing_is_lost(env: Env, tmp_path: Path) -> None:
    from e2e_harness import ingest, write_page

    # one paragraph far over the limit (split inside at sentence ends), then ordinary ones
    page = write_page(tmp_path / "pages", "long.txt", long_page([250, 20, 20, 20]))
    report = ingest(env.store, env.settings, page)
    (article_id,) = report.new_article_ids
    article = article_dict(get_article(env.store, article_id))
    body = "".join(block["text"] for block in article["blocks"])
    assert utf16_len(body) > 3 * 4096

    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        card = await bot.reply(alice, alice, f"/article {article_id}")
        assert "长篇报道测试全文分段" in card.text and "王长文" in card.text
        _, parts = await bot.press_for(alice, card, "📄 全文", count=4)
        assert len(parts) >= 4
        for part in parts:
            assert utf16_len(part.text) <= 4096
        header = "长篇报道测试全文分段\n记者 王长文"
        assert parts[0].text.startswith(header) and parts[0].entities[0]["type"] == "bold"
        for part in parts[:-1]:  # cut after a sentence (or after the header block), never inside one
            assert part.text == header or part.text.rstrip()[-1] in "。！？", part.text[-20:]
        joined = "".join("".join(p.text.split()) for p in parts)
        assert "".join(body.split()) in joined  # every character, in order
        for n in (1, 125, 250, 310):
            assert joined.count(f"第{n}句") == 1

    run_bot(env, scenario)


def test_article_card_keywords_search_and_related(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        card = await bot.reply(alice, alice, "/article 14")
        article = get_article(bot.store, 14)
        assert card.text.startswith(article.title) and article.byline in card.text
        assert card.entities[0] == {"type": "bold", "offset": 0, "length": utf16_len(article.title)}
        keyword_buttons = [b for b in card.button_list if b.data.startswith("k:")]
        assert [b.data for b in keyword_buttons] == [f"k:14:{i}" for i in range(len(keyword_buttons))]
        for button in keyword_buttons[:3]:
            _, (found,) = await bot.press_for(alice, card, button.text)
            assert found.text.startswith(f"🔍 {button.text}") and 14 in hit_ids(found)
        _, (weak,) = await bot.press_for(alice, card, "🔗 相关")
        assert weak.text == "暂时没有找到相关文章。"  # no seed story is close enough to the robot signing
        lead = await bot.reply(alice, alice, "/article 1")  # the day's main story has relations
        _, (related,) = await bot.press_for(alice, lead, "🔗 相关")
        assert f"与《{get_article(bot.store, 1).title}》相关" in related.text
        # a related article's button opens its card
        other = hit_ids(related)[0]
        _, (other_card,) = await bot.press_for(alice, related, f"[{hit_ids(related)[0]}]")
        assert f"编号 {other}" in other_card.text

    run_bot(env, scenario)


def test_latest_and_article_bounds(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        assert len(hit_ids(await bot.reply(alice, alice, "/latest 20"))) == 14  # every article, no captions
        assert len(hit_ids(await bot.reply(alice, alice, "/latest 1"))) == 1
        for bad in ("0", "21", "abc", "-3", "1.5", "99999999999999999999"):
            assert (await bot.reply(alice, alice, f"/latest {bad}")).text == "用法：/latest [N]，N 为 1 到 20。"
        for bad in ("-1", "abc", "", "1234567890", "3 4"):
            assert (await bot.reply(alice, alice, f"/article {bad}")).text.startswith("用法：/article 编号")
        assert (await bot.reply(alice, alice, "/article 99999")).text == "没有编号为 99999 的文章。"
        assert "编号 3" in (await bot.reply(alice, alice, "/article #3")).text

    run_bot(env, scenario)


# -- keywords, follows, settings -------------------------------------------------------------------


def test_keywords_buttons_search_each_keyword(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        keywords = await bot.reply(alice, alice, "/keywords")
        buttons = keywords.button_list
        assert len(buttons) == 12 and all(re.fullmatch(r"\S+ \(\d+\)", b.text) for b in buttons)
        for button in (buttons[0], buttons[-1]):
            word, count = button.text[:-1].split(" (")
            _, (found,) = await bot.press_for(alice, keywords, button.text)
            assert found.text.startswith(f"🔍 {word}")
            assert int(re.search(r"共 (\d+) 条", found.text).group(1)) >= int(count)
        assert keywords.edits == []  # the keyword list stays; results come as new messages

    run_bot(env, scenario)


def test_follow_limits_and_normalisation(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        assert "已关注「机器人」" in (await bot.reply(alice, alice, "/follow #机器人")).text
        assert "已经在关注「机器人」" in (await bot.reply(alice, alice, "/follow  机器人 ")).text
        assert (await bot.reply(alice, alice, "/follow")).text.startswith("用法：/follow 词")
        assert (await bot.reply(alice, alice, "/unfollow")).text.startswith("用法：/unfollow 词")
        assert (await bot.reply(alice, alice, "/follow " + "长" * 21)).text == "关注词最长 20 个字。"
        shown = await bot.reply(alice, alice, "/follow <i>&amp;")
        assert shown.text == "🔔 已关注「<i>&amp;」。有新文章提到它时会通知你。"
        for n in range(18):
            await bot.reply(alice, alice, f"/follow 词{n}")
        assert (await bot.reply(alice, alice, "/follow 再一个")).text == "最多关注 20 个词，请先 /unfollow 一些。"
        listed = await bot.reply(alice, alice, "/following")
        assert "机器人" in listed.text and "<i>&amp;" in listed.text and "再一个" not in listed.text
        assert len(chat_service.following(bot.store, alice.id)) == 20

    run_bot(env, scenario)


def test_settings_length_language_and_digests_switch(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        alice = tg.user("Alice")
        admin = bot.admin()
        await bot.reply(alice, alice, "/subscribe")
        panel = await bot.reply(alice, alice, "/settings")
        assert labels(panel) == ["1 句", "✓ 2 句", "3 句", "✓ 中文", "English", "退订"]

        # summary length: digests and article cards follow it
        summarize = summary_for(bot.runtime.settings)
        article = get_article(bot.store, 14)

        def card_summary(card: Message) -> str:
            return card.text.split("📝 摘要\n", 1)[1].split("\n\n")[0]

        default_card = await bot.reply(alice, alice, "/article 14")
        assert card_summary(default_card) == "".join(summarize(article, 2))
        await bot.press(alice, panel, "3 句")
        long_digest = visible(await bot.say(alice, alice, "/digest"))
        long_card = await bot.reply(alice, alice, "/article 14")
        assert card_summary(long_card) == "".join(summarize(article, 3))
        await bot.press(alice, panel, "1 句")
        short_digest = visible(await bot.say(alice, alice, "/digest"))
        short_card = await bot.reply(alice, alice, "/article 14")
        assert card_summary(short_card) == "".join(summarize(article, 1))
        assert len(short_digest) < len(long_digest) and len(card_summary(short_card)) < len(card_summary(long_card))
        assert chat_service.get_chat(bot.store, alice.id).summary_sentences == 1

        # one switch: the panel's button is /unsubscribe and /subscribe, and says what is true
        query, _ = await bot.press(alice, panel, "退订")
        assert query.answer.text == "已保存" and "新闻摘要：未订阅" in panel.text and "✅ 订阅" in labels(panel)
        assert not chat_service.get_chat(bot.store, alice.id).subscribed
        assert "本聊天尚未订阅" in (await bot.reply(alice, alice, "/unsubscribe")).text
        mark = tg.mark()
        assert "新排入 0 个聊天" in (await bot.reply(admin, admin, "/push")).text
        assert bot.new(alice, mark) == []
        await bot.press(alice, panel, "✅ 订阅")
        assert re.search(r"新闻摘要：已订阅，每天 \d\d:00 推送", panel.text), panel.text
        assert "你已经订阅了" in (await bot.reply(alice, alice, "/subscribe")).text
        mark = tg.mark()
        assert "新排入 1 个聊天" in (await bot.reply(admin, admin, "/push")).text
        assert bot.new(alice, mark)[0].text.startswith("📰")

        # language: the panel, later replies and digests switch to English
        query, _ = await bot.press(alice, panel, "English")
        assert query.answer.text == "Saved"
        assert panel.text.startswith("⚙️ Settings for this chat") and "Language: English" in panel.text
        assert labels(panel)[3:5] == ["中文", "✓ English"]
        assert (await bot.reply(alice, alice, "/help")).text.startswith("Commands")
        assert (await bot.reply(alice, alice, "/latest x")).text == "Usage: /latest [N], N from 1 to 20."
        assert (await bot.reply(alice, alice, "/stats")).text == "Sorry, that command is for the bot's admins only."
        card = await bot.reply(alice, alice, "/article 14")
        assert labels(card)[-2:] == ["📄 Full text", "🔗 Related"] and "ID 14" in card.text
        english_digest = await bot.say(alice, alice, "/digest")
        assert english_digest[0].text.startswith("📰 Digest · the latest 14 articles (undated)")
        await bot.press(alice, panel, "中文")
        assert (await bot.reply(alice, alice, "/help")).text.startswith("命令")

    run_bot(env, scenario)


MARKUP_PAGE = """<b>AT&T</b> 与 R&D 中心签约 5<6 落户

本报讯 (记者 李&lt;明) 昨天,<i>AT&T</i> 的 R&D 中心签约落户武进,投资 5<6 亿元,合作方称"<script>alert(1)</script>"只是代号。\
中心将研发 <tg-spoiler> 与 &amp; 等"标记"技术,带动 a<b 与 c>d 两类产业。

项目负责人表示,R&D 中心明年投产,<u>首期</u>招聘 200 人。
"""


def test_corpus_text_that_looks_like_markup_is_escaped_everywhere(env: Env, tmp_path: Path) -> None:
    from e2e_harness import ingest, write_page

    report = ingest(env.store, env.settings, write_page(tmp_path / "pages", "markup.txt", MARKUP_PAGE))
    (article_id,) = report.new_article_ids
    article = get_article(env.store, article_id)
    # the page parser drops what looks like tags (<b>, <script>); the rest reaches Telegram as text
    assert "5<6" in body_of(article) and "<tg-spoiler>" in body_of(article) and "&amp;" in body_of(article)
    assert "&" in article.title and "<" in article.title

    async def scenario(bot: BotRun) -> None:
        alice = bot.tg.user("Alice")
        latest = await bot.reply(alice, alice, "/latest 1")
        assert article.title in latest.text
        card = await bot.reply(alice, alice, f"/article {article_id}")
        assert card.text.startswith(article.title) and "记者 李&lt;明" in card.text
        _, full = await bot.press_for(alice, card, "📄 全文")
        shown = visible(full)
        assert body_of(article) in "".join(shown.split("\n"))
        assert "<tg-spoiler> 与 &amp;" in shown and "投资 5<6 亿元" in shown and "R&D" in shown
        await bot.press_for(alice, card, "🔗 相关")
        results = await bot.reply(alice, alice, "/search R&D")
        assert results.text.startswith("🔍 R&D") and article_id in hit_ids(results)
        await bot.reply(alice, alice, "/search <script>")
        digest = await bot.say(alice, alice, "/digest")
        assert article.title in visible(digest)

    run_bot(env, scenario)  # the invariants: the stand-in parsed every message and edit as HTML


def body_of(article: Any) -> str:
    return "".join(b.text for b in article.blocks)
