"""领导总览: where the open and overdue work sits, who is behind, what changed since the
last meeting. Every figure opens the list of tasks behind it in the ledger."""

from __future__ import annotations

import dataclasses
import html
import tempfile
from datetime import date, timedelta
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from domain import overview as ov
from domain import permissions as perm
from domain import status as st_status
from domain.dates import cn_date
from exports.ledger_xlsx import target_rows
from geo.hotspots import gi_star, grid_values, region_density, square_grid, write_geotiff
from layers.analysis import (
    choropleth,
    density_image,
    density_legend,
    density_overlay,
    density_pane,
    gi_layer,
    gi_legend,
    legend,
    place_values,
)
from layers.classify import classify
from layers.style import COLORS
from onemap import meetings, settings
from ui import auth, data, nav, present
from ui import basemap as basemap_ui
from ui.common import data_notice, table
from ui.filters import current_view, filter_tasks, no_match_notice
from ui.views import overview_water
from ui.views.map_view import base_map

METHOD_KDE = "核密度（任务密度面）"
METHOD_GI = "热点分析（Getis-Ord Gi*）"
EXPLAIN = {
    METHOD_KDE: "把每个点位上未销号的任务数“摊开”成一张连续的密度面：颜色越深，附近集中的任务越多。"
                "搜索半径决定“附近”有多大。结果可下载为 GeoTIFF，在 QGIS/ArcGIS 中打开位置准确。",
    METHOD_GI: "把全市划成方格，统计每格的任务数，再看一个格子和它周围格子合起来是否明显高于（或低于）全市平均："
               "红色为热点、蓝色为冷点，颜色越深越可信（99%、95%、90% 置信度）；空白表示与平均水平无明显差异。",
}
STATE_COLORS = {st_status.NOT_STARTED: "#8C8C8C", st_status.IN_PROGRESS: COLORS["整改中"],
                st_status.APPLIED: "#56B4E9", st_status.RETURNED: "#E69F00", st_status.CLOSED: COLORS["已销号"],
                st_status.ONGOING: COLORS["长期坚持"]}
# counts of tasks are whole numbers: integer ticks only (a 0.2-step axis read as "half a task")
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)


def drill(title: str, ids: list[int]) -> None:
    """Open the ledger on exactly these tasks."""
    st.session_state["drill"] = {"title": title, "ids": [int(i) for i in ids]}
    nav.go("ledger")


def _take_map_click() -> None:
    """A county clicked on the choropleth filters the whole app (before the widgets are drawn)."""
    out = st.session_state.get("overview_map") or {}
    props = ((out.get("last_active_drawing") or {}).get("properties") or {})
    code = props.get("adcode")
    if code and st.session_state.get("_ov_click") != code:
        st.session_state["_ov_click"] = code
        st.session_state["f_place"] = [code]


def render() -> None:
    _take_map_click()
    region = data.region()
    v = current_view()
    basemap_ui.picker()  # the hot-spot map is drawn on it (the choropleth is its own basemap)
    f = v.filters
    tasks = v.tasks  # filtered top-level tasks of the as-of date
    _init_compare(f.as_of)
    st.markdown(f"### {html.escape(region.name)}生态环境工作总览")
    if present.is_on():
        present_view(region, v)
        return
    data_notice(data.meta(), False, bool(tasks["sample_events"].any()))
    st.caption(f"截至 {cn_date(f.as_of)}；筛选条件在左侧（点击地图上的区县即按该区县筛选）。")
    deck_button(region, f.as_of)
    no_match_notice(tasks)

    indicators_section(tasks, f.as_of)
    documents_section(tasks, v.site_names)
    place_section(region, v)
    c1, c2 = st.columns(2)
    with c1:
        unit_section(tasks)
    with c2:
        category_section(tasks)
    overview_water.render(v)
    hotspot_section(region, v)
    compare_section(region, v)


def present_view(region, v) -> None:
    """Presentation mode: the headline figures, then the counties on a map and in a table
    filling the screen. No drill-down buttons or deck export (nothing to click in front of
    the room); the analysis tools (charts, hot spots, comparison) stay on the normal page."""
    tasks, as_of = v.tasks, v.filters.as_of
    present.notice(data.meta(), False, bool(tasks["sample_events"].any()), as_of)
    ind = ov.indicators(tasks)
    rate = ov.closing_rate(tasks)
    # 退回 only when there is one: the strip keeps to one line at 1280×720 in the usual case,
    # and the states shown still add up to the total
    present.figures([(label, str(len(ind[key]))) for key, label in PRESENT_FIGURES
                     if key != st_status.RETURNED or ind[key]]
                    + [("销号率", "—" if rate is None else f"{rate:.0%}")])
    place_section(region, v)


def deck_button(region, as_of: date) -> None:

    if not perm.allowed(auth.current(), perm.EXPORT):
        return
    c1, c2 = st.columns([1, 3])
    if c1.button("生成会议材料（PPTX）", key="deck_make"):
        with st.spinner("正在生成…"), tempfile.TemporaryDirectory() as tmp:
            path = meetings.meeting_deck(auth.current(), Path(tmp) / "deck.pptx", as_of=as_of)
            st.session_state["deck_bytes"] = path.read_bytes()
    if st.session_state.get("deck_bytes"):
        c2.download_button("下载会议材料", st.session_state["deck_bytes"],
                           file_name=f"{region.name}生态环境工作调度会_{as_of.isoformat()}.pptx",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")


def _init_compare(as_of: date) -> None:
    if "ov_cmp" not in st.session_state:
        try:
            st.session_state["ov_cmp"] = date.fromisoformat(st.query_params.get("cmp", ""))
        except ValueError:
            st.session_state["ov_cmp"] = as_of - timedelta(days=30)


PRESENT_FIGURES = (("全部", "全部"), (st_status.OVERDUE, "逾期"), (st_status.DUE_SOON, "临期"),
                   (st_status.NOT_STARTED, "未启动"), (st_status.IN_PROGRESS, "整改中"),
                   (st_status.APPLIED, "申请销号"), (st_status.RETURNED, "退回"), (st_status.CLOSED, "已销号"),
                   (st_status.ONGOING, "长期坚持"))
PRESENT_HEAD = present.head(110, 7.75)  # presentation mode: player bar, title, notice and figures above the map


def indicators_section(tasks: pd.DataFrame, as_of: date) -> None:
    ind = ov.indicators(tasks)
    rate = ov.closing_rate(tasks)
    # every state has its figure, so the states add up to the total in front of the reader
    items = [("全部", "全部"), (st_status.OVERDUE, "逾期"), (st_status.DUE_SOON, "临期"),
             (st_status.NOT_STARTED, "未启动"), (st_status.IN_PROGRESS, "整改中"), (st_status.APPLIED, "申请销号"),
             (st_status.RETURNED, "退回"), (st_status.CLOSED, "已销号"), (st_status.ONGOING, "长期坚持")]
    cols = st.columns(len(items))
    # 全部 (not 全部任务): beside its help icon the longer label was cut to "全部…" at 1280 px
    hints = {"全部": "全部任务：问题、重点任务和附件事项（措施计入所属问题）",
             st_status.DUE_SOON: f"{settings.due_soon_days()} 天内到期、尚未销号"}
    for col, (key, label) in zip(cols, items, strict=True):
        col.metric(label, len(ind[key]), help=hints.get(key))
        if ind[key] and col.button("查看", key=f"ind_{key}"):
            drill(f"{'全部任务' if key == '全部' else label}（截至 {cn_date(as_of)}）", ind[key])
    st.metric("销号率（不含长期坚持）", "—" if rate is None else f"{rate:.0%}")


def documents_section(tasks: pd.DataFrame, site_names: dict[str, str]) -> None:
    docs = ov.by_document(tasks)
    if docs.empty:
        return
    st.markdown("#### 按来源文件")
    ev = st.dataframe(docs.drop(columns=["ids"]), hide_index=True, width="stretch", on_select="rerun",
                      selection_mode="single-row", key="ov_docs")
    if ev and ev.selection and ev.selection.rows:
        r = docs.iloc[ev.selection.rows[0]]
        drill(f"{r['来源文件']}", r["ids"])
    targets_section(set(docs["来源文件"]), site_names)


def targets_section(documents: set[str], site_names: dict[str, str]) -> None:
    """The 主要目标 indicators of the documents listed: shown with their document, apart from
    the tasks (they have no status and are not counted above)."""
    targets = data.targets()
    targets = targets[targets["document"].isin(documents)]
    for _doc, g in targets.groupby("document", sort=False):
        title = g["document_title"].iloc[0]
        with st.expander(f"《{title}》主要目标（{len(g)} 项指标，不计入任务）"):
            rows = target_rows(g, site_names).drop(columns=["来源文件", "文件标题"])
            if not rows["编号"].astype(bool).any():  # indicators written as —— lines have no number
                rows = rows.drop(columns=["编号"])
            # a static table: an indicator is read whole (a grid cuts long text at the column edge)
            st.table(table(rows).set_index(rows.columns[0]))


CITY_DEPTS = "市直部门"
PLACE_MAP_HEIGHT = 560


def place_table(region, v) -> pd.DataFrame:
    """Every county and zone of the region (and the city's own departments when they have
    tasks), with their open and overdue tasks."""
    names = {p.code: p.name for p in region.places.all()}
    names[region.places.city.code] = CITY_DEPTS
    include = [p.code for p in region.places.local_places()]
    return ov.by_place(v.tasks, names, v.sites_all.groupby("county_code").size().to_dict(), include)


def place_section(region, v) -> None:
    showing = present.is_on()
    if showing:  # the player bar names the view; no controls in front of the room
        what, per = st.session_state.get("ov_measure", "逾期"), st.session_state.get("ov_per", "绝对数")
    else:
        st.markdown("#### 按地区（责任单位所属区县/管理区）")
        c1, c2 = st.columns([1, 1])
        what = c1.radio("指标", ["逾期", "未销号"], horizontal=True, key="ov_measure")
        per = c2.radio("口径", ["绝对数", "每个点位"], horizontal=True, key="ov_per")
    table = place_table(region, v)
    measure = what if per == "绝对数" else "每点位未销号"
    label = what if per == "绝对数" else "每个点位的未销号任务"
    zones = [{"code": z["code"], "name": z["name"], "anchor": z.get("anchor")} for z in region.meta.get("zones", [])]
    codes = [p.code for p in region.places.local_places()]
    values = place_values(table, measure, codes)
    klass = classify(values.values(), missing_label="无点位")
    left, right = st.columns([3, 2])
    with left:
        m = base_map(region, "", counties=False)  # the choropleth draws (and labels) the counties itself
        m.options["zoomSnap"] = 0.1  # fit the city to the frame, not to the next whole zoom level
        choropleth(region.counties(), values, zones, label, klass, region.bbox,
                   label_px=present.TEXT_PX if showing else 15).add_to(m)
        if showing:
            present.fit_map(m, PRESENT_HEAD)
        st_folium(m, key="overview_map", height=PLACE_MAP_HEIGHT, use_container_width=True,
                  returned_objects=["last_active_drawing"])
        if showing:  # the legend goes above the table, beside the map
            right.markdown(legend(klass, label), unsafe_allow_html=True)
        else:
            st.markdown(legend(klass, label), unsafe_allow_html=True)
            st.caption("分级：自然间断点（Fisher–Jenks），0 单列一级。管理区没有行政边界，以圆点画在示意位置。")
        if per == "每个点位":
            st.caption("每个点位：该区县未销号任务数 ÷ 区县内点位数；管理区和市直部门没有自己的点位，不参与此口径。")
    with right:
        ranked = table.sort_values(measure, ascending=False, kind="stable", na_position="last")
        if showing:
            present.table(ranked[["地区", "逾期", "未销号", "点位数"]], numeric=("逾期", "未销号", "点位数"),
                          above=present.head(108, 9.4))
            return
        shown = pd.DataFrame({
            "地区": ranked["地区"], "逾期": ranked["逾期"].astype(int), "未销号": ranked["未销号"].astype(int),
            "点位数": ranked["点位数"].astype(int),
            "每点位未销号": [("—" if x is None or pd.isna(x) else f"{x:g}") for x in ranked["每点位未销号"]]})
        st.caption(ov.multi_place_note(v.tasks, table, what))
        ev = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                          key="ov_places", height=min(PLACE_MAP_HEIGHT, 38 * (len(shown) + 1) + 4))
        if ev and ev.selection and ev.selection.rows:
            r = ranked.iloc[ev.selection.rows[0]]
            drill(f"{r['地区']}：{what}", r["ids_overdue"] if what == "逾期" else r["ids_open"])


def unit_section(tasks: pd.DataFrame) -> None:
    st.markdown("#### 逾期最多的责任单位")
    units = ov.by_unit(tasks)
    units = units[units["逾期"] > 0].head(15)
    if units.empty:
        st.caption("没有逾期任务。")
        return
    chart = alt.Chart(units).mark_bar(color=COLORS["逾期"]).encode(
        x=alt.X("逾期:Q", title="逾期任务（项）", axis=COUNT_AXIS),
        y=alt.Y("单位:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=260)),
        tooltip=[alt.Tooltip("单位:N", title="责任单位"), alt.Tooltip("逾期:Q"), alt.Tooltip("未销号:Q")],
    ).add_params(alt.selection_point(name="unit", fields=["单位"])).properties(height=28 * len(units) + 20)
    ev = st.altair_chart(chart, on_select="rerun", key="ov_units", width="stretch")
    chosen = [p.get("单位") for p in (ev.selection.get("unit") or [])] if ev and ev.selection else []
    pick = st.selectbox("查看某单位的逾期任务", ["—", *units["单位"]], key="ov_unit_pick")
    unit = chosen[0] if chosen else (pick if pick != "—" else None)
    if unit:
        r = units[units["单位"] == unit].iloc[0]
        drill(f"{unit}：逾期任务", r["ids_overdue"])


def category_section(tasks: pd.DataFrame) -> None:
    st.markdown("#### 按类别")
    cat = ov.by_category(tasks)
    if cat.empty:
        return
    chart = alt.Chart(cat).mark_bar().encode(
        x=alt.X("数量:Q", title="问题/任务（项）", axis=COUNT_AXIS),
        y=alt.Y("类别:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("状态:N", scale=alt.Scale(domain=list(STATE_COLORS), range=list(STATE_COLORS.values())),
                        legend=alt.Legend(title="状态", orient="bottom")),
        tooltip=["类别:N", "状态:N", "数量:Q"],
    ).add_params(alt.selection_point(name="cat", fields=["类别", "状态"]))
    ev = st.altair_chart(chart, on_select="rerun", key="ov_cats", width="stretch")
    picked = (ev.selection.get("cat") or []) if ev and ev.selection else []
    if picked:
        row = cat[(cat["类别"] == picked[0].get("类别")) & (cat["状态"] == picked[0].get("状态"))]
        if len(row):
            drill(f"{row.iloc[0]['类别']} · {row.iloc[0]['状态']}", row.iloc[0]["ids"])


# The surfaces depend only on the weighted points and the parameters: computed once per
# combination, not on every rerun of the page.
@st.cache_resource(show_spinner=False, max_entries=8)
def _density(lons: tuple, lats: tuple, weights: tuple, bbox: tuple, bandwidth: float):
    d = region_density(lons, lats, weights, bbox, cell=500, bandwidth=bandwidth)
    url, bounds, top = density_image(d)
    with tempfile.TemporaryDirectory() as tmp:
        tif = write_geotiff(d, Path(tmp) / "density.tif").read_bytes()
    return url, bounds, top, tif


@st.cache_resource(show_spinner=False, max_entries=4)
def _grid(adcode: str, cell: float):
    return square_grid(data.region().counties().geometry.union_all(), cell)


@st.cache_resource(show_spinner=False, max_entries=8)
def _gi(adcode: str, cell: float, lons: tuple, lats: tuple, weights: tuple):
    cells = _grid(adcode, cell)
    return gi_star(grid_values(cells, lons, lats, weights), cells)


def hotspot_section(region, v) -> None:
    st.markdown("#### 问题集中在哪里（热点）")
    c1, c2, c3 = st.columns([2, 1, 1])
    method = c1.radio("方法", [METHOD_KDE, METHOD_GI], horizontal=True, key="ov_method")
    weighted = c2.checkbox("逾期任务加倍计", value=True, key="ov_weighted")
    radius = c3.select_slider("搜索半径 / 方格（公里）", [2, 3, 5, 8, 10], value=5, key="ov_radius")
    st.caption(EXPLAIN[method] + " 只统计关联了点位的未销号问题/任务；点位为示意位置时，结果同样为示意。")
    weights = ov.site_weights(v.tasks, weighted)
    prepared = data.prepared_sites().frame
    pts = prepared.loc[[i for i in weights.index if i in prepared.index]]
    if pts.empty:
        st.info("当前筛选下没有关联点位的未销号任务。")
        return
    inputs = (tuple(pts["lon"]), tuple(pts["lat"]), tuple(weights.reindex(pts.index)))
    bm = basemap_ui.chosen()
    datum = bm.datum
    basemap_ui.notice(bm)
    m = base_map(region, bm)
    if method == METHOD_KDE:
        url, bounds, top, tif = _density(*inputs, tuple(region.bbox), radius * 1000.0)
        density_pane().add_to(m)
        # the surface's corners shifted with the basemap (the GCJ-02 offset varies by metres across a city)
        density_overlay(url, [list(datum.latlon(*bounds[0])), list(datum.latlon(*bounds[1]))]).add_to(m)
        st_folium(m, key="ov_hot_map", height=560, use_container_width=True, returned_objects=[])
        st.markdown(density_legend(top), unsafe_allow_html=True)
        name = f"任务密度_{v.filters.as_of.isoformat()}.tif"
        st.download_button("下载密度面 GeoTIFF（云优化 COG，CGCS2000 / 高斯-克吕格）", tif, file_name=name,
                           mime="image/tiff", on_click=_audit_density, args=(name, tif, radius))
    else:
        result = _gi(region.adcode, radius * 1000.0, *inputs)
        gi_layer(result, datum).add_to(m)
        st_folium(m, key="ov_hot_map", height=560, use_container_width=True, returned_objects=[])
        st.markdown(gi_legend(), unsafe_allow_html=True)
        hot = result[result["class"].str.startswith("hot")]
        st.caption(f"{len(hot)} 个热点方格（共 {len(result)} 格，每格 {radius} 公里）。")


def _audit_density(name: str, tif: bytes, radius: int) -> None:
    """The density surface of the current filter left the app: recorded like every export."""
    from onemap import services
    from ui import auth

    services.record_download(auth.current(), "任务密度面（COG）", name, tif, radius_km=radius)


def compare_section(region, v) -> None:
    st.markdown("#### 自上次会议以来")
    c1, c2 = st.columns([1, 3])
    cmp_day = c1.date_input("对比日期（上次会议）", key="ov_cmp", format="YYYY-MM-DD",
                            max_value=v.filters.as_of)
    if cmp_day.isoformat() != st.query_params.get("cmp"):
        st.query_params["cmp"] = cmp_day.isoformat()
    # the same places, units, documents…; not the status filters (they are what changed)
    scope = dataclasses.replace(v.filters, statuses=[], flags=[])
    now = filter_tasks(v.tasks_all, scope, v.sites_all, v.place_of_site)
    then = filter_tasks(data.tasks(cmp_day), scope, v.sites_all, v.place_of_site)
    changes = ov.compare(now, then)
    c2.caption(f"从 {cn_date(cmp_day)} 到 {cn_date(v.filters.as_of)}：新销号 {len(changes['新销号'])} 项，"
               f"新逾期 {len(changes['新逾期'])} 项，新增 {len(changes['新增'])} 项。")
    b = st.columns(3)
    for col, key in zip(b, changes, strict=True):
        if changes[key] and col.button(f"查看{key}（{len(changes[key])}）", key=f"cmp_{key}"):
            drill(f"{key}：{cn_date(cmp_day)} 至 {cn_date(v.filters.as_of)}", changes[key])
    names = {p.code: p.name for p in region.places.all()}
    t1, t2 = st.columns(2)
    for col, key, title, nm in ((t1, "unit_place_codes", "按地区", names), (t2, "units", "按责任单位", None)):
        with col:
            st.markdown(f"**{title}**")
            table = ov.compare_table(now, changes, key, nm)
            if table.empty:
                st.caption("没有变化。")
                continue
            ev = st.dataframe(table[["名称", *changes]], hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key=f"cmp_table_{key}")
            if ev and ev.selection and ev.selection.rows:
                r = table.iloc[ev.selection.rows[0]]
                ids = sorted({i for k in changes for i in r[f"ids_{k}"]})
                drill(f"{r['名称']}：自 {cn_date(cmp_day)} 以来的变化", ids)
