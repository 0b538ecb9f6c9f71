"""Every path under `digestbot ingest`'s arguments is accounted for: ingested, unchanged, or one
error line; no argument stops the others; nothing blocks; decoding and file names hold up.
Trees are built in tmp_path; the store is real (SQLite and PostgreSQL)."""

from __future__ import annotations

import codecs
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.corpus.ingest import Ingestor
from bot.corpus.textfiles import BadFile, decode, read_page_file
from bot.corpus.walk import MAX_DEPTH, expand_paths
from bot.store.articles import article_dict, articles_in_page_order

ROOT = Path(__file__).resolve().parents[1]


def page(title: str, body: str = "第一段写的是一件事，说得清清楚楚。") -> str:
    return f"{title}\n\n本报讯（记者 甲乙）{body}\n\n第二段接着说这件事的来龙去脉。\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ingest(store, *paths, max_bytes=5_000_000):
    return Ingestor(store, max_bytes).ingest(paths)


def errors_by_name(report) -> dict[str, str]:
    return {Path(r.path).name: r.error for r in report.errors}


def deep_tree(base: Path, levels: int) -> Path:
    """`levels` nested folders, made without recursion (os.makedirs recurses per level)."""
    path = base
    for _ in range(levels):
        path = path / "d"
        os.mkdir(path)
    return path


def remove_deep(base: Path) -> None:
    """shutil.rmtree recurses per level too; remove the innermost folder first instead."""
    folders = []
    path = base
    while path.is_dir():
        folders.append(path)
        path = path / "d"
    for folder in reversed(folders):
        for child in folder.iterdir():
            if not child.is_dir() or child.is_symlink():
                child.unlink()
        folder.rmdir()


def test_a_tree_of_bad_entries_gives_one_line_each_and_the_pages_go_in(store, tmp_path: Path):
    tree = tmp_path / "tree"
    write(tree / "a.txt", page("第一篇的标题"))
    write(tree / "sub" / "b.md", page("第二篇的标题"))
    write(tree / "notes.jpg", "not a page, not reported")
    (tree / "dangling.txt").symlink_to(tree / "gone.txt")
    (tree / "dangling-folder").symlink_to(tree / "gone")  # any name: it may have been a folder
    (tree / "loop.txt").symlink_to(tree / "loop.txt")
    (tree / "sub" / "up").symlink_to(tree)  # leads back to a folder above it
    (tree / "same").symlink_to(tree / "sub")  # the same folder twice: walked once, no error
    os.mkfifo(tree / "fifo.txt")
    os.mkfifo(tree / "fifo-not-a-page")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tree / "socket.md"))
        write(tree / "big.txt", page("太长的一页", "很长。" * 2000))
        (tree / "binary.txt").write_bytes(bytes(range(256)) * 4)
        (tree / "undecodable.txt").write_bytes(b"abc \xff\xfd \x81 def")
        report = ingest(store, tree, max_bytes=10_000)
    assert errors_by_name(report) == {
        "dangling.txt": f"dangling symbolic link (its target {tree / 'gone.txt'} does not exist)",
        "dangling-folder": f"dangling symbolic link (its target {tree / 'gone'} does not exist)",
        "loop.txt": "symbolic link loop (the link leads back to itself)",
        "up": "directory loop: it leads back to a folder above it, not searched",
        "fifo.txt": "not a regular file (a FIFO)",
        "socket.md": "not a regular file (a socket)",
        "big.txt": f"file is {(tree / 'big.txt').stat().st_size / 1000:.1f} KB, over the 10.0 KB limit (ingest.max_file_bytes)",
        "binary.txt": "binary file, not text",
        "undecodable.txt": "not UTF-8 or GB18030/GBK text (undecodable byte at offset 4)",
    }
    assert sorted(Path(r.path).name for r in report.results if r.status == "new") == ["a.txt", "b.md"]
    assert "; 9 errors;" in report.summary_line()  # then the split warnings of the tiny good pages


@pytest.mark.timeout(60)
def test_no_argument_stops_the_others(store, tmp_path: Path):
    """A link loop, a 1,100-level tree and a missing file as arguments: one line each, and the
    page given after them is ingested (they used to raise RuntimeError / RecursionError)."""
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    deep = tmp_path / "deep"
    deep.mkdir()
    inner = deep_tree(deep, 1100)
    write(inner / "lost.txt", "深处的一页")
    write(deep / "d" / "near.txt", page("浅处的一页"))
    good = write(tmp_path / "good.txt", page("最后一篇"))
    try:
        report = ingest(store, loop, deep, tmp_path / "missing.txt", good)
    finally:
        remove_deep(deep)
    lines = {(Path(r.path).name, r.error) for r in report.errors}
    assert lines == {
        ("loop", "symbolic link loop (the link leads back to itself)"),
        ("d", f"too deep: more than {MAX_DEPTH} folder levels below the argument, not searched"),
        ("missing.txt", "no such file or directory"),
    }
    assert sorted(Path(r.path).name for r in report.results if r.status == "new") == ["good.txt", "near.txt"]


@pytest.mark.timeout(30)
def test_a_page_replaced_by_a_fifo_after_listing_is_refused_not_waited_on(store, tmp_path: Path):
    write(tmp_path / "p" / "1.txt", page("第一篇"))
    second = write(tmp_path / "p" / "2.txt", page("第二篇"))
    found = list(expand_paths([tmp_path / "p"]))  # listed: two pages
    second.unlink()
    os.mkfifo(second)  # nobody ever writes to it: a blocking open would hang here
    report = Ingestor(store, 5_000_000).ingest_found(found)
    assert errors_by_name(report) == {"2.txt": "not a regular file (a FIFO)"}
    assert [r.status for r in report.results] == ["new", "error"]
    with pytest.raises(BadFile, match="FIFO"):
        read_page_file(second, 1000)


def _without_read_override() -> list[str]:
    """A command prefix under which chmod 000 stops the child. Root reads anything through the
    CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH capabilities, so as root the child runs without them
    (setpriv drops them from the bounding set; it stays uid 0, so its own files, the
    interpreter under /root included, are still reachable by their owner bits)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv to drop CAP_DAC_OVERRIDE: chmod 000 would prove nothing")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.mark.timeout(120)
def test_unreadable_folder_and_file_are_errors_with_exit_status_1(tmp_path: Path):
    """An unreadable file on the command line and an unreadable folder in a tree: one line
    each, the readable page still ingested, exit status 1 (the file used to stop the run)."""
    ok = write(tmp_path / "pages" / "ok.txt", page("能读的一篇"))
    write(tmp_path / "pages" / "locked" / "x.txt", page("锁住的文件夹里"))
    secret = write(tmp_path / "secret.txt", page("锁住的一篇"))
    os.chmod(tmp_path / "pages" / "locked", 0)
    os.chmod(secret, 0)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGESTBOT_", "TELEGRAM_"))}
    env["PYTHONPATH"] = str(ROOT)
    db = f"sqlite:///{tmp_path / 'data' / 'db.sqlite3'}"
    cli = [sys.executable, "-m", "bot.cli", "ingest", "--db", db, str(secret), str(tmp_path / "pages")]
    try:
        proc = subprocess.run(
            [*_without_read_override(), *cli], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=100
        )
    finally:
        os.chmod(tmp_path / "pages" / "locked", 0o755)
        os.chmod(secret, 0o644)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines() == [
        f"Error: {secret}: cannot read: Permission denied",
        f"Error: {tmp_path / 'pages' / 'locked'}: cannot read directory: Permission denied",
    ]
    assert proc.stdout.strip().startswith("3 files: 1 new, 0 updated, 0 unchanged, 0 removed articles; 2 errors"), ok


def test_utf32_both_byte_orders_and_utf16(store, tmp_path: Path):
    text = page("编码测试的标题")
    for name, data in {
        "le32.txt": codecs.BOM_UTF32_LE + text.encode("utf-32-le"),
        "be32.txt": codecs.BOM_UTF32_BE + text.encode("utf-32-be"),
        "le16.txt": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    }.items():
        (tmp_path / "enc").mkdir(exist_ok=True)
        (tmp_path / "enc" / name).write_bytes(data)
        assert decode(data) == (text, "utf-32" if "32" in name else "utf-16")
    report = ingest(store, tmp_path / "enc")
    # the same text three times: stored once, the other two are the same page
    assert (len(report.errors), report.total("new"), report.total("unchanged")) == (0, 1, 2)
    (item,) = [article_dict(a) for a in articles_in_page_order(store)]
    assert item["title"] == "编码测试的标题" and "\x00" not in json.dumps(item, ensure_ascii=False)


def test_control_characters_never_reach_the_store(store, tmp_path: Path):
    """A few stray ones anywhere (a NUL past the first 8 KB included) are removed; a file that
    is mostly control characters is refused as binary."""
    filler = "这一段只是为了把文件撑过八千字节，" * 300  # ~15 KB of UTF-8
    stray = page("控制字符的标题", filler + "后\x00面\x07还有\x1b一段\x0c。")
    assert stray.encode().index(b"\x00") > 8192  # past the sniffed first 8 KB
    write(tmp_path / "c" / "stray.txt", stray)
    noisy = page("很多控制字符", "\x01\x02\x03\x04\x05\x06" * 10)
    write(tmp_path / "c" / "noisy.txt", noisy)  # caught by the first 8 KB's sniff
    noisy_late = page("后面很多控制字符", filler + "\x01\x02\x03\x04\x05\x06" * 20)
    write(tmp_path / "c" / "noisy-late.txt", noisy_late)  # caught in the decoded text
    report = ingest(store, tmp_path / "c")
    assert errors_by_name(report) == {
        "noisy.txt": "binary file, not text",
        "noisy-late.txt": f"binary data, not text: 120 control characters (U+0001 at character {noisy_late.index(chr(1))})",
    }
    (item,) = [article_dict(a) for a in articles_in_page_order(store)]
    stored = json.dumps(item, ensure_ascii=False)
    assert not any(ch in stored for ch in "\x00\x07\x1b\x0c") and "后面还有一段" in stored


def test_a_name_that_is_not_utf8_round_trips_into_the_report_and_valid_json(db_url: str, tmp_path: Path):
    folder = tmp_path / "names"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/\xe6\x96\xb0\xff\xfe.txt"  # 新 then two bytes that are not UTF-8
    with open(raw, "w", encoding="utf-8") as f:
        f.write(page("名字不是 UTF-8 的文件"))
    with open(os.fsencode(folder) + b"/\xfe-empty.txt", "wb"):
        pass
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", "--db", db_url, "--json", str(folder)])
    assert res.exit_code == 1, res.output
    out = res.stdout_bytes.decode("utf-8")  # strict: the JSON is valid UTF-8
    report = json.loads(out)
    (good,) = [r for r in report["results"] if r["status"] == "new"]
    assert good["path"] == f"{folder}/新\\xff\\xfe.txt" and bytes.fromhex(good["path_hex"]) == raw
    assert report["errors"] == [{"path": f"{folder}/\\xfe-empty.txt", "error": "empty file"}]
    text = runner.invoke(main, ["ingest", "--db", db_url, str(folder)])
    assert f"Error: {folder}/\\xfe-empty.txt: empty file" in text.stderr
    listing = runner.invoke(main, ["articles", "--db", db_url])
    assert listing.exit_code == 0 and "新\\xff\\xfe.txt" in listing.stdout
