"""End to end in groups and channels: who may change a group's subscription and settings,
commands addressed /cmd@bot, privacy mode, the bot removed or the group migrated, and a channel
subscribing by a post."""

from __future__ import annotations

import pytest
from e2e_harness import BotRun, Env, run_bot

from bot.store import chats as chat_service

pytest_plugins = ["e2e_harness"]
pytestmark = pytest.mark.timeout(120)

ADMINS_ONLY = "只有群管理员可以更改本群的订阅和设置。"


def test_only_group_admins_change_the_groups_subscription_follows_and_settings(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        owner, helper, member = tg.user("Owner"), tg.user("Helper"), tg.user("Member")
        group = tg.group("武进读报群", creator=owner, admins=[helper], members=[member])

        # a member: refused politely, nothing changes
        for name, args in (("subscribe", ""), ("unsubscribe", ""), ("follow", "机器人"), ("unfollow", "机器人")):
            (reply,) = await bot.command(member, group, name, args)
            assert reply.text == ADMINS_ONLY
        assert (
            chat_service.get_chat(bot.store, group.id) is None
            or not chat_service.get_chat(bot.store, group.id).subscribed
        )
        assert chat_service.following(bot.store, group.id) == []

        # an administrator and the creator may
        (done,) = await bot.command(helper, group, "subscribe")
        assert done.text.startswith("✅ 已订阅")
        view = chat_service.get_chat(bot.store, group.id)
        assert view.subscribed and view.type == "group" and view.title == "武进读报群"
        (follow,) = await bot.command(owner, group, "follow", "机器人")
        assert "已关注「机器人」" in follow.text
        (unsub,) = await bot.command(member, group, "unsubscribe")
        assert unsub.text == ADMINS_ONLY and chat_service.get_chat(bot.store, group.id).subscribed

        # anyone reads: search, following, settings panel; only admins press the setting buttons
        (results,) = await bot.command(member, group, "search", "机器人")
        assert results.text.startswith("🔍 机器人")
        (listed,) = await bot.command(member, group, "following")
        assert "机器人" in listed.text
        (panel,) = await bot.command(member, group, "settings")
        before = panel.text
        query, new = await bot.press(member, panel, "1 句")
        assert query.answer.text == ADMINS_ONLY and query.answer.show_alert and new == []
        assert panel.text == before and panel.edits == []
        assert chat_service.get_chat(bot.store, group.id).summary_sentences is None
        query, _ = await bot.press(helper, panel, "English")
        assert query.answer.text == "Saved" and "Language: English" in panel.text
        (english,) = await bot.command(member, group, "help")
        assert english.text.startswith("Commands")

        # a member promoted later may; one demoted may not
        tg.set_member(group, member, "administrator")
        tg.set_member(group, helper, "member")
        await bot.press(member, panel, "中文")
        assert "语言：中文" in panel.text
        (refused,) = await bot.command(helper, group, "unsubscribe")
        assert refused.text == ADMINS_ONLY
        (gone,) = await bot.command(member, group, "unsubscribe")
        assert gone.text.startswith("已退订") and not chat_service.get_chat(bot.store, group.id).subscribed

        # the group's row kept its title through settings and follows
        assert chat_service.get_chat(bot.store, group.id).title == "武进读报群"

        # every command in the group was addressed to the bot by name, as clients do
        commands = [m.text for m in tg.transcript(group) if not m.from_bot and m.text]
        assert commands and all(text.split()[0].endswith("@" + tg.bot_user.username) for text in commands)

    run_bot(env, scenario)


def test_bot_config_admin_counts_as_group_admin_but_admin_commands_stay_admin_only(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        owner, admin = tg.user("Owner"), bot.admin()
        group = tg.supergroup("超级群", creator=owner, members=[admin])
        (done,) = await bot.command(admin, group, "subscribe")
        assert done.text.startswith("✅ 已订阅")
        (stats,) = await bot.command(admin, group, "stats")
        assert "运行统计" in stats.text and "群 1" in stats.text
        (refused,) = await bot.command(owner, group, "stats")  # a group's owner is not a bot admin
        assert refused.text == "抱歉，这个命令只对管理员开放。"
        (pushed,) = await bot.command(owner, group, "push")
        assert pushed.text == "抱歉，这个命令只对管理员开放。"

    run_bot(env, scenario)


def test_privacy_mode_and_commands_for_other_bots(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        owner, member = tg.user("Owner"), tg.user("Member")
        group = tg.group("群", creator=owner, members=[member])
        me = tg.bot_user.username

        # plain chatter and emoji in a group never reach a bot in privacy mode; the bot is silent
        for text in ("大家好", "😀😀", "/search@other_bot 武进"):
            sent = await bot.silence(member, group, text)
            assert not sent.delivered
        # a plain /command reaches every bot in the group; a known one is answered
        (reply,) = await bot.say(member, group, "/latest 2")
        assert reply.text.startswith("🗞 最新 2 篇")
        (reply,) = await bot.say(member, group, f"/latest@{me} 1")
        assert reply.text.startswith("🗞 最新 1 篇")
        (unknown,) = await bot.say(member, group, f"/nope@{me}")
        assert unknown.text == f"我不认识这个命令：/nope@{me}。发送 /help 查看可用命令。"

        # where the bot is an administrator it sees everything: still silent for chatter and
        # for commands that other bots own
        admin_group = tg.supergroup("管理群", creator=owner, members=[member], bot="administrator")
        for text in ("大家好", "😀", "/search@other_bot 武进", "/start@other_bot", "/weather 上海"):
            sent = await bot.silence(member, admin_group, text)
            assert sent.delivered
        (reply,) = await bot.command(member, admin_group, "search", "机器人")
        assert reply.text.startswith("🔍 机器人")
        # nothing late either: only the answers above, once the search was answered after them all
        assert [m.text[:6] for m in tg.bot_messages(admin_group)] == ["🔍 机器人 "]
        assert len(tg.bot_messages(group)) == 3

    run_bot(env, scenario)


def test_removed_bot_unsubscribes_the_group_and_migration_keeps_its_subscription(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        owner = tg.user("Owner")
        admin = bot.admin()
        left = tg.group("要离开的群", creator=owner)
        await bot.command(owner, left, "subscribe")
        tg.remove_bot_from_group(left, owner)
        await bot.tg.wait_until(
            lambda: not chat_service.get_chat(bot.store, left.id).subscribed, what="the group unsubscribed"
        )

        moving = tg.group("会升级的群", creator=owner)
        await bot.command(owner, moving, "subscribe")
        await bot.command(owner, moving, "follow", "机器人")
        supergroup = tg.migrate_group_to_supergroup(moving)
        await bot.tg.wait_until(
            lambda: chat_service.get_chat(bot.store, supergroup.id) is not None, what="the chat moved"
        )
        moved = chat_service.get_chat(bot.store, supergroup.id)
        assert moved.subscribed and moved.type == "supergroup"
        assert chat_service.get_chat(bot.store, moving.id) is None
        assert chat_service.following(bot.store, supergroup.id) == ["机器人"]

        mark = tg.mark()
        pushed = await bot.reply(admin, admin, "/push")
        assert "新排入 1 个聊天" in pushed.text and "已发送 1" in pushed.text
        assert bot.new(supergroup, mark)[0].text.startswith("📰")
        assert bot.new(left, mark) == []

    run_bot(env, scenario)


def test_channel_subscribes_by_a_post_and_receives_the_digest(env: Env) -> None:
    async def scenario(bot: BotRun) -> None:
        tg = bot.tg
        owner, admin = tg.user("Owner"), bot.admin()
        channel = tg.channel("武进新闻频道", creator=owner, username="wujin_news")

        (done,) = await bot.say(owner, channel, "/subscribe")
        assert done.text.startswith("✅ 已订阅")
        view = chat_service.get_chat(bot.store, channel.id)
        assert view.subscribed and view.type == "channel" and view.title == "武进新闻频道"
        (results,) = await bot.say(owner, channel, "/search 机器人")
        assert results.text.startswith("🔍 机器人")
        (help_,) = await bot.say(owner, channel, "/help")
        assert "/push" not in help_.text  # a channel post has no user: never an admin
        # every command works from a channel post; admin ones are refused like anywhere else
        (follow,) = await bot.say(owner, channel, "/follow 机器人")
        assert "已关注「机器人」" in follow.text
        assert chat_service.following(bot.store, channel.id) == ["机器人"]
        (listed,) = await bot.say(owner, channel, "/following")
        assert "机器人" in listed.text
        (keywords,) = await bot.say(owner, channel, "/keywords")
        assert keywords.text.startswith("🔥")
        (refused,) = await bot.say(owner, channel, "/stats")
        assert refused.text == "抱歉，这个命令只对管理员开放。"

        mark = tg.mark()
        pushed = await bot.reply(admin, admin, "/push")
        assert "新排入 1 个聊天" in pushed.text
        digest = bot.new(channel, mark)
        assert digest and digest[0].text.startswith("📰")

        # any reader can press a channel post's buttons; only the channel's admins change settings
        (panel,) = await bot.say(owner, channel, "/settings")
        reader = tg.user("Reader")
        query, new = await bot.press(reader, panel, "退订")
        assert query.answer.text == ADMINS_ONLY and new == [] and panel.edits == []
        assert chat_service.get_chat(bot.store, channel.id).subscribed
        (start,) = await bot.say(owner, channel, "/start")
        await bot.press(reader, start, "✅ 订阅新闻摘要")
        assert bot.tg.last_message(channel).text == ADMINS_ONLY
        query, _ = await bot.press(owner, panel, "English")
        assert query.answer.text == "Saved" and "Language: English" in panel.text
        assert chat_service.get_chat(bot.store, channel.id).title == "武进新闻频道"
        await bot.press(owner, panel, "中文")

        (gone,) = await bot.say(owner, channel, "/unsubscribe")
        assert gone.text.startswith("已退订") and not chat_service.get_chat(bot.store, channel.id).subscribed

    run_bot(env, scenario)
