"""The status form (销号) on 一张图, through the app (AppTest) and the service door.

Every expectation is read from the store with a plain query (status_events rows), never
through the functions the form uses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from domain import status as st_status
from onemap import services, settings
from store import models as m
from store import repo
from store.db import reader, transaction
from tests.conftest import sign_in

APP = str(settings.REPO_ROOT / "app.py")
PROBLEM = "省督察整改清单|main|（十六）"  # 南河河口 (SEC-01): 申请销号 in the demo
ONGOING = "省督察整改清单|main|（四）"  # 长期坚持, linked to MIN-14


def _task_id(uid: str) -> int:
    with reader() as s:
        return s.scalar(select(m.Task.id).where(m.Task.uid == uid))


def _events(task_id: int) -> list[tuple]:
    """(from, to, actor, unit, note) of the task's events, oldest first — a plain query."""
    with reader() as s:
        rows = s.execute(select(m.StatusEvent.from_status, m.StatusEvent.to_status, m.StatusEvent.actor,
                                m.StatusEvent.actor_unit, m.StatusEvent.note)
                         .where(m.StatusEvent.task_id == task_id)
                         .order_by(m.StatusEvent.at, m.StatusEvent.id)).all()
    return [tuple(r) for r in rows]


def _n_events() -> int:
    with reader() as s:
        return s.scalar(select(func.count()).select_from(m.StatusEvent))



# a 填报 of 乐平市: (四) names 乐平市委、市政府 among its 责任单位, so its periodic check-ins are his
FILLER = ("孙七", "乐平市生态环境局", "填报", "360281")


def _app(site: str, who=("王五", "市生态环境局", "审核")) -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=180), *who)
    at.session_state["site_id"] = site
    return at.run()


def _note(at: AppTest, tid: int):
    return at.text_area(key=f"map_{tid}_note")


def _submit(at: AppTest, tid: int) -> None:
    at.button(key=f"FormSubmitter:map_{tid}_form-登记").click().run()


def test_note_label_says_what_is_required_for_every_status():
    expected = {"整改中": "说明（可选）", "申请销号": "整改完成情况说明（必填）", "已销号": "验收意见（可选）",
                "退回": "退回理由（必填）", "长期坚持": "本期进展（必填）"}
    from ui.workflow import note_label

    assert {s: note_label(s) for s in expected} == expected
    # the rule the store enforces and the label agree
    assert {s for s, lbl in expected.items() if lbl.endswith("（必填）")} == set(st_status.NOTE_REQUIRED)


def test_label_follows_the_chosen_status(demo_dir):
    tid = _task_id(PROBLEM)
    at = _app("SEC-01")
    assert at.radio(key=f"map_{tid}_to").options == ["已销号", "退回"]
    assert _note(at, tid).label == "验收意见（可选）"  # the first option, 已销号
    at.radio(key=f"map_{tid}_to").set_value("退回").run()
    assert _note(at, tid).label == "退回理由（必填）"
    at.radio(key=f"map_{tid}_to").set_value("已销号").run()
    assert _note(at, tid).label == "验收意见（可选）"
    ongoing = _task_id(ONGOING)
    at = _app("MIN-14", who=FILLER)
    assert _note(at, ongoing).label == "本期进展（必填）"


def test_refusal_shows_the_reason_keeps_the_text_and_writes_nothing(demo_dir):
    tid = _task_id(PROBLEM)
    before, history = _n_events(), _events(tid)
    at = _app("SEC-01")
    at.radio(key=f"map_{tid}_to").set_value("退回").run()
    _note(at, tid).input("   ")
    _submit(at, tid)
    assert not at.exception
    assert [e.value for e in at.error] == ["未登记：退回需填写退回理由"]
    assert not at.success
    assert _n_events() == before and _events(tid) == history
    # the status changed under the open form (someone else returned it): refused, text kept
    at.radio(key=f"map_{tid}_to").set_value("已销号").run()
    _note(at, tid).input("现场核实，整改到位")
    with transaction() as s:
        repo.record_status(s, tid, "退回", actor="另一位审核员", note="材料不全")
    _submit(at, tid)
    assert not at.exception
    assert len(at.error) == 1 and "刚被更新为“退回”" in at.error[0].value and "已销号" in at.error[0].value
    assert _note(at, tid).value == "现场核实，整改到位"
    assert _n_events() == before + 1  # only the other reviewer's event
    assert _events(tid)[-1][:2] == ("申请销号", "退回")


def test_change_on_a_state_the_user_never_saw_is_refused_naming_who(demo_dir):
    """Two steps behind the open form the chosen status can be legal again (申请销号 → 退回 →
    申请销号 while the form showed 申请销号 and 退回 was chosen): the store refuses it anyway,
    because the form passes the state it showed, and says who changed the task to what."""
    tid = _task_id(PROBLEM)
    at = _app("SEC-01")
    at.radio(key=f"map_{tid}_to").set_value("退回").run()
    _note(at, tid).input("照片不清晰，请补充")
    with transaction() as s:
        repo.record_status(s, tid, "退回", actor="赵六", note="材料不全")
        repo.record_status(s, tid, "申请销号", actor="孙七", note="已补充材料")
    before = _n_events()
    _submit(at, tid)
    assert not at.exception
    assert [e.value for e in at.error] == ["未登记：该任务刚被 孙七 更新为“申请销号”，请刷新后重试"]
    assert _note(at, tid).value == "照片不清晰，请补充"  # the typed text is kept
    assert _n_events() == before
    assert _events(tid)[-1][:3] == ("退回", "申请销号", "孙七")


def test_success_confirms_names_task_and_change_and_stores_one_event(demo_dir):
    tid = _task_id(PROBLEM)
    before, history = _n_events(), _events(tid)
    at = _app("SEC-01")
    at.radio(key=f"map_{tid}_to").set_value("退回").run()
    _note(at, tid).input("佐证材料不全，请补充监测报告")
    _submit(at, tid)
    assert not at.exception and not at.error
    today = date.today()
    assert [s.value for s in at.success] == [
        f"已登记：省督察整改清单（十六） 申请销号 → 退回（{today.year}年{today.month}月{today.day}日，王五）"]
    assert _n_events() == before + 1
    assert _events(tid) == [*history, ("申请销号", "退回", "王五", "市生态环境局", "佐证材料不全，请补充监测报告")]
    # the panel follows: the task's label and the next legal changes, and an empty note
    assert any(e.label.startswith("省督察整改清单（十六） · 退回") for e in at.expander)
    # the next step (整改中 / 申请销号) is the 责任单位's: the reviewer is offered no change of it now
    targets = [b for b in at.selectbox if b.key.startswith(f"map_{tid}_target")]
    assert all("省督察整改清单（十六）" not in b.options for b in targets)
    at.run()  # the confirmation is shown once
    assert not at.success


def test_service_door_checks_and_writes_in_one_go(demo_dir):
    from domain.actors import Actor

    wang = Actor("wang", "王五", "审核", "市生态环境局")
    tid = _task_id(PROBLEM)
    before = _n_events()
    with pytest.raises(services.ServiceError, match="不能从“申请销号”变更为“整改中”"):
        services.change_status(wang, tid, "整改中", note="x")
    with pytest.raises(services.ServiceError, match="日期不能晚于今天"):
        services.change_status(wang, tid, "已销号", day=date(2999, 1, 1))
    with pytest.raises(services.ServiceError, match="请先登录"):
        services.change_status(None, tid, "已销号")
    assert _n_events() == before
    done = services.change_status(wang, tid, "已销号", note="验收通过")
    assert (done.from_status, done.to_status, done.note) == ("申请销号", "已销号", "验收通过")
    assert _n_events() == before + 1
    assert _events(tid)[-1] == ("申请销号", "已销号", "王五", "市生态环境局", "验收通过")

