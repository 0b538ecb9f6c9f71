"""Related articles: what the 🔗 相关 button and `digestbot related ID` show.

Candidates come from the search backends' BM25 over the article's keywords and its most
specific terms, inside one reading snapshot; they are then ranked by the cosine similarity of
their term vectors, weighted as keywords are (bot.nlp.keywords.scores: local weight x the
word's specificity against the store's corpus). Only articles are shown (no photo captions),
and only those at least `RELATED_FLOOR` similar: a weak match is no relation. An article never
enriched (no keywords at all) falls back to BM25 over its title and most frequent body terms.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, select

from bot.nlp import keywords as kw
from bot.search.index import backend, load_articles
from bot.search.query import any_of_plan
from bot.search.service import DEFAULT_SNIPPET_CHARS, RANK_WINDOW, Hit, _hits, _ranked, _reading
from bot.search.tokens import keyword_key, keyword_token, tokens
from bot.store import keywordstats
from bot.store.articles import keyword_words
from bot.store.db import Store
from bot.store.models import Article

RELATED_BODY_TERMS = 10
RELATED_TERMS = 12  # the article's most specific terms that look for candidates ...
CANDIDATES = 60  # ... among this many BM25 matches
RELATED_FLOOR = 0.1  # cosine similarity below this is no relation


def _fallback_terms(title: str, blocks: Sequence[tuple[str, str]]) -> list[str]:
    """An article without keywords: its title's and body's most frequent tokens (2+ characters)."""
    terms = [t for t in tokens(title) if len(t) > 1]
    counts = Counter(t for _, body in blocks for t in tokens(body) if len(t) > 1)
    return terms + [t for t, _ in counts.most_common(RELATED_BODY_TERMS)]


def _vectors(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, float]]:
    """Unit term vectors: keyword evidence weighted against the corpus, else stored keyword weights."""
    a = Article.__table__
    rows = {r.id: r for r in conn.execute(select(a.c.id, a.c.title, a.c.keywords).where(a.c.id.in_(list(ids))))}
    evidence = keywordstats.load_evidence(conn, list(rows)) if keywordstats.has_tables(conn) else {}
    stats = (
        keywordstats.corpus_stats(conn, {w for ev, _ in evidence.values() for w in ev.weights}) if evidence else None
    )
    out: dict[int, dict[str, float]] = {}
    for article_id, row in rows.items():
        if article_id in evidence and stats is not None:
            found = evidence[article_id][0]
            vec = kw.scores(found, stats.excluding(found.terms), None)
        else:
            vec = {}
            for item in row.keywords or []:
                word = item.get("word") if isinstance(item, dict) else item
                weight = item.get("weight", 1.0) if isinstance(item, dict) else 1.0
                if isinstance(word, str) and word.strip():
                    vec[word.strip()] = float(weight)
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out[article_id] = {w: v / norm for w, v in vec.items()}
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def _similar(
    conn: Connection, article_id: int, mine: dict[str, float], words: list[str], n: int, window: int
) -> list[tuple[int, float, str | None]]:
    """(id, similarity, None) of the best `n` related articles above the floor."""
    best = sorted(mine, key=lambda w: -mine[w])[:RELATED_TERMS]
    group = [m for m in (keyword_token(w) for w in words) if m]
    group += [t for w in best for t in tokens(w) if len(t) > 1]
    plan = any_of_plan(group, exclude_ids=[article_id])
    rows, _ = _ranked(conn, backend(conn), plan, 0, CANDIDATES, window, count=lambda _conn: -1)
    ids = [r[0] for r in rows]
    a = Article.__table__
    articles = set(conn.execute(select(a.c.id).where(a.c.id.in_(ids), a.c.kind == "article")).scalars())
    vectors = _vectors(conn, [i for i in ids if i in articles])
    scored = [(_cosine(mine, vec), i) for i, vec in vectors.items()]
    scored = sorted((s for s in scored if s[0] >= RELATED_FLOOR), key=lambda s: (-s[0], -s[1]))
    return [(i, score, None) for score, i in scored[:n]]


def related(
    store: Store,
    article_id: int,
    n: int = 5,
    *,
    snippet_chars: int = DEFAULT_SNIPPET_CHARS,
    rank_window: int = RANK_WINDOW,
) -> list[Hit]:
    """Articles related to this one, most similar first (see the module docstring). Raises
    LookupError for an unknown id."""
    with _reading(store) as conn:
        found = load_articles(conn, [article_id])
        if not found:
            raise LookupError(f"no article with id {article_id}")
        article = found[0]
        words = keyword_words(article.keywords)
        window = max(1, rank_window)
        mine = _vectors(conn, [article_id]).get(article_id, {})
        if mine:
            rows = _similar(conn, article_id, mine, words, n, window)
        else:  # never enriched: BM25 over its title and body terms
            plan = any_of_plan(_fallback_terms(article.title, article.blocks), exclude_ids=[article_id])
            rows, _ = _ranked(conn, backend(conn), plan, 0, n, window, count=lambda _conn: -1)
        keys = {keyword_key(w): w for w in words}
        hits = _hits(conn, rows, list(keys), snippet_chars)
    for hit in hits:
        theirs = {keyword_key(w) for w in hit.keywords}
        hit.shared_keywords = [w for k, w in keys.items() if k in theirs]
    return hits
