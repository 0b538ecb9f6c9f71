"""Settings: one TOML file plus environment overrides, validated into typed models.

Why pydantic: every key gets a type, a default and a range in one place, and a bad value
comes back as (key path, value, what is allowed), which is exactly what an admin editing
the file needs to read. Secrets (the bot token, the webhook secret) are accepted from the
environment only, so they can never sit in a committed file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

CONFIG_ENV = "DIGESTBOT_CONFIG"
LOCAL_CONFIG = Path("config") / "digestbot.toml"

# Environment variable -> dotted settings key. Secrets live only here.
ENV_OVERRIDES: dict[str, str] = {
    "TELEGRAM_BOT_TOKEN": "telegram.token",
    "DIGESTBOT_WEBHOOK_SECRET": "telegram.webhook_secret",
    "DIGESTBOT_DATABASE_URL": "storage.database_url",
    "DIGESTBOT_DATA_DIR": "storage.data_dir",
    "DIGESTBOT_API_URL": "telegram.api_url",
    "DIGESTBOT_WEBHOOK_URL": "telegram.webhook_url",
    "DIGESTBOT_ADMINS": "telegram.admins",
}
ENV_ONLY_KEYS = {"telegram.token", "telegram.webhook_secret"}


class ConfigError(ValueError):
    """A configuration problem, phrased for the admin who has to fix it."""


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a known IANA time zone (e.g. 'Asia/Shanghai', 'UTC')") from None
    return value


TimeZone = Annotated[str, AfterValidator(_check_timezone)]


def check_cron(expr: str, timezone: str = "UTC") -> str:
    """Validate a 5-field crontab expression (standard weekday numbering, see bot.cron)."""
    from bot.cron import crontab_trigger

    try:
        crontab_trigger(expr, ZoneInfo(timezone))
    except ValueError as exc:
        raise ValueError(f"not a valid cron expression ({exc})") from None
    return expr


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class StorageSettings(_Section):
    data_dir: Path = Path("data")
    database_url: str = ""

    def resolved_url(self) -> str:
        """The SQLAlchemy URL: the configured one, else a SQLite file under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'digestbot.sqlite3').as_posix()}"


class IngestSettings(_Section):
    max_file_bytes: int = Field(5_000_000, ge=1, le=1_000_000_000)


class SummarySettings(_Section):
    mode: Literal["news", "textrank4zh"] = "news"
    sentences: int = Field(3, ge=1, le=20)
    chars: int = Field(0, ge=0, le=5000)
    keywords: int = Field(10, ge=1, le=50)
    keyword_min_length: int = Field(2, ge=1, le=10)
    stopwords_file: Path | None = None


class SearchSettings(_Section):
    page_size: int = Field(5, ge=1, le=20)
    snippet_chars: int = Field(120, ge=20, le=500)


class TelegramSettings(_Section):
    token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    api_url: str = ""
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    admins: list[int] = Field(default_factory=list)
    language: Literal["zh", "en"] = "zh"
    timezone: TimeZone = "Asia/Shanghai"

    @field_validator("api_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL, or empty")
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _admin_list(cls, value: Any) -> Any:
        if isinstance(value, str):  # from DIGESTBOT_ADMINS="1,2"
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class EditionSettings(_Section):
    name: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    cron: str
    timezone: TimeZone | None = None

    @model_validator(mode="after")
    def _cron(self) -> EditionSettings:
        try:
            check_cron(self.cron, self.timezone or "UTC")
        except ValueError as exc:
            # re-raised with the key so the message names `cron`, not the edition
            raise ValueError(f"cron = {self.cron!r} {exc}") from None
        return self


def _default_editions() -> list[EditionSettings]:
    return [EditionSettings(name="morning", cron="0 8 * * *")]


class DigestSettings(_Section):
    timezone: TimeZone = "Asia/Shanghai"
    editions: list[EditionSettings] = Field(default_factory=_default_editions)
    max_articles: int = Field(20, ge=1, le=50)
    summary_sentences: int = Field(2, ge=1, le=5)
    trending_keywords: int = Field(5, ge=0, le=20)
    when_empty: Literal["skip", "note"] = "skip"
    catchup_grace_minutes: int = Field(120, ge=0, le=7 * 24 * 60)
    reload_poll_seconds: float = Field(5.0, ge=0.5, le=3600)

    @field_validator("editions")
    @classmethod
    def _unique_names(cls, value: list[EditionSettings]) -> list[EditionSettings]:
        names = [e.name for e in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"edition names must be unique; repeated: {', '.join(dupes)}")
        return value

    def edition_timezone(self, edition: EditionSettings) -> str:
        return edition.timezone or self.timezone


class DeliverySettings(_Section):
    global_per_second: float = Field(30.0, gt=0, le=10_000)
    per_chat_per_second: float = Field(1.0, gt=0, le=1000)
    group_per_minute: float = Field(20.0, gt=0, le=60_000)
    max_retries: int = Field(3, ge=0, le=20)
    retry_backoff_seconds: float = Field(1.0, ge=0, le=600)
    max_retry_after_seconds: float = Field(600.0, ge=1, le=86_400)
    request_timeout_seconds: float = Field(10.0, gt=0, le=300)
    concurrency: int = Field(64, ge=1, le=1024)
    lease_seconds: float = Field(60.0, ge=2, le=3600)
    retry_timeouts: bool = True
    resend_uncertain: bool = False


class Settings(_Section):
    storage: StorageSettings = Field(default_factory=StorageSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    summary: SummarySettings = Field(default_factory=SummarySettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)


@dataclass(frozen=True)
class LoadedConfig:
    settings: Settings
    path: Path | None  # None: built-in defaults


def _describe_allowed(err: dict[str, Any]) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "literal_error":
        return f"allowed: {ctx.get('expected')}"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return err["msg"].lower()
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _format_errors(exc: ValidationError, origin: str) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err["loc"]).replace(".[", "[")
        value = err.get("input")
        shown = "" if err["type"] in {"missing"} or isinstance(value, dict) else f" = {value!r}"
        if key.split(".")[-1] in {"token", "webhook_secret"}:
            shown = " = <hidden>"
        lines.append(f"{origin}: {key or '(top level)'}{shown}: {_describe_allowed(err)}")
    return "\n".join(lines)


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    node = data
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"{part} must be a table")
    node[leaf] = value


def _has_dotted(data: dict[str, Any], dotted: str) -> bool:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """--config wins, then $DIGESTBOT_CONFIG, then ./config/digestbot.toml, else built-in defaults."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    if LOCAL_CONFIG.is_file():
        return LOCAL_CONFIG
    return None


def parse_settings(data: dict[str, Any], origin: str, env: dict[str, str] | None = None) -> Settings:
    """Validate a TOML dict plus environment overrides; raise ConfigError naming each bad key."""
    env = dict(os.environ) if env is None else env
    for key in ENV_ONLY_KEYS:
        if _has_dotted(data, key):
            var = next(v for v, k in ENV_OVERRIDES.items() if k == key)
            raise ConfigError(f"{origin}: {key} must not be set in a file; set the {var} environment variable")
    for var, key in ENV_OVERRIDES.items():
        if env.get(var):
            _set_dotted(data, key, env[var])
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, origin)) from None


def load_config(explicit: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> LoadedConfig:
    path = find_config_path(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
        try:
            data = tomllib.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return LoadedConfig(parse_settings(data, str(path) if path else "defaults", env), path)
