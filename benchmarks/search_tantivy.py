"""The tantivy baseline for benchmarks/search.py: the same articles, the same jieba tokens.

Each article's six token streams (bot.search.document, exactly what the stores index) go into
a tantivy index as whitespace-tokenised text fields with positions. A query is the parsed
digestbot query turned into tantivy's own: every search token must be in some field (the
fields boosted with digestbot's BM25 weights), a phrase is a tantivy phrase query over its
tokens in any field (positions with a slop of 3, for the sub-words jieba's search mode puts
between them; not digestbot's squashed-text test, so its hits can differ a little), an exclusion a MustNot,
`#keyword` the marker token in the keywords field. A search asks for the top 5 and the count
of all matches, as digestbot's first page does; it reads no text and makes no snippet, so it
is the floor for ranking alone, not the same work.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.search import parse
from bot.search.document import FIELDS, WEIGHTS, IndexDoc

HEAP = 200_000_000
SLOP = 3  # search-mode tokens put sub-words between a phrase's words


def available() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def _schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in FIELDS:
        sb.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="position")
    return sb.build()


def doc_fields(doc: IndexDoc) -> dict[str, Any]:
    """What one article contributes to the tantivy index (built in the benchmark's workers)."""
    return {"id": doc.article_id, **{f: doc.field_text(f) for f in FIELDS}}


class TantivyIndex:
    def __init__(self, path: Path):
        import tantivy

        self.path = path
        self.schema = _schema()
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path))

    @property
    def size(self) -> int:
        self.index.reload()
        return int(self.index.searcher().num_docs)

    def writer(self) -> Any:
        return self.index.writer(heap_size=HEAP, num_threads=1)

    def add(self, writer: Any, rows: list[dict[str, Any]]) -> None:
        import tantivy

        for row in rows:
            writer.add_document(tantivy.Document(**row))

    def commit(self, writer: Any) -> None:
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def megabytes(self) -> float:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file()) / 1024 / 1024

    def _any_field(self, token: str) -> Any:
        from tantivy import Occur, Query

        return Query.boolean_query(
            [(Occur.Should, Query.boost_query(Query.term_query(self.schema, f, token), WEIGHTS[f])) for f in FIELDS]
        )

    def _phrase(self, toks: list[str]) -> Any:
        from tantivy import Occur, Query

        if len(toks) == 1:
            return self._any_field(toks[0])
        return Query.boolean_query(
            [(Occur.Should, Query.phrase_query(self.schema, f, toks, slop=SLOP)) for f in FIELDS]
        )

    def _term(self, term: Any) -> Any:
        from tantivy import Occur, Query

        if term.kind == "keyword":
            return Query.term_query(self.schema, "keywords", term.tokens[0])
        if term.needs_text:
            return Query.boolean_query(
                [(Occur.Must, self._any_field(t)) for t in term.tokens]
                + [(Occur.Must, self._phrase(list(term.tokens)))]
            )
        return self._any_field(term.tokens[0])

    def query(self, text: str) -> Any:
        from tantivy import Occur, Query

        parsed = parse(text)
        clauses = [(Occur.MustNot if t.negated else Occur.Must, self._term(t)) for t in parsed.terms]
        return Query.boolean_query(clauses)

    def runner(self, text: str) -> Callable[[], int]:
        query = self.query(text)
        searcher = self.index.searcher()

        def run() -> int:
            result = searcher.search(query, 5, count=True)
            [searcher.doc(addr)["id"] for _, addr in result.hits]
            return int(result.count or 0)

        return run


def open_index(root: Path, name: str, fresh: bool) -> TantivyIndex:
    path = root / name
    if fresh and path.exists():
        shutil.rmtree(path)
    return TantivyIndex(path)
