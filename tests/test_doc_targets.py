"""A document's 主要目标 indicators are kept as its targets (issue 12, "Targets are not tasks"):
stored on commit (and replaced by a revision), linked to the counties/zones and sites their
text names, shown with the document on the overview, exported on the sheet 目标指标.
Expected values are read off the fixture `tests/fixtures/targets_work_points.txt` and the
demo's site list (`data/demo/sites.csv`), never from the code under test."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from domain.units import UnitParser
from geo.region import load_region
from ingest.docparse import parse_document
from onemap import services
from store import models as m
from store.db import reader, transaction
from store.revise import apply_revision, plan_revision
from tests.conftest import FIXTURES, MANAGER_ACTOR, page_test

SHORT = "2027年工作要点"
TITLE = "全市生态环境保护工作要点"
# (number, text, place codes, site ids) exactly as the fixture's 主要目标 reads:
# 浮梁县 360222, 乐平市 360281, 高新区 360200-Z01; 南河河口 SEC-01, 关山村 SEC-02, 共产主义水库 WS-02
EXPECTED = [
    ("1", "全市细颗粒物（PM2.5）平均浓度≤28 µg/m³，浮梁县、乐平市空气质量优良天数比例达到96%以上。",
     ["360222", "360281"], []),
    ("2", "南河河口、关山村断面水质稳定达到Ⅱ类，共产主义水库水质达标率100%。", [], ["SEC-01", "SEC-02", "WS-02"]),
    ("3", "高新区工业园区污水集中处理率达到100%。", ["360200-Z01"], []),
    ("4", "全市受污染耕地安全利用率达到93%以上。", [], []),
]


def _parse(path=FIXTURES / "targets_work_points.txt"):
    return parse_document(path, UnitParser(load_region("360200").places), short_name=SHORT)


def _stored() -> list[tuple]:
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.short_name == SHORT))
        out = []
        for t in s.scalars(select(m.DocumentTarget).where(m.DocumentTarget.document_id == d.id)
                           .order_by(m.DocumentTarget.position)):
            sites = sorted(s.scalars(select(m.TargetSite.site_id).where(m.TargetSite.target_id == t.id)))
            out.append((t.number, t.body, list(t.place_codes), sites))
        return out


def test_targets_stored_and_linked_on_commit_not_as_tasks(demo_dir):
    services.commit_doc(MANAGER_ACTOR, _parse(), filename="targets_work_points.txt")
    assert _stored() == EXPECTED
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.short_name == SHORT))
        tasks = list(s.scalars(select(m.Task.title).where(m.Task.document_id == d.id).order_by(m.Task.id)))
    assert tasks == ["推进工业企业深度治理", "强化移动源污染防治", "巩固南河河口断面水质"]  # no indicator became a task


def test_dry_run_writes_no_targets(demo_dir):
    with reader() as s:
        before = s.scalar(select(func.count()).select_from(m.DocumentTarget))
    services.commit_doc(MANAGER_ACTOR, _parse(), dry_run=True)
    with reader() as s:
        assert s.scalar(select(func.count()).select_from(m.DocumentTarget)) == before


def test_review_commit_stores_targets_and_a_revision_replaces_them(demo_dir, tmp_path):
    review = services.start_review(FIXTURES / "targets_work_points.txt", short_name=SHORT)
    counts = services.commit_review(MANAGER_ACTOR, review)
    assert counts["目标指标"] == 4
    assert _stored() == EXPECTED
    revised = tmp_path / "revised.txt"
    text = (FIXTURES / "targets_work_points.txt").read_text(encoding="utf-8")
    revised.write_text(text.replace("4. 全市受污染耕地安全利用率达到93%以上。",
                                    "4. 乐平市受污染耕地安全利用率达到95%以上。"), encoding="utf-8")
    doc = _parse(revised)
    with transaction() as s:
        apply_revision(s, doc, plan_revision(s, doc))
        d = s.scalar(select(m.Document).where(m.Document.short_name == SHORT))
        services.link_document_targets(s, d.id)
    assert _stored() == [*EXPECTED[:3], ("4", "乐平市受污染耕地安全利用率达到95%以上。", ["360281"], [])]


def test_ledger_export_has_the_target_sheet_formula_safe(demo_dir, tmp_path):
    src = tmp_path / "wp.txt"
    text = (FIXTURES / "targets_work_points.txt").read_text(encoding="utf-8")
    src.write_text(text.replace("4. 全市受污染", "4. =1+1全市受污染"), encoding="utf-8")
    services.commit_doc(MANAGER_ACTOR, _parse(src))
    out = services.export(MANAGER_ACTOR, tmp_path / "ledger.xlsx", as_of=date(2027, 3, 1))
    wb = load_workbook(out)
    assert wb.sheetnames == ["台账", "目标指标", "水质"]  # 水质: the evaluated water series (issue 15)
    ws = wb["目标指标"]
    assert [c.value for c in ws[3]] == ["来源文件", "文件标题", "编号", "目标指标", "关联区县", "关联点位"]
    rows = [[c.value or "" for c in r] for r in ws.iter_rows(min_row=4)]
    mine = [r for r in rows if r[0] == SHORT]
    assert mine == [
        [SHORT, TITLE, "1", EXPECTED[0][1], "浮梁县、乐平市", ""],
        [SHORT, TITLE, "2", EXPECTED[1][1], "", "南河河口、关山村、共产主义水库"],
        [SHORT, TITLE, "3", EXPECTED[2][1], "高新区", ""],
        [SHORT, TITLE, "4", "=1+1全市受污染耕地安全利用率达到93%以上。", "", ""],
    ]
    formula_cell = next(r[3] for r in ws.iter_rows(min_row=4) if r[0].value == SHORT and r[2].value == "4")
    assert formula_cell.data_type == "s"  # text, never a formula
    # the demo's own work points keep their 11 indicators on the same sheet (counted from the store)
    with reader() as s:
        demo_targets = s.scalar(select(func.count()).select_from(m.DocumentTarget)
                                .join(m.Document).where(m.Document.short_name != SHORT))
    assert len(rows) - len(mine) == demo_targets == 11


def test_overview_shows_the_documents_targets(demo_dir):
    services.commit_doc(MANAGER_ACTOR, _parse(), filename="targets_work_points.txt")
    at = page_test("overview_view").run()
    assert not at.exception
    label = f"《{TITLE}》主要目标（4 项指标，不计入任务）"
    assert label in [e.label for e in at.expander]
    frames = [t.value for t in at.table]
    mine = next(f for f in frames if len(f) == 4).reset_index()
    assert list(mine["编号"]) == ["1", "2", "3", "4"]
    assert list(mine["目标指标"]) == [e[1] for e in EXPECTED]
    assert list(mine["关联区县"]) == ["浮梁县、乐平市", "", "高新区", ""]
    assert list(mine["关联点位"]) == ["", "南河河口、关山村、共产主义水库", "", ""]
