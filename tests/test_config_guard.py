"""Config edge cases: booleans are not numbers, a cron line that never fires is refused, and a
reload to a file that would silently drop the admins or the editions is refused (the old
settings keep running and, in the running bot, the admins are told)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_harness import ADMIN_ID, BotRun, Env, run_bot

from bot.config import ConfigError, load_config, parse_settings
from bot.config.runtime import Runtime

pytest_plugins = ["e2e_harness"]

RUNNING = """[telegram]
admins = [11, 22]

[[digest.editions]]
name = "am"
cron = "0 7 * * 1-5"
"""


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"delivery": {"concurrency": True}}, "delivery.concurrency = true: must be a number, not true or false"),
        ({"delivery": {"global_per_second": False}}, "delivery.global_per_second = false: must be a number"),
        ({"delivery": {"retry_timeouts": 1}}, "delivery.retry_timeouts = 1: must be true or false"),
        ({"telegram": {"admins": [1, True]}}, "telegram.admins = [1, true]: must be a list of numbers"),
    ],
)
def test_booleans_are_not_numbers_and_numbers_not_booleans(data: dict, expected: str):
    with pytest.raises(ConfigError) as err:
        parse_settings(data, "f.toml", env={})
    assert str(err.value).startswith("f.toml: ") and expected in str(err.value)


def test_numbers_still_work_where_numbers_belong():
    s = parse_settings({"delivery": {"concurrency": 8, "global_per_second": 30, "retry_timeouts": False}}, "f", env={})
    assert (s.delivery.concurrency, s.delivery.global_per_second, s.delivery.retry_timeouts) == (8, 30.0, False)
    assert parse_settings({}, "f", env={"DIGESTBOT_ADMINS": "5,6"}).telegram.admins == [5, 6]


@pytest.mark.parametrize("cron", ["0 8 30 2 *", "0 8 31 4,6,9,11 *", "15 6 31 2-4/2 *"])
def test_a_cron_that_can_never_fire_is_refused_with_the_reason(cron: str):
    with pytest.raises(ConfigError) as err:
        parse_settings({"digest": {"editions": [{"name": "x", "cron": cron}]}}, "f.toml", env={})
    assert f"cron = '{cron}' never fires" in str(err.value) and "February 30th" in str(err.value)


@pytest.mark.parametrize("cron", ["0 8 29 2 *", "0 8 31 * *", "0 8 30 1-3 *", "0 8 * 2 0"])
def test_rare_crons_that_do_fire_are_accepted(cron: str):
    s = parse_settings({"digest": {"editions": [{"name": "x", "cron": cron}]}}, "f.toml", env={})
    assert s.digest.editions[0].cron == cron


def _runtime(tmp_path: Path, sqlite_store) -> tuple[Runtime, Path]:
    path = tmp_path / "bot.toml"
    path.write_text(RUNNING, encoding="utf-8")
    return Runtime(load_config(path, env={}), sqlite_store, str(path)), path


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "is empty: reloading it would reset every setting"),
        ("# being edited\n\n", "is empty"),
        ('[[digest.editions]]\nname = "am"\ncron = "0 7 * * 1-5"\n', "does not set telegram.admins"),
        (
            "[telegram]\nadmins = [11, 22]\n",
            "does not set digest.editions: reloading it would replace the editions (am)",
        ),
        ("[search]\npage_size = 6\n", "does not set telegram.admins: reloading it would remove the admin(s) 11, 22"),
    ],
)
def test_a_reload_that_would_drop_admins_or_editions_is_refused(
    tmp_path: Path, sqlite_store, monkeypatch, text: str, reason: str
):
    monkeypatch.delenv("DIGESTBOT_ADMINS", raising=False)
    runtime, path = _runtime(tmp_path, sqlite_store)
    path.write_text(text, encoding="utf-8")
    result = runtime.reload()
    assert not result.ok and reason in (result.error or ""), result.error
    assert runtime.settings.telegram.admins == [11, 22]  # the old settings keep running
    assert [e.name for e in runtime.settings.digest.editions] == ["am"]


def test_saying_it_explicitly_applies_it(tmp_path: Path, sqlite_store):
    runtime, path = _runtime(tmp_path, sqlite_store)
    path.write_text(RUNNING.replace("admins = [11, 22]", "admins = []"), encoding="utf-8")
    result = runtime.reload()
    assert result.ok and runtime.settings.telegram.admins == []
    path.write_text("[telegram]\nadmins = []\n\n[[digest.editions]]\nname = 'pm'\ncron = '0 19 * * *'\n", "utf-8")
    assert runtime.reload().ok and [e.name for e in runtime.settings.digest.editions] == ["pm"]
    path.write_text("[telegram]\nadmins = []\n[search]\npage_size = 6\n", "utf-8")
    assert not runtime.reload().ok  # editions left out again: refused
    assert [e.name for e in runtime.settings.digest.editions] == ["pm"]


def test_the_running_bot_tells_its_admins_about_an_emptied_file(env: Env, tmp_path: Path):
    path = tmp_path / "config" / "digestbot.toml"
    path.parent.mkdir()
    url = env.settings.storage.database_url
    path.write_text(
        f'[storage]\ndatabase_url = "{url}"\n[telegram]\nadmins = [{ADMIN_ID}]\n'
        '[[digest.editions]]\nname = "morning"\ncron = "0 8 * * *"\n',
        encoding="utf-8",
    )
    config_env = Env(load_config(path).settings, env.store, path)

    async def scenario(bot: BotRun) -> None:
        admin = bot.admin()
        mark = bot.tg.mark()
        path.write_text("", encoding="utf-8")  # an editor's save caught half-way, a truncated copy
        await bot.services.check_config()
        (told,) = await bot.tg.wait_for_messages(admin, since=mark)
        assert "是空的" in told.text and "旧配置继续运行" in told.text  # said in the admin's language
        assert bot.runtime.settings.telegram.admins == [ADMIN_ID]
        assert (await bot.reply(admin, admin, "/stats")).text.startswith("📊")  # still an admin

    run_bot(config_env, scenario)
