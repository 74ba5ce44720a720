"""The site panel and the closing workflow through the UI (AppTest)."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from onemap import settings
from store import models as m
from store import queries
from store.db import reader
from tests.conftest import db_counts

APP = str(settings.REPO_ROOT / "app.py")


def _task_id(uid: str) -> int:
    with reader() as s:
        return s.scalar(select(m.Task.id).where(m.Task.uid == uid))


def _app(site: str | None = None, operator: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if operator:
        at.session_state["op_name"] = "张三"
        at.session_state["op_unit"] = "市生态环境局"
    if site:
        at.session_state["site_id"] = site
    return at.run()


def test_panel_shows_site_and_its_tasks(demo_dir):
    at = _app("SEC-01")
    assert not at.exception
    assert any(m.value == "#### 南河河口" for m in at.markdown)
    labels = [e.label for e in at.expander]
    assert any(lbl.startswith("省督察整改清单（十六） · 申请销号·逾期") for lbl in labels)
    assert any(lbl.startswith("2026年工作要点第5项 · 整改中") for lbl in labels)
    text = "\n".join(m.value for m in at.markdown)
    assert "2025年底（2025年12月31日）" in text  # deadline in words and as a date
    assert "市住建局" in text and "**控制级别**：国控" in text


def test_only_legal_transitions_are_offered(demo_dir):
    tid = _task_id("省督察整改清单|main|（十六）")
    at = _app("SEC-01")
    assert at.radio(key=f"map_{tid}_to").options == ["已销号", "退回"]
    ongoing = _task_id("省督察整改清单|main|（四）")  # 长期坚持: only periodic check-ins, never closed
    at = _app("MIN-14")
    assert at.radio(key=f"map_{ongoing}_to").options == ["定期调度（长期坚持）"]


def test_close_a_problem_from_the_panel(demo_dir):
    tid = _task_id("省督察整改清单|main|（十六）")
    before = db_counts()["status_events"]
    at = _app("SEC-01")
    at.radio(key=f"map_{tid}_to").set_value("已销号")
    at.text_area(key=f"map_{tid}_note").input("现场核实，整改到位")
    at.button(key=f"FormSubmitter:map_{tid}_form-登记").click().run()
    assert not at.exception
    assert any("已登记：省督察整改清单（十六） 申请销号 → 已销号" in s.value for s in at.success)
    assert db_counts()["status_events"] == before + 1
    with reader() as s:
        ev = queries.events_frame(s, [tid]).iloc[-1]
    assert (ev["from_status"], ev["to_status"], ev["actor"], ev["actor_unit"], ev["note"], ev["sample"]) == (
        "申请销号", "已销号", "张三", "市生态环境局", "现场核实，整改到位", False)
    # the panel and the counts follow at once
    assert any(e.label.startswith("省督察整改清单（十六） · 已销号") for e in at.expander)


def test_refused_change_keeps_the_note_and_writes_nothing(demo_dir):
    tid = _task_id("省督察整改清单|main|（十六）")
    before = db_counts()
    at = _app("SEC-01")
    at.radio(key=f"map_{tid}_to").set_value("退回")
    at.text_area(key=f"map_{tid}_note").input("   ")
    at.button(key=f"FormSubmitter:map_{tid}_form-登记").click().run()
    assert any("退回需填写退回理由" in e.value for e in at.error)
    assert db_counts() == before
    at.text_area(key=f"map_{tid}_note").input("材料不全")
    at.button(key=f"FormSubmitter:map_{tid}_form-登记").click().run()
    assert db_counts()["status_events"] == before["status_events"] + 1


def test_measure_status_and_evidence(demo_dir):
    tid = _task_id("2026年工作要点|main|5")
    at = _app("SEC-01")
    assert at.selectbox(key=f"map_{tid}_target").options[0].startswith("2026年工作要点第5项")
    at.radio(key=f"map_{tid}_to").set_value("申请销号")
    at.text_area(key=f"map_{tid}_note").input("难点断面专项方案已印发")
    at.button(key=f"FormSubmitter:map_{tid}_form-登记").click().run()
    assert not at.exception
    with reader() as s:
        assert queries.events_frame(s, [tid]).iloc[-1]["to_status"] == "申请销号"


def test_operator_is_asked_first(demo_dir):
    at = _app("SEC-01", operator=False)
    assert any("请先在左侧填写经办人" in i.value for i in at.info)
    at.sidebar.text_input(key="op_name_input").input("李四")
    form_button = [b for b in at.sidebar.button if b.label == "确定"][0]
    form_button.click().run()
    assert at.session_state["op_name"] == "李四"
    assert not any("请先在左侧填写经办人" in i.value for i in at.info)


def test_focus_from_ledger_centres_the_map(demo_dir):
    tid = _task_id("省督察整改清单|main|（二十三）")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["focus_task"] = tid
    at.run()
    assert not at.exception
    assert any("已定位任务：省督察整改清单（二十三）" in i.value for i in at.info)
