"""Reading the config: the TOML file (found by --config, $DIGESTBOT_CONFIG, ./config) plus the
environment, validated into `Settings`, with errors phrased as (key, value, what is allowed).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.config.settings import CONFIG_ENV, ENV_ONLY_KEYS, ENV_OVERRIDES, LOCAL_CONFIG, ConfigError, Settings


@dataclass(frozen=True)
class LoadedConfig:
    settings: Settings
    path: Path | None  # None: built-in defaults
    file_keys: frozenset[str] = frozenset()  # the dotted keys the file itself sets ("telegram.admins")


def _dotted_keys(data: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        f"{section}.{key}" if isinstance(values, dict) else section
        for section, values in data.items()
        for key in (values if isinstance(values, dict) else [section])
    )


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


def _as_toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_as_toml(v) for v in value) + "]"
    return repr(value)


def _problems(exc: ValidationError) -> list[dict[str, Any]]:
    """One (key, value as shown, error type, context, English detail) per bad key."""
    problems = []
    for err in exc.errors():
        key = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in err["loc"]).replace(".[", "[")
        value = err.get("input")
        shown = None if err["type"] in {"missing"} or isinstance(value, dict) else _as_toml(value)
        if key.split(".")[-1] in {"token", "webhook_secret"}:
            shown = "<hidden>"
        ctx = {k: v if isinstance(v, int | float | str) else str(v) for k, v in (err.get("ctx") or {}).items()}
        problems.append(
            {
                "key": key or "(top level)",
                "value": shown,
                "type": err["type"],
                "ctx": ctx,
                "detail": _describe_allowed(err),
            }
        )
    return problems


def _format_errors(problems: list[dict[str, Any]], origin: str) -> str:
    return "\n".join(
        f"{origin}: {p['key']}{'' if p['value'] is None else ' = ' + p['value']}: {p['detail']}" for p in problems
    )


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    node = data
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"{part} must be a table", kind="table", key=part)
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
            raise ConfigError(
                f"{origin}: {key} must not be set in a file; set the {var} environment variable",
                kind="env_only",
                key=key,
                variable=var,
            )
    for var, key in ENV_OVERRIDES.items():
        if env.get(var):
            _set_dotted(data, key, env[var])
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc)
        raise ConfigError(_format_errors(problems, origin), kind="invalid", problems=problems, origin=origin) from None


def load_config(explicit: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> LoadedConfig:
    path = find_config_path(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"cannot read config file {path}: {exc.strerror or exc}", kind="unreadable", path=str(path)
            ) from None
        try:
            data = tomllib.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: not UTF-8 text", kind="utf8", path=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r"line (\d+), column (\d+)", str(exc))
            line, column = (int(where[1]), int(where[2])) if where else (None, None)
            raise ConfigError(
                f"{path}: not valid TOML: {exc}", kind="toml", path=str(path), line=line, column=column
            ) from None
    keys = _dotted_keys(data)  # before the environment's overrides are merged in
    return LoadedConfig(parse_settings(data, str(path) if path else "defaults", env), path, keys)
