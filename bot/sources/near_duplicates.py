"""The same story from two sources: near-duplicate articles found with MinHash LSH (datasketch).

An article's text is its paragraphs without the opening dateline (`本报讯（记者 X）`, which differs
from site to site), folded (NFKC, lower case, letters and digits only) and cut into overlapping
character shingles of `SHINGLE` characters. Titles and bylines are left out: sites rewrite
headlines and credit their own staff. Texts under `MIN_CHARS` folded characters (captions,
one-line flashes) are never compared; only the first `MAX_CHARS` folded characters are (a
story's repeat shares its opening, and the shingle set of a 5 MB page would take ~400 MB).

Finding candidates: the MinHash signature (`NUM_PERM` permutations) is cut into the bands that
datasketch's MinHashLSH chooses for `LSH_THRESHOLD`, and each band's hash is stored in
`duplicate_bands`, indexed; articles sharing a band key with the new one are candidates (one
indexed lookup, however large the corpus). Deciding: the exact Jaccard similarity of the two
shingle sets must reach `THRESHOLD`. The earlier article (lower id) is the original; the later
one gets an `article_duplicates` row pointing at it (at the original's own original, so every
story has one root).

The threshold and shingle size were chosen on hand-made pairs (benchmarks/near_duplicates.py):
the same story re-edited (dateline and title changed, a paragraph added, dropped or reworded,
the end cut, only its first half) scores 0.48-1.0, different stories on one subject (same
names, places and vocabulary) and the seed pages' 91 article pairs at most 0.033 with 4-character
shingles (the widest gap of sizes 2-6, tied with 5 and 6). 0.3 sits inside that gap with room
on both sides: a story cut to its first half still counts, boilerplate shared by two different
stories of one site does not.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable

from datasketch import MinHash, MinHashLSH
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.nlp.datelines import strip_dateline
from bot.store.models import Article, ArticleDuplicate, Block, DuplicateBand, utcnow

SHINGLE = 4
NUM_PERM = 128
THRESHOLD = 0.3  # exact Jaccard of the shingle sets: the decision
LSH_THRESHOLD = 0.25  # the bands are tuned a little lower, so pairs near the threshold still collide
MIN_CHARS = 80
MAX_CHARS = 20_000  # folded characters compared: news articles are far shorter; memory stays bounded
SEED = 1
_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is str.isalnum() and "_"
_LSH = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
BANDS, ROWS = _LSH.b, _LSH.r
VERSION = f"k{SHINGLE}p{NUM_PERM}b{BANDS}r{ROWS}s{SEED}"  # band keys change with any of these


def folded(paragraphs: Iterable[str]) -> str:
    parts = list(paragraphs)
    if parts:
        parts[0] = strip_dateline(parts[0])
    text = unicodedata.normalize("NFKC", "".join(parts)).lower()
    return _NOT_ALNUM.sub("", text)  # what str.isalnum() keeps, without a string per character


def shingles(paragraphs: Iterable[str], size: int = SHINGLE) -> set[str]:
    text = folded(paragraphs)[:MAX_CHARS]
    if len(text) < MIN_CHARS:
        return set()
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def signature(grams: set[str]) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update_batch([g.encode("utf-8") for g in sorted(grams)])
    return mh


def band_keys(grams: set[str]) -> list[str]:
    """One key per LSH band: a hash of that band's rows of the signature (and the parameters)."""
    values = signature(grams).hashvalues
    keys = []
    for band in range(BANDS):
        rows = values[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(hashlib.blake2b(f"{VERSION}:{band}:".encode() + rows, digest_size=16).hexdigest())
    return keys


def _paragraphs(article: Article) -> list[str]:
    return [b.text for b in article.blocks if b.type == "paragraph"]


def _candidate_texts(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in ids}
    rows = session.execute(
        select(Block.article_id, Block.text)
        .where(Block.article_id.in_(ids), Block.type == "paragraph")
        .order_by(Block.article_id, Block.position)
    )
    for article_id, text in rows:
        out[article_id].append(text)
    return out


def _root(session: Session, article_id: int) -> int:
    link = session.get(ArticleDuplicate, article_id)
    return link.original_id if link is not None else article_id


def _best_match(session: Session, article: Article, grams: set[str], keys: list[str]) -> tuple[int, float] | None:
    ids = list(
        session.scalars(
            select(DuplicateBand.article_id)
            .where(DuplicateBand.key.in_(keys), DuplicateBand.article_id != article.id)
            .distinct()
        )
    )
    if not ids:
        return None
    kinds = dict(session.execute(select(Article.id, Article.kind).where(Article.id.in_(ids))).all())
    texts = _candidate_texts(session, [i for i in ids if kinds.get(i) == "article"])
    scored = [(jaccard(grams, shingles(paragraphs)), other) for other, paragraphs in texts.items()]
    good = [(score, other) for score, other in scored if score >= THRESHOLD]
    if not good:
        return None
    score, other = max(good, key=lambda pair: (pair[0], -pair[1]))
    return other, score


def _link(session: Session, duplicate: Article, original_id: int, score: float) -> None:
    if duplicate.duplicate is None:
        duplicate.duplicate = ArticleDuplicate(original_id=original_id, similarity=score, found_at=utcnow())
    else:
        duplicate.duplicate.original_id, duplicate.duplicate.similarity = original_id, score
    # anything that pointed at the duplicate now points at its original: one root per story
    for child in session.scalars(select(ArticleDuplicate).where(ArticleDuplicate.original_id == duplicate.id)):
        child.original_id = original_id


def mark(session: Session, article: Article) -> int | None:
    """Index a new or changed article's bands and link it to the story it repeats, if any.
    Returns the original's id when the article is (now) a duplicate."""
    session.execute(delete(DuplicateBand).where(DuplicateBand.article_id == article.id))
    grams = shingles(_paragraphs(article)) if article.kind == "article" else set()
    if not grams:
        if article.duplicate is not None:
            article.duplicate = None
        return None
    keys = band_keys(grams)
    session.add_all(DuplicateBand(article_id=article.id, band=i, key=k) for i, k in enumerate(keys))
    match = _best_match(session, article, grams, keys)
    if match is None:
        if article.duplicate is not None:
            article.duplicate = None  # edited away from the story it repeated
        return None
    other, score = match
    root = _root(session, other)
    if root == article.id:
        return None
    if root < article.id:
        _link(session, article, root, score)
        return root
    newer = session.get(Article, root)  # the match came later (this one was edited): it repeats this one
    if newer is not None and article.duplicate is None:
        _link(session, newer, article.id, score)
    return None


def marker() -> Callable[[Session, Article], None]:
    """`mark` as an ingest hook (bot.corpus.ingest's Enricher signature)."""

    def hook(session: Session, article: Article) -> None:
        mark(session, article)

    return hook
