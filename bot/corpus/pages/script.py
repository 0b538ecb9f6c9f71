"""Pages in traditional characters: read by the same cues, printed as written.

Every cue of the trade is written in simplified characters (本报讯, 记者, 摄, 责任编辑); a page
of a Hong Kong or Taiwan paper prints them traditional (本報訊, 記者, 攝, 責任編輯). Rather than
write each rule twice, a page that is mostly traditional is parsed in a simplified copy, made
character by character with OpenCC's table (opencc-python-reimplemented ships it as
`TSCharacters.txt`), so the copy has the same length as the page. What the parser returns is
then turned back by the page's own pairs: each simplified character becomes the traditional one
the page wrote for it (the most frequent, should it have written two). A simplified page, or
one with a few traditional characters in it (a name, a quoted title), is parsed as it is.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
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


def restorer(text: str, copy: str) -> Callable[[str], str]:
    """A function that writes a string of the simplified copy back as the page wrote it."""
    seen: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for a, b in zip(text, copy, strict=True):
        if a != b:
            seen[b][a] += 1
    back = {ord(b): counts.most_common(1)[0][0] for b, counts in seen.items()}
    return lambda s: s.translate(back)
