"""UI logic with AppTest: the app on the demo data, filters in the URL, escaping."""

import html

import pytest

from tests.conftest import app_test, page_test


def run_app(**query):
    return app_test(**query).run()


def test_empty_store_offers_the_demo(data_dir):
    at = run_app()
    assert not at.exception
    assert any("还没有数据" in i.value for i in at.info)
    at.button[0].click().run()
    assert not at.exception
    assert any("生态环境一张图" in m.value for m in at.markdown)


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
    assert html.escape(name).replace("&", "\\u0026") in page  # escaped text inside the JSON
