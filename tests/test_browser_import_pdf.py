"""In a real browser: a clerk uploads an earlier year's work points as a PDF (as downloaded
from a government website), sees its 主要目标 apart from the tasks, and writes it; the
success message names the counts, checked against the store."""

from __future__ import annotations

from sqlalchemy import select

from store import models as m
from store.db import reader
from tests.browser_kit import _settled, _shot
from tests.doc_builders import pdf_from_lines
from tests.test_docparse_rules import EARLIER_YEAR


def test_clerk_imports_a_pdf_with_targets(server, page, tmp_path):
    pdf = pdf_from_lines(EARLIER_YEAR.splitlines(), tmp_path / "2021年工作要点.pdf", header="景德镇市生态环境局",
                         font_size=28)
    page.goto(server + "/data")
    page.get_by_text("上传文件（PDF、Word 或文本）").wait_for(timeout=60_000)
    page.locator("input[type=file]").first.set_input_files(str(pdf))
    page.get_by_text("已上传：“2021年工作要点.pdf”").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_role("button", name="解析").click()
    page.get_by_text("主要目标（3 项，是指标而非任务，不导入为任务）").wait_for(timeout=60_000)
    page.get_by_text("简称“2021年工作要点”").first.wait_for(timeout=60_000)
    page.get_by_text("解析提示（2 条）").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_text("主要目标（3 项").click()
    page.wait_for_timeout(500)
    _shot(page, "import_pdf_review_1600.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    _shot(page, "import_pdf_review_1280.png")
    page.set_viewport_size({"width": 1600, "height": 1000})
    with reader() as s:
        before = len(list(s.scalars(select(m.Task.id))))
    page.get_by_role("button", name="确认写入").click()
    page.get_by_text("已写入《全市生态环境工作要点》").wait_for(timeout=90_000)
    with reader() as s:
        doc = s.scalar(select(m.Document).where(m.Document.short_name == "2021年工作要点"))
        tasks = list(s.scalars(select(m.Task.ref).where(m.Task.document_id == doc.id)))
        after = len(list(s.scalars(select(m.Task.id))))
    assert sorted(tasks) == ["2021年工作要点（一）第1项", "2021年工作要点（一）第2项", "2021年工作要点（二）第1项",
                             "2021年工作要点（二）第2项"]
    assert after - before == 4
    page.get_by_text("任务 4").first.wait_for(timeout=10_000)
