"""Pages in traditional characters: read by the same cues, printed as written.

Every cue of the trade is written in simplified characters (本报讯, 记者, 摄, 责任编辑); a page
of a Hong Kong or Taiwan paper prints them traditional (本報訊, 記者, 攝, 責任編輯). Rather than
write each rule twice, a page that is mostly traditional is parsed in a simplified copy, made
character by character with OpenCC's table (opencc-python-reimplemented ships it as
`TSCharacters.txt`), so the copy has the same length as the page. What the parser returns is
then turned back by position: each run of text is written with the characters the page has at
the place it came from (`Restorer`). A simplified page, or
one with a few traditional characters in it (a name, a quoted title), is parsed as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_MIN_SHARE = 0.15  # of a page's Chinese characters, traditional ones that differ: a traditional page (a third or so)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    """Traditional character -> its simplified one (the first OpenCC lists), one to one."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = target
    return table


def simplified(text: str) -> str:
    """The text with each traditional character replaced by its simplified one (same length)."""
    return text.translate(_table())


def is_traditional(text: str, copy: str) -> bool:
    """Is the page mostly traditional: do enough of its Chinese characters differ in `copy`?"""
    han = len(_CJK.findall(text))
    changed = sum(a != b for a, b in zip(text, copy, strict=True))
    return han > 0 and changed >= _MIN_SHARE * han


class Restorer:
    """Writes strings of the simplified copy back as the page wrote them, by position: each
    run of a string is found in the copy (searching on from where the last one was found, since
    pieces come in page order) and the page's own characters at that place are taken. So a
    character is restored to the form the page used just there (`台北` stays, `颱風` stays), and a
    simplified story reprinted on a traditional page stays simplified. A run found nowhere (a
    space the parser put between joined credits) keeps its characters."""

    def __init__(self, text: str, copy: str) -> None:
        self.text, self.copy, self.cursor = text, copy, 0

    def __call__(self, s: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(s):
            at, size = self._longest_run(s, i)
            if size == 0:
                out.append(s[i])
                i += 1
                continue
            out.append(self.text[at : at + size])
            self.cursor = at + size
            i += size
        return "".join(out)

    def _longest_run(self, s: str, i: int) -> tuple[int, int]:
        """(where in the copy, how long) the longest run of `s` from `i` that the copy holds:
        searched on from the cursor and from the top, the longer wins (the cursor's on a tie)."""
        best = (0, 0)
        for start in (self.cursor, 0):
            if self.copy.find(s[i], start) < 0:
                continue
            lo, hi = 1, len(s) - i  # s[i:i+lo] is found; binary search the longest
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.copy.find(s[i : i + mid], start) >= 0:
                    lo = mid
                else:
                    hi = mid - 1
            if lo > best[1]:
                best = (self.copy.find(s[i : i + lo], start), lo)
        return best
