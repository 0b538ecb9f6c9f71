"""What a running bot holds: the store, the live settings, and hot reload of the config.

A reload validates the whole new file first; an invalid one is refused with the reason and
the old settings keep running. Settings that cannot change under a running process (the
database, the token, the Bot API URL, webhook mode) are reported as needing a restart, and
the rest is applied at once (schedules, limits, texts, summary lengths, admins).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError, LoadedConfig, Settings, load_config
from bot.db import Store

log = logging.getLogger(__name__)

# fixed when the process starts: the store, the Bot API connection, PTB's Defaults
_TELEGRAM_FIXED = ("token", "api_url", "webhook_url", "webhook_listen", "webhook_port", "webhook_secret", "timezone")
RESTART_ONLY = {"storage", *(f"telegram.{key}" for key in _TELEGRAM_FIXED)}


@dataclass
class ReloadResult:
    ok: bool
    changed: list[str]
    restart_needed: list[str]
    error: str | None = None


def _flatten(settings: Settings) -> dict[str, object]:
    flat: dict[str, object] = {}
    for section, values in settings.model_dump(mode="json").items():
        for key, value in values.items():
            flat[f"{section}.{key}"] = value
    return flat


def _needs_restart(key: str) -> bool:
    return key in RESTART_ONLY or key.split(".")[0] in RESTART_ONLY


class Runtime:
    def __init__(self, loaded: LoadedConfig, store: Store, config_arg: str | None = None):
        self.loaded = loaded
        self.store = store
        self.config_arg = config_arg
        self._lock = threading.Lock()
        self._fingerprint = self._file_fingerprint()
        # what the file itself said (command-line overrides such as --db are not "changes")
        self._file_values = _flatten(self._from_file() or loaded.settings)

    def _from_file(self) -> Settings | None:
        if self.loaded.path is None:
            return None
        try:
            return load_config(self.config_arg or self.loaded.path).settings
        except ConfigError:
            return None

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def config_path(self) -> Path | None:
        return self.loaded.path

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.telegram.admins

    def _file_fingerprint(self) -> str | None:
        path = self.loaded.path
        if path is None:
            return None
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return "unreadable"

    def file_changed(self) -> bool:
        """Has the config file's content changed since it was last (tried to be) loaded?"""
        return self.loaded.path is not None and self._file_fingerprint() != self._fingerprint

    def reload(self) -> ReloadResult:
        """Load the config again; apply it if valid, else keep the old one running."""
        with self._lock:
            self._fingerprint = self._file_fingerprint()
            try:
                fresh = load_config(self.config_arg or self.loaded.path)
            except ConfigError as exc:
                log.error("config reload refused, old settings keep running: %s", exc)
                return ReloadResult(False, [], [], str(exc))
            old, new = self._file_values, _flatten(fresh.settings)
            changed = sorted(k for k in new if new[k] != old.get(k))
            restart = [k for k in changed if _needs_restart(k)]
            self._file_values = new
            # what cannot change under a running process stays as it runs now
            merged = fresh.settings.model_copy(deep=True)
            merged.storage = self.settings.storage
            for key in _TELEGRAM_FIXED:
                setattr(merged.telegram, key, getattr(self.settings.telegram, key))
            fresh = LoadedConfig(merged, fresh.path)
            self.loaded = fresh
            log.info("config reloaded from %s; changed: %s", fresh.path or "defaults", ", ".join(changed) or "nothing")
            return ReloadResult(True, [k for k in changed if k not in restart], restart)
