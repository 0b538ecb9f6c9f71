"""Reading articles back out of the store, and their stable JSON shape.

The dict built by `article_dict` is the interface that `articles --json`, `show --json`, the
bot and outside tools read; add keys, never rename them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.db import Store
from bot.models import Article, Page


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
    }


def body_paragraphs(article: Article) -> list[str]:
    return [b.text for b in article.blocks if b.type == "paragraph"]


def _query(kind: str | None = None):
    q = select(Article).options(selectinload(Article.page))
    if kind:
        q = q.where(Article.kind == kind)
    return q


def list_articles(store: Store, kind: str | None = None, limit: int | None = None, offset: int = 0) -> list[Article]:
    """Newest first: by publication date where known, then ingest order."""
    q = _query(kind).order_by(Article.published_on.desc().nulls_last(), Article.id.desc()).offset(offset)
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
