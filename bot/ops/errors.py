"""Failures the operator must fix, as one line each: what failed, where, what to check.

Raised by lower layers (the Bot API connection, say) without knowing who shows them: the CLI
prints `Error: <message>` (or `{"error": …, "code": …}` with `--json`). `code` is stable for
scripts; the message never holds a secret (it passes `bot.ops.redact` on the way out anyway).
"""

from __future__ import annotations


class OperatorError(RuntimeError):
    """Something outside the code is wrong (a token, a URL, a server); str() is one line."""

    def __init__(self, message: str, code: str = "error"):
        super().__init__(message)
        self.message = message
        self.code = code
