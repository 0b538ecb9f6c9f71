"""The folder tree is the pipeline: each package imports only the packages before it in
`LAYERS` (the README's "How it works" table), and only the Telegram package and the stand-in
speak python-telegram-bot. Read from the source, so a new import that runs the arrow backwards
fails here before it tangles the tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
LAYERS = [
    "config",
    "ui",
    "nlp",
    "store",
    "search",
    "corpus",
    "sources",
    "delivery",
    "digest",
    "ops",
    "telegram",
    "standin",
    "cli",
]
# the store hooks the search index into every session it opens (bot/store/db.py), and migrations
# rebuild the index; a type named only for annotations is not an import at run time
ALLOWED = {("store", "search")}
TELEGRAM_SPEAKERS = {"telegram", "standin"}


def _imports(path: Path) -> list[tuple[str, int]]:
    """(module, line) of every import that runs (not those under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
    return out


def _package(path: Path) -> str | None:
    parts = path.relative_to(BOT).parts
    return parts[0] if len(parts) > 1 else None


def test_every_package_is_a_layer():
    packages = {p.name for p in BOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_a_package_imports_only_the_layers_before_it(layer: str):
    allowed = set(LAYERS[: LAYERS.index(layer)]) | {layer}
    wrong = []
    for path in sorted((BOT / layer).rglob("*.py")):
        for module, line in _imports(path):
            parts = module.split(".")
            if parts[0] != "bot" or len(parts) < 2 or parts[1] not in LAYERS:
                continue
            if parts[1] not in allowed and (layer, parts[1]) not in ALLOWED:
                wrong.append(f"{path.relative_to(BOT.parent)}:{line} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_only_the_telegram_package_and_the_standin_import_telegram():
    wrong = [
        f"{path.relative_to(BOT.parent)}:{line}"
        for path in sorted(BOT.rglob("*.py"))
        if _package(path) not in TELEGRAM_SPEAKERS
        for module, line in _imports(path)
        if module == "telegram" or module.startswith("telegram.")
    ]
    assert not wrong, wrong
