"""Finding the page files under `digestbot ingest`'s arguments, every one accounted for.

Each argument is walked on its own (nothing one argument holds can stop the others), without
recursion (a tree 1,100 levels deep is no problem) and without ever opening a file: this only
lists. What it yields is (path, None) for a page file to read, or (path, problem) for one error
line:

* a page name (`.txt`, `.md`, `.markdown`) that is not a regular file (a FIFO, a socket, a
  device), a dangling symbolic link or a symbolic-link loop — whatever its name, since a
  dangling link may have been a folder;
* a folder that cannot be listed (permissions), one that leads back to a folder above it
  (a link or bind-mount loop), one nested deeper than `MAX_DEPTH` below its argument;
* an argument that does not exist, is not a page file, or is a folder without pages.

Other files in folders (images, notes) are not pages and are passed over. Symbolic links are
followed; a folder reached twice in one run (`latest -> 2024-12-01`) is walked once.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.corpus.textfiles import PAGE_SUFFIXES, file_kind, stat_problem

MAX_DEPTH = 64  # folder levels below an argument; deeper ones are reported, not searched

Found = tuple[Path, str | None]


def _is_page(name: str) -> bool:
    return name.lower().endswith(PAGE_SUFFIXES)


def _key(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


class _Walk:
    """One run's walk over all arguments; remembers the folders already walked."""

    def __init__(self) -> None:
        self.walked: set[tuple[int, int]] = set()

    def argument(self, path: Path) -> Iterator[Found]:
        try:
            st = os.stat(path)
        except OSError as exc:
            yield path, stat_problem(path, exc)
            return
        if stat.S_ISDIR(st.st_mode):
            if _key(st) in self.walked:
                return  # the same folder given twice (or inside an earlier argument): walked once
            reported = 0
            for found in self.folder(path, st):
                reported += 1
                yield found
            if not reported:
                yield path, f"no {'/'.join(PAGE_SUFFIXES)} files in this directory"
        elif not stat.S_ISREG(st.st_mode):
            yield path, f"not a regular file ({file_kind(st.st_mode)})"
        elif _is_page(path.name):
            yield path, None
        else:
            shown = path.suffix or "(none)"
            yield path, f"unsupported file type {shown!r}: only {', '.join(PAGE_SUFFIXES)} pages are ingested"

    def folder(self, root: Path, st: os.stat_result) -> Iterator[Found]:
        """Depth first, names in order, with an explicit stack (no recursion)."""
        self.walked.add(_key(st))
        stack: list[tuple[Path, list[os.DirEntry[str]], tuple[tuple[int, int], ...]]] = []
        listed = self._list(root)
        if isinstance(listed, str):
            yield root, listed
            return
        stack.append((root, listed, (_key(st),)))
        while stack:
            folder, entries, above = stack[-1]
            if not entries:
                stack.pop()
                continue
            entry = entries.pop()
            found, descend = self._entry(Path(entry.path), entry, above, len(stack))
            if found is not None:
                yield found
            if descend is not None:
                sub, sub_st = descend
                listed = self._list(sub)
                if isinstance(listed, str):
                    yield sub, listed
                else:
                    stack.append((sub, listed, (*above, _key(sub_st))))

    @staticmethod
    def _list(folder: Path) -> list[os.DirEntry[str]] | str:
        """The folder's entries, last name first (they are popped), or why it cannot be listed."""
        try:
            with os.scandir(folder) as it:
                return sorted(it, key=lambda e: e.name, reverse=True)
        except OSError as exc:
            return f"cannot read directory: {exc.strerror or exc}"

    def _entry(
        self, path: Path, entry: os.DirEntry[str], above: tuple[tuple[int, int], ...], depth: int
    ) -> tuple[Found | None, tuple[Path, os.stat_result] | None]:
        """What one folder entry is: a page, a problem, a folder to walk, or nothing to say."""
        try:
            st = entry.stat()  # follows symbolic links
        except OSError as exc:
            if entry.is_symlink() or _is_page(entry.name):
                return (path, stat_problem(path, exc)), None
            return None, None
        if stat.S_ISDIR(st.st_mode):
            if _key(st) in above:
                return (path, "directory loop: it leads back to a folder above it, not searched"), None
            if _key(st) in self.walked:
                return None, None  # already walked under another path in this run
            if depth >= MAX_DEPTH:
                return (path, f"too deep: more than {MAX_DEPTH} folder levels below the argument, not searched"), None
            self.walked.add(_key(st))
            return None, (path, st)
        if not _is_page(entry.name):
            return None, None
        if not stat.S_ISREG(st.st_mode):
            return (path, f"not a regular file ({file_kind(st.st_mode)})"), None
        return (path, None), None


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Found]:
    """(file, None) for every page file under the arguments, (path, problem) for each problem."""
    walk = _Walk()
    for raw in paths:
        yield from walk.argument(Path(raw))
