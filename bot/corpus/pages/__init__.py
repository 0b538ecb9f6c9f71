"""Newspaper page files -> clean pieces (articles and photo captions).

A page of a daily holds several pieces, linearised into text with layout damage: column
breaks cut paragraphs mid-word, page headers, column labels and staff lines float between
stories, photo captions and credits sit next to stories they are not part of, continuation
markers send a story to another page. The parser works on cues of shape only — length,
punctuation, position and the few generic words of the trade — never on a paper's name or a
story's words, so any Chinese daily splits by the same rules:

* `text`: Markdown marks, sentence ends, display shape (short, no sentence punctuation);
* `cues`: what a line is (byline, photo credit, dateline, page furniture, label, marker);
* `lines`: lines -> units, then the repairs (titles before bylines, column breaks, captions);
* `headlines`: header groups -> kicker, title, subtitle (labels dropped);
* `assemble`: what starts a story, what belongs to it;
* `diagnostics`: what looks wrong in a split, for `digestbot pages` and `digestbot ingest`;
* `script`: a page in traditional characters is read in a simplified copy and printed as written.

The output keeps the text as written, minus Markdown marks, page furniture and markers.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.corpus.pages.assemble import assemble
from bot.corpus.pages.lines import join_breaks, mark_captions, promote_titles, read_units
from bot.corpus.pages.model import Block, ParsedPage, Piece
from bot.corpus.pages.script import Restorer, is_traditional, simplified
from bot.corpus.pages.text import date_from_name, ends_sentence, front_matter, is_display, strip_markdown
from bot.nlp.datelines import DATELINE, strip_dateline

__all__ = [
    "DATELINE",
    "Block",
    "ParsedPage",
    "Piece",
    "date_from_name",
    "ends_sentence",
    "is_display",
    "parse_page",
    "strip_dateline",
    "strip_markdown",
]


def parse_page(text: str, name: str = "") -> ParsedPage:
    """Split one page's text into pieces. `name` (the file name) may carry a date."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text, meta = front_matter(text)
    copy = simplified(text)
    traditional = is_traditional(text, copy)
    units = mark_captions(join_breaks(promote_titles(read_units(copy if traditional else text))))
    pieces = assemble(units)
    if traditional:
        back = Restorer(text, copy)  # one, reading on through the page
        pieces = [_written_as(piece, back) for piece in pieces]
    published = None
    if meta.get("date"):
        published = date_from_name(meta["date"].replace("/", "-"))
    return ParsedPage(pieces, published or date_from_name(name))


def _written_as(piece: Piece, back: Callable[[str], str]) -> Piece:
    """The piece with its text in the page's own characters again, read in page order (kicker,
    title, subtitle, body; the byline last, since it may come from the story's end)."""

    def opt(text: str | None) -> str | None:
        return None if text is None else back(text)

    kicker, title, subtitle = opt(piece.kicker), back(piece.title), opt(piece.subtitle)
    blocks = [Block(b.type, back(b.text)) for b in piece.blocks]
    return Piece(
        kind=piece.kind,
        title=title,
        kicker=kicker,
        subtitle=subtitle,
        byline=opt(piece.byline),
        blocks=blocks,
        continued_on=opt(piece.continued_on),
    )
