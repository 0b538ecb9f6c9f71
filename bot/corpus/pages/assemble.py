"""Units -> pieces: header groups, what starts a story, what belongs to it.

* Display lines gather into a header group until a paragraph or byline says what they are.
  Furniture never enters one. Which line of a group is the kicker, the title, the subtitle or
  a column label to drop is `headlines.split_header`'s call (dashes, levels, space, shape).
* A byline, a dateline or a `（上接…）` marker after a header group starts a new article; so
  does a group with a kicker or a `——` subtitle. Any other group inside an article is its
  section headings (`## 记者手记`, `【相关链接】`, `一、…`). Groups with no body after them
  (banners, trailing labels) are dropped.
* An editor's note (`编者按：…`) opens the article it stands before; a byline that follows a
  title and a note still belongs to that article. A dateline under a byline line adds the
  people only it names (`本报记者 X` + `本报讯（通讯员 Y 记者 X）`: X and Y).
* A credit after a story's last paragraph (`（记者 X）`) is the byline of a story that had
  none; under a story with its own byline, one naming someone else ends a second story set
  without a credit under its headline, which splits off at that headline (see `end_credit`).
* A caption paragraph becomes its own piece; labels next to a photo are furniture. A story
  may go on after its photo's caption; a column label and a headline right after a caption
  open a box of their own (a sidebar: `相关链接` + its title).
"""

from __future__ import annotations

import re

from bot.corpus.pages import cues
from bot.corpus.pages.headlines import headline_space, split_header
from bot.corpus.pages.lines import Unit
from bot.corpus.pages.model import Block, Piece
from bot.corpus.pages.text import end_tag
from bot.nlp.datelines import strip_dateline


def _new_header(pending: list[Unit]) -> bool:
    """A header group inside an article that is a new story's headline, not a section heading."""
    if any(cues.is_kicker_end(u.text) for u in pending[:-1]):
        return True
    return len(pending) > 1 and any(cues.is_subtitle_start(u.text) for u in pending[1:])


def _derived_title(piece: Piece) -> str:
    first = next(iter(piece.paragraphs()), "")
    cut = re.split(r"[。！？!?；;，,]", strip_dateline(first), maxsplit=1)[0]
    return cut if len(cut) <= 30 else cut[:30] + "…"


class _Assembler:
    def __init__(self) -> None:
        self.pieces: list[Piece] = []
        self.current: Piece | None = None
        self.notes = 0  # editor's notes among the current piece's paragraphs
        self.pending: list[Unit] = []  # display lines waiting to learn what they are
        self.note: Unit | None = None  # an editor's note waiting for its article
        self.caption_piece: Piece | None = None  # the caption just added, for a caption group
        self.space: int | None = None  # the page's usual space under a headline

    def _keep_questions(self) -> None:
        """Numbered questions with no paragraph under them (`（一）你是否支持…？` + `（二）…？`, a
        questionnaire, or the question a story ends on) are the story's text, not headings of
        nothing: they stay in it as paragraphs."""
        if self.current is None or not self.has_body():
            return
        while self.pending and cues.numbered_question(self.pending[0].text):
            self.current.blocks.append(Block("paragraph", self.pending.pop(0).text))

    def start(self, byline: str | None) -> Piece:
        self._keep_questions()
        piece = Piece(byline=byline)
        if self.pending:
            piece.kicker, piece.title, piece.subtitle = split_header(self.pending, self.space)
        self.pieces.append(piece)
        self.current, self.pending, self.notes = piece, [], 0
        return piece

    def add(self, unit: Unit) -> None:
        assert self.current is not None
        if self.note is not None:
            self.current.blocks.append(Block("paragraph", self.note.text))
            self.note, self.notes = None, self.notes + 1
        self.current.blocks.append(Block("paragraph", unit.text))
        self.notes += unit.note
        self.caption_piece = None
        if unit.jump_out:  # the story goes on on another page: nothing after this is its body
            self.current.continued_on = unit.jump_out
            self.current = None

    def has_body(self) -> bool:
        return self.current is not None and len(self.current.paragraphs()) > self.notes

    def byline(self, unit: Unit, nxt: Unit | None = None) -> None:
        """A byline line: a new story's, or (after a story's text, with no headline under it) the
        credit of the story above, as sites and accounts print it."""
        cur = self.current
        credits_above = nxt is None or nxt.kind not in ("display", "para") or nxt.opens_article
        if credits_above and not self.pending and self.has_body() and cur.byline is None and cur.kind == "article":
            cur.byline = unit.byline  # `文字：X　图片：Y` after the text, as sites and accounts credit
        elif cur is None or self.pending or self.has_body():
            self.start(unit.byline)
        elif cur.byline is None:
            cur.byline = unit.byline  # title, (editor's note,) byline: the same article
        else:
            cur.byline = f"{cur.byline} {unit.byline}"  # `本报记者 X` then `通讯员 Y`

    def caption(self, unit: Unit) -> None:
        last = self.pieces[-1] if self.pieces else None
        if last is not None and last is self.caption_piece and last.byline == unit.credit:
            last.blocks.append(Block("paragraph", unit.text))  # one credit under several photos
        else:
            self.caption_piece = Piece(
                kind="caption", byline=unit.credit or None, blocks=[Block("paragraph", unit.text)]
            )
            self.pieces.append(self.caption_piece)
        self.pending = []  # labels next to a photo are furniture

    def boxed(self) -> bool:
        """A column label and a headline right after a photo caption (`相关链接` + its own title):
        the photo closed the story, so this is a box of its own (a sidebar), not a section of it.
        A story that goes on after its photo goes on with paragraphs or a single heading."""
        return (
            self.caption_piece is not None
            and len(self.pending) > 1
            and cues.is_label(self.pending[0].text)
            and not any(cues.is_label(u.text) for u in self.pending[1:])
        )

    def _headline_pending(self) -> bool:
        """Are the waiting display lines a headline (no numbered, bracketed or boxed heading)?"""
        assert self.current is not None
        return self.current.kind == "article" and not any(cues.is_heading_shape(u.text) for u in self.pending)

    def para(self, unit: Unit) -> None:
        if unit.credit is not None:
            self.caption(unit)
            return
        if unit.note and not self.pending:
            self.note = unit  # it introduces what comes next
            return
        if unit.opens_article:
            if self.pending or self.current is None or self.has_body():
                self.start(unit.byline)
            elif self.current.byline is None:
                self.current.byline = unit.byline
            elif unit.byline:
                self.current.byline = with_credits(self.current.byline, unit.byline)
        elif self.current is None or (self.pending and (_new_header(self.pending) or unit.note or self.boxed())):
            self.start(None)
        elif self.pending and not self.has_body() and not self.current.title and self._headline_pending():
            # a byline set above the headline (`◎本报记者 X` + headline + body): its story's header
            cur = self.current
            cur.kicker, cur.title, cur.subtitle = split_header(self.pending, self.space)
            self.pending = []
        else:
            self.current.blocks.extend(Block("heading", u.text) for u in self.pending)
            self.pending = []
        self.add(unit)

    def end_credit(self, credit: str, tag: str | None = None) -> None:
        """A credit after the story's last paragraph (`（记者 X）`): the byline of a story that
        had none under its headline (or only the bare `本报讯`). Under a story that has its own,
        it ends another story, one whose headline was taken for a section heading (a story set
        under another without a credit of its own): that heading and what follows split off.
        A credit that shares a name with the byline is the same story's (`（本报记者 X Y）` under
        `本报记者 X`): its other names join the byline. `tag` is the credit as printed after the
        last sentence (`…动能。（记者 X）`), taken off that paragraph only when it is used."""
        cur = self.current
        if cur is None or self.pending:
            return
        names = [name for name in credit.split() if not cues.is_role_word(name)]
        if cur.byline is None or not _ROLE_IN.search(cur.byline):
            cur.byline = credit
        elif any(name in cur.byline for name in names):
            cur.byline = with_credits(cur.byline, credit)  # `（记者 X 通讯员 Y）` under `记者 X`: Y joins
        else:
            k = next((k for k in range(len(cur.blocks) - 2, 0, -1) if _headline_heading(cur.blocks[k])), None)
            if k is None:
                return
            self._split_off(cur, k, credit)
        self._untag(tag)

    def _untag(self, tag: str | None) -> None:
        """The used credit off the end of the last paragraph (`…动能。（记者 X）` -> `…动能。`)."""
        cur = self.current
        if tag and cur is not None and cur.blocks and cur.blocks[-1].text.endswith(tag):
            cur.blocks[-1].text = cur.blocks[-1].text[: -len(tag)].rstrip()

    def _split_off(self, cur: Piece, k: int, credit: str) -> None:
        story = Piece(title=cur.blocks[k].text, byline=credit, blocks=cur.blocks[k + 1 :])
        j = k
        while j > 1 and cur.blocks[j - 1].type == "heading" and cues.is_label(cur.blocks[j - 1].text):
            j -= 1  # its column's label (`经济观察`) above it: no heading of the story before
        cur.blocks = cur.blocks[:j]
        self.pieces.append(story)
        self.current = story

    def feed(self, units: list[Unit]) -> list[Piece]:
        self.space = headline_space(units)
        for i, unit in enumerate(units):
            if unit.kind == "display":
                self.pending.append(unit)
            elif unit.kind == "byline":
                self.byline(unit, next((u for u in units[i + 1 :] if u.kind != "furniture"), None))
            elif unit.kind == "endcredit":
                self.end_credit(unit.byline or "")
            elif unit.kind == "para":
                self.para(unit)
                if unit.end_credit:
                    self.end_credit(unit.end_credit, end_tag(unit.text))
        self._keep_questions()
        kept = [p for p in self.pieces if p.paragraphs()]
        for piece in kept:
            if piece.kind == "article" and not piece.title:
                piece.title = _derived_title(piece)
        return kept


_ROLE_WORD = re.compile(rf"^{cues.ROLE}$")
_ROLE_IN = re.compile(r"记者|通讯员|评论员|实习生|撰稿人|摄影师|作者|[文图]/|\S\s+\S")  # a credit, not a bare `本报讯`


def _headline_heading(block: Block) -> bool:
    """A heading in a story's body that reads as a headline: no number, bracket, box or label."""
    return block.type == "heading" and not cues.is_heading_shape(block.text) and not cues.is_label(block.text)


def with_credits(byline: str, dateline: str) -> str:
    """The byline line, and the people only the dateline under it names: `本报记者 X` over
    `本报讯（通讯员 Y 记者 X）` is `本报记者 X 通讯员 Y`. A name goes with the role before it."""
    added, role = [], ""
    for word in dateline.split():
        if _ROLE_WORD.match(word):
            role = word
        elif role and word not in byline:  # a name, not the dateline's head (`本报讯`)
            added.append(f"{role} {word}")
    return " ".join([byline, *added])


def assemble(units: list[Unit]) -> list[Piece]:
    return _Assembler().feed(units)
