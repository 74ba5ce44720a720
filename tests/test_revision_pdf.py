"""The user trial's bug: the seed rectification list uploaded again as a PDF, as a REVISION of
the document already imported, proposed fake new units ("主要负责人由市领导兼任的", "下同"),
pre-ticked. The PDF is what a clerk would print from the list (fpdf2 + Noto CJK, wrapped at the
text width, page numbers); the expected proposal is read off the store, not the parser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.units import UnitParser
from geo.region import load_region
from ingest.docparse import parse_lines
from ingest.report import ImportFailed
from onemap import services, settings
from store import models as m
from store.db import reader
from tests.conftest import MANAGER_ACTOR
from tests.doc_builders import pdf_from_lines

SEED = settings.DEMO_DIR / "docs" / "004_rectification_list_provincial_inspection.txt"
SHORT = "省督察整改清单"  # the demo's short name for the seed list
MEASURE_1 = ("将习近平生态文明思想、绿色发展和高质量发展相关内容列入全市各级党委（党组）中心组学习和党校培训课程，"
             "进一步提升全市领导干部对生态环境保护的认识，增强推进生态环境保护工作的积极主动性。")
# the units of （一）'s measure as the seed writes them: 市委宣传部、市委组织部、市委党校，各县（市、区）党委、政府，
# 高新区、昌南新区党工委、管委会 — every county's authority and each zone's
UNITS_1 = ["市委宣传部", "市委组织部", "市委党校", "昌江区委、区政府", "珠山区委、区政府", "浮梁县委、县政府",
           "乐平市委、市政府", "高新区党工委、管委会", "昌南新区党工委、管委会"]
NOTE = "〔责任单位主要负责人由市领导兼任的，责任人一般为责任单位常务负责人。下同，不再列出〕"


def _stored_tasks() -> int:
    with reader() as s:
        d = s.scalar(select(m.Document).where(m.Document.short_name == SHORT))
        return len([t for t in s.scalars(select(m.Task).where(m.Task.document_id == d.id)) if not t.archived])


def test_seed_pdf_as_revision_proposes_no_units_and_no_changes(demo_dir, tmp_path):
    pdf = pdf_from_lines(SEED.read_text(encoding="utf-8").splitlines(), tmp_path / "整改清单.pdf")
    review = services.start_review(pdf, short_name=SHORT)
    assert review.exists
    assert list(review.units["单位"]) == []  # was ['主要负责人由市领导兼任的', '下同'], both ticked
    plan = services.plan_review_revision(review)
    assert [(c.ref, c.fields) for c in plan.changed] == []  # (一) gained the two fake units; a wrap's lost space
    assert plan.added == [] and plan.removed == []
    assert plan.unchanged == _stored_tasks() == 164


def test_a_note_in_brackets_after_the_clause_is_no_unit():
    """The note joined onto the measure (as a PDF's paragraph rebuilding can do): the clause
    with its colon gives the units; the bracket without one that holds a note gives none."""
    text = SEED.read_text(encoding="utf-8")
    clause = "〔责任单位：市委宣传部、市委组织部、市委党校，各县（市、区）党委、政府，高新区、昌南新区党工委、管委会〕"
    line = MEASURE_1 + clause
    assert line + "\n[bookmark: _GoBack]责任人：责任单位主要负责同志。" + NOTE in text
    text = text.replace(line + "\n[bookmark: _GoBack]责任人：责任单位主要负责同志。" + NOTE,
                        line + "责任人：责任单位主要负责同志。" + NOTE)
    doc = parse_lines(text.splitlines(), UnitParser(load_region("360200").places), short_name=SHORT)
    measure = doc.items[0].children[0]
    assert [u.name for u in measure.units] == UNITS_1
    everywhere = {u.name for it in doc.items for x in it.walk() for u in (*x.units, *x.acceptance_units)}
    assert not {n for n in everywhere if "负责人" in n or n == "下同"}


def _with_new_unit(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    old = "〔责任单位：市委宣传部、市委组织部、市委党校，"
    assert text.count(old) == 1
    f = tmp_path / "004_new_unit.txt"
    f.write_text(text.replace(old, "〔责任单位：市委宣传部、市委组织部、市委党校、市数据局，"), encoding="utf-8")
    return f


def test_a_new_unit_in_a_revision_is_not_ticked_and_the_commit_waits_for_it(demo_dir, tmp_path):
    review = services.start_review(_with_new_unit(tmp_path), short_name=SHORT)
    assert review.exists
    assert review.units.to_dict("records") == [{"单位": "市数据局", "所属": "360200", "确认": False}]
    with pytest.raises(ImportFailed, match="有新单位未确认"):
        services.commit_review(MANAGER_ACTOR, review)
    with reader() as s:
        assert s.scalar(select(m.Unit).where(m.Unit.name == "市数据局")) is None  # nothing written
    services.refresh_review(review)  # an edit elsewhere keeps the clerk's choice, and the default
    assert list(review.units["确认"]) == [False]
    review.units.loc[0, "确认"] = True
    services.refresh_review(review)
    assert list(review.units["确认"]) == [True]
    counts = services.commit_review(MANAGER_ACTOR, review)
    assert counts["修改"] == 2  # （一） and its measure name the new unit
    with reader() as s:
        assert s.scalar(select(m.Unit).where(m.Unit.name == "市数据局")).place_code == "360200"


def test_a_new_unit_in_a_first_import_is_proposed_ticked(demo_dir, tmp_path):
    review = services.start_review(_with_new_unit(tmp_path), short_name="另一份整改清单")
    assert not review.exists
    assert review.units.to_dict("records") == [{"单位": "市数据局", "所属": "360200", "确认": True}]
