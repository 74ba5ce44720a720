"""The import page with a document as published: a PDF of an earlier year's work points.
The review shows the 主要目标 indicators apart from the tasks and the warnings with their
page; the commit writes the tasks only (counted in the store)."""

from __future__ import annotations

from sqlalchemy import func, select

from onemap import services, settings
from store import models as m
from store.db import reader
from tests.conftest import MANAGER_ACTOR, page_test
from tests.doc_builders import pdf_from_lines
from tests.test_docparse_rules import EARLIER_YEAR


def test_pdf_upload_shows_targets_apart_and_commits_tasks_only(stores, tmp_path):
    stores.new()
    services.import_file(MANAGER_ACTOR, settings.DEMO_DIR / "sites.csv")
    pdf = pdf_from_lines(EARLIER_YEAR.splitlines(), tmp_path / "wp2021.pdf", header="景德镇市生态环境局",
                         font_size=28)
    at = page_test("data_view").run()
    at.file_uploader(key="doc_upload").set_value((pdf.name, pdf.read_bytes(), "application/pdf"))
    at.run()
    at.button(key="doc_parse").click().run()
    assert not at.exception and not at.error
    assert any("《全市生态环境工作要点》** · 工作要点 · 简称“2021年工作要点”" in mk.value for mk in at.markdown)
    targets = next(e for e in at.expander if e.label.startswith("主要目标"))
    assert targets.label == "主要目标（3 项，是指标而非任务，不导入为任务）"
    shown = targets.dataframe[0].value
    assert list(shown["目标"]) == ["全市PM2.5平均浓度控制在30微克/立方米以内", "空气质量优良天数比例达到95%以上",
                                   "县级及以上集中式饮用水水源地水质达标率100%"]
    hints = next(e for e in at.expander if e.label.startswith("解析提示")).dataframe[0].value
    assert list(hints["提示"]) == ["已去除页码 2 处（第1页、第2页）", "已去除页眉/页脚 2 行：“景德镇市生态环境局”"]
    assert list(hints["位置"]) == ["第1页", "第1页"]
    at.button(key="doc_commit").click().run()
    assert not at.exception
    assert any("已写入《全市生态环境工作要点》" in s.value for s in at.success)
    with reader() as s:
        refs = sorted(s.scalars(select(m.Task.ref)))
        n_docs = s.scalar(select(func.count()).select_from(m.Document))
    assert n_docs == 1
    assert refs == ["2021年工作要点（一）第1项", "2021年工作要点（一）第2项", "2021年工作要点（二）第1项",
                    "2021年工作要点（二）第2项"]
