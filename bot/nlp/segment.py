"""The one place jieba is loaded: quietly, once per process, shared by summaries and search."""

from __future__ import annotations

import logging
import threading

import jieba

_lock = threading.Lock()
_ready = False


def tokenizer() -> jieba.Tokenizer:
    """jieba's default tokenizer, initialised on first use without its stderr chatter."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.initialize()
                _ready = True
    return jieba.dt
