"""Shared pieces of the `digestbot` command line: the group, config/store context, output.

Every command takes `--config` and `--db`, prints readable text by default and a stable JSON
document with `--json`. Errors come out as one `error:` line and a non-zero exit status;
`-v` adds a traceback for developers.
"""

from __future__ import annotations

import functools
import json
import logging
import unicodedata
from collections.abc import Callable
from typing import Any

import click

from bot.config import ConfigError, LoadedConfig, load_config
from bot.db import Store, StoreError, open_store

log = logging.getLogger("bot")


class Context:
    """Lazily loaded config and store for one CLI invocation."""

    def __init__(self, config_path: str | None, db_url: str | None, verbose: bool):
        self.config_path, self.db_url, self.verbose = config_path, db_url, verbose
        self._loaded: LoadedConfig | None = None
        self._store: Store | None = None

    @property
    def loaded(self) -> LoadedConfig:
        if self._loaded is None:
            self._loaded = load_config(self.config_path)
            if self.db_url:
                self._loaded.settings.storage.database_url = self.db_url
        return self._loaded

    @property
    def settings(self):  # type: ignore[no-untyped-def]
        return self.loaded.settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.storage.resolved_url())
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fit(text: str, width: int) -> str:
    """Pad or cut text to a terminal width, counting CJK characters as two columns."""
    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            if out:
                out[-1] = "…"
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - min(used, width))


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add --config/--db/-v to a command and turn known errors into one clean line."""

    @click.option(
        "--config",
        "config_path",
        metavar="PATH",
        envvar=None,
        help="Config TOML (default: $DIGESTBOT_CONFIG, ./config/digestbot.toml, built-in).",
    )
    @click.option(
        "--db", "db_url", metavar="URL", help="Database URL (default: $DIGESTBOT_DATABASE_URL or the config)."
    )
    @click.option("-v", "--verbose", is_flag=True, help="Log details and show tracebacks.")
    @functools.wraps(fn)
    def wrapper(config_path: str | None, db_url: str | None, verbose: bool, **kwargs: Any) -> Any:
        logging.basicConfig(
            level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
        )
        from bot.logs import install_redaction

        install_redaction()
        ctx = Context(config_path, db_url, verbose)
        try:
            return fn(ctx, **kwargs)
        except (ConfigError, StoreError) as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # last line of defence: no stack traces for users
            if verbose:
                raise
            raise click.ClickException(f"unexpected {type(exc).__name__}: {exc} (run with -v for details)") from None
        finally:
            ctx.close()

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="digestbot")
def main() -> None:
    """digestbot: Chinese news digests, summaries and search, on Telegram and here."""
