"""The corpus: page files in, stored articles out. Finding every page under the arguments
(`walk`), reading files (`textfiles`), splitting a newspaper page into articles and captions
(`pages`), storing them idempotently (`ingest`) and once under concurrent ingests (`claims`),
and giving each its summary and keywords (`enrich`).
"""

from bot.corpus.service import ingest_paths

__all__ = ["ingest_paths"]
