"""Links revised by hand (issue 19): a task's sites set from its panel, exactly, audited; a
measure, an unknown task or site refused in Chinese with nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from onemap import links, services
from store.db import reader
from tests.conftest import MANAGER_ACTOR


def _sql(q: str, **kw):
    with reader() as s:
        return s.execute(text(q), kw).all()


def _task_without_sites() -> tuple[int, str]:
    return tuple(_sql("SELECT id, ref FROM tasks WHERE parent_id IS NULL AND id NOT IN "
                      "(SELECT task_id FROM task_sites) ORDER BY id LIMIT 1")[0])


def test_links_are_set_exactly_and_audited(demo_dir):
    tid, ref = _task_without_sites()
    names = dict(_sql("SELECT id, name FROM sites WHERE id IN ('MIN-01', 'MIN-02', 'PARK-01')"))
    out = links.set_task_sites(MANAGER_ACTOR, tid, ["MIN-01", "MIN-02"])
    assert out.message() == f"已保存“{ref}”的关联点位（共 2 个）：新增 {names['MIN-01']}、{names['MIN-02']}。"
    assert sorted(r[0] for r in _sql("SELECT site_id FROM task_sites WHERE task_id = :t", t=tid)) == ["MIN-01", "MIN-02"]
    out = links.set_task_sites(MANAGER_ACTOR, tid, ["MIN-02", "PARK-01"])
    assert out.message() == f"已保存“{ref}”的关联点位（共 2 个）：新增 {names['PARK-01']}；移除 {names['MIN-01']}。"
    assert sorted(r[0] for r in _sql("SELECT site_id FROM task_sites WHERE task_id = :t", t=tid)) == ["MIN-02", "PARK-01"]
    rows = _sql("SELECT action, object_id, summary FROM audit_log WHERE object_type = '任务关联点位' ORDER BY id")
    assert [(a, o) for a, o, _s in rows] == [("修订文件", ref), ("修订文件", ref)]
    assert rows[1][2] == f"修改“{ref}”的关联点位：新增 {names['PARK-01']}；移除 {names['MIN-01']}"
    n = len(_sql("SELECT id FROM audit_log"))
    assert links.set_task_sites(MANAGER_ACTOR, tid, ["PARK-01", "MIN-02"]).message() == \
        f"“{ref}”的关联点位没有变化（2 个）。"
    assert len(_sql("SELECT id FROM audit_log")) == n  # nothing changed, nothing recorded


@pytest.mark.parametrize(("what", "message"), [
    ("measure", "整改措施随所属问题关联点位：请在所属问题上修改"),
    ("unknown_site", "点位不存在：NO-SUCH"),
    ("unknown_task", "任务 999999 不存在"),
])
def test_refusals_change_nothing(demo_dir, what, message):
    measure = _sql("SELECT id FROM tasks WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1")[0][0]
    tid = {"measure": measure, "unknown_site": _task_without_sites()[0], "unknown_task": 999999}[what]
    before = _sql("SELECT task_id, site_id FROM task_sites ORDER BY id")
    with pytest.raises(services.ServiceError) as e:
        links.set_task_sites(MANAGER_ACTOR, tid, ["MIN-01", "NO-SUCH"] if what == "unknown_site" else ["MIN-01"])
    assert str(e.value) == message
    assert _sql("SELECT task_id, site_id FROM task_sites ORDER BY id") == before


def test_a_filler_may_not_change_links(demo_dir):
    from domain.actors import FILLER, Actor

    tid, _ref = _task_without_sites()
    with pytest.raises(services.ServiceError):
        links.set_task_sites(Actor("f", "填报员", FILLER, unit="乐平市生态环境局"), tid, ["MIN-01"])
    assert _sql("SELECT count(*) FROM task_sites WHERE task_id = :t", t=tid) == [(0,)]


def _panel_script(task_id: int) -> None:
    """The task panel as the ledger and the site panel draw it (AppTest.from_function copies this)."""
    from datetime import date

    from onemap.assets import use_local_assets
    from ui import auth, boundary, data
    from ui.views.task_detail import render_task

    use_local_assets()
    auth.gate()
    tasks = data.tasks(date.today())
    names = dict(zip(data.sites()["id"], data.sites()["name"], strict=True))
    task = tasks[tasks["id"] == task_id].iloc[0]
    boundary.run(type("P", (), {"run": staticmethod(lambda: render_task(task, tasks, names, key=f"t{task_id}")),
                                "title": "任务"})())


def test_the_task_panel_links_a_site_and_says_so(demo_dir):
    """A task → 修改关联点位: the save names what was added, and the store holds exactly that."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import sign_in

    tid, ref = _task_without_sites()
    name = _sql("SELECT name FROM sites WHERE id = 'MIN-01'")[0][0]
    at = sign_in(AppTest.from_function(_panel_script, args=(tid,), default_timeout=120)).run()
    assert not at.exception
    ms = at.multiselect(key=f"links_t{tid}")
    assert ms.value == []
    ms.set_value(["MIN-01"]).run()
    at.button(key=f"links_t{tid}_save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"已保存“{ref}”的关联点位（共 1 个）：新增 {name}。"]
    assert _sql("SELECT site_id FROM task_sites WHERE task_id = :t", t=tid) == [("MIN-01",)]
    # a site removed meanwhile by another user: refused in Chinese, the choice kept
    at.multiselect(key=f"links_t{tid}").set_value(["MIN-01", "MIN-02"]).run()
    with reader() as s:
        s.execute(text("DELETE FROM task_sites WHERE site_id = 'MIN-02'"))
        s.execute(text("DELETE FROM sites WHERE id = 'MIN-02'"))
        s.commit()
    at.button(key=f"links_t{tid}_save").click().run()
    assert [e.value for e in at.error] == ["未保存关联点位：点位不存在：MIN-02"]
    assert at.multiselect(key=f"links_t{tid}").value == ["MIN-01", "MIN-02"]
    assert _sql("SELECT site_id FROM task_sites WHERE task_id = :t", t=tid) == [("MIN-01",)]
