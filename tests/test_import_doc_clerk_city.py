"""The second clerk's 上饶 整改清单 (tests/clerk_shangrao.py) imported where the active region is
景德镇市 (360200): through the service, `onemap import-doc` and the import page. Expected
answers are written out by hand; the store is read back with plain queries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ingest import review as rv
from ingest.report import ImportFailed
from onemap import services
from store import models as m
from store import queries
from store.db import reader
from tests import clerk_shangrao as sr
from tests.conftest import MANAGER_ACTOR, db_counts, page_test
from tests.test_docparse_clerk_table import OTHER_CITY

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIX = Path(__file__).parent / "fixtures" / "clerk12"
# blocks of the table document: title (1), 4 problems × 7 lines (2–29: problem, 整改目标, 整改时限,
# 整改措施：, two measures, 验收单位), an empty paragraph (30), the signer (31), the date (32)
SIGNATURE = {"line": 31, "text": sr.SIGNER,
             "message": f"已去除落款 2 行（不属于任何条目）：“{sr.SIGNER}”“{sr.SIGNED}”"}
# new units in order of first appearance (each problem's units, then its acceptance units), each
# with the place its name or the document names: 上饶市's counties, or 上饶市 itself for `市××局`
UNITS = [
    {"单位": "信州区委、区政府", "所属": "361102", "确认": True},
    {"单位": "市生态环境局", "所属": "361100", "确认": True},
    {"单位": "广丰区委、区政府", "所属": "361103", "确认": True},
    {"单位": "鄱阳县委、县政府", "所属": "361128", "确认": True},
    {"单位": "余干县委、县政府", "所属": "361127", "确认": True},
    {"单位": "市水利局", "所属": "361100", "确认": True},
    {"单位": "德兴市委、市政府", "所属": "361181", "确认": True},
    {"单位": "市自然资源局", "所属": "361100", "确认": True},
]
GARBLED = "区政府验收单位：市生态环境局"


def _store_units() -> dict[str, str]:
    with reader() as s:
        return {u.name: u.place_code for u in s.scalars(select(m.Unit))}


def test_review_of_the_table_document_through_the_service(data_dir, tmp_path):
    assert _store_units() == {}  # an empty store: every unit is new
    review = services.start_review(sr.write_table(tmp_path / "sr.docx", measures="run_together"))
    assert review.doc.warnings == [{"line": 0, "text": "", "message": OTHER_CITY}, SIGNATURE]
    assert rv.warnings_table(review.doc).values.tolist() == [
        ["全文", "", OTHER_CITY], ["第31行", sr.SIGNER, SIGNATURE["message"]]]
    assert len(review.rows) == 12
    assert list(review.rows["层级"]) == ["问题", "措施", "措施"] * 4
    assert review.units.to_dict("records") == UNITS
    assert services.unit_place_labels(review.units["所属"]) == {
        "360200": "景德镇市", "360202": "昌江区", "360203": "珠山区", "360222": "浮梁县", "360281": "乐平市",
        "360200-Z01": "高新区", "360200-Z02": "昌南新区",
        "361102": "上饶市信州区（外市）", "361100": "上饶市（外市）", "361103": "上饶市广丰区（外市）",
        "361128": "上饶市鄱阳县（外市）", "361127": "上饶市余干县（外市）", "361181": "上饶市德兴市（外市）"}
    counts = services.commit_review(MANAGER_ACTOR, review)
    assert counts["任务"] == 12
    assert _store_units() == {u["单位"]: u["所属"] for u in UNITS}  # nothing claimed for 景德镇
    with reader() as s:  # the ledger names the other city's places, not their codes
        t = queries.tasks_frame(s, include_future=True, places=services.active_region().places).set_index("ref")
    assert t.loc["省督察整改清单（3）", "unit_places"] == ["上饶市余干县", "上饶市鄱阳县"]
    assert t.loc["省督察整改清单（2）", "unit_places"] == ["上饶市", "上饶市广丰区"]


def test_a_garbled_unit_is_never_pre_ticked_and_the_commit_says_why(data_dir, tmp_path):
    review = services.start_review(sr.write_table(tmp_path / "sr.docx"))
    review.rows = rv.set_cell(review.rows, 1, "责任单位", f"信州区委、{GARBLED}")
    services.refresh_review(review)
    got = {u["单位"]: (u["所属"], u["确认"]) for u in review.units.to_dict("records")}
    assert got[GARBLED] == ("361100", False)  # garbled: not ticked
    assert got["信州区委"] == ("361102", True)
    assert rv.unit_doubt(GARBLED) == "像是几个字段或几个单位连在一起"
    with pytest.raises(ImportFailed) as exc:
        services.commit_review(MANAGER_ACTOR, review)
    assert [(p.value, p.problem) for p in exc.value.report.errors] == [(GARBLED, "有新单位未确认")]
    assert db_counts()["tasks"] == 0 and _store_units() == {}


@pytest.mark.parametrize(("name", "doubt"), [
    ("区政府验收单位：市生态环境局", "像是几个字段或几个单位连在一起"), ("市生态环境局市水利局", "像是几个字段或几个单位连在一起"),
    ("市住建局，市城管局", "像是几个字段或几个单位连在一起"), ("责任人王某", "像是几个字段或几个单位连在一起"),
    ("加强入湖河流日常巡查并建立长效监管机制的相关工作领导小组办公室", "名称过长，像是一段文字"),
    ("市生态环境局", ""), ("信州区委、区政府", ""), ("景德镇高新区党工委、管委会", ""), ("市生态环境局昌江分局", ""),
    ("各县（市、区）政府", ""), ("各相关责任单位", ""), ("区政府验收单位市生态环境局", "像是几个字段或几个单位连在一起")])
def test_unit_doubt(name, doubt):
    assert rv.unit_doubt(name) == doubt


def test_cli_dry_run_warns_before_anything_is_written(data_dir, tmp_path, capsys):
    from onemap.cli import main

    path = sr.write_table(tmp_path / "sr.docx")
    assert main(["import-doc", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"《{sr.TITLE}》（整改清单，简称“省督察整改清单”）：4 条，下级措施/子项 8 条，目标指标 0 项，警告 2 条",
        f"  警告 全文：{OTHER_CITY}  ",
        f"  警告 第31行：{SIGNATURE['message']}  {sr.SIGNER}",
        "预览（未写入）：可以导入，将自动关联点位 0 处"]
    assert db_counts()["tasks"] == 0
    assert main(["import-doc", str(path)]) == 0  # warned, not refused: the user decides
    assert db_counts()["tasks"] == 12


def _upload(at, name: str, data: bytes, mime: str):
    at.file_uploader(key="doc_upload").set_value((name, data, mime))
    at.run()
    at.button(key="doc_parse").click().run()
    assert not at.exception
    return at


def _grid(at, key: str):
    return next(d for d in at.dataframe if d.key == key).value


def test_page_names_the_other_city_and_its_places(data_dir, tmp_path):
    at = _upload(page_test("data_view").run(), "sr.docx",
                 sr.write_table(tmp_path / "sr.docx", acceptance="inline").read_bytes(), DOCX)
    assert [w.value for w in at.warning] == [OTHER_CITY]
    assert ("所属标“（外市）”的，是文件中写明的其他城市或其区县，不计入景德镇市各区县的统计；如实为景德镇市的单位，"
            "请改选所属。") in [c.value for c in at.caption]
    assert at.dataframe[0].value.values.tolist() == [["全文", "", OTHER_CITY], ["第31行", sr.SIGNER,
                                                                               SIGNATURE["message"]]]
    rows = _grid(at, "review_editor")
    assert list(rows["层级"]) == ["问题", "措施", "措施"] * 4
    assert list(rows["验收单位"]) == ["市生态环境局"] * 6 + ["市生态环境局、市水利局"] * 3 + ["市自然资源局"] * 3
    assert _grid(at, "units_editor").to_dict("records") == UNITS
    assert not any("没有预先勾选" in w.value for w in at.warning)
    at.button(key="doc_commit").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [f"已写入《{sr.TITLE}》：新建点位 0，任务 12，关联 0"]
    assert _store_units() == {u["单位"]: u["所属"] for u in UNITS}


def test_page_refuses_a_garbled_unit_until_the_clerk_fixes_it(data_dir, tmp_path):
    at = _upload(page_test("data_view").run(), "sr.docx", sr.write_table(tmp_path / "sr.docx").read_bytes(), DOCX)
    at.selectbox(key="edit_row").set_value(1)
    at.selectbox(key="edit_field").set_value("责任单位")
    at.run()
    at.text_area(key="edit_value_1_责任单位").input(f"信州区委、{GARBLED}")
    at.button(key="edit_go").click().run()
    assert not at.exception
    units = _grid(at, "units_editor").to_dict("records")
    assert {"单位": GARBLED, "所属": "361100", "确认": False} in units
    assert [w.value for w in at.warning if "没有预先勾选" in w.value] == [
        f"以下新单位没有预先勾选：“{GARBLED}”像是几个字段或几个单位连在一起。请在上方表格中把它改成正确的单位名称"
        "（例如把验收单位移到“验收单位”一栏），或确认无误后勾选。"]
    at.button(key="doc_commit").click().run()
    assert [e.value for e in at.error] == ["发现 1 处错误，未写入任何数据。请修改后重试："]
    assert db_counts()["tasks"] == 0
    # the clerk writes the cell as the document means it: the commit goes through
    at.text_area(key="edit_value_1_责任单位").input("信州区委、区政府")
    at.button(key="edit_go").click().run()
    assert GARBLED not in list(_grid(at, "units_editor")["单位"])
    at.button(key="doc_commit").click().run()
    assert not at.error and db_counts()["tasks"] == 12


def _inherited() -> dict[str, tuple[str, date | None, bool]]:
    with reader() as s:
        return {t.number: (t.deadline_text, t.deadline, t.deadline_inherited)
                for t in s.scalars(select(m.Task).where(m.Task.parent_id.is_(None)))}


DEFAULT = "2026年度（年度工作要点，年底前完成）"


def test_year_end_default_is_marked_inferred_in_review_and_store(data_dir):
    """九江 work points (fixtures/clerk12/doc.txt): tasks 3 and 5 write no deadline."""
    review = services.start_review(FIX / "doc.txt")
    assert rv.inferred_rows(review.rows) == [3, 5]
    assert list(review.rows["时限推定"]) == [False, False, True, False, True, False]
    review.rows = rv.set_cell(review.rows, 5, "整改时限", "2026年10月底前")  # the clerk knows task 5's
    assert rv.inferred_rows(review.rows) == [3]
    services.commit_review(MANAGER_ACTOR, review)
    assert _inherited() == {
        "1": ("2026年6月底前", date(2026, 6, 30), False), "2": ("2026年9月底前", date(2026, 9, 30), False),
        "3": (DEFAULT, date(2026, 12, 31), True), "4": ("2026年11月底前", date(2026, 11, 30), False),
        "5": ("2026年10月底前", date(2026, 10, 31), False), "6": ("2026年12月底前", date(2026, 12, 31), False)}


def test_cli_names_the_inferred_deadlines(data_dir, capsys):
    from onemap.cli import main

    assert main(["import-doc", str(FIX / "doc.txt"), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert f"  时限推定：2026年工作要点第3项、2026年工作要点第5项 文中没有写时限，按“{DEFAULT}”推定" \
           "（记为推定，不作为文中时限）" in out


def test_page_shows_the_inferred_deadlines(data_dir):
    at = _upload(page_test("data_view").run(), "doc.txt", (FIX / "doc.txt").read_bytes(), "text/plain")
    assert list(_grid(at, "review_editor")["时限推定"]) == [False, False, True, False, True, False]
    assert "第3、5行文中没有写完成时限，按默认推定（已勾选“时限推定”，写入后仍记为推定）：如文件别处写了时限，请改写。" \
        in [c.value for c in at.caption]
    at.button(key="doc_commit").click().run()
    assert not at.exception and not at.error
    assert [n for n, (_t, _d, inh) in sorted(_inherited().items()) if inh] == ["3", "5"]
