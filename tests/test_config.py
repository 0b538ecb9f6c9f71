"""Config loading: the documented file equals the built-in defaults; errors are specific."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import ConfigError, Settings, SourceSettings, load_config, parse_settings
from conftest import ROOT

BUNDLED = ROOT / "config" / "digestbot.toml"


def test_bundled_config_is_exactly_the_builtin_defaults():
    loaded = load_config(BUNDLED, env={})
    assert loaded.settings == Settings()


def test_bundled_config_documents_every_key():
    text = BUNDLED.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    for section, model in Settings.model_fields.items():
        if section == "sources":  # a list of tables, none by default: each key is explained
            for key in SourceSettings.model_fields:
                assert f"#   {key}" in text, f"sources.{key} undocumented"
            continue
        for key in model.annotation.model_fields:
            if key in {"token", "webhook_secret"}:
                assert key not in data.get(section, {})
                continue
            assert key in data.get(section, {}) or f"# {key} =" in text, f"{section}.{key} undocumented"


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert load_config(env={}).path is None  # nothing around: built-in defaults
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "digestbot.toml").write_text("[search]\npage_size = 7\n")
    assert load_config(env={}).settings.search.page_size == 7
    other = tmp_path / "other.toml"
    other.write_text("[search]\npage_size = 9\n")
    monkeypatch.setenv("DIGESTBOT_CONFIG", str(other))
    assert load_config().settings.search.page_size == 9
    explicit = tmp_path / "explicit.toml"
    explicit.write_text("[search]\npage_size = 3\n")
    assert load_config(explicit).settings.search.page_size == 3


@pytest.mark.parametrize(
    "toml, expected",
    [
        ('[summary]\nmode = "fast"', "summary.mode = 'fast': allowed: 'news' or 'textrank4zh'"),
        ("[summary]\nsentences = 0", "summary.sentences = 0: input should be greater than or equal to 1"),
        ('[digest]\ntimezone = "Mars/Base"', "digest.timezone = 'Mars/Base': not a known IANA time zone"),
        ('[[digest.editions]]\nname = "am"\ncron = "0 25 * * *"', "digest.editions[0]"),
        ('[[digest.editions]]\nname = "am"\ncron = "0 8 * *"', "must have 5 fields"),
        ('[telegram]\ntokn = "x"', "telegram.tokn = 'x': unknown key"),
        ('[telegram]\nadmins = ["me"]', "telegram.admins[0] = 'me'"),
        ('[telegram]\napi_url = "127.0.0.1:8081"', "must be an http:// or https:// URL"),
    ],
)
def test_errors_name_key_value_and_what_is_allowed(tmp_path: Path, toml: str, expected: str):
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_bad_cron_message_explains(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text('[[digest.editions]]\nname = "am"\ncron = "0 25 * * *"')
    with pytest.raises(ConfigError, match=r"cron = '0 25 \* \* \*' not a valid cron expression"):
        load_config(path, env={})


def test_not_toml_and_missing_file(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text("[digest\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, env={})
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_config(tmp_path / "nope.toml", env={})


def test_token_only_from_environment():
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN environment variable"):
        parse_settings({"telegram": {"token": "123:abc"}}, "f.toml", env={})
    s = parse_settings(
        {},
        "f.toml",
        env={
            "TELEGRAM_BOT_TOKEN": "123:hunter2",
            "DIGESTBOT_ADMINS": "1, 2",
            "DIGESTBOT_DATABASE_URL": "postgresql://h/db",
        },
    )
    assert s.telegram.token.get_secret_value() == "123:hunter2"
    assert s.telegram.admins == [1, 2]
    assert s.storage.resolved_url() == "postgresql://h/db"
    assert "hunter2" not in repr(s)


def test_config_command_never_prints_the_token(monkeypatch: pytest.MonkeyPatch):
    token = "123456:AAH-very-secret-token-value-0123456789"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    result = CliRunner().invoke(main, ["config", "--json"])
    assert result.exit_code == 0, result.output
    assert token not in result.output and '"token": "<set>"' in result.output


def test_cli_reports_bad_config_without_traceback(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text('[summary]\nsentences = "three"\n')
    result = CliRunner().invoke(main, ["articles", "--config", str(path)])
    assert result.exit_code == 1
    assert "summary.sentences = 'three'" in result.output and "Traceback" not in result.output


def test_a_plain_http_webhook_url_is_refused_with_the_way_to_serve_http_behind_a_proxy(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {"TELEGRAM_BOT_TOKEN": "123:abc"}
    out = CliRunner().invoke(main, ["run", "--db", url, "--webhook", "http://bot.example.org/"], env=env)
    assert out.exit_code != 0 and "--webhook 'http://bot.example.org/' must be an https:// URL" in out.output
    assert "TLS-terminating proxy" in out.output and "webhook_port" in out.output
    with pytest.raises(ConfigError, match=r"telegram.webhook_url = 'http://x/': must be an https:// URL"):
        parse_settings({}, "env", env={"DIGESTBOT_WEBHOOK_URL": "http://x/"})
    assert parse_settings({"telegram": {"webhook_url": "https://x/"}}, "t", env={}).telegram.webhook_url == "https://x/"
