"""Settings: every config key as a typed model with its default and allowed range.

Why pydantic: every key gets a type, a default and a range in one place, and a bad value
comes back as (key path, value, what is allowed), which is exactly what an admin editing
the file needs to read. Secrets (the bot token, the webhook secret) are accepted from the
environment only, so they can never sit in a committed file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationInfo,
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
    "DIGESTBOT_REDIS_URL": "delivery.redis_url",
    "DIGESTBOT_OPS_PORT": "ops.port",
}
ENV_ONLY_KEYS = {"telegram.token", "telegram.webhook_secret"}


class ConfigError(ValueError):
    """A configuration problem, phrased for the admin who has to fix it.

    Besides the English message, it carries what went wrong as data so that the bot can say it
    in the admin's language (bot.ui.config_errors): `kind` ("invalid", "toml", "utf8",
    "unreadable", "env_only", "table") with `details`, and for "invalid" one problem per bad key
    (`key`, `value` as shown or None, pydantic's error `type` and `ctx`, the English `detail`)."""

    def __init__(
        self, message: str, *, kind: str = "other", problems: list[dict[str, Any]] | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.problems = problems or []
        self.details = details


WEBHOOK_HTTPS = (
    "must be an https:// URL: Telegram delivers webhooks over HTTPS only. To serve plain HTTP "
    "behind a TLS-terminating proxy, give the proxy's public https:// URL here and let the bot "
    "listen on telegram.webhook_listen / telegram.webhook_port"
)


def check_webhook_url(value: str) -> str:
    """Telegram's setWebhook takes HTTPS URLs only (ports 443, 80, 88 or 8443)."""
    if value and not value.lower().startswith("https://"):
        raise ValueError(WEBHOOK_HTTPS)
    return check_http_url(value) if value else value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a known IANA time zone (e.g. 'Asia/Shanghai', 'UTC')") from None
    return value


TimeZone = Annotated[str, AfterValidator(_check_timezone)]


def check_cron(expr: str, timezone: str = "UTC") -> str:
    """Validate a 5-field crontab expression (standard weekday numbering, see bot.cron)."""
    from bot.config.cron import crontab_trigger, never_fires

    try:
        crontab_trigger(expr, ZoneInfo(timezone))
    except ValueError as exc:
        raise ValueError(f"not a valid cron expression ({exc})") from None
    if never_fires(expr, ZoneInfo(timezone)):
        raise ValueError("never fires: no date has that day of the month in those months (e.g. 30 2 is February 30th)")
    return expr


def check_http_url(value: str) -> str:
    """An http(s) URL with a host and a valid port, or ValueError saying what is wrong."""
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL, or empty")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Invalid IPv6 URL"
        raise ValueError(f"is not a valid URL ({exc})") from None
    if not parts.hostname:
        raise ValueError("has no host name")
    if port == 0:
        raise ValueError("is not a valid URL (port 0)")
    if any(ch.isspace() for ch in value):
        raise ValueError("is not a valid URL (it contains spaces)")
    return value


def _kind_error(annotation: Any, value: Any) -> str | None:
    """TOML has real booleans and numbers; pydantic would turn `true` into 1 and `1` into true."""
    if annotation in (int, float) and isinstance(value, bool):
        return "must be a number, not true or false"
    if annotation is bool and not isinstance(value, bool):
        return "must be true or false"
    if get_origin(annotation) is list and get_args(annotation) in ((int,), (float,)):
        if isinstance(value, list) and any(isinstance(item, bool) for item in value):
            return "must be a list of numbers, not true or false"
    return None


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        problem = _kind_error(field.annotation, value) if field is not None else None
        if problem:
            raise ValueError(problem)
        return value


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

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return check_http_url(value) if value else value

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str) -> str:
        return check_webhook_url(value)

    @field_validator("admins", mode="before")
    @classmethod
    def _admin_list(cls, value: Any) -> Any:
        if isinstance(value, str):  # from DIGESTBOT_ADMINS="1,2"
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class EditionSettings(_Section):
    name: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    cron: str
    timezone: TimeZone | None = None
    # what readers see: one title for every language, or one per language ({zh = "早报", en = "Morning"})
    title: Title | dict[Literal["zh", "en"], Title] | None = None

    @model_validator(mode="after")
    def _cron(self) -> EditionSettings:
        try:
            check_cron(self.cron, self.timezone or "UTC")
        except ValueError as exc:
            # re-raised with the key so the message names `cron`, not the edition
            raise ValueError(f"cron = {self.cron!r} {exc}") from None
        return self


def _default_editions() -> list[EditionSettings]:
    return [EditionSettings(name="morning", cron="0 8 * * *", title={"zh": "早报", "en": "Morning"})]


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
    # several instances: one send budget in Redis, and how often an idle sender looks for work
    redis_url: str = ""
    redis_prefix: str = Field("digestbot", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    flood_chats: int = Field(3, ge=0, le=1000)
    poll_seconds: float = Field(2.0, ge=0.1, le=600)
    allow_paid_broadcast: bool = False
    paid_per_second: float = Field(1000.0, gt=0, le=1000)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://host:port/db (or rediss://, unix://) URL, or empty")
        return value


class OpsSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(0, ge=0, le=65535)
    heartbeat_seconds: float = Field(2.0, ge=0.2, le=60)


MIN_POLL_SECONDS = 60  # a source is polled at most once a minute: polite to the sites


class FetchSettings(_Section):
    """How live sources are fetched (bot/sources): the same rules for every source."""

    user_agent: str = Field("digestbot/0.1 (Telegram news digest bot; polls on its admin's schedule)", min_length=8)
    timeout_seconds: float = Field(20.0, gt=0, le=300)
    max_bytes: int = Field(5_000_000, ge=1000, le=1_000_000_000)
    max_redirects: int = Field(5, ge=0, le=20)
    teaser_chars: int = Field(400, ge=0, le=10_000)
    max_backoff_minutes: int = Field(360, ge=1, le=7 * 24 * 60)
    alert_after_failures: int = Field(2, ge=1, le=100)
    inbox_settle_seconds: float = Field(2.0, ge=0, le=600)


class SourceSettings(_Section):
    """One `[[sources]]` table: a feed, article pages, or an inbox folder, and when to poll it."""

    name: str = Field(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["feed", "page", "inbox"]
    url: str | None = None
    urls: list[str] = Field(default_factory=list)
    path: Path | None = None
    every: str = "30m"
    language: str | None = Field(None, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    max_items: int = Field(20, ge=1, le=500)
    timeout: float | None = Field(None, gt=0, le=300)

    @field_validator("url")
    @classmethod
    def _one_url(cls, value: str | None) -> str | None:
        return _web_url(value) if value is not None else None

    @field_validator("urls")
    @classmethod
    def _many_urls(cls, value: list[str]) -> list[str]:
        return [_web_url(v) for v in value]

    @field_validator("every")
    @classmethod
    def _every(cls, value: str) -> str:
        from bot.config.cron import parse_every

        seconds = parse_every(value)
        if seconds is None:
            try:
                check_cron(value)
            except ValueError as exc:
                raise ValueError(f"is neither an interval like '30m', '2h', '1d' nor a cron line: {exc}") from None
        elif seconds < MIN_POLL_SECONDS:
            raise ValueError(f"polls more often than once a minute ({seconds} s): use at least '1m'")
        return value

    @model_validator(mode="after")
    def _where(self) -> SourceSettings:
        web = self.kind in ("feed", "page")
        if web and self.path is not None:
            raise ValueError(f"source {self.name!r}: path is for kind = 'inbox'; a {self.kind} takes url")
        if self.kind == "inbox" and (self.url or self.urls):
            raise ValueError(f"source {self.name!r}: an inbox takes path = 'folder', not url")
        if self.kind == "inbox" and self.path is None:
            raise ValueError(f"source {self.name!r}: kind = 'inbox' needs path = 'folder'")
        if self.kind == "feed" and (self.urls or not self.url):
            raise ValueError(f"source {self.name!r}: a feed takes exactly one url = 'https://…' (urls is for pages)")
        if self.kind == "page" and not (self.url or self.urls):
            raise ValueError(f"source {self.name!r}: kind = 'page' needs url = '…' or urls = ['…', …]")
        return self

    def page_urls(self) -> list[str]:
        return ([self.url] if self.url else []) + [u for u in self.urls if u != self.url]


def _web_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http:// or https:// URL")
    return value.strip()


def _unique_sources(value: list[SourceSettings]) -> list[SourceSettings]:
    names = [s.name for s in value]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"source names must be unique; repeated: {', '.join(dupes)}")
    return value


class Settings(_Section):
    storage: StorageSettings = Field(default_factory=StorageSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    summary: SummarySettings = Field(default_factory=SummarySettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    ops: OpsSettings = Field(default_factory=OpsSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    sources: Annotated[list[SourceSettings], AfterValidator(_unique_sources)] = Field(default_factory=list)
