"""What goes wrong with a source, as one kind of error: a short status (`kind`, shown by
`digestbot sources`), a message for the person who must fix it, and, when a server asked, how
long to wait. Each stage raises its own subclass (fetch, feed, extraction, the source itself);
a poll records any of them the same way."""

from __future__ import annotations


class SourceProblem(Exception):
    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after  # seconds the server asked us to wait (429/503)
