"""Demo data integrity: counts from the documents, sites in their counties, links resolve,
sample data flagged."""

from sqlalchemy import func, select

from geo.region import load_region
from store import models as m
from store import queries
from store.db import reader


def test_demo_counts_and_integrity(demo_dir):
    region = load_region("360200")
    with reader() as s:
        tasks = queries.tasks_frame(s, include_future=True)
        sites = queries.sites_frame(s)
        events = queries.events_frame(s)
        link_sites = set(s.scalars(select(m.TaskSite.site_id)))
        n_links = s.scalar(select(func.count()).select_from(m.TaskSite))
    rect = tasks[tasks["document"] == "省督察整改清单"]
    assert (rect["level"] == "problem").sum() == 40
    assert (rect["level"] == "measure").sum() == 124
    wp = tasks[tasks["document"] == "2026年工作要点"]
    assert ((wp["part"] == "main") & (wp["level"] == "task")).sum() == 23
    assert (wp["part"] == "annex").sum() == 28
    # per-measure acceptance units from 市整改办负责第1-4条 style text
    m16_4 = rect[rect["ref"] == "省督察整改清单（十六）第4条"].iloc[0]
    assert m16_4["acceptance_units"] == ["市住建局"]
    # every site inside the county it is recorded in, and flagged illustrative
    counties = region.counties().set_index("adcode")
    for _, site in sites.iterrows():
        assert site["illustrative"], site["name"]
        assert counties.loc[site["county_code"]].geometry.covers(site.geometry), site["name"]
    assert set(sites["kind"]) == {"监测断面", "饮用水水源地", "工业园区", "矿山修复点"}
    # every link resolves and the named places are linked
    assert link_sites <= set(sites["id"]) and n_links == 67
    by_name = dict(zip(sites["name"], sites["id"], strict=True))
    linked = {r: set(ids) for r, ids in zip(tasks["ref"], tasks["site_ids"], strict=True)}
    assert by_name["樟树坑（昌江）饮用水水源地"] in linked["省督察整改清单（三十四）第1条"]
    assert {by_name[n] for n in ("南河河口", "浮梁罗家村", "湖田桥")} <= linked["2026年工作要点第5项"]
    assert by_name["江西乐平工业园区"] in linked["省督察整改清单（十五）"]
    assert by_name["西湖乡水厂水源地"] not in linked["省督察整改清单（二十一）"]  # township name, not the source
    # sample history: flagged, deterministic size, nothing after the data date
    assert len(events) == 556 and events["sample"].all()  # deterministic (seeded) sample history
    assert events["note"].str.startswith("【示例】").all() and (events["actor"] == "示例数据").all()
    assert events["at"].max().date().isoformat() <= "2026-11-20"


def test_demo_is_reproducible(demo_store, data_dir):
    from onemap.demo import build_demo

    a = build_demo()
    with reader() as s:
        ev1 = queries.events_frame(s)[["task_id", "at", "to_status", "note"]]
    b = build_demo()
    with reader() as s:
        ev2 = queries.events_frame(s)[["task_id", "at", "to_status", "note"]]
    assert a == b
    assert ev1.drop(columns="task_id").equals(ev2.drop(columns="task_id"))


def _count(sql: str) -> int:
    from sqlalchemy import text

    from store.db import reader

    with reader() as s:
        return s.execute(text(sql)).scalar()


def test_demo_remove_clears_every_demo_row_and_stays_cleared(demo_dir, capsys):
    """onemap demo --remove (issue 19): no demo row is left, the demo accounts (known passwords)
    are disabled and signed out, a real account stays, and the start script does not bring the
    demo back."""
    from onemap import accounts
    from onemap.cli import main
    from tests.conftest import MANAGER_ACTOR

    accounts.add_user(MANAGER_ACTOR.__class__("boot", "boot", "系统管理员"), "zhang", "张三", "业务管理员",
                      "Real@2026pass", unit="市生态环境局")
    sites, tasks, docs = (_count(f"SELECT count(*) FROM {t}") for t in ("sites", "tasks", "documents"))
    demo_users = _count("SELECT count(*) FROM users WHERE demo AND active")
    assert sites and tasks and docs and demo_users
    assert main(["demo", "--remove"]) == 1  # not a terminal and no --yes: nothing happens
    assert _count("SELECT count(*) FROM tasks") == tasks
    capsys.readouterr()
    assert main(["demo", "--remove", "--yes"]) == 0
    assert capsys.readouterr().out.strip() == (f"已清空示例数据：点位 {sites}，任务 {tasks}，任务文件 {docs}，"
                                               f"示例账户（已停用） {demo_users}。")
    for table in ("sites", "tasks", "documents", "units", "status_events", "task_sites", "task_units"):
        assert _count(f"SELECT count(*) FROM {table}") == 0, table
    assert _count("SELECT count(*) FROM meta WHERE key IN ('demo', 'data_date', 'views')") == 0
    assert _count("SELECT count(*) FROM users WHERE demo AND active") == 0
    assert _count("SELECT count(*) FROM users WHERE username = 'zhang' AND active") == 1
    assert _count("SELECT count(*) FROM audit_log WHERE action = '删除' AND object_type = '示例数据'") == 1
    assert main(["demo", "--if-empty"]) == 0  # the start script
    assert _count("SELECT count(*) FROM tasks") == 0
    assert main(["demo", "--remove", "--yes"]) == 1  # nothing of the demo left: refused, nothing changes


def test_start_script_does_not_load_the_demo_into_another_citys_store(data_dir, capsys):
    from onemap.cli import main

    assert main(["region", "360700"]) == 0
    capsys.readouterr()
    assert main(["demo", "--if-empty"]) == 0
    assert "不载入景德镇市示例数据" in capsys.readouterr().out
    assert _count("SELECT count(*) FROM sites") == 0


def test_init_sets_up_a_city_and_refuses_a_demo_store(data_dir, capsys):
    from onemap.cli import main

    assert main(["init", "360700"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("已建立区域：赣州市（360700），18 个县级行政区：") and "下一步（均可在网页中完成）：" in out
    assert _count("SELECT count(*) FROM meta WHERE key = 'region' AND value = '360700'") == 1
    assert main(["demo"]) == 0  # a demo store: init refuses to mix a city into it
    capsys.readouterr()
    assert main(["init", "360700"]) == 1
    assert "当前数据库是景德镇市示例数据" in capsys.readouterr().err
