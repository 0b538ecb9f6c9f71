"""The inbox folder: complete files ingested once through the page parser, moved to done/;
files still being written wait; bad ones go to failed/ with the reason; the folder's status."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sources_fixtures import STORIES

from bot.config import Settings, SourceSettings
from bot.sources import inbox
from bot.sources.http import Fetcher
from bot.sources.poll import context_for, poll_source
from bot.store import articles as article_service
from bot.store.db import Store

PAGE = "\n\n".join([STORIES["clinic"][0], "□ 记者 钟宁", *STORIES["clinic"][1][:2]]) + "\n"


def poll(store: Store, settings: Settings, source: SourceSettings):
    async def go():
        async with Fetcher(settings.fetch.user_agent) as fetcher:
            return await poll_source(context_for(store, settings, fetcher), source, force=True)

    return asyncio.run(go())


def quick() -> Settings:
    settings = Settings()
    settings.fetch.inbox_settle_seconds = 0.05
    return settings


def test_a_dropped_page_is_ingested_once_and_moved_to_done(store: Store, tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "2024-12-03-page.txt").write_text(PAGE, encoding="utf-8")
    source = SourceSettings(name="drop", kind="inbox", path=folder)
    outcome = poll(store, quick(), source)
    assert (outcome.status, outcome.seen, outcome.new) == ("ok", 1, 1), outcome.detail
    assert not (folder / "2024-12-03-page.txt").exists() and (folder / "done" / "2024-12-03-page.txt").exists()
    [item] = [article_service.article_dict(a) for a in article_service.list_articles(store)]
    assert item["title"] == STORIES["clinic"][0] and item["byline"] == "记者 钟宁"
    assert item["source_name"] == "drop" and item["url"] is None and item["published_on"] == "2024-12-03"
    assert item["source"] == (folder / "done" / "2024-12-03-page.txt").resolve().as_posix()
    again = poll(store, quick(), source)
    assert (again.seen, again.new) == (0, 0)
    # the same name again, other content: a new page, not an edit of the first
    (folder / "2024-12-03-page.txt").write_text(PAGE.replace("夜诊", "晨诊"), encoding="utf-8")
    third = poll(store, quick(), source)
    assert third.new == 1 and (folder / "done" / "2024-12-03-page.1.txt").exists()
    assert len(article_service.list_articles(store)) == 2


def test_a_file_still_being_written_waits(sqlite_store: Store, tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    growing = folder / "growing.txt"
    growing.write_text(PAGE[:40], encoding="utf-8")
    (folder / "upload.txt.part").write_text(PAGE, encoding="utf-8")
    (folder / ".hidden.txt").write_text(PAGE, encoding="utf-8")

    def writer(_seconds: float) -> None:  # between the two looks the writer adds more
        with growing.open("a", encoding="utf-8") as f:
            f.write(PAGE[40:])

    looked = inbox.look(folder, 1.0, sleep=writer)
    assert looked.ready == [] and looked.waiting == [growing]
    looked = inbox.look(folder, 0.01)
    assert looked.ready == [growing]  # unchanged across two looks: complete


def test_bad_files_go_to_failed_with_the_reason_and_the_rest_are_ingested(sqlite_store: Store, tmp_path: Path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(PAGE, encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 not a page")
    (folder / "banner.md").write_text("# 只有一个标题\n", encoding="utf-8")
    outcome = poll(sqlite_store, quick(), SourceSettings(name="drop", kind="inbox", path=folder))
    assert (outcome.status, outcome.new, outcome.failed) == ("partial", 1, 3), outcome.detail
    failed = folder / "failed"
    reasons = {p.name: p.read_text(encoding="utf-8") for p in failed.glob("*.reason.txt")}
    assert "binary" in reasons["binary.txt.reason.txt"]
    assert "not a page file" in reasons["scan.pdf.reason.txt"]
    assert "no articles found" in reasons["banner.md.reason.txt"]
    assert {p.name for p in failed.iterdir()} >= {"binary.txt", "scan.pdf", "banner.md"}
    assert [p.name for p in (folder / "done").iterdir()] == ["good.txt"]
    assert list(folder.glob("*.txt")) == []


def test_a_missing_folder_is_a_status_not_a_crash(sqlite_store: Store, tmp_path: Path):
    outcome = poll(sqlite_store, quick(), SourceSettings(name="drop", kind="inbox", path=tmp_path / "nowhere"))
    assert outcome.status == "missing_folder" and "nowhere" in outcome.detail
