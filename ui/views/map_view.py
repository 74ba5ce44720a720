"""一张图: county basemap, the site layers coloured by the state of their work,
and a side panel for the clicked site."""

from __future__ import annotations

import html
from datetime import date

import folium
import streamlit as st
from streamlit_folium import st_folium

from domain.rollup import site_summary
from layers.counties import county_layer
from layers.sites import kind_group, site_features
from onemap import settings
from onemap.kinds import site_kinds
from ui import data
from ui.common import data_notice, legend_html
from ui.filters import filter_sites, filter_tasks, sidebar_filters
from ui.views.task_detail import render_task

BASEMAPS = {
    "区县矢量底图（离线）": None,
    "OpenStreetMap（需联网）": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),
}


def build_map(region, sites, summary, basemap: str) -> folium.Map:
    minx, miny, maxx, maxy = region.bbox
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None,
                   control_scale=True)
    tile = BASEMAPS.get(basemap)
    if tile:
        folium.TileLayer(tile[0], attr=tile[1], name=basemap, overlay=False).add_to(m)
    county_layer(region.counties()).add_to(m)
    names = {c.code: c.name for c in region.places.counties}
    for k in site_kinds():
        feats = site_features(sites[sites["kind"] == k.name], summary, names)
        kind_group(k, feats).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def render() -> None:
    region = data.region()
    meta = data.meta()
    as_of = st.session_state.get("f_asof") or date.today()
    tasks_all = data.tasks(as_of)
    f = sidebar_filters(region, tasks_all)
    tasks_all = data.tasks(f.as_of)
    sites_all = data.sites()
    place_of_site = dict(zip(sites_all["id"], sites_all["county_code"], strict=True))
    tasks = filter_tasks(tasks_all, f, sites_all, place_of_site)
    sites = filter_sites(sites_all, f, tasks, place_of_site)
    summary = site_summary(tasks if f.task_filter_active else tasks_all, list(sites_all["id"]))

    st.markdown(f"### {html.escape(region.name)}生态环境一张图")
    data_notice(meta, bool(sites["illustrative"].any()), bool(tasks["sample_events"].any()))
    counts = summary.loc[sites["id"], "worst"].value_counts().to_dict() if len(sites) else {}
    st.markdown(legend_html(counts, settings.due_soon_days()), unsafe_allow_html=True)

    basemap = st.sidebar.radio("底图", list(BASEMAPS), key="basemap",
                               help="默认底图随应用提供，无需联网；在线底图在断网时不显示瓦片，不影响其他内容")
    left, right = st.columns([3, 2], gap="medium")
    with left:
        m = build_map(region, sites, summary, basemap)
        out = st_folium(m, height=640, use_container_width=True, key="onemap",
                        returned_objects=["last_active_drawing"])
    clicked = (out or {}).get("last_active_drawing") or {}
    site_id = html.unescape((clicked.get("properties") or {}).get("site_id", "")) or st.session_state.get("site_id")
    if site_id:
        st.session_state["site_id"] = site_id
    with right:
        render_site_panel(site_id, sites_all, tasks_all, tasks, region)


def render_site_panel(site_id, sites_all, tasks_all, tasks_shown, region) -> None:
    if not site_id or site_id not in set(sites_all["id"]):
        st.info("点击地图上的点位，查看点位信息和相关任务。")
        top = tasks_shown
        st.metric("筛选范围内的任务", f"{len(top)} 项")
        c1, c2, c3 = st.columns(3)
        c1.metric("逾期", int((top["flag"] == "逾期").sum()))
        c2.metric("临期", int((top["flag"] == "临期").sum()))
        c3.metric("已销号", int((top["status"] == "已销号").sum()))
        return
    s = sites_all[sites_all["id"] == site_id].iloc[0]
    county = next((c.name for c in region.places.counties if c.code == s["county_code"]), "")
    st.markdown(f"#### {html.escape(s['name'])}")
    st.caption(f"{s['kind']} · {county} · 编号 {s['id']}" + (" · 示意位置" if s["illustrative"] else ""))
    kind = next((k for k in site_kinds() if k.name == s["kind"]), None)
    attrs = []
    for a in (kind.attributes if kind else ()):
        if s["attrs"].get(a.key) not in (None, ""):
            attrs.append(f"- **{a.label}**：{html.escape(str(s['attrs'][a.key]))}")
    if s["aliases"]:
        attrs.append(f"- **别名**：{html.escape('、'.join(s['aliases']))}")
    if s["source"]:
        attrs.append(f"- **来源**：{html.escape(s['source'])}")
    attrs.append(f"- **坐标**：{s.geometry.representative_point().x:.5f}, {s.geometry.representative_point().y:.5f}"
                 f"（WGS84；原坐标系 {s['source_crs']}）")
    st.markdown("\n".join(attrs))
    linked = tasks_all[tasks_all["parent_id"].isna() & tasks_all["site_ids"].map(lambda ids: site_id in ids)]
    st.markdown(f"**相关任务（{len(linked)} 项）**")
    names = dict(zip(sites_all["id"], sites_all["name"], strict=True))
    for _, t in linked.iterrows():
        label = f"{t['ref']} · {t['status']}{'·' + t['flag'] if t['flag'] else ''} · {t['title'][:28]}"
        with st.expander(label):
            render_task(t, tasks_all, names)
