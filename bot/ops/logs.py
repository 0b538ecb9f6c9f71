"""Logging: where log lines go, at which level, in which format, and always without secrets.

`configure(level, fmt, file)` is called once per CLI invocation: text lines
(`LEVEL logger: message`) or, with `--log-format json`, one JSON object per line for log
shippers; on stderr or appended to `--log-file` (reopened when logrotate moves it). Both go
through the redaction point (`bot.ops.redact`), and every record is also scrubbed as it is
created, so a handler added later (a test's, a library's) never sees a secret either.

Routine work logs at DEBUG (APScheduler's "Running job …" lines for the config watch every few
seconds and the tick are demoted to DEBUG); INFO is for one line per edition and per ingest
and for what an operator should know.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.ops.redact import RedactingStream, add_env_secrets, add_secret, redact

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
FILE_TEXT_FORMAT = "%(asctime)s " + TEXT_FORMAT
# library loggers whose INFO lines are routine: (logger, messages that stay INFO)
ROUTINE_LOGGERS = {
    "apscheduler.executors.default": (),  # "Running job …" / "… executed successfully", every few seconds
    "apscheduler.scheduler": (),  # "Added job …" whenever the editions are rescheduled
    "alembic.runtime.migration": ("Running upgrade",),  # "Context impl SQLiteImpl." on every start
}


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (formatting args included) and exception text without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if redact(text) != text:
                record.exc_text = redact(text)
        return True


class _RedactingFactory:
    """A LogRecord factory that scrubs each record as it is made."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.scrub = RedactingFilter()

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.inner(*args, **kwargs)
        try:
            self.scrub.filter(record)
        except Exception:  # a malformed call (bad args) fails later, in the handler, as usual
            pass
        return record


def redact_records() -> None:
    """Scrub every log record as it is created (idempotent). PTB logs its base URL with the
    token at DEBUG; aiohttp and yarl errors quote request URLs."""
    if not isinstance(logging.getLogRecordFactory(), _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(logging.getLogRecordFactory()))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            data["exception"] = redact(record.exc_text or self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


class _DemoteToDebug(logging.Filter):
    """Routine INFO lines of a library become DEBUG: shown only when DEBUG is on."""

    def __init__(self, keep: tuple[str, ...] = ()):
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and not (self.keep and str(record.msg).startswith(self.keep)):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


class RedactingFileHandler(logging.handlers.WatchedFileHandler):
    """Appends to a log file through the redaction point; reopens it after logrotate."""

    def _open(self) -> Any:
        return RedactingStream(super()._open())


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time (the redacting stream once installed)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


_ours: list[logging.Handler] = []


def _handler(fmt: str, file: str | None) -> logging.Handler:
    if file:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RedactingFileHandler(file, encoding="utf-8", errors="backslashreplace")
    else:
        handler = StderrHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(FILE_TEXT_FORMAT if file else TEXT_FORMAT))
    return handler


def configure(level: int = logging.WARNING, fmt: str = "text", file: str | None = None) -> None:
    """Send log records to stderr (or `file`) as text or JSON, at `level`, secrets removed."""
    install_redaction()
    root = logging.getLogger()
    while _ours:  # the previous configure()'s handler (tests invoke the CLI many times)
        old = _ours.pop()
        root.removeHandler(old)
        old.close()
    handler = _handler(fmt, file)
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    _ours.append(handler)
    root.setLevel(level)
    for name, keep in ROUTINE_LOGGERS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DemoteToDebug) for f in logger.filters):
            logger.addFilter(_DemoteToDebug(keep))


def set_level(level: int) -> None:
    logging.getLogger().setLevel(level)


def install_redaction() -> None:
    """Secrets from the environment registered, every record scrubbed, every handler filtered."""
    add_env_secrets()
    redact_records()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


__all__ = ["JsonFormatter", "RedactingFilter", "add_secret", "configure", "install_redaction", "redact", "set_level"]
