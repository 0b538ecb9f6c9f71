"""Reading articles back out of the store, and their stable JSON shape.

The dict built by `article_dict` is the interface that `articles --json`, `show --json`, the
bot and outside tools read; add keys, never rename them. `original()` and `also_in` are the two
sides of near-duplicates: each story shown once, and the other places it appeared.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.store.db import Store
from bot.store.models import Article, ArticleDuplicate, Page


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def article_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "source": article.page.source,
        "position": article.position,
        "kind": article.kind,
        "title": article.title,
        "kicker": article.kicker,
        "subtitle": article.subtitle,
        "byline": article.byline,
        "blocks": [{"type": b.type, "text": b.text} for b in article.blocks],
        "published_on": _iso(article.published_on),
        "ingested_at": _iso(article.ingested_at),
        "updated_at": _iso(article.updated_at),
        "summary": list(article.summary or []),
        "keywords": list(article.keywords or []),
        # live sources: the original's link, the configured source, and the story it repeats
        "url": article.url,
        "source_name": article.source_name,
        "duplicate_of": article.duplicate.original_id if article.duplicate is not None else None,
    }


def original() -> Any:
    """SQL: the article is no near-duplicate of an earlier one (digests, alerts, /latest show
    each story once)."""
    return ~select(ArticleDuplicate.article_id).where(ArticleDuplicate.article_id == Article.id).exists()


def also_in(store: Store, article_id: int) -> list[dict[str, Any]]:
    """The other articles telling the same story (its original and that original's duplicates),
    oldest first: {id, title, source_name, url, similarity}."""
    with store.session() as s:
        link = s.get(ArticleDuplicate, article_id)
        root = link.original_id if link is not None else article_id
        members = select(ArticleDuplicate.article_id).where(ArticleDuplicate.original_id == root)
        rows = s.execute(
            select(Article.id, Article.title, Article.source_name, Article.url, ArticleDuplicate.similarity)
            .outerjoin(ArticleDuplicate, ArticleDuplicate.article_id == Article.id)
            .where((Article.id == root) | Article.id.in_(members), Article.id != article_id)
            .order_by(Article.id)
        ).all()
    return [
        {"id": r.id, "title": r.title, "source_name": r.source_name, "url": r.url, "similarity": r.similarity}
        for r in rows
    ]


def keyword_words(raw: object) -> list[str]:
    """The words of an article's `keywords` column ([{"word", "weight"}, ...] or plain strings),
    best first; anything malformed is skipped."""
    return list(keyword_weights(raw))


def keyword_weights(raw: object) -> dict[str, float]:
    """word -> weight (1.0 where none is stored) of an article's `keywords` column, best first."""
    if not isinstance(raw, list):
        return {}
    out: dict[str, float] = {}
    for item in raw:
        word, weight = (item.get("word"), item.get("weight", 1.0)) if isinstance(item, dict) else (item, 1.0)
        if isinstance(word, str) and word.strip() and word.strip() not in out:
            try:
                out[word.strip()] = float(weight)
            except (TypeError, ValueError):
                out[word.strip()] = 1.0
    return out


def body_paragraphs(article: Article) -> list[str]:
    return [b.text for b in article.blocks if b.type == "paragraph"]


def _query(kind: str | None = None):
    q = select(Article).options(selectinload(Article.page))
    if kind:
        q = q.where(Article.kind == kind)
    return q


def list_articles(
    store: Store, kind: str | None = None, limit: int | None = None, offset: int = 0, originals: bool = False
) -> list[Article]:
    """Newest first: by publication date where known, then ingest order; `originals`: each
    story once (near-duplicates left out)."""
    q = _query(kind).order_by(Article.published_on.desc().nulls_last(), Article.id.desc()).offset(offset)
    if originals:
        q = q.where(original())
    if limit is not None:
        q = q.limit(limit)
    with store.session() as s:
        return list(s.scalars(q))


def articles_in_page_order(store: Store, kind: str | None = None) -> list[Article]:
    q = _query(kind).join(Article.page).order_by(Page.source, Article.position)
    with store.session() as s:
        return list(s.scalars(q))


def get_article(store: Store, article_id: int) -> Article | None:
    with store.session() as s:
        return s.scalars(_query().where(Article.id == article_id)).one_or_none()
