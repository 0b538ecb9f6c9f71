"""Shared pieces of the `digestbot` command line: the group, global options, errors, output.

Every command takes `--config`, `--db`, `-v`, `--log-format` and `--log-file`, before the
subcommand (`digestbot --db URL articles`) or after it; a value after the subcommand wins.
Commands print readable text by default and a stable JSON document with `--json`.

Errors are handled in one place (`DigestGroup.main`): one `Error: …` line on stderr and a
non-zero exit status; with `--json`, one JSON document `{"error": "…", "code": "…"}` on stdout
instead (scripts read one stream and check the exit status). `-v` adds a traceback. A closed
pipe (`digestbot articles | head -3`) ends the command quietly with status 1, as click does.
Everything written goes through the redaction point (`bot.ops.redact`).
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import os
import sys
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from bot.config import ConfigError, LoadedConfig, Settings, load_config
from bot.ops.errors import OperatorError
from bot.ops.redact import install as install_redaction
from bot.ops.redact import redact
from bot.store.db import Store, StoreError, open_store
from bot.ui.printable import printable

log = logging.getLogger("bot")


class CliError(click.ClickException):
    """An error for the person at the terminal: one line; `code` (and `extra`) for --json."""

    def __init__(self, message: str, code: str = "error", exit_code: int = 1, **extra: Any):
        super().__init__(message)
        self.code, self.exit_code, self.extra = code, exit_code, extra


@dataclass
class GlobalOptions:
    config_path: str | None = None
    db_url: str | None = None
    verbose: bool = False
    log_format: str = "text"
    log_file: str | None = None


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
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.storage.resolved_url())
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()


def _json_safe(data: Any) -> Any:
    if isinstance(data, str):
        return printable(data)
    if isinstance(data, dict):
        return {_json_safe(k): _json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_json_safe(v) for v in data]
    return data


def emit_json(data: Any, err: bool = False) -> None:
    """One JSON document; strings that UTF-8 cannot hold (undecodable file names) escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(_json_safe(data), ensure_ascii=False, indent=2, default=str)
    click.echo(text, err=err)


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


def global_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --db, -v, --log-format, --log-file (on the group and on every command)."""
    fn = click.option("--log-file", metavar="PATH", help="Append log lines to this file instead of stderr.")(fn)
    fn = click.option(
        "--log-format",
        type=click.Choice(["text", "json"]),
        default=None,
        help="Log lines as text (default) or one JSON object per line (for log shippers).",
    )(fn)
    fn = click.option("-v", "--verbose", is_flag=True, default=None, help="Log details and show tracebacks.")(fn)
    fn = click.option(
        "--db", "db_url", metavar="URL", help="Database URL (default: $DIGESTBOT_DATABASE_URL or the config)."
    )(fn)
    return click.option(
        "--config",
        "config_path",
        metavar="PATH",
        help="Config TOML (default: $DIGESTBOT_CONFIG, ./config/digestbot.toml, built-in).",
    )(fn)


def _merged(**given: Any) -> GlobalOptions:
    """The command's own options, else what was given before the subcommand."""
    root = click.get_current_context().find_root().obj
    before = root if isinstance(root, GlobalOptions) else GlobalOptions()
    return GlobalOptions(**{name: given[name] if given[name] is not None else getattr(before, name) for name in given})


def _unexpected(exc: Exception, verbose: bool) -> CliError:
    if verbose:
        traceback.print_exc()  # through the redacting stderr
        return CliError(f"unexpected {type(exc).__name__}: {redact(printable(str(exc)))}", "unexpected")
    return CliError(
        f"unexpected {type(exc).__name__}: {redact(printable(str(exc)))} (run with -v for details)", "unexpected"
    )


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the global options to a command and turn known errors into one clean line."""

    @global_options
    @functools.wraps(fn)
    def wrapper(
        config_path: str | None,
        db_url: str | None,
        verbose: bool | None,
        log_format: str | None,
        log_file: str | None,
        **kwargs: Any,
    ) -> Any:
        from bot.ops.logs import configure

        opts = _merged(
            config_path=config_path, db_url=db_url, verbose=verbose, log_format=log_format, log_file=log_file
        )
        configure(logging.INFO if opts.verbose else logging.WARNING, opts.log_format, opts.log_file)
        ctx = Context(opts.config_path, opts.db_url, bool(opts.verbose))
        try:
            return fn(ctx, **kwargs)
        except ConfigError as exc:
            raise CliError(str(exc), "config") from None
        except StoreError as exc:
            raise CliError(str(exc), "database") from None
        except OperatorError as exc:
            if opts.verbose:
                traceback.print_exc()  # what the library said, through the redacting stderr
            raise CliError(exc.message, exc.code) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            raise _unexpected(exc, bool(opts.verbose)) from None
        except Exception as exc:  # last line of defence: no stack traces for users
            raise _unexpected(exc, bool(opts.verbose)) from None
        finally:
            ctx.close()

    return wrapper


def wants_json(args: list[str]) -> bool:
    """`--json` among the options (not after `--`, where it is a search word)."""
    options = args[: args.index("--")] if "--" in args else args
    return "--json" in options


def _error_code(exc: click.ClickException) -> str:
    if isinstance(exc, CliError):
        return exc.code
    return "usage" if isinstance(exc, click.UsageError) else "error"


def report_error(exc: click.ClickException, as_json: bool) -> None:
    if not as_json:
        exc.show()  # "Error: …" (with the usage first for a usage error)
        return
    doc = {"error": exc.format_message(), "code": _error_code(exc)}
    doc.update(exc.extra if isinstance(exc, CliError) else {})
    emit_json(doc)


def _pipe_closed() -> int:
    """The reader went away (`| head`): stop quietly; what is still buffered goes nowhere."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass
    return 1


class DigestGroup(click.Group):
    """The `digestbot` group: every error of every command is reported here, once."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        install_redaction()
        args = list(sys.argv[1:] if args is None else args)
        try:
            code = self._run(args, prog_name, complete_var, **extra)
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: list[str], prog_name: str | None, complete_var: str | None, **extra: Any) -> int:
        as_json = wants_json(args)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            return rv if isinstance(rv, int) else 0
        except click.ClickException as exc:
            report_error(exc, as_json)
            return exc.exit_code
        except click.Abort:
            click.echo("Aborted!", err=True)
            return 1
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
            return _pipe_closed()
        except SystemExit as exc:
            if isinstance(exc.code, int | None):
                return exc.code or 0
            raise


@click.group(cls=DigestGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="digestbot")
@global_options
@click.pass_context
def main(
    ctx: click.Context,
    config_path: str | None,
    db_url: str | None,
    verbose: bool | None,
    log_format: str | None,
    log_file: str | None,
) -> None:
    """digestbot: Chinese news digests, summaries and search, on Telegram and here."""
    ctx.obj = GlobalOptions(config_path, db_url, bool(verbose), log_format or "text", log_file)
