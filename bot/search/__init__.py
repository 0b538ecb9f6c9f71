"""Keyword search over the corpus: query language, ranking, snippets, related articles, keywords.

    from bot.search import search, QueryError
    try:
        result = search(store, "武进 -钟楼", page=1, page_size=5)
    except QueryError as exc:
        reply(catalogue[exc.code])            # "empty", "too_long", "only_exclusions", ...
    for hit in result.hits:
        hit.title, hit.byline, hit.score, hit.snippet.parts, hit.keywords
    result.page, result.pages, result.total  # for ◀ ▶ (result.total_capped: "1000+")

Modules: `tokens` (normalisation, jieba search-mode tokens), `query` (parser), `document`
(what is indexed per article), `index` (keeping the index in step with the store), `sqlite` and
`postgres` (the two backends), `snippets`, `service` (search), `related` and `keywords`.
"""

from bot.search.keywords import top_keywords
from bot.search.query import MAX_QUERY_CHARS, MAX_TOKENS, Notice, Query, QueryError, Term, parse, usable_text
from bot.search.related import related
from bot.search.service import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_SNIPPET_CHARS,
    RANK_WINDOW,
    TOTAL_CAP,
    Hit,
    SearchResult,
    rebuild_index,
    search,
)
from bot.search.snippets import Snippet

__all__ = [
    "usable_text",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_SNIPPET_CHARS",
    "MAX_QUERY_CHARS",
    "MAX_TOKENS",
    "RANK_WINDOW",
    "TOTAL_CAP",
    "Hit",
    "Notice",
    "Query",
    "QueryError",
    "SearchResult",
    "Snippet",
    "Term",
    "parse",
    "rebuild_index",
    "related",
    "search",
    "top_keywords",
]
