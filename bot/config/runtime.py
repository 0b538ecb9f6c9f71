"""What a running bot holds: the store, the live settings, and hot reload of the config.

A reload validates the whole new file first; an invalid one is refused with the reason and
the old settings keep running. Settings that cannot change under a running process (the
database, the token, the Bot API URL, webhook mode) are reported as needing a restart, and
the rest is applied at once (schedules, limits, texts, summary lengths, admins, sources).

Extra admins are admins the process was started with rather than the file's (the offline
console makes its user one): they are kept across every reload, whatever the file says.

A valid file is refused too when it would silently drop the admins or the editions: an empty
(or comments-only) file, or one that leaves out `telegram.admins` / `digest.editions` that the
running file set (`would_drop`); writing the key explicitly (`admins = []`) applies it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, LoadedConfig, Settings, load_config

if TYPE_CHECKING:  # the runtime carries the store; configuration itself never opens one
    from bot.store.db import Store

log = logging.getLogger(__name__)

# fixed when the process starts: the store, the Bot API connection, PTB's Defaults
_TELEGRAM_FIXED = ("token", "api_url", "webhook_url", "webhook_listen", "webhook_port", "webhook_secret", "timezone")
RESTART_ONLY = {
    "storage",
    *(f"telegram.{key}" for key in _TELEGRAM_FIXED),
    *(f"delivery.{key}" for key in ("redis_url", "redis_prefix")),  # the shared budget's identity
    *(f"ops.{key}" for key in ("host", "port", "heartbeat_seconds")),
}


@dataclass
class ReloadResult:
    ok: bool
    changed: list[str]
    restart_needed: list[str]
    error: str | None = None
    problem: ConfigError | None = None  # the refusal as data, to be said in the admin's language


def _flatten(settings: Settings) -> dict[str, object]:
    flat: dict[str, object] = {}
    for section, values in settings.model_dump(mode="json").items():
        if not isinstance(values, dict):  # a list of tables ([[sources]]) changes as one key
            flat[section] = values
            continue
        for key, value in values.items():
            flat[f"{section}.{key}"] = value
    return flat


def would_drop(old: dict[str, object], old_keys: frozenset[str], new: LoadedConfig) -> ConfigError | None:
    """Why a reload to `new` must be refused although it is valid. `old` is what the running
    file said (flattened), `old_keys` the keys it set. A file that is empty, or that no longer
    says who the admins are or which editions to send, is far more often a save caught half-way
    or a truncated copy than a wish to fall back to the built-in defaults; setting the key
    explicitly (`admins = []`, or editions listed) says it is meant, and is applied."""
    where = new.path or "the config file"
    values = _flatten(new.settings)
    if not new.file_keys and old_keys:
        return ConfigError(
            f"{where} is empty: reloading it would reset every setting to the built-in defaults "
            "(admins and editions included); to run on the defaults, delete the file and restart",
            kind="empty_file",
            path=str(where),
        )
    admins = old.get("telegram.admins") or []
    if admins and not values["telegram.admins"] and "telegram.admins" not in new.file_keys:
        ids = ", ".join(map(str, admins)) if isinstance(admins, list) else str(admins)
        return ConfigError(
            f"{where} does not set telegram.admins: reloading it would remove the admin(s) {ids}; "
            "to remove them on purpose, write admins = [] under [telegram]",
            kind="drops_admins",
            path=str(where),
            ids=ids,
        )
    editions = old.get("digest.editions") or []
    if "digest.editions" not in new.file_keys and editions != values["digest.editions"]:
        names = ", ".join(str(e.get("name")) for e in editions if isinstance(e, dict)) or "none"
        return ConfigError(
            f"{where} does not set digest.editions: reloading it would replace the editions ({names}) "
            "with the built-in default; list the editions you want as [[digest.editions]] tables",
            kind="drops_editions",
            path=str(where),
            names=names,
        )
    return None


def _needs_restart(key: str) -> bool:
    return key in RESTART_ONLY or key.split(".")[0] in RESTART_ONLY


class Runtime:
    def __init__(
        self, loaded: LoadedConfig, store: Store, config_arg: str | None = None, extra_admins: Iterable[int] = ()
    ):
        self.loaded = loaded
        self.store = store
        self.config_arg = config_arg
        self.extra_admins = tuple(extra_admins)
        self._lock = threading.Lock()
        self._fingerprint = self._file_fingerprint()
        # what the file itself said (command-line overrides such as --db are not "changes")
        from_file = self._from_file()
        self._file_values = _flatten(from_file.settings if from_file else loaded.settings)
        self._file_keys = loaded.file_keys or (from_file.file_keys if from_file else frozenset())

    def _from_file(self) -> LoadedConfig | None:
        if self.loaded.path is None:
            return None
        try:
            return load_config(self.config_arg or self.loaded.path)
        except ConfigError:
            return None

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def config_path(self) -> Path | None:
        return self.loaded.path

    @property
    def admins(self) -> list[int]:
        """The file's (or environment's) admins, then the extra ones this process was given."""
        configured = list(self.settings.telegram.admins)
        return configured + [a for a in self.extra_admins if a not in configured]

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and (user_id in self.extra_admins or user_id in self.settings.telegram.admins)

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
                return ReloadResult(False, [], [], str(exc), exc)
            dropped = would_drop(self._file_values, self._file_keys, fresh)
            if dropped is not None:
                log.error("config reload refused, old settings keep running: %s", dropped)
                return ReloadResult(False, [], [], str(dropped), dropped)
            old, new = self._file_values, _flatten(fresh.settings)
            changed = sorted(k for k in new if new[k] != old.get(k))
            restart = [k for k in changed if _needs_restart(k)]
            self._file_values, self._file_keys = new, fresh.file_keys
            # what cannot change under a running process stays as it runs now
            merged = fresh.settings.model_copy(deep=True)
            merged.storage = self.settings.storage
            for key in _TELEGRAM_FIXED:
                setattr(merged.telegram, key, getattr(self.settings.telegram, key))
            fresh = LoadedConfig(merged, fresh.path, fresh.file_keys)
            self.loaded = fresh
            log.info("config reloaded from %s; changed: %s", fresh.path or "defaults", ", ".join(changed) or "nothing")
            return ReloadResult(True, [k for k in changed if k not in restart], restart)
