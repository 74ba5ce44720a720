"""The site panel and the closing workflow through the UI (AppTest)."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from onemap import settings
from store import models as m
from store import queries
from store.db import reader
from tests.conftest import db_counts, sign_in

APP = str(settings.REPO_ROOT / "app.py")


def _task_id(uid: str) -> int:
    with reader() as s:
        return s.scalar(select(m.Task.id).where(m.Task.uid == uid))



# a 填报 of 乐平市: (四) names 乐平市委、市政府 among its 责任单位, so its periodic check-ins are his
FILLER = ("孙七", "乐平市生态环境局", "填报", "360281")


def _app(site: str | None = None, operator: bool = True, who=("张三", "市生态环境局", "审核")) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if operator:
        sign_in(at, *who)
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
    at = _app("MIN-14", who=FILLER)
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
    at = _app("SEC-01", who=FILLER)  # 乐平市生态环境局 is among its 责任单位: applying is his
    target = [b for b in at.selectbox if b.key.startswith(f"map_{tid}_target")]  # keyed by the items offered
    assert len(target) == 1 and target[0].options[0].startswith("2026年工作要点第5项")
    at.radio(key=f"map_{tid}_to").set_value("申请销号")
    at.text_area(key=f"map_{tid}_note").input("难点断面专项方案已印发")
    at.button(key=f"FormSubmitter:map_{tid}_form-登记").click().run()
    assert not at.exception
    with reader() as s:
        assert queries.events_frame(s, [tid]).iloc[-1]["to_status"] == "申请销号"


def test_sign_in_comes_first_and_names_the_operator(demo_dir):
    """Unsigned: the sign-in form and no task data; signed in: the sidebar names the account."""
    from tests.conftest import TEST_PASSWORD, account

    user = account("李四", "市生态环境局", "审核")
    at = _app("SEC-01", operator=False)
    assert not at.exception
    assert [m.value for m in at.markdown][0] == "### 生态环境一张图 · 登录"
    assert not at.expander and not any("南河河口" in m.value for m in at.markdown)
    at.text_input(key="si_user").input(user)
    at.text_input(key="si_password").input(TEST_PASSWORD)
    at.button(key="FormSubmitter:sign_in-登录").click().run()
    assert not at.exception
    assert "当前用户：李四（审核，市生态环境局）" in [c.value for c in at.sidebar.caption]
    assert any(m.value == "#### 南河河口" for m in at.markdown)


def test_focus_from_ledger_centres_the_map(demo_dir):
    tid = _task_id("省督察整改清单|main|（二十三）")
    at = sign_in(AppTest.from_file(APP, default_timeout=120))
    at.session_state["focus_task"] = tid
    at.run()
    assert not at.exception
    assert any("已定位任务：省督察整改清单（二十三）" in i.value for i in at.info)
