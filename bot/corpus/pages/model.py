"""What the page parser returns: pieces (articles and photo captions) made of blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Block:
    type: str  # "paragraph" | "heading"
    text: str


@dataclass
class Piece:
    """One article or photo caption as found on a page.

    `continued_on` is the jump a continuation marker gave (`下转第3版` -> `第3版`): the story
    goes on on another page, so its last paragraph may stop mid-sentence. It is not stored.
    """

    kind: str = "article"
    title: str = ""
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    blocks: list[Block] = field(default_factory=list)
    continued_on: str | None = None

    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.type == "paragraph"]


@dataclass
class ParsedPage:
    pieces: list[Piece]
    published_on: date | None = None
