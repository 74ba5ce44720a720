"""现场检查 through the UI (AppTest): plan from the filters, export, save, record findings.

Every save is checked against the store counted directly with SQL; every refusal is checked
to keep what was typed and to change nothing."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from onemap import inspections, settings
from store.db import reader, transaction
from tests.conftest import page_test, sign_in

NO_CHANGE = "（不变更状态）"


def _app(**qp) -> AppTest:
    # a 填报 of a city unit, reporting on the tasks of the city's units and of 乐平市's (the trips' county)
    at = sign_in(page_test("field_view", signed_in=False), "王五", "市生态环境保护综合执法支队", "填报", "360281")
    for k, v in qp.items():
        at.query_params[k] = v
    return at.run()


def _sql(q: str, **params):
    with reader() as s:
        return s.execute(text(q), params).all()


def _count(table: str) -> int:
    return _sql(f"SELECT count(*) FROM {table}")[0][0]


def _status(task_id: int) -> str:
    """The task's current status: its latest event (by date, then id), or 未启动."""
    rows = _sql("SELECT to_status FROM status_events WHERE task_id = :t ORDER BY at DESC, id DESC", t=task_id)
    return rows[0][0] if rows else "未启动"


def _stops(ins_id: int) -> list[str]:
    raw = _sql("SELECT stops FROM inspections WHERE id = :i", i=ins_id)[0][0]
    return json.loads(raw) if isinstance(raw, str) else list(raw)


def _site_tasks(site_id: str) -> list[tuple[int, str, bool]]:
    """(id, ref, ongoing) of the live top-level tasks linked to the site."""
    return [(r[0], r[1], bool(r[2])) for r in _sql(
        "SELECT t.id, t.ref, t.ongoing FROM tasks t JOIN task_sites l ON l.task_id = t.id "
        "WHERE l.site_id = :s AND t.parent_id IS NULL AND t.archived = :f ORDER BY t.id", s=site_id, f=False)]


def _plan_and_save(at: AppTest, title: str) -> AppTest:
    at.button(key="trip_from_filters").click().run()
    at.button(key="trip_plan").click().run()
    at.text_input(key="trip_title").input(title).run()
    at.text_input(key="trip_inspectors").input("王五、赵六")
    return at.button(key="trip_save").click().run()


def test_plan_from_filters_export_and_save(demo_dir):
    at = _app(place="360281", kind="矿山修复点")
    assert not at.exception
    at.button(key="trip_from_filters").click().run()
    chosen = at.multiselect(key="trip_sites").value
    expected = [r[0] for r in _sql("SELECT id FROM sites WHERE county_code = '360281' AND kind = '矿山修复点'")]
    assert sorted(chosen) == sorted(expected) and len(expected) == 13
    at.button(key="trip_plan").click().run()
    assert not at.exception
    metrics = {mt.label: mt.value for mt in at.metric}
    assert metrics["点位"] == "13" and metrics["总里程"].endswith("公里")
    labels = [b.label for b in at.get("download_button")]
    assert sorted(labels) == sorted(["GPX（WGS84）", "GPX（GCJ-02 导航用）", "KML（WGS84，奥维/Google Earth）",
                                     "KML（GCJ-02）", "检查表 XLSX", "检查表 PDF（打印）"])
    at.text_input(key="trip_title").input("乐平市矿山修复点现场核查").run()
    at.text_input(key="trip_inspectors").input("王五、赵六")
    at.button(key="trip_save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["已保存检查任务：乐平市矿山修复点现场核查（13 个点位）。"
                                             "到“登记检查结果”登记检查发现。"]
    rows = _sql("SELECT id, title, inspectors, created_by FROM inspections")
    assert len(rows) == 1 and rows[0][1:] == ("乐平市矿山修复点现场核查", "王五、赵六", "王五")
    assert sorted(_stops(rows[0][0])) == sorted(expected)


def test_a_second_trip_of_the_same_title_is_refused_and_keeps_the_text(demo_dir):
    at = _plan_and_save(_app(place="360281", kind="矿山修复点"), "乐平矿山核查")
    assert _count("inspections") == 1
    at.text_input(key="trip_inspectors").input("李四")
    at.button(key="trip_save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["未保存：已有同名检查任务“乐平矿山核查”（"
                                           f"{_day_cn(_sql('SELECT day FROM inspections')[0][0])}），"
                                           "请改用其他名称，如加上区县、点位类型或批次"]
    assert _count("inspections") == 1  # nothing written
    assert at.text_input(key="trip_title").value == "乐平矿山核查"
    assert at.text_input(key="trip_inspectors").value == "李四"
    at.text_input(key="trip_title").input("乐平矿山核查（第二批）").run()
    at.button(key="trip_save").click().run()
    assert _count("inspections") == 2
    assert sorted(r[0] for r in _sql("SELECT title FROM inspections")) == ["乐平矿山核查", "乐平矿山核查（第二批）"]


def _day_cn(d) -> str:
    d = date.fromisoformat(str(d)[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def test_a_finding_at_every_stop_is_stored_and_confirmed(demo_dir):
    at = _plan_and_save(_app(place="360281", kind="矿山修复点"), "乐平矿山核查")
    ins_id = _sql("SELECT id FROM inspections")[0][0]
    stops = _stops(ins_id)
    names = dict(_sql("SELECT id, name FROM sites"))
    at = _app()
    for k, sid in enumerate(stops, start=1):
        key = f"f_{ins_id}_{sid}"
        at.text_area(key=f"{key}_text").input(f"第{k}站：现场已复绿")
        at.button(key=f"{key}_save").click().run()
        assert not at.exception
        assert _count("inspection_findings") == k  # stored, counted in the store
        assert _sql("SELECT site_id, text, recorded_by FROM inspection_findings ORDER BY id DESC")[0] == (
            sid, f"第{k}站：现场已复绿", "王五")
        assert f"已登记第 {k} 站“{names[sid]}”（点位整体）的检查发现" in [s.value for s in at.success]
        assert at.text_area(key=f"{key}_text").value == ""  # cleared only after the save
    assert _count("status_events WHERE inspection_id IS NOT NULL") == 0
    # the list under each stop shows what was stored, by trip id
    shown = [mk.value for mk in at.markdown if mk.value.startswith("- 王五（点位整体）：第")]
    assert len(shown) == len(stops)


def _stop_with_task(stops: list[str], status: str) -> tuple[str, int, str]:
    for sid in stops:
        for tid, ref, ongoing in _site_tasks(sid):
            if _status(tid) == status and not ongoing:
                return sid, tid, ref
    raise AssertionError(f"no stop with a task in {status}")


def test_choosing_a_task_offers_its_legal_changes_and_the_change_is_recorded(demo_dir):
    at = _plan_and_save(_app(place="360281", kind="矿山修复点"), "乐平矿山回头看")
    ins_id = _sql("SELECT id FROM inspections")[0][0]
    sid, tid, ref = _stop_with_task(_stops(ins_id), "已销号")
    key = f"f_{ins_id}_{sid}"
    at = _app()
    assert at.selectbox(key=f"{key}_to").options == [NO_CHANGE]  # the site as a whole: no change
    at.selectbox(key=f"{key}_task").set_value(tid).run()
    # 已销号 → 整改中 (回头看 finds a relapse) is the one legal change
    assert at.selectbox(key=f"{key}_to").options == [NO_CHANGE, "整改中"]
    at.selectbox(key=f"{key}_to").set_value("整改中")
    at.text_area(key=f"{key}_text").input("回头看发现边坡有新的开采痕迹")
    events = _count("status_events")
    at.button(key=f"{key}_save").click().run()
    assert not at.exception
    assert _count("status_events") == events + 1 and _status(tid) == "整改中"
    ev = _sql("SELECT from_status, to_status, actor, inspection_id, note FROM status_events "
              "WHERE task_id = :t ORDER BY id DESC", t=tid)[0]
    assert ev == ("已销号", "整改中", "王五", ins_id, "现场检查：回头看发现边坡有新的开采痕迹")
    f = _sql("SELECT task_id, text, event_id IS NOT NULL FROM inspection_findings")
    assert f == [(tid, "回头看发现边坡有新的开采痕迹", True)]
    name = _sql("SELECT name FROM sites WHERE id = :s", s=sid)[0][0]
    k = _stops(ins_id).index(sid) + 1
    assert f"已登记第 {k} 站“{name}”（任务“{ref}”）的检查发现，状态 已销号 → 整改中" in [s.value for s in at.success]
    # the next step follows the new status: 整改中 → 申请销号
    assert at.selectbox(key=f"{key}_to").options == [NO_CHANGE, "申请销号"]
    # the site panel on the map shows the inspection history
    app = sign_in(AppTest.from_file(str(settings.REPO_ROOT / "app.py"), default_timeout=120))
    app.session_state["site_id"] = sid
    app.run()
    assert any(mk.value.startswith("**现场检查记录（1 条）**") for mk in app.markdown)


def test_a_change_made_meanwhile_is_refused_and_the_text_kept(demo_dir):
    from store import repo

    at = _plan_and_save(_app(place="360281", kind="矿山修复点"), "乐平矿山回头看")
    ins_id = _sql("SELECT id FROM inspections")[0][0]
    sid, tid, _ref = _stop_with_task(_stops(ins_id), "已销号")
    key = f"f_{ins_id}_{sid}"
    at = _app()
    at.selectbox(key=f"{key}_task").set_value(tid).run()
    at.selectbox(key=f"{key}_to").set_value("整改中")
    at.text_area(key=f"{key}_text").input("边坡有新的开采痕迹")
    with transaction() as s:  # someone else reopens the task first
        repo.record_status(s, tid, "整改中", actor="赵六", note="另一人登记")
    events, findings = _count("status_events"), _count("inspection_findings")
    at.button(key=f"{key}_save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["未登记：该任务刚被 赵六 更新为“整改中”，请刷新后重试。填写的内容已保留。"]
    assert at.text_area(key=f"{key}_text").value == "边坡有新的开采痕迹"
    assert (_count("status_events"), _count("inspection_findings")) == (events, findings)


def test_task_choices_keep_their_names_when_another_user_changes_a_task(demo_dir):
    """The browser sends back the chosen label: a label with the live status in it stopped
    naming the task once someone else changed it (CI: 系统错误 instead of the refusal)."""
    from store import repo

    at = _plan_and_save(_app(place="360281", kind="矿山修复点"), "乐平矿山回头看")
    ins_id = _sql("SELECT id FROM inspections")[0][0]
    sid, tid, ref = _stop_with_task(_stops(ins_id), "已销号")
    key = f"f_{ins_id}_{sid}"
    at = _app()
    before = list(at.selectbox(key=f"{key}_task").options)
    assert ref in before and all("（已销号）" not in o and "（整改中）" not in o for o in before)
    with transaction() as s:
        repo.record_status(s, tid, "整改中", actor="赵六", note="另一人登记")
    at.run()
    assert list(at.selectbox(key=f"{key}_task").options) == before


def test_an_empty_finding_is_refused_in_chinese(demo_dir):
    at = _plan_and_save(_app(place="360281", kind="矿山修复点"), "乐平矿山核查")
    ins_id = _sql("SELECT id FROM inspections")[0][0]
    sid = _stops(ins_id)[0]
    at = _app()
    at.text_area(key=f"f_{ins_id}_{sid}_text").input("   ")
    at.button(key=f"f_{ins_id}_{sid}_save").click().run()
    assert [e.value for e in at.error] == ["未登记：请填写检查发现。填写的内容已保留。"]
    assert _count("inspection_findings") == 0


def test_finding_needs_text_or_change_and_a_listed_site(demo_dir):
    import pytest

    from domain.actors import Actor
    from onemap import services

    x = Actor("x", "x", "填报", "乐平市生态环境局", "360281")
    iid = inspections.save_inspection(x, day=date(2026, 11, 24), title="t", inspectors="", base_name="局",
                                   stops=["MIN-02"])
    with pytest.raises(services.ServiceError, match="请填写检查发现"):
        inspections.record_finding(x, iid, "MIN-02", task_id=None, text=" ")
    with pytest.raises(services.ServiceError, match="不在本次检查任务中"):
        inspections.record_finding(x, iid, "SEC-01", task_id=None, text="a")
    with pytest.raises(services.ServiceError, match="已有同名检查任务“t”"):
        inspections.save_inspection(x, day=date(2026, 11, 25), title=" t ", inspectors="", base_name="局",
                                 stops=["MIN-02"])
    assert _count("inspection_findings") == 0 and _count("inspections") == 1


def test_a_change_chosen_before_someone_elses_is_not_dropped_by_a_rerun(demo_dir):
    """The page reruns between the other user's change and the click: the options change
    under the choice. The save must still be refused
    by name, not stored as a finding without the change the inspector chose."""
    from store import repo

    _plan_and_save(_app(place="360281", kind="矿山修复点"), "乐平矿山回头看")
    ins_id = _sql("SELECT id FROM inspections")[0][0]
    sid, tid, _ref = _stop_with_task(_stops(ins_id), "已销号")
    key = f"f_{ins_id}_{sid}"
    at = _app()
    at.selectbox(key=f"{key}_task").set_value(tid).run()
    at.selectbox(key=f"{key}_to").set_value("整改中").run()
    with transaction() as s:
        repo.record_status(s, tid, "整改中", actor="赵六", note="另一人登记")
    at.run()  # a rerun (any other widget, another stop) redraws the options under the choice
    at.text_area(key=f"{key}_text").input("边坡有新的开采痕迹")
    events, findings = _count("status_events"), _count("inspection_findings")
    at.button(key=f"{key}_save").click().run()
    assert [e.value for e in at.error] == ["未登记：该任务刚被 赵六 更新为“整改中”，请刷新后重试。填写的内容已保留。"]
    assert at.text_area(key=f"{key}_text").value == "边坡有新的开采痕迹"
    assert (_count("status_events"), _count("inspection_findings")) == (events, findings)
    # chosen again on the new history, it is saved
    at.selectbox(key=f"{key}_to").set_value("申请销号").run()
    at.button(key=f"{key}_save").click().run()
    assert not at.error
    assert (_count("status_events"), _count("inspection_findings")) == (events + 1, findings + 1)
