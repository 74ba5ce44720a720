"""The review table: a faithful round trip, and the merge / split / edit operations."""

from datetime import date

import pytest

from domain.units import UnitParser
from geo.region import load_region
from ingest import review as rv
from ingest.docparse import parse_document
from onemap import services, settings

DOCS = settings.DEMO_DIR / "docs"


@pytest.mark.parametrize(("name", "short"), [("004_rectification_list_provincial_inspection.txt", "省督察整改清单"),
                                            ("000_work_points_2026.txt", "2026年工作要点")])
def test_unchanged_document_through_the_table_is_no_revision(demo_dir, name, short):
    review = services.start_review(DOCS / name, short_name=short)
    assert review.exists
    assert services.plan_review_revision(review).empty


@pytest.fixture(scope="module")
def table():
    up = UnitParser(load_region("360200").places)
    doc = parse_document(DOCS / "004_rectification_list_provincial_inspection.txt", up, short_name="清单")
    return doc, rv.to_table(doc), up


def test_merge_moves_children_and_text(table):
    doc, rows, up = table
    p1 = rows[(rows["层级"] == "问题") & (rows["编号"] == "（五）")]["行"].iloc[0]
    p2 = rows[(rows["层级"] == "问题") & (rows["编号"] == "（六）")]["行"].iloc[0]
    merged = rv.merge_rows(rows, int(p2), int(p1))
    out = rv.to_doc(merged, doc, up)
    five = next(i for i in out.items if i.number == "（五）")
    assert len(out.items) == 39
    assert len(five.children) == 3 + 2 and "高能耗项目节能审查管理不严" in five.body
    with pytest.raises(ValueError):
        rv.merge_rows(rows, int(p1), int(p1))


def test_split_makes_a_sibling(table):
    doc, rows, up = table
    r = rows[rows["编号"] == "（五）"]["行"].iloc[0]
    split = rv.split_row(rows, int(r), "非化石能源占比")
    out = rv.to_doc(split, doc, up)
    assert [i.number for i in out.items][4:6] == ["（五）", "（五）之二"]
    assert out.items[5].body.startswith("非化石能源占比")
    with pytest.raises(ValueError, match="找不到拆分位置"):
        rv.split_row(rows, int(r), "没有这几个字")


def test_set_cell_reparses_the_deadline(table):
    doc, rows, up = table
    r = int(rows[rows["编号"] == "（八）"]["行"].iloc[0])
    edited = rv.set_cell(rows, r, "整改时限", "2024年6月底前")
    out = rv.to_doc(edited, doc, up)
    eight = next(i for i in out.items if i.number == "（八）")
    assert eight.deadline.date == date(2024, 6, 30) and eight.deadline.text == "2024年6月底前"
    with pytest.raises(ValueError, match="无法识别"):
        rv.set_cell(rows, r, "整改时限", "尽快")
    edited = rv.set_cell(rows, r, "责任单位", "乐平市委、市政府，市工信局")
    eight = next(i for i in rv.to_doc(edited, doc, up).items if i.number == "（八）")
    assert [(u.name, u.place_name) for u in eight.units] == [("乐平市委、市政府", "乐平市"), ("市工信局", "景德镇市")]
