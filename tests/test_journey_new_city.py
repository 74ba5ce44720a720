"""A new city's bureau, from an empty store to its own coloured map, in the browser only (issue 19):
the system administrator chooses 赣州市 on 系统设置; the 业务管理员 imports a site layer (checked,
then written), the year's work points (reviewed, written) and a ledger of links; the map shows the
three sites coloured by the state of their tasks. Every figure is checked against the store with
plain SQL, no step uses the command line, and the time taken is printed."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from layers.style import COLORS
from onemap import settings
from tests.browser_kit import _map, _set_session, _settled, _shot, _symbols

pytestmark = pytest.mark.browser

DOC = """赣州市生态环境局2026年生态环境保护工作要点

一、重点工作
1．推进章江水质提升，完成章江断面上游排污口整治。2026年6月底前完成。（责任单位：市生态环境局）
2．完成工业园区污水管网排查整治。2026年12月底前完成。（责任单位：市生态环境局）
"""


def _sql(q: str, **kw):
    engine = create_engine(settings.database_url())
    with engine.connect() as c:
        rows = c.execute(text(q), kw).all()
    engine.dispose()
    return rows


def _sites_csv(path) -> list[str]:
    """Three sites, each at a point inside its county (read from the built region's own boundaries)."""
    import geopandas as gpd

    counties = gpd.read_file(settings.data_dir() / "regions" / "360700" / "counties.geojson").set_index("name")
    rows = []
    for sid, kind, name, county in (("GZ-01", "监测断面", "章江断面", "章贡区"), ("GZ-02", "工业园区", "赣州综合工业园", "南康区"),
                                    ("GZ-03", "饮用水水源地", "峰山水源地", "赣县区")):
        p = counties.loc[county].geometry.representative_point()
        rows.append(f"{sid},{kind},{name},{county},{p.x:.6f},{p.y:.6f}")
    path.write_text("编号,类型,名称,区县,经度,纬度\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return ["GZ-01", "GZ-02", "GZ-03"]


def _upload(page, label: str, path) -> None:
    page.locator("[data-testid='stFileUploader']", has_text=label).locator("input[type=file]").set_input_files(str(path))


def test_a_new_city_gets_its_own_map_in_the_app(empty_server, page, tmp_path):
    from domain import actors
    from tests.conftest import session_token

    started = time.monotonic()
    server = empty_server
    page.set_viewport_size({"width": 1600, "height": 1000})

    # 1. the system administrator chooses the city
    _set_session(page, session_token("系统管理员（测试）", "信息中心", actors.SYSADMIN))
    page.goto(server + "/settings")
    page.get_by_text("更换城市（可输入名称或代码搜索）").wait_for(timeout=60_000)
    _settled(page)
    page.locator("[data-testid='stSelectbox']", has_text="更换城市").click()
    page.keyboard.type("赣州")
    page.get_by_role("option", name="江西省 赣州市（360700）").click()
    _settled(page)
    page.get_by_role("button", name="建立并设为当前城市").click()
    page.get_by_text("已设为当前城市：赣州市（360700）").wait_for(timeout=120_000)
    assert _sql("SELECT value FROM meta WHERE key = 'region'") == [("360700",)]

    # 2. the 业务管理员's first page names the city and the steps
    _set_session(page, session_token())
    page.goto(server + "/")
    page.get_by_text("建立本市一张图").wait_for(timeout=60_000)
    page.get_by_text("当前城市：赣州市（360700）").wait_for(timeout=60_000)
    assert page.get_by_text("载入景德镇市示例数据").count() == 0
    _shot(page, "new_city_start_1600.png")

    # 3. the site layer: checked, previewed with county names, written
    sites = tmp_path / "赣州点位.csv"
    ids = _sites_csv(sites)
    page.get_by_role("button", name="前往数据管理").click()  # from 开始, as the officer would
    page.get_by_role("tab", name="导入点位图层").click()
    _upload(page, "点位图层", sites)
    page.get_by_text("已上传：“赣州点位.csv”").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_role("button", name="检查并预览").click()
    page.get_by_text("检查通过（“赣州点位.csv”）：新增 3，变更 0，不变 0").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入“赣州点位.csv”：新增 3，变更 0，不变 0").wait_for(timeout=60_000)
    assert sorted(r[0] for r in _sql("SELECT id FROM sites")) == ids

    # 4. the work points: reviewed, written
    doc = tmp_path / "赣州要点.txt"
    doc.write_text(DOC, encoding="utf-8")
    page.goto(server + "/data")
    page.get_by_role("tab", name="导入文件（整改清单/工作要点）").click()
    _upload(page, "上传文件", doc)
    page.get_by_text("已上传：“赣州要点.txt”").wait_for(timeout=60_000)
    box = page.get_by_label("文件简称", exact=False).first
    box.fill("赣州2026要点")
    box.press("Enter")
    _settled(page)
    page.get_by_role("button", name="解析").click()
    page.get_by_role("button", name="确认写入").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_role("button", name="确认写入").click()
    page.get_by_text("已写入《赣州市生态环境局2026年生态环境保护工作要点》").wait_for(timeout=90_000)
    tasks = dict(_sql("SELECT uid, id FROM tasks WHERE parent_id IS NULL"))
    assert sorted(tasks) == ["赣州2026要点|main|1", "赣州2026要点|main|2"]

    # 5. a ledger of links for the document just written (a revision of its links, not a refusal)
    import pandas as pd

    led = tmp_path / "关联台账.xlsx"
    pd.DataFrame([{"来源文件": "赣州2026要点", "编号": "2", "问题/任务": "完成工业园区污水管网排查整治",
                   "关联点位": "赣州综合工业园、峰山水源地"}]).to_excel(led, index=False)
    page.goto(server + "/data")
    page.get_by_role("tab", name="导入任务台账").click()
    _upload(page, "任务台账", led)
    page.get_by_text("已上传：“关联台账.xlsx”").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_role("button", name="检查并预览").click()
    page.get_by_text("检查通过（“关联台账.xlsx”）：文件 1，关联点位更新的任务 1，关联点位不变的任务 0").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入“关联台账.xlsx”").wait_for(timeout=60_000)
    links = sorted(_sql("SELECT t.uid, ts.site_id FROM task_sites ts JOIN tasks t ON t.id = ts.task_id"))
    assert ("赣州2026要点|main|2", "GZ-02") in links and ("赣州2026要点|main|2", "GZ-03") in links

    # 6. the map: every site drawn, coloured by its tasks (counted here from the store by hand)
    today = date.today()
    deadline = dict(_sql("SELECT uid, deadline FROM tasks WHERE parent_id IS NULL"))
    overdue = {uid for uid, d in deadline.items() if d is not None and date.fromisoformat(str(d)[:10]) < today}
    red = {sid for uid, sid in links if uid in overdue}
    page.goto(server + "/")
    frame = _map(page)
    _settled(page)
    assert _symbols(frame) == 3
    assert _symbols(frame, COLORS["逾期"]) == len(red)
    page.get_by_text("赣州市生态环境一张图").first.wait_for(timeout=30_000)
    _shot(page, "new_city_map_1600.png")
    page.set_viewport_size({"width": 1280, "height": 720})
    _settled(page)
    _shot(page, "new_city_map_1280.png")
    print(f"\n新城市上手（浏览器内，全部步骤）：{time.monotonic() - started:.0f} 秒")
