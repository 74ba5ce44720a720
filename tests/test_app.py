"""UI logic with AppTest: the app on the demo data, filters in the URL, escaping."""

import html

import pytest

from tests.conftest import app_test, page_test


def run_app(**query):
    return app_test(**query).run()


def test_empty_store_offers_the_demo(data_dir):
    from sqlalchemy import text

    from store.db import reader

    at = run_app()
    assert not at.exception
    assert any("还没有数据" in i.value for i in at.info)
    assert any(m.value == "### 建立本市一张图" for m in at.markdown)
    at.button(key="start_demo").click().run()
    assert not at.exception
    with reader() as s:
        n_sites = s.execute(text("SELECT count(*) FROM sites")).scalar()
    (msg,) = [x.value for x in at.success if x.value.startswith("已载入景德镇市示例数据")]
    assert msg.startswith(f"已载入景德镇市示例数据：点位 {n_sites}，") and "《" in msg
    assert any("生态环境一张图" in m.value for m in at.markdown)


def test_another_citys_empty_store_keeps_the_demo_apart_and_gives_a_template(data_dir, tmp_path):
    """赣州 (issue 19): the first-run page names its own city and steps, does not offer to load
    景德镇's demo into its store, and its site template imports (checked, nothing written)."""
    from geo.region import load_region
    from onemap import services
    from onemap.cli import main
    from tests.conftest import MANAGER_ACTOR
    from ui.views.start_view import site_template

    assert main(["region", "360700"]) == 0
    at = run_app()
    assert not at.exception
    assert not [b for b in at.button if b.key == "start_demo"]
    region = load_region("360700")
    assert any(m.value.startswith(f"当前城市：**赣州市**（360700），{len(region.places.counties)} 个县级行政区")
               for m in at.markdown)
    assert any("示例数据是景德镇市的，不载入赣州市的数据库" in c.value for c in at.caption)
    path = tmp_path / "点位模板.csv"
    path.write_bytes(site_template())
    out = services.import_file(MANAGER_ACTOR, path, dry_run=True)
    assert out.counts["新增"] == 1 and out.preview[0].record.county_code == region.places.counties[-1].code


def test_map_page_on_demo(demo_dir):
    at = run_app()
    assert not at.exception
    assert any(m.value == "### 景德镇市生态环境一张图" for m in at.markdown)
    assert any("示意位置" in w.value and "示例数据" in w.value for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["筛选范围内的任务"] == "91 项"


def test_filters_come_from_the_url_and_go_back(demo_dir):
    at = run_app(flag="逾期", place="360281")
    assert not at.exception
    assert at.multiselect(key="f_flag").value == ["逾期"]
    assert at.multiselect(key="f_place").value == ["360281"]
    n = int(next(m.value for m in at.metric if m.label == "筛选范围内的任务").split()[0])
    assert 0 < n < 91
    at.multiselect(key="f_flag").set_value([]).run()
    assert "flag" not in at.query_params
    assert at.query_params["place"] in ("360281", ["360281"])


def test_as_of_date_replays_history(demo_dir):
    at = run_app(asof="2023-12-01")
    assert not at.exception
    # only the rectification list existed then
    assert next(m.value for m in at.metric if m.label == "筛选范围内的任务") == "40 项"


def test_ledger_page_lists_filtered_tasks_and_shows_one(demo_dir):
    at = page_test("ledger_view")
    at.query_params["flag"] = "逾期"
    at.run()
    assert not at.exception
    df = at.dataframe[0].value
    assert len(df) > 0 and set(df["逾期/临期"]) == {"逾期"}
    assert any("项（截至" in c.value for c in at.caption)
    assert at.get("download_button")  # XLSX of the current view


@pytest.mark.parametrize("name", ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"])
def test_site_text_is_escaped_in_map_layers(name):
    import folium
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    from layers.sites import kind_group, prepare_geometry
    from onemap.kinds import kind_by_any

    sites = gpd.GeoDataFrame({"id": ["S1"], "kind": ["监测断面"], "name": [name], "county_code": ["360203"],
                              "illustrative": [True]}, geometry=[Point(117.2, 29.3)], crs=4326)
    summary = pd.DataFrame({"tasks": [0], "open": [0], "overdue": [0], "due_soon": [0], "closed": [0],
                            "worst": ["无任务"]}, index=pd.Index(["S1"], name="id"))
    prepared = prepare_geometry(sites, {"360203": "珠山区"})
    m = folium.Map()
    kind_group(kind_by_any("监测断面"), prepared, ["S1"], summary).add_to(m)
    page = m.get_root().render()
    assert name not in page  # never the raw tag
    from layers.sites import page_layers

    (_, rows), = page_layers(page)  # the rows as the browser decodes them
    assert rows[0][1] == html.escape(name)  # the tooltip's name: escaped text


def test_the_system_administrator_sets_the_city_and_the_change_is_audited(data_dir):
    from sqlalchemy import text
    from streamlit.util import calc_hash

    from domain import actors
    from store.db import reader
    from tests.conftest import sign_in

    at = app_test(signed_in=False)
    sign_in(at, "系统管理员（测试）", "信息中心", actors.SYSADMIN).run()
    at._page_hash = calc_hash("settings")  # the sidebar's 系统设置 (pages are addressed by their url path)
    at.run()
    assert not at.exception
    assert any(m.value == "### 系统设置" for m in at.markdown)
    at.button(key="city_go").click().run()
    assert [e.value for e in at.error] == ["未更换：请先选择城市。"]
    at.selectbox(key="city_pick").set_value("360700").run()
    at.button(key="city_go").click().run()
    assert not at.exception
    with reader() as s:
        region = s.execute(text("SELECT value FROM meta WHERE key = 'region'")).scalar()
        audited = s.execute(text("SELECT summary FROM audit_log ORDER BY id DESC LIMIT 1")).scalar()
    assert region == "360700" and audited == "建立区域 赣州市并设为当前区域"
    assert [x.value for x in at.success][0].startswith("已设为当前城市：赣州市（360700），")


def test_the_ledger_template_reads_as_a_ledger(data_dir, tmp_path):
    """开始's ledger template is a ledger the importer reads (its example site named, not found)."""
    from ingest.report import ImportFailed
    from onemap import services
    from tests.conftest import MANAGER_ACTOR
    from ui.views.start_view import ledger_template

    path = tmp_path / "任务台账模板.csv"
    path.write_bytes(ledger_template())
    with pytest.raises(ImportFailed) as e:  # the example site does not exist in an empty store
        services.import_file(MANAGER_ACTOR, path, dry_run=True)
    assert [(p.column, p.problem) for p in e.value.report.errors] == [("关联点位", "关联点位不存在")]
