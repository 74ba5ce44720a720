"""The administrator's backup and restore on 数据管理, in a real browser: the backup is made
and downloaded, a restore brings the store back and its confirmation names the figures the
store then holds (counted here with plain SELECTs), a broken file is refused in Chinese
with the store unchanged."""

from __future__ import annotations

import re
import zipfile

from playwright.sync_api import expect
from sqlalchemy import text

from onemap import settings
from store.db import get_engine
from tests.browser_kit import _settled, _shot

LABELS = {"tasks": "任务", "sites": "点位", "status_events": "状态记录", "units": "单位", "documents": "任务文件"}


def _counts() -> dict[str, int]:
    engine = get_engine(settings.database_url())
    engine.dispose()  # the app may have put a new database file in place: read that one
    with engine.connect() as c:
        return {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in LABELS}


def _uploader(page):
    return page.locator("[data-testid='stFileUploader']", has_text="选择备份文件").locator("input[type=file]")


def _open_tab(page, server):
    page.goto(f"{server}/data")
    page.get_by_role("tab", name="备份与恢复").click()
    page.get_by_role("button", name="生成备份文件").wait_for(timeout=60_000)


def test_backup_then_restore_through_the_page(server, page, tmp_path):
    page.set_viewport_size({"width": 1600, "height": 1000})
    _open_tab(page, server)
    page.get_by_role("button", name="生成备份文件").click()
    note = page.get_by_text(re.compile("备份已生成：数据库版本"))
    note.wait_for(timeout=60_000)
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载备份文件").click()
    path = tmp_path / "备份.zip"
    dl.value.save_as(path)
    with zipfile.ZipFile(path) as zf:
        assert "manifest.json" in zf.namelist() and "tables/tasks.jsonl" in zf.namelist()
    kept = _counts()
    with get_engine(settings.database_url()).begin() as c:  # work after the backup, undone by the restore
        c.execute(text("DELETE FROM task_sites"))
        c.execute(text("DELETE FROM task_units WHERE task_id IN (SELECT id FROM tasks WHERE parent_id IS NOT NULL)"))
    get_engine(settings.database_url()).dispose()
    _shot(page, "backup_made_1600.png")

    # a broken file: refused in Chinese, nothing changed
    broken = tmp_path / "坏的备份.zip"
    broken.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    before = _counts()
    _uploader(page).set_input_files(str(broken))
    # the server names the file it holds (the browser shows the name before the upload has arrived)
    page.get_by_text("将用于恢复的文件：“坏的备份.zip”").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_text("我确认：用该备份整体替换现有全部数据").click()
    expect(page.get_by_role("button", name="恢复", exact=True)).to_be_enabled(timeout=60_000)
    page.get_by_role("button", name="恢复", exact=True).click()
    refusal = page.get_by_text(re.compile("未恢复，现有数据未改动：.*坏的备份"))
    refusal.wait_for(timeout=60_000)
    _shot(page, "restore_refused_1600.png")
    assert _counts() == before

    # the real one
    _uploader(page).set_input_files(str(path))
    page.get_by_text("将用于恢复的文件：“备份.zip”").wait_for(timeout=60_000)
    _settled(page)
    expect(page.get_by_role("button", name="恢复", exact=True)).to_be_enabled(timeout=60_000)
    page.get_by_role("button", name="恢复", exact=True).click()
    done = page.get_by_text(re.compile("已恢复："))
    # this file's outcome (the refusal of the broken one stays drawn while the restore runs)
    outcome = page.get_by_text(re.compile("^(已恢复：|未恢复，现有数据未改动：“备份.zip”)"))
    outcome.first.wait_for(timeout=180_000)
    if not done.count():
        _shot(page, "restore_failed_1600.png")
        raise AssertionError(outcome.first.inner_text())
    _settled(page)
    _shot(page, "restore_done_1600.png")
    shown = done.inner_text()
    now = _counts()
    assert now == kept
    for table, label in LABELS.items():
        assert f"{label} {now[table]} 条" in shown, (table, shown)
    assert "当前区域 景德镇市（360200）" in shown
    # the confirmation is not repeated: the next restore asks again
    assert not page.get_by_role("checkbox", name=re.compile("我确认")).is_checked()
    page.set_viewport_size({"width": 1280, "height": 720})
    _settled(page)
    _shot(page, "restore_done_1280.png")
