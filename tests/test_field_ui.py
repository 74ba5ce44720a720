"""现场检查 through the UI (AppTest): plan from the filters, export, save, record findings."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from onemap import settings
from store import models as m
from store import queries
from store.db import reader
from tests.conftest import page_test


def _app(**qp) -> AppTest:
    at = page_test("field_view")
    at.session_state["op_name"] = "王五"
    at.session_state["op_unit"] = "市生态环境保护综合执法支队"
    for k, v in qp.items():
        at.query_params[k] = v
    return at.run()


def test_plan_from_filters_export_and_record(demo_dir):
    at = _app(place="360281", kind="矿山修复点")
    assert not at.exception
    at.button(key="trip_from_filters").click().run()
    chosen = at.multiselect(key="trip_sites").value
    with reader() as s:
        sites = queries.sites_frame(s).set_index("id")
    assert len(chosen) >= 6 and set(sites.loc[chosen, "kind"]) == {"矿山修复点"}
    assert set(sites.loc[chosen, "county_code"]) == {"360281"}
    at.button(key="trip_plan").click().run()
    assert not at.exception
    metrics = {mt.label: mt.value for mt in at.metric}
    assert metrics["点位"] == str(len(chosen)) and metrics["总里程"].endswith("公里")
    labels = [b.label for b in at.get("download_button")]
    assert {"GPX（WGS84）", "GPX（GCJ-02 导航用）", "KML（WGS84，奥维/Google Earth）", "检查表 XLSX",
            "检查表 PDF（打印）"} <= set(labels)
    at.text_input(key="trip_inspectors").input("王五、赵六")
    at.button(key="FormSubmitter:trip_save-保存为检查任务（之后在“登记检查结果”中填报）").click().run()
    assert not at.exception
    with reader() as s:
        ins = s.scalar(select(m.Inspection))
        assert ins is not None and ins.inspectors == "王五、赵六" and len(ins.stops) == len(chosen)
        first = ins.stops[0]
    # record: a finding with a status change on the first stop
    at = _app()
    from onemap.field_trip import stop_tasks

    with reader() as s:
        refs = [t.ref for t in stop_tasks(first, queries.tasks_frame(s))]
    assert refs, "the stop lists its tasks"
    at.selectbox(key=f"f_{ins.id}_{first}_task").set_value(refs[0])
    at.run()
    options = at.selectbox(key=f"f_{ins.id}_{first}_to").options
    change = next((o for o in options if o != "（不变更状态）"), None)
    at.selectbox(key=f"f_{ins.id}_{first}_to").set_value(change if change else "（不变更状态）")
    at.text_area(key=f"f_{ins.id}_{first}_text").input("现场已完成复绿，未见新的开采痕迹")
    at.button(key=f"FormSubmitter:f_{ins.id}_{first}-登记").click().run()
    assert not at.exception
    with reader() as s:
        f = queries.findings_frame(s, first)
        assert len(f) == 1 and f.iloc[0]["text"] == "现场已完成复绿，未见新的开采痕迹"
        if change:
            ev = s.get(m.StatusEvent, int(f.iloc[0]["event_id"]))
            assert ev.inspection_id == ins.id and ev.to_status == change and ev.actor == "王五"
    # the site panel on the map shows the inspection history
    app = AppTest.from_file(str(settings.REPO_ROOT / "app.py"), default_timeout=120)
    app.session_state["site_id"] = first
    app.run()
    assert any(mk.value.startswith("**现场检查记录（1 条）**") for mk in app.markdown)


def test_finding_needs_text_or_change_and_a_listed_site(demo_dir):
    import pytest

    from store import repo
    from store.db import transaction

    with transaction() as s:
        ins = repo.add_inspection(s, day=__import__("datetime").date(2026, 11, 24), title="t", inspectors="",
                                  base_name="局", stops=["MIN-02"], created_by="x")
        iid = ins.id
    with pytest.raises(repo.StoreError, match="请填写检查发现"), transaction() as s:
        repo.record_finding(s, iid, "MIN-02", task_id=None, text=" ", actor="x")
    with pytest.raises(repo.StoreError, match="不在本次检查任务中"), transaction() as s:
        repo.record_finding(s, iid, "SEC-01", task_id=None, text="a", actor="x")
    with reader() as s:
        assert queries.findings_frame(s).empty
