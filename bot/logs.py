"""Logging hygiene: the bot token must never reach a log line or an error message."""

from __future__ import annotations

import logging
import os
import re

_TOKEN_SHAPE = re.compile(r"\b\d{5,12}:[A-Za-z0-9_-]{30,}\b")
_secrets: set[str] = set()


def add_secret(value: str | None) -> None:
    if value:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "<redacted>")
    return _TOKEN_SHAPE.sub("<redacted>", text)


class RedactingFilter(logging.Filter):
    """Rewrites every record's message with secrets removed (formatting args included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if redact(str(exc)) != str(exc):
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def redact_records() -> None:
    """Scrub every log record as it is created (idempotent), so no handler ever sees a secret:
    not only ours, but any added later (a test's, a library's, a reconfigured root). PTB logs its
    base URL with the token at DEBUG, and httpx every request URL at INFO."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacting", False):
        return
    scrub = RedactingFilter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = current(*args, **kwargs)
        try:
            scrub.filter(record)
        except Exception:  # a malformed call (bad args) fails later, in the handler, as usual
            pass
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def install_redaction() -> None:
    """Attach the filter to every handler of the root logger (idempotent)."""
    add_secret(os.environ.get("TELEGRAM_BOT_TOKEN"))
    add_secret(os.environ.get("DIGESTBOT_WEBHOOK_SECRET"))
    redact_records()
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    # httpx logs every request URL at INFO, and Bot API URLs contain the token
    logging.getLogger("httpx").setLevel(logging.WARNING)
