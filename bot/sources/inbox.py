"""The inbox folder: page files dropped in are taken once complete, then moved out of the way.

Complete means written fully and then left alone: a file is taken when its size and
modification time are the same at two looks `settle` seconds apart (and it is not empty).
Names that writers use while a file is on its way are never taken: hidden files (`.name`),
`~` backups and `.part`, `.partial`, `.tmp`, `.crdownload`, `.download`, `.swp` files. Only the
folder's own files are looked at, not subfolders.

A taken file is moved to `done/` first (under a new name if `done/` already has one, so a page
is never mistaken for an edit of an older one) and ingested from there by bot.corpus, the
same parser and store as `digestbot ingest`; a file that cannot be ingested (not text, too
big, no articles, not a page file type) goes on to `failed/`, with `<name>.reason.txt` beside
it saying why. Nothing is ever deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DONE, FAILED = "done", "failed"
WRITING_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", ".swp")


@dataclass
class Look:
    ready: list[Path] = field(default_factory=list)
    waiting: list[Path] = field(default_factory=list)  # still changing, or empty: next poll


def _in_progress(path: Path) -> bool:
    name = path.name
    return name.startswith(".") or name.endswith("~") or path.suffix.lower() in WRITING_SUFFIXES


def snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    """(size, mtime_ns) of every candidate file directly in the folder."""
    found: dict[Path, tuple[int, int]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.is_symlink() and not _in_progress(path):
            try:
                st = path.stat()
            except OSError:
                continue  # gone between listing and looking
            found[path] = (st.st_size, st.st_mtime_ns)
    return found


def look(folder: Path, settle: float, sleep: Callable[[float], None] = time.sleep) -> Look:
    """Two looks `settle` seconds apart: files unchanged (and not empty) between them are ready."""
    first = snapshot(folder)
    if first and settle > 0:
        sleep(settle)
    second = snapshot(folder) if settle > 0 else first
    out = Look()
    for path, state in second.items():
        if first.get(path) == state and state[0] > 0:
            out.ready.append(path)
        else:
            out.waiting.append(path)
    return out


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 1
    while target.exists() or target.with_name(target.name + ".reason.txt").exists():
        target = folder / f"{stem}.{n}{suffix}"
        n += 1
    return target


def claim(path: Path) -> Path:
    """Move a ready file into done/ (a free name there); return where it now is."""
    done = path.parent / DONE
    done.mkdir(exist_ok=True)
    target = _free_name(done, path.name)
    path.rename(target)
    return target


def unclaim(path: Path, inbox: Path) -> Path:
    """Put a claimed file back into the inbox (its ingest could not even start)."""
    target = _free_name(inbox, path.name)
    path.rename(target)
    return target


def fail(path: Path, inbox: Path, reason: str) -> Path:
    """Move a file (from done/ or the inbox) to failed/ with `<name>.reason.txt` beside it."""
    failed = inbox / FAILED
    failed.mkdir(exist_ok=True)
    target = _free_name(failed, path.name)
    path.rename(target)
    target.with_name(target.name + ".reason.txt").write_text(reason.rstrip() + "\n", encoding="utf-8")
    return target
