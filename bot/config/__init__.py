"""Configuration: typed settings (`settings`), reading the file and the environment (`loading`),
cron lines (`cron`), and the live settings of a running bot with hot reload (`runtime`).

    from bot.config import load_config, ConfigError
    loaded = load_config()            # --config, $DIGESTBOT_CONFIG, ./config/digestbot.toml, defaults
    loaded.settings.digest.editions   # typed, validated
"""

from bot.config.loading import LoadedConfig, find_config_path, load_config, parse_settings
from bot.config.settings import (
    CONFIG_ENV,
    ENV_ONLY_KEYS,
    ENV_OVERRIDES,
    ConfigError,
    DeliverySettings,
    DigestSettings,
    EditionSettings,
    FetchSettings,
    IngestSettings,
    OpsSettings,
    SearchSettings,
    Settings,
    SourceSettings,
    StorageSettings,
    SummarySettings,
    TelegramSettings,
    check_cron,
)

__all__ = [
    "CONFIG_ENV",
    "ENV_ONLY_KEYS",
    "ENV_OVERRIDES",
    "ConfigError",
    "DeliverySettings",
    "DigestSettings",
    "EditionSettings",
    "FetchSettings",
    "IngestSettings",
    "LoadedConfig",
    "OpsSettings",
    "SearchSettings",
    "Settings",
    "SourceSettings",
    "StorageSettings",
    "SummarySettings",
    "TelegramSettings",
    "check_cron",
    "find_config_path",
    "load_config",
    "parse_settings",
]
