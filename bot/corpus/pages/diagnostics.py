"""What looks wrong in a page's split: the doubts an admin should see before anything is stored.

One function, `diagnose`, serves `digestbot pages` (shown per piece) and `digestbot ingest`
(counted in its summary, listed with -v and in --json). Each warning names the piece and says
what to look at:

* `title-furniture`: the title has the shape of page furniture (a date, page number, staff
  line, column label) or of a byline or credit;
* `no-credit`: an article with neither a byline nor a dateline (a continued story, or a
  headline the parser did not see);
* `mid-word`: a paragraph starts with a mark no sentence starts with, or a word runs across
  from the block before it (a column break left unjoined);
* `unfinished`: a paragraph stops mid-sentence (the last one may, when a `下转` marker sends
  the story on; a caption that only labels its photo, `▲比赛现场`, may too);
* `short`: an article of very few characters (a caption or a fragment taken for a story?).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from bot.corpus.pages import cues
from bot.corpus.pages.lines import straddles
from bot.corpus.pages.model import ParsedPage, Piece
from bot.corpus.pages.text import ends_sentence
from bot.nlp.datelines import DATELINE

SHORT_ARTICLE_CHARS = 50
_QUOTE = 16


@dataclass(frozen=True)
class PageWarning:
    piece: int  # position of the piece on the page, from 0
    title: str
    code: str
    message: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _head(text: str) -> str:
    return text if len(text) <= _QUOTE else text[:_QUOTE] + "…"


def _tail(text: str) -> str:
    return text if len(text) <= _QUOTE else "…" + text[-_QUOTE:]


def _title_doubt(title: str) -> str | None:
    if cues.is_furniture(title) or cues.is_credit(title) or cues.marker_line(title):
        return f"title “{title}” has the shape of page furniture (date, page number, staff line or credit)"
    if cues.byline_of(title) is not None or DATELINE.match(title):
        return f"title “{title}” looks like a byline"
    if cues.is_label(title) and len(title.replace(" ", "")) <= 4:
        return f"title “{title}” is as short as a column or section label"
    return None


def _block_doubts(piece: Piece) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    paragraphs = 0
    last_paragraph = len(piece.paragraphs())
    for k, block in enumerate(piece.blocks):
        if block.type != "paragraph":
            continue
        paragraphs += 1
        before = piece.blocks[k - 1].text if k else ""
        if cues.cannot_open(block.text) or (before and not ends_sentence(before) and straddles(before, block.text)):
            out.append(("mid-word", f"paragraph {paragraphs} starts mid-word or mid-sentence: “{_head(block.text)}”"))
        labelled = piece.kind == "caption" and cues.caption_cue(block.text)  # `▲比赛现场`: a label of a photo
        if not ends_sentence(block.text) and not labelled and not (paragraphs == last_paragraph and piece.continued_on):
            where = "last paragraph" if paragraphs == last_paragraph else f"paragraph {paragraphs}"
            out.append(("unfinished", f"{where} stops mid-sentence: “{_tail(block.text)}”"))
    return out


def diagnose_piece(piece: Piece, index: int) -> list[PageWarning]:
    doubts: list[tuple[str, str]] = []
    if piece.kind == "article":
        title = _title_doubt(piece.title)
        if title:
            doubts.append(("title-furniture", title))
        if piece.byline is None:
            doubts.append(("no-credit", "no byline or dateline"))
    doubts += _block_doubts(piece)
    size = sum(len(t) for t in piece.paragraphs())
    if piece.kind == "article" and size < SHORT_ARTICLE_CHARS:
        doubts.append(("short", f"very short article ({size} characters)"))
    return [PageWarning(index, piece.title, code, message) for code, message in doubts]


def diagnose(page: ParsedPage) -> list[PageWarning]:
    """Every doubt about the page's pieces, in page order."""
    return [w for i, piece in enumerate(page.pieces) for w in diagnose_piece(piece, i)]
