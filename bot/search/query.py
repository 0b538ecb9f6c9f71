"""The search query language, parsed into terms with one well-defined meaning each.

    武进 机器人          both words (AND)
    "清洁生产审核"        a phrase: its text must occur as written (case, width, spaces and
                         punctuation aside) inside one field or paragraph
    -钟楼                 excludes the articles that 钟楼 would find
    #机器人               articles whose keywords include 机器人 (exactly, after normalisation)

A word or phrase *matches* an article when the term is itself one of the article's search
tokens, or else when all the term's words (jieba's precise cut; pairs for runs of single
characters) are among the article's tokens and its squashed text occurs in one line of the
article's squashed text. `Term.matches` is that definition in Python; the SQL backends
implement the same and the tests compare the two.

Anything else a user types is text: `*`, `^`, brackets and the like are ignored, bare AND / OR /
NOT / NEAR are dropped, an unmatched quote is ignored. The result carries a `Notice` for each of
these so the bot can explain; what cannot be searched at all raises `QueryError` with a stable
`code` and an English message (the bot keeps its own catalogue keyed by code).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import TextClause, bindparam, text

from bot.search.tokens import KEYWORD_MARK, MAX_TOKEN_CHARS, keyword_token, normalize, query_tokens, squash, tokens

MAX_QUERY_CHARS = 300
MAX_TOKENS = 64
# Scores are ranked to 1/QUANTA (four decimals): a word in more than half of all articles gets
# FTS5's idf of 1e-6, so below that a score is noise, and equal scores go to the title, then the
# newer article. Both backends round the same way: floor(score * QUANTA + 0.5).
QUANTA = 10_000

_QUOTES = {'"', "\u201c", "\u201d"}  # " “ ” (full-width ＂ folds to ")
_SYMBOLS = set("()[]{}*^|&!~+:<>=\\/")
_OPERATOR_WORDS = {"AND", "OR", "NOT", "NEAR"}


class QueryError(ValueError):
    """A query that cannot be searched. `code` is stable; `message` is English; `params` fill it."""

    def __init__(self, code: str, message: str, **params: object):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, **({"params": self.params} if self.params else {})}


@dataclass(frozen=True)
class Notice:
    """Something about the query the user may want to know; the search still ran."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Term:
    kind: str  # "word" | "phrase" | "keyword"
    text: str  # as typed, without its operators
    negated: bool
    key: str  # squashed text (keywords: the squashed keyword)
    tokens: tuple[str, ...]  # distinct search tokens; for keywords the one marker token

    @property
    def needs_text(self) -> bool:
        """True when token presence alone does not prove the text occurs (several tokens)."""
        return self.kind != "keyword" and self.key not in self.tokens

    def matches(self, doc_terms: set[str], lines: Iterable[str]) -> bool:
        """Reference semantics, ignoring negation (see the module docstring)."""
        if not all(t in doc_terms for t in self.tokens):
            return False
        return not self.needs_text or any(self.key in line for line in lines)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "negated": self.negated}


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]
    notices: tuple[Notice, ...] = ()

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def negative(self) -> list[Term]:
        return [t for t in self.terms if t.negated]

    def matches(self, doc_terms: set[str], lines: list[str]) -> bool:
        return all(t.matches(doc_terms, lines) != t.negated for t in self.terms)

    def highlight_keys(self) -> list[str]:
        """Texts to mark in snippets: each positive term's squashed text."""
        return [t.key for t in self.positive if t.key]


@dataclass
class Plan:
    """A query compiled for the backends. All strings are bound or quoted, never spliced raw."""

    must: list[str] = field(default_factory=list)  # tokens every hit has (ANDed) - also ranked
    any_of: bool = False  # related(): `must` ORed instead
    must_not: list[list[str]] = field(default_factory=list)  # token groups: exclude if all present
    texts: list[str] = field(default_factory=list)  # squashed texts every hit contains
    not_texts: list[tuple[list[str], str]] = field(default_factory=list)  # exclude if tokens and text
    exclude_ids: list[int] = field(default_factory=list)

    @property
    def ranked(self) -> list[str]:
        return self.must


def statement(sql: str, params: dict[str, Any]) -> TextClause:
    """A backend's SQL text for a plan, with the `exclude` id list bound as an expanding IN."""
    stmt = text(sql)
    if "exclude" in params:
        stmt = stmt.bindparams(bindparam("exclude", expanding=True))
    return stmt


def usable_text(raw: str) -> str:
    """What a user sent, made storable and sendable: bytes that were not UTF-8 (a command line
    decodes them to surrogate escapes) and lone surrogates (JSON can carry them) become U+FFFD."""
    try:
        raw.encode("utf-8")
        return raw
    except UnicodeEncodeError:
        pass
    try:
        return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # surrogates that are not escapes of bytes
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in raw)


def _clean(raw: str) -> tuple[str, bool]:
    """Map the query's characters to what the scanner expects: quotes to ", control characters and
    symbols to spaces, full-width - and # to ASCII. Returns the text and whether symbols were seen."""
    out = []
    symbols = False
    for ch in raw:
        folded = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        if ch in _QUOTES or folded == '"':
            out.append('"')
        elif folded in ("-", "#"):
            out.append(folded)
        elif folded and all(c in _SYMBOLS for c in folded):
            symbols = True
            out.append(" ")
        elif ch.isspace() or unicodedata.category(ch)[0] in "CZ":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out), symbols


def _make_term(kind: str, text: str, negated: bool) -> Term | None:
    if kind == "keyword":
        marker = keyword_token(text)
        if marker is None:
            return None
        return Term(kind, text, negated, squash(text), (marker,))
    key = squash(text)
    if not key:
        return None
    if key in tokens(text):  # the whole term is one token: finding it is enough
        return Term(kind, text, negated, key, (key,))
    return Term(kind, text, negated, key, tuple(dict.fromkeys(query_tokens(text))))


def _check_length(raw: object) -> str:
    if not isinstance(raw, str):
        raise QueryError("empty", "Type one or more words to search for.")
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError(
            "too_long",
            f"The query is {len(raw)} characters long; the limit is {MAX_QUERY_CHARS}. Search for a few words or a short phrase.",
            length=len(raw),
            limit=MAX_QUERY_CHARS,
        )
    return raw


def _balance_quotes(text: str, symbols: bool) -> tuple[str, list[Notice]]:
    """An unpaired `"` is dropped (the last one); both are said in notices."""
    notices: list[Notice] = []
    if text.count('"') % 2:
        cut = text.rindex('"')
        text = text[:cut] + " " + text[cut + 1 :]
        notices.append(Notice("unbalanced_quote", "A quote mark had no partner and was ignored."))
    if symbols:
        notices.append(Notice("symbols_ignored", "Symbols such as * ^ ( ) are not operators here and were ignored."))
    return text, notices


_Item = tuple[str, str, bool]  # (kind: word | phrase | keyword, text, negated)


def _scan(text: str) -> tuple[list[_Item], list[_Item]]:
    """Split a quote-balanced query into items, and the operator words (AND, OR, ...) apart."""
    found: list[_Item] = []
    operators: list[_Item] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == " ":
            i += 1
            continue
        j, negated, keyword = i, False, False
        if text[j] == "-":
            negated, j = True, j + 1
        if j < n and text[j] == "#":
            keyword, j = True, j + 1
        if j < n and text[j] == '"':
            close = text.index('"', j + 1)  # quotes are balanced by now
            found.append(("keyword" if keyword else "phrase", text[j + 1 : close], negated))
            i = close + 1
            continue
        k = j
        while k < n and text[k] not in ' "':
            k += 1
        word, i = text[j:k], k
        if not (negated or keyword) and word in _OPERATOR_WORDS:
            operators.append(("word", word, False))
        else:
            found.append(("keyword" if keyword else "word", word, negated))
    return found, operators


def _without_operators(found: list[_Item], operators: list[_Item], notices: list[Notice]) -> list[_Item]:
    """Operator words are not operators: ignored beside other words, searched when alone."""
    if not operators:
        return found
    if not any(normalize(t) for _, t, _ in found):
        return operators  # nothing else to look for: search the words themselves
    notices.append(
        Notice(
            "operators_ignored",
            "AND, OR, NOT and NEAR are not operators here: all words must match; put - before a word to exclude it.",
        )
    )
    return found


def _terms(found: list[_Item]) -> list[Term]:
    terms: list[Term] = []
    seen: set[tuple[bool, bool, str]] = set()
    for kind, t, negated in found:
        term = _make_term(kind, t, negated)
        if term is None:
            continue
        ident = (kind == "keyword", negated, term.key)
        if ident not in seen:
            seen.add(ident)
            terms.append(term)
    return terms


def _check_terms(terms: list[Term]) -> None:
    if not terms:
        raise QueryError("empty", "Type one or more words to search for (symbols and emoji are not searched).")
    if all(t.negated for t in terms):
        raise QueryError(
            "only_exclusions", "Add at least one word to look for; -word only removes articles from the results."
        )
    distinct = {tok for t in terms for tok in t.tokens}
    if len(distinct) > MAX_TOKENS:
        raise QueryError(
            "too_many_terms",
            f"The query has {len(distinct)} search terms; the limit is {MAX_TOKENS}. Search for a few words or a short phrase.",
            terms=len(distinct),
            limit=MAX_TOKENS,
        )


def parse(raw: str) -> Query:
    """Parse what a user typed. Raises QueryError (codes: empty, too_long, too_many_terms,
    only_exclusions); everything else is searched, with notices for what was ignored."""
    raw = usable_text(_check_length(raw))
    text, symbols = _clean(raw)
    text, notices = _balance_quotes(text, symbols)
    found, operators = _scan(text)
    terms = _terms(_without_operators(found, operators, notices))
    _check_terms(terms)
    return Query(raw, tuple(terms), tuple(notices))


def compile_query(query: Query) -> Plan:
    plan = Plan()
    for term in query.positive:
        plan.must.extend(t for t in term.tokens if t not in plan.must)
        if term.needs_text:
            plan.texts.append(term.key)
    for term in query.negative:
        if term.needs_text:
            plan.not_texts.append((list(term.tokens), term.key))
        else:
            plan.must_not.append(list(term.tokens))
    return plan


def any_of_plan(terms: Iterable[str], exclude_ids: Iterable[int] = ()) -> Plan:
    """Articles having any of these tokens, ranked by BM25 (for related articles)."""
    must = list(dict.fromkeys(t for t in terms if t and len(t) <= MAX_TOKEN_CHARS))
    return Plan(must=must, any_of=True, exclude_ids=list(exclude_ids))


__all__ = [
    "KEYWORD_MARK",
    "MAX_QUERY_CHARS",
    "MAX_TOKENS",
    "QUANTA",
    "Notice",
    "Plan",
    "Query",
    "QueryError",
    "Term",
    "any_of_plan",
    "compile_query",
    "parse",
]
