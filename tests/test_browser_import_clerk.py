"""In a real browser, the journey of a clerk who had never seen the app (fixtures/clerk12,
their own files): their city's work points as PDF with a blank short name become a new
document — not a revision of the bureau's own 2026年工作要点 — with each task's deadline;
random text is refused plainly with nothing to commit. Checked against the store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from store import models as m
from store.db import reader
from tests.browser_kit import _settled, _shot

FIX = Path(__file__).parent / "fixtures" / "clerk12"


def _archived_of(short: str) -> list[bool]:
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.short_name == short))
        return [t.archived for t in s.scalars(select(m.Task).where(m.Task.document_id == d.id))]


def test_clerk_uploads_another_citys_work_points_and_random_text(server, page):
    before = _archived_of("2026年工作要点")
    page.goto(server + "/data")
    page.get_by_text("上传文件（PDF、Word 或文本）").wait_for(timeout=60_000)
    page.locator("input[type=file]").first.set_input_files(str(FIX / "doc.pdf"))
    page.get_by_text("已上传：“doc.pdf”").wait_for(timeout=60_000)  # the server holds it (not only the browser)
    _settled(page)  # the run that drew it has finished (a stale 解析 of the last layout is gone)
    page.get_by_role("button", name="解析").click()
    page.get_by_text("简称“九江市2026年工作要点”").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="确认写入").wait_for(timeout=30_000)
    _settled(page)
    assert page.get_by_text("库中已有").count() == 0
    assert page.get_by_text("修订内容").count() == 0
    _shot(page, "import_clerk_review_1600.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    _shot(page, "import_clerk_review_1280.png")
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.get_by_role("button", name="确认写入").click()
    page.get_by_text("已写入《九江市生态环境局2026年生态环境保护工作要点》").wait_for(timeout=90_000)
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.short_name == "九江市2026年工作要点"))
        got = sorted((t.uid, t.deadline_text, t.deadline)
                     for t in s.scalars(select(m.Task).where(m.Task.document_id == d.id)))
    assert got == [("九江市2026年工作要点|main|1", "2026年6月底前", date(2026, 6, 30)),
                   ("九江市2026年工作要点|main|2", "2026年9月底前", date(2026, 9, 30)),
                   ("九江市2026年工作要点|main|3", "2026年度（年度工作要点，年底前完成）", date(2026, 12, 31)),
                   ("九江市2026年工作要点|main|4", "2026年11月底前", date(2026, 11, 30)),
                   ("九江市2026年工作要点|main|5", "2026年度（年度工作要点，年底前完成）", date(2026, 12, 31)),
                   ("九江市2026年工作要点|main|6", "2026年12月底前", date(2026, 12, 31))]
    assert _archived_of("2026年工作要点") == before and not any(before)

    page.locator("input[type=file]").first.set_input_files(str(FIX / "random.txt"))
    page.get_by_text("已上传：“random.txt”").wait_for(timeout=60_000)
    _settled(page)  # the run that drew it has finished (a stale 解析 of the last layout is gone)
    page.get_by_role("button", name="解析").click()
    page.get_by_text("没有识别出任何条目：文件中没有带编号的任务或问题。").wait_for(timeout=60_000)
    page.get_by_role("button", name="放弃本次导入").wait_for(timeout=30_000)
    _settled(page)
    assert page.get_by_role("button", name="确认写入").count() == 0
    assert page.get_by_text("Traceback").count() == 0 and page.get_by_text("IndexError").count() == 0
    _shot(page, "import_clerk_random_1600.png")
