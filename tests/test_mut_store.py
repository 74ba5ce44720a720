"""Store functions that mutation testing (issue 18) showed untested or tested loosely:
the revision fingerprints term by term, content-addressed files, the conflict message,
inspections and findings with their refusals, and the small frames. Every expectation is
worked out by hand or read back with a plain query, never from the function under test."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from onemap import settings
from store import dump, queries, repo
from store import models as m
from store.db import reader, transaction
from tests.conftest import MANAGER_ACTOR

T0 = datetime(2000, 1, 1)


def _rev() -> dict[str, str]:
    with reader() as s:
        return queries.revision(s)


def _max(s, col):
    return s.scalar(select(func.max(col)))


def _new_task(s, id_: int) -> None:
    s.add(m.Task(id=id_, uid=f"mut|{id_}", level="task", ref=f"测{id_}", title="测试任务", created_at=T0))


# Each step changes exactly one term of one fingerprint (count or max), so a fingerprint
# that lost that term would not notice it. Steps run in order on one demo copy.
def _site_older(s):  # a new site older than every other: count only
    s.add(m.Site(id="MUT-S", kind="监测断面", name="测试点", geom_wkt="POINT (117.2 29.3)", updated_at=T0))


def _site_touched(s):  # one site updated later: max(updated_at) only
    s.execute(update(m.Site).where(m.Site.id == "MUT-S").values(updated_at=datetime(2100, 1, 1)))


def _task_below(s):  # a task below every id: count only
    _new_task(s, -1)


def _task_swapped(s):  # the same count, a higher id
    s.execute(delete(m.Task).where(m.Task.id == -1))
    _new_task(s, _max(s, m.Task.id) + 1)


def _link_below(s):
    tid = _max(s, m.Task.id)
    s.add(m.TaskSite(id=-1, task_id=tid, site_id="MUT-S"))


def _link_swapped(s):
    s.execute(delete(m.TaskSite).where(m.TaskSite.id == -1))
    s.add(m.TaskSite(id=_max(s, m.TaskSite.id) + 1, task_id=_max(s, m.Task.id), site_id="MUT-S"))


def _unit_link(s):
    s.add(m.TaskUnit(id=-1, task_id=_max(s, m.Task.id), unit_id=_max(s, m.Unit.id), role="responsible"))


def _document(s):
    s.add(m.Document(title="测试文件", short_name="测试文件", genre="其他", imported_at=T0))


def _archived(s):
    s.execute(update(m.Task).where(m.Task.id == _max(s, m.Task.id)).values(archived=True))


def _event_below(s):
    s.add(m.StatusEvent(id=-1, task_id=_max(s, m.Task.id), seq=1, at=T0, from_status="未启动", to_status="整改中",
                        recorded_at=T0))


def _event_swapped(s):
    s.execute(delete(m.StatusEvent).where(m.StatusEvent.id == -1))
    s.add(m.StatusEvent(id=_max(s, m.StatusEvent.id) + 1, task_id=_max(s, m.Task.id), seq=1, at=T0,
                        from_status="未启动", to_status="整改中", recorded_at=T0))


def _attachment(s):
    s.add(m.Attachment(event_id=_max(s, m.StatusEvent.id), filename="a.jpg", stored_path="x/a.jpg", sha256="0" * 64,
                       size=1))


def _inspection(s):
    s.add(m.Inspection(day=date(2026, 1, 5), title="检查", stops=["MUT-S"], created_at=T0))


def _finding(s):
    s.add(m.Finding(inspection_id=_max(s, m.Inspection.id), site_id="MUT-S", text="发现", recorded_at=T0))


def _meta_low(s):  # the smallest value: count only
    s.add(m.Meta(key="mut-a", value="~"))
    s.add(m.Meta(key="mut-b", value=""))


def _meta_value(s):
    s.execute(update(m.Meta).where(m.Meta.key == "mut-b").values(value="~~"))


def _ref_layer(s):
    from store import reflayers

    reflayers.add_layer(s, name="mut-ref", kind="river", style={}, geometry_type="LineString", source_file="x",
                        source_crs="EPSG:4326", sha256="", created_by="mut",
                        features=[(1, "河", {}, "LINESTRING (117.2 29.3, 117.21 29.31)")])


def _ref_feature(s):  # a feature more, same layer count and highest id
    s.add(m.RefFeature(layer_id=_max(s, m.RefLayer.id), position=2, name="溪", attrs={},
                       geom_wkt="LINESTRING (117.2 29.3, 117.22 29.32)"))


def _ref_removed(s):
    from store import reflayers

    reflayers.remove_layer(s, s.scalar(select(m.RefLayer).where(m.RefLayer.name == "mut-ref")))


def _water_value(s):
    """A value corrected in place, same count, same time stamp: only the sum notices."""
    w = s.scalar(select(m.WaterSample).where(m.WaterSample.factor == "氨氮").order_by(m.WaterSample.id))
    w.value, w.value_text = w.value + 0.001, f"{w.value + 0.001:.3f}"


def _water_removed_and_added(s):
    """The first value removed and written again: count same, the highest id moves."""
    w = s.scalar(select(m.WaterSample).order_by(m.WaterSample.id))
    s.delete(w)
    s.flush()
    s.add(m.WaterSample(site_id=w.site_id, sampled_at=w.sampled_at, factor=w.factor, value_text=w.value_text,
                        value=w.value, below_detection=w.below_detection, detection_limit=w.detection_limit,
                        unit=w.unit, source_file=w.source_file, sample=w.sample, imported_at=w.imported_at,
                        imported_by=w.imported_by))


STEPS = [
    (_site_older, "sites"), (_site_touched, "sites"),
    (_task_below, "tasks"), (_task_swapped, "tasks"), (_link_below, "tasks"), (_link_swapped, "tasks"),
    (_unit_link, "tasks"), (_document, "tasks"), (_archived, "tasks"),
    (_event_below, "events"), (_event_swapped, "events"), (_attachment, "events"), (_inspection, "events"),
    (_finding, "events"), (_meta_low, "meta"), (_meta_value, "meta"),
    (_ref_layer, "refs"), (_ref_feature, "refs"), (_ref_removed, "refs"),
    (_water_value, "water"), (_water_removed_and_added, "water"),
]


def test_each_fingerprint_term_notices_its_own_change(demo_dir):
    before = _rev()
    assert set(before) == {"sites", "tasks", "events", "meta", "refs", "water"}
    for step, part in STEPS:
        with transaction() as s:
            step(s)
        after = _rev()
        assert [k for k in before if before[k] != after[k]] == [part], step.__name__
        before = after


def test_store_file_is_content_addressed(data_dir, tmp_path):
    src = tmp_path / "现场照片.JPG"
    src.write_bytes(b"photo bytes")
    digest = hashlib.sha256(b"photo bytes").hexdigest()
    rec = repo.store_file(src)
    rel = f"{digest[:2]}/{digest}.jpg"
    assert rec == {"filename": "现场照片.JPG", "stored_path": rel, "sha256": digest, "size": 11}
    target = settings.attachments_dir() / rel
    assert target.read_bytes() == b"photo bytes"
    # the same content again: the stored copy is kept (not rewritten)
    target.write_bytes(b"kept")
    other = tmp_path / "b.jpg"
    other.write_bytes(b"photo bytes")
    assert repo.store_file(other)["stored_path"] == rel
    assert target.read_bytes() == b"kept"


def _task_at_site(s):
    """A new task without status events, linked to the first site."""
    tid = _max(s, m.Task.id) + 1
    site = s.scalar(select(m.Site.id).order_by(m.Site.id))
    _new_task(s, tid)
    s.flush()
    s.add(m.TaskSite(task_id=tid, site_id=site))
    s.flush()
    return tid, site


def test_conflict_names_who_changed_what(demo_dir):
    with transaction() as s:
        tid, _ = _task_at_site(s)
        assert repo.task_version(s, tid) == 0
        assert str(repo.conflict(s, tid)) == "该任务刚被他人更新，请刷新后重试"
        repo.record_status(s, tid, "整改中", actor="张三", at=datetime(2026, 1, 2))
    with transaction() as s:
        assert str(repo.conflict(s, tid)) == "该任务刚被 张三 更新为“整改中”，请刷新后重试"
        assert repo.task_version(s, tid) == 1
        s.add(m.StatusEvent(task_id=tid, seq=2, at=datetime(2026, 1, 3), from_status="整改中", to_status="申请销号",
                            actor="", recorded_at=datetime(2026, 1, 3)))
    with transaction() as s:
        assert str(repo.conflict(s, tid)) == "该任务刚被 他人 更新为“申请销号”，请刷新后重试"
        assert repo.task_version(s, tid) == 2


def test_inspections_and_findings(demo_dir):
    with transaction() as s:
        tid, site = _task_at_site(s)
        other = s.scalar(select(m.Site.id).where(m.Site.id != site).order_by(m.Site.id))
    with transaction() as s:
        with pytest.raises(repo.StoreError, match="^检查任务至少要有一个点位$"):
            repo.add_inspection(s, day=date(2026, 1, 5), title="x", inspectors="", base_name="", stops=[],
                                created_by="张三")
        with pytest.raises(repo.StoreError, match="^点位不存在：无此点、也无此点$"):
            repo.add_inspection(s, day=date(2026, 1, 5), title="x", inspectors="", base_name="",
                                stops=[site, "无此点", "也无此点"], created_by="张三")
        early = repo.add_inspection(s, day=date(2026, 1, 5), title="  ", inspectors=" 张三、李四 ", base_name="局",
                                    stops=[site], created_by="张三")
        late = repo.add_inspection(s, day=date(2026, 2, 1), title=" 回头看 ", inspectors="", base_name="",
                                   stops=[site, other], created_by="李四")
        ids = early.id, late.id
    with reader() as s:
        rows = {i.id: (i.day, i.title, i.inspectors, i.base_name, i.stops, i.created_by)
                for i in s.scalars(select(m.Inspection))}
        assert rows == {ids[0]: (date(2026, 1, 5), "现场检查", "张三、李四", "局", [site], "张三"),
                        ids[1]: (date(2026, 2, 1), "回头看", "", "", [site, other], "李四")}
        assert queries.inspections_frame(s)["id"].tolist() == [ids[1], ids[0]]  # newest day first

    refusals = [
        (dict(inspection_id=999999, site_id=site, task_id=None, text="x"), "检查任务不存在"),
        (dict(inspection_id=ids[0], site_id=other, task_id=None, text="x"), "该点位不在本次检查任务中"),
        (dict(inspection_id=ids[0], site_id=site, task_id=None, text="  "), "请填写检查发现"),
        (dict(inspection_id=ids[1], site_id=other, task_id=tid, text="x"), "该任务与点位没有关联"),
        (dict(inspection_id=ids[0], site_id=site, task_id=None, text="x", to_status="整改中"), "变更状态需要选择任务"),
    ]
    for kw, reason in refusals:
        with pytest.raises(repo.StoreError, match=f"^{reason}$"), transaction() as s:
            repo.record_finding(s, actor="张三", **kw)
    with reader() as s:
        assert s.scalar(select(func.count()).select_from(m.Finding)) == 0

    with transaction() as s:
        f1 = repo.record_finding(s, ids[0], site, task_id=None, text=" 河面有漂浮物 ", actor="张三").id
        f2 = repo.record_finding(s, ids[0], site, task_id=tid, text=" 已开工 ", actor="张三", to_status="整改中").id
        f3 = repo.record_finding(s, ids[1], other, task_id=None, text="正常", actor="李四").id
    with reader() as s:
        ev = s.scalars(select(m.StatusEvent).where(m.StatusEvent.task_id == tid)).one()
        assert (ev.to_status, ev.note, ev.inspection_id, ev.at.date()) == ("整改中", "现场检查：已开工", ids[0],
                                                                          date(2026, 1, 5))
        got = {f.id: (f.text, f.task_id, f.event_id) for f in s.scalars(select(m.Finding))}
        assert got == {f1: ("河面有漂浮物", None, None), f2: ("已开工", tid, ev.id), f3: ("正常", None, None)}
        frame = queries.findings_frame(s)
        assert frame["id"].tolist() == [f3, f2, f1]  # newest day first, then newest finding
        assert frame["title"].tolist() == ["回头看", "现场检查", "现场检查"]
        assert frame.columns.tolist() == ["id", "inspection_id", "site_id", "task_id", "text", "photos", "event_id",
                                          "recorded_by", "recorded_at", "day", "title", "inspectors"]
        assert frame[["inspection_id", "site_id", "day", "inspectors"]].values.tolist() == [
            [ids[1], other, date(2026, 2, 1), ""], [ids[0], site, date(2026, 1, 5), "张三、李四"],
            [ids[0], site, date(2026, 1, 5), "张三、李四"]]
        assert queries.findings_frame(s, site)["id"].tolist() == [f2, f1]


def test_a_trip_planned_for_later_records_its_change_now(demo_dir):
    tomorrow = repo.now().date() + timedelta(days=1)
    with transaction() as s:
        tid, site = _task_at_site(s)
        ins = repo.add_inspection(s, day=tomorrow, title="计划", inspectors="", base_name="", stops=[site],
                                  created_by="张三")
        repo.record_finding(s, ins.id, site, task_id=tid, text="提前到场", actor="张三", to_status="整改中")
    with reader() as s:
        ev = s.scalars(select(m.StatusEvent).where(m.StatusEvent.task_id == tid)).one()
    assert ev.at.date() == repo.now().date()


def test_small_frames_and_emptiness(data_dir):
    with reader() as s:
        assert queries.store_is_empty(s)
        assert queries.events_frame(s).columns.tolist() == [  # no events: still every column
            "id", "task_id", "at", "from_status", "to_status", "actor", "actor_unit", "note", "sample", "recorded_at",
            "attachments"]
        assert queries.units_frame(s).columns.tolist() == ["id", "name", "place_code", "aliases"]
        assert queries.documents_frame(s).columns.tolist() == [
            "id", "title", "short_name", "genre", "year", "filename", "sha256", "imported_at"]
    with transaction() as s:
        s.add(m.Unit(name="市生态环境局", place_code="360200", aliases=["生态环境局"]))
        s.add(m.Unit(name="乐平市政府", place_code="360281"))
        s.add(m.Document(title="甲文件", short_name="甲", genre="督察", year=2024, filename="a.docx", sha256="ab",
                         imported_at=T0))
    with reader() as s:
        assert queries.store_is_empty(s)
        assert queries.units_frame(s)[["name", "place_code", "aliases"]].values.tolist() == [
            ["市生态环境局", "360200", ["生态环境局"]], ["乐平市政府", "360281", []]]
        assert queries.documents_frame(s)[["title", "short_name", "genre", "year", "filename", "sha256"]
                                          ].values.tolist() == [["甲文件", "甲", "督察", 2024, "a.docx", "ab"]]
    with transaction() as s:
        _new_task(s, 1)
    with reader() as s:
        assert not queries.store_is_empty(s)
    with transaction() as s:
        s.execute(delete(m.Task))
        s.add(m.Site(id="S", kind="监测断面", name="点", geom_wkt="POINT (117.2 29.3)", updated_at=T0))
    with reader() as s:
        assert not queries.store_is_empty(s)


def test_events_numbered_per_task_in_time_order():
    rows = [{"id": 5, "task_id": 1, "at": datetime(2024, 3, 2)}, {"id": 2, "task_id": 2, "at": datetime(2024, 3, 1)},
            {"id": 3, "task_id": 1, "at": datetime(2024, 3, 1)}, {"id": 4, "task_id": 1, "at": datetime(2024, 3, 1)},
            {"id": 1, "task_id": 2, "at": datetime(2024, 3, 5)}]
    dump._number_events(rows)
    assert {r["id"]: r["seq"] for r in rows} == {3: 1, 4: 2, 5: 3, 2: 1, 1: 2}


def test_meta_is_overwritten_and_events_are_not_samples_unless_said(demo_dir):
    with transaction() as s:
        repo.set_meta(s, "mut-key", "一")
    with transaction() as s:
        repo.set_meta(s, "mut-key", "二")
        tid, _ = _task_at_site(s)
        repo.record_status(s, tid, "整改中", actor="张三", at=datetime(2026, 1, 2))
        repo.record_status(s, tid, "申请销号", actor="张三", note="完工", at=datetime(2026, 1, 3), sample=True)
    with reader() as s:
        assert s.scalar(select(m.Meta.value).where(m.Meta.key == "mut-key")) == "二"
        got = [(e.to_status, e.sample) for e in
               s.scalars(select(m.StatusEvent).where(m.StatusEvent.task_id == tid).order_by(m.StatusEvent.seq))]
    assert got == [("整改中", False), ("申请销号", True)]


def test_new_site_ids_per_kind_continue_after_the_highest_taken():
    ids = repo._SiteIds({"SECTION-0001", "SECTION-0003", "MINE-0001"})
    got = [ids.new(k) for k in ("监测断面", "断面", "mine", "不认识的类型", "监测断面", "矿山", "")]
    assert got == ["SECTION-0002", "SECTION-0004", "MINE-0002", "SITE-0001", "SECTION-0005", "MINE-0003", "SITE-0002"]


def test_imported_items_keep_their_order_and_links_default_to_no_matched_text(data_dir, tmp_path):
    import pandas as pd

    from onemap import services

    f = tmp_path / "l.xlsx"
    pd.DataFrame([{"编号": "1", "问题/任务": "甲"}, {"编号": "2", "问题/任务": "乙"},
                  {"编号": "2/1", "上级编号": "2", "问题/任务": "乙一"},
                  {"编号": "2/2", "上级编号": "2", "问题/任务": "乙二"},
                  {"编号": "2/3", "上级编号": "2", "问题/任务": "乙三"}]).to_excel(f, index=False)
    services.import_file(MANAGER_ACTOR, f, document="清单")
    with transaction() as s:
        pos = {t.title: t.position for t in s.scalars(select(m.Task))}
        assert pos == {"甲": 0, "乙": 1, "乙一": 0, "乙二": 1, "乙三": 2}
        tid = s.scalar(select(m.Task.id).where(m.Task.title == "甲"))
        s.add(m.Site(id="S", kind="监测断面", name="点", geom_wkt="POINT (117.2 29.3)", updated_at=T0))
        s.flush()
        repo.link_task_site(s, tid, "S")
        repo.link_task_site(s, tid, "S", matched_text="点", confidence=0.5)  # already linked: kept as it was
    with reader() as s:
        links = [(x.task_id, x.site_id, x.matched_text, x.confidence) for x in s.scalars(select(m.TaskSite))]
    assert links == [(tid, "S", "", 1.0)]


def test_events_frame_is_in_time_order_not_id_order(demo_dir):
    with transaction() as s:
        tid, _ = _task_at_site(s)
        s.add(m.StatusEvent(task_id=tid, seq=2, at=datetime(2026, 3, 1), from_status="整改中", to_status="申请销号",
                            note="后", recorded_at=T0))
        s.flush()
        s.add(m.StatusEvent(task_id=tid, seq=1, at=datetime(2026, 2, 1), from_status="未启动", to_status="整改中",
                            note="先", recorded_at=T0))
    with reader() as s:
        assert queries.events_frame(s, [tid])["note"].tolist() == ["先", "后"]


def test_task_frame_units_in_their_order_places_sorted_and_named(data_dir):
    from domain.places import PlaceSet

    places = PlaceSet.from_dict({"adcode": "360200", "name": "景德镇市", "counties": [
        {"adcode": "360202", "name": "昌江区"}, {"adcode": "360281", "name": "乐平市"}]})
    with transaction() as s:
        _new_task(s, 1)
        s.add(m.Unit(id=1, name="乐平市政府", place_code="360281"))
        s.add(m.Unit(id=2, name="昌江区政府", place_code="360202"))
        s.add(m.Unit(id=3, name="无名单位", place_code="999999"))
        s.flush()
        # the order is `position`: neither the link's row id nor the unit's id order gives it
        s.add(m.TaskUnit(id=1, task_id=1, unit_id=2, role="responsible", position=2))
        s.add(m.TaskUnit(id=2, task_id=1, unit_id=3, role="responsible", position=0))
        s.add(m.TaskUnit(id=3, task_id=1, unit_id=1, role="responsible", position=1))
        s.add(m.Site(id="S", kind="监测断面", name="点", geom_wkt="POINT (117.2 29.3)", updated_at=T0))
        s.add(m.StatusEvent(task_id=1, seq=1, at=datetime(2026, 1, 2), from_status="未启动", to_status="整改中",
                            recorded_at=T0))
    with reader() as s:
        row = queries.tasks_frame(s, date(2026, 1, 5), places=places).iloc[0]
        events = queries.events_frame(s)
        sites = queries.sites_frame(s)
    assert row["units"] == ["无名单位", "乐平市政府", "昌江区政府"]
    assert row["unit_place_codes"] == ["360202", "360281", "999999"]
    assert row["unit_places"] == ["999999", "乐平市", "昌江区"]  # an unknown code is shown as it is
    assert events.columns.tolist() == ["id", "task_id", "at", "from_status", "to_status", "actor", "actor_unit",
                                       "note", "sample", "recorded_at", "attachments"]
    assert events["task_id"].tolist() == [1]
    assert sites.crs.to_epsg() == 4326


def test_a_finding_with_a_change_files_its_photos_with_the_event_too(demo_dir, tmp_path):
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"jpeg")
    digest = hashlib.sha256(b"jpeg").hexdigest()
    with transaction() as s:
        tid, site = _task_at_site(s)
        ins = repo.add_inspection(s, day=date(2026, 1, 5), title="检查", inspectors="", base_name="", stops=[site],
                                  created_by="张三")
        fid = repo.record_finding(s, ins.id, site, task_id=tid, text="已开工", actor=" 张三 ", photos=[photo],
                                  to_status="整改中").id
    with reader() as s:
        f = s.get(m.Finding, fid)
        att = [(a.event_id, a.filename, a.sha256) for a in s.scalars(select(m.Attachment))]
        assert (f.recorded_by, [p["sha256"] for p in f.photos]) == ("张三", [digest])
        assert att == [(f.event_id, "现场.jpg", digest)]
