"""A revised document re-imported: exactly the edits, status history intact."""

from datetime import date

import pytest
from sqlalchemy import func, select

from domain.units import UnitParser
from geo.region import load_region
from ingest.docparse import parse_document
from onemap import settings
from store import models as m
from store.db import reader, transaction
from store.revise import apply_revision, plan_revision

SEED = settings.DEMO_DIR / "docs" / "004_rectification_list_provincial_inspection.txt"


def revised(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    added = "3．2024年底前，完成金山工业园区污水管网配套建设。〔责任单位：乐平市委、市政府〕\n"
    anchor = "2．2023年底前，完成鱼丽工业平台污水处理厂项目及配套雨污管网建设。〔责任单位：昌江区委、区政府〕\n"
    assert anchor in text
    text = text.replace(anchor, anchor + added)
    old = "整改目标：依法淘汰明琴玻纤有限公司淘汰类生产工艺装备。\n整改时限：2023年底。"
    assert old in text
    text = text.replace(old, "整改目标：依法淘汰明琴玻纤有限公司淘汰类生产工艺装备。\n整改时限：2024年6月底。")
    removed = "3．完善联合执法机制，加大对非法出售、经营野生动物的打击力度。〔责任单位：浮梁县委、县政府，乐平市委、市政府〕\n"
    assert removed in text
    text = text.replace(removed, "")
    f = tmp_path / "004_revised.txt"
    f.write_text(text, encoding="utf-8")
    return f


def _snapshot(s):
    return {t.id: (t.uid, t.deadline, t.archived) for t in s.scalars(select(m.Task))}, \
        [(e.id, e.task_id, e.at, e.to_status) for e in s.scalars(select(m.StatusEvent).order_by(m.StatusEvent.id))]


def test_revision_applies_exactly_the_edits(demo_dir, tmp_path):
    up = UnitParser(load_region("360200").places)
    doc = parse_document(revised(tmp_path), up, short_name="省督察整改清单")
    with reader() as s:
        before_tasks, before_events = _snapshot(s)
        plan = plan_revision(s, doc)
    assert plan.added == ["main|（十一）/3"]
    assert [(c.ref, c.fields) for c in plan.changed] == [
        ("省督察整改清单（八）", {"整改时限": ("2023年底", "2024年6月底"),
                                "时限日期": (date(2023, 12, 31), date(2024, 6, 30))})]
    assert [ref for _, ref in plan.removed] == ["省督察整改清单（二十六）第3条"]
    assert plan.unchanged == 164 - 2
    with transaction() as s:
        counts = apply_revision(s, doc, plan)
    assert counts == {"updated": 1, "added": 1, "archived": 1}
    with reader() as s:
        after_tasks, after_events = _snapshot(s)
        assert after_events == before_events  # status history untouched
        changed_id = plan.changed[0].task_id
        assert after_tasks[changed_id][1] == date(2024, 6, 30)
        removed_id = plan.removed[0][0]
        assert after_tasks[removed_id][2] is True  # archived, not deleted
        new = [t for t in after_tasks if t not in before_tasks]
        assert len(new) == 1 and after_tasks[new[0]][0] == "省督察整改清单|main|（十一）/3"
        assert s.scalar(select(func.count()).select_from(m.Task)) == len(before_tasks) + 1
    # importing the same revision again changes nothing
    with reader() as s:
        assert plan_revision(s, doc).empty


def test_renumbered_item_keeps_its_history(demo_dir, tmp_path):
    """Measure 2 of （十） removed: measure 3 becomes 2 — matched by text, not by number."""
    text = SEED.read_text(encoding="utf-8")
    gone = "2．对接省发改委等相关部门，2024年6月底前，完善乐平工业园扩区调区相关手续。〔责任单位：乐平市委、市政府〕\n"
    assert gone in text
    text = text.replace(gone, "").replace("3.对接省生态环境厅等相关部门", "2.对接省生态环境厅等相关部门")
    f = tmp_path / "renum.txt"
    f.write_text(text, encoding="utf-8")
    doc = parse_document(f, UnitParser(load_region("360200").places), short_name="省督察整改清单")
    with reader() as s:
        old3 = s.scalar(select(m.Task).where(m.Task.uid == "省督察整改清单|main|（十）/3"))
        old2 = s.scalar(select(m.Task).where(m.Task.uid == "省督察整改清单|main|（十）/2"))
        plan = plan_revision(s, doc)
    assert plan.matched["main|（十）/2"] == old3.id
    assert [tid for tid, _ in plan.removed] == [old2.id]
    with transaction() as s:
        apply_revision(s, doc, plan)
    with reader() as s:
        t = s.get(m.Task, old3.id)
        assert t.uid == "省督察整改清单|main|（十）/2" and t.number == "2" and not t.archived
        assert s.get(m.Task, old2.id).archived


def test_revision_of_unknown_document_is_refused(demo_dir, tmp_path):
    from store.repo import StoreError

    doc = parse_document(SEED, UnitParser(load_region("360200").places), short_name="别的清单")
    with reader() as s, pytest.raises(StoreError, match="尚未导入"):
        plan_revision(s, doc)
