"""The ingest pipeline as one call: page files in, stored articles with summaries and keywords out.

The CLI (`digestbot ingest`), the bot's tests and the benchmarks all run this, so a page goes
through exactly the same steps however it arrives: read and split (`ingest`), summaries and
keywords for new and changed articles (`enrich`), the articles summarized under other
settings brought up to date, and keywords ranked again against the grown corpus (`rerank`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.corpus.enrich import enricher_for, refresh_stale
from bot.corpus.ingest import FileResult, Ingestor, IngestReport
from bot.corpus.rerank import rerank
from bot.store import Store
from bot.store.models import Article

log = logging.getLogger(__name__)


def ingest_paths(
    store: Store,
    settings: Settings,
    paths: Iterable[str | os.PathLike[str]],
    progress: Callable[[FileResult], None] | None = None,
    also: Callable[[Session, Article], None] | None = None,
) -> IngestReport:
    """Ingest page files or folders; a bad file is reported in the result and skipped. `also`
    runs on every new or changed article after its summary, in its file's transaction (the
    near-duplicate check of bot.sources)."""
    enricher = enricher_for(settings, also=also)
    ingestor = Ingestor(store, settings.ingest.max_file_bytes, enricher)
    report = ingestor.ingest(paths, progress=progress)
    refresh_stale(store, settings)  # articles summarized under other settings
    rerank(store, settings, enricher.applied)  # keywords against the corpus as it is now
    log.info("ingest: %s", report.summary_line())
    return report
