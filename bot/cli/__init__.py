"""The `digestbot` command line: thin shells over the service modules, one module per domain.

Every command takes `--config` and `--db`, prints readable text by default and a stable JSON
document with `--json`. Errors come out as one `Error:` line (with `--json`, a JSON document)
and a non-zero exit status; see `common`.
"""

from bot.cli import (  # noqa: F401  (each module registers its commands on `main`)
    bot,
    corpus,
    digest,
    pages,
    search,
    sources,
    summaries,
)
from bot.cli.common import main

__all__ = ["main"]
