"""一张图: county basemap, the site layers coloured by the state of their work,
and a side panel for the clicked site.

The base map (counties, optional tiles) is identical from one rerun to the next: it is
rendered once per process (ui.map_component), fetched once by the browser and kept
(ui.map_base_route), and the map's frame keeps the live map; the site layers travel as its
feature groups (packed rows, layers.sites) and only they are replaced when a filter changes —
the view does not jump back to its starting extent."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import folium
import pandas as pd
import streamlit as st

from domain import permissions as perm
from domain.dates import cn_date
from geo.region import Region
from layers.basemap import add_tiles
from layers.counties import county_layer
from layers.draw_zh import draw_in_chinese
from layers.reference import reference_groups, reference_legend_html
from layers.scale import metric_scale
from layers.sites import (
    SITES_LIB,
    PreparedSites,
    focus_group,
    kind_group,
    kind_rows,
    kind_script,
)
from layers.water_style import Colouring
from onemap import basemaps, settings
from onemap.basemaps import Basemap
from onemap.kinds import site_kinds
from ui import auth, data, map_component, nav, present, water_map
from ui import basemap as basemap_ui
from ui.common import data_notice, kind_legend_html, legend_html, status_badge
from ui.filters import current_view, filter_sites, no_match_notice
from ui.views import water_panel
from ui.views.task_detail import render_task
from ui.workflow import flash

MAP_HEIGHT = 640
PRESENT_HEAD = present.head(96, 4.8)  # presentation mode: player bar, title and notice above the map


def base_map(region: Region, basemap: Basemap | str | None = None, *, counties: bool = True,
             label_size: int = 14) -> folium.Map:
    """Everything that does not depend on filters: the basemap's tiles (registry, onemap.basemaps)
    and the counties over them, in the basemap's datum (shifted to GCJ-02 for 高德/腾讯)."""
    bm = basemap if isinstance(basemap, Basemap) else basemaps.get(basemap or None)
    datum = bm.datum
    minx, miny, maxx, maxy = region.bbox
    (minx, miny), (maxx, maxy) = datum.out(minx, miny), datum.out(maxx, maxy)
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None)
    metric_scale(m)
    draw_in_chinese(m)  # the field page's selection tools
    tiles = add_tiles(m, bm)
    if counties:
        county_layer(_counties(region, datum), over_tiles=bool(tiles), label_size=label_size).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


_SHIFTED_COUNTIES: dict[tuple[str, str], object] = {}


def _counties(region: Region, datum):
    """The region's counties in the basemap's datum (shifting every vertex once per region, not per run)."""
    if not datum.shifted:
        return region.counties()
    key = (str(region.folder), datum.name)
    if key not in _SHIFTED_COUNTIES:
        _SHIFTED_COUNTIES[key] = datum.frame(region.counties())
    return _SHIFTED_COUNTIES[key]


@dataclass
class MapLayers:
    groups: list[folium.FeatureGroup]
    control: folium.LayerControl
    center: tuple[float, float] | None
    zoom: int | None


def site_layers(prepared: PreparedSites, site_ids: list[str] | set[str], summary: pd.DataFrame,
                focus_ids: list[str] | None = None, *, large: bool = False,
                colouring: Colouring | None = None) -> MapLayers:
    """large: the projector theme (bigger symbols, thicker strokes); colouring: a 水质 mode —
    sections and water sources coloured by it, the other kinds faded."""
    wanted = set(site_ids)
    size, stroke, weight = (30, 3.0, 4.0) if large else (18, 1.5, 2.0)
    groups = [kind_group(k, prepared, wanted, summary, symbol_size=size, stroke=stroke, line_weight=weight,
                         colouring=colouring if colouring and k.name in water_map.WATER_KINDS else None,
                         faded=colouring is not None and k.name not in water_map.WATER_KINDS)
              for k in site_kinds()]
    center = zoom = None
    if focus_ids:
        groups.append(focus_group(prepared, focus_ids))
        pts = prepared.frame.loc[[i for i in focus_ids if i in prepared.frame.index]]
        if len(pts):
            center = (float(pts["lat"].mean()), float(pts["lon"].mean()))
            span = max(pts["lat"].max() - pts["lat"].min(), pts["lon"].max() - pts["lon"].min())
            zoom = 13 if span < 0.02 else 12 if span < 0.08 else 11 if span < 0.2 else 10
    return MapLayers(groups, folium.LayerControl(collapsed=large), center, zoom)  # the room has the legend


def focus_view(prepared: PreparedSites, focus_ids: list[str] | None) -> tuple[tuple[float, float] | None, int | None]:
    """Centre and zoom that show a focused task's sites (None, None without one)."""
    pts = prepared.frame.loc[[i for i in focus_ids or [] if i in prepared.frame.index]]
    if not len(pts):
        return None, None
    span = max(pts["lat"].max() - pts["lat"].min(), pts["lon"].max() - pts["lon"].min())
    return ((float(pts["lat"].mean()), float(pts["lon"].mean())),
            13 if span < 0.02 else 12 if span < 0.08 else 11 if span < 0.2 else 10)


def _region_key(region: Region) -> tuple:
    """What the base map is drawn from: the region's files (a re-imported boundary has a new mtime)."""
    try:
        stamp = (region.folder / "counties.geojson").stat().st_mtime_ns
    except OSError:
        stamp = 0
    return str(region.folder), region.name, tuple(region.bbox), stamp


def _page_base_map(region: Region, bm: Basemap, label_size: int, showing: bool) -> folium.Map:
    m = base_map(region, bm, label_size=label_size)
    if showing:
        present.fit_map_header(m)
    return m


def _layer_scripts(rendered: dict, prepared: PreparedSites, site_ids: list[str], summary: pd.DataFrame,
                   focus_ids: list[str] | None, *, large: bool, colouring: Colouring | None,
                   datum) -> tuple[str, str]:
    """The component's feature_group and layer_control scripts: the bureau's reference layers
    (streamlit-folium's serialiser, on the cached map), then one group per kind as plain script
    (layers.sites.kind_script, no folium elements), then the focus rings."""
    size, stroke, weight = (30, 3.0, 4.0) if large else (18, 1.5, 2.0)
    wanted = set(site_ids)
    parts: list[str] = []
    overlays: list[tuple[str, str]] = []
    refs = with_references([], datum)
    for fg in refs:
        parts.append(map_component.folium_group_script(rendered, fg, len(parts)))
        overlays.append((fg.layer_name, f"feature_group_feature_group_{len(parts) - 1}"))
    dots = len(wanted) > settings.canvas_above()  # one canvas for every kind, not an element per site
    frame = prepared.frame
    shown = frame[frame.index.isin(site_ids)]  # selected once, split by kind (not one isin per kind)
    by_kind = {k: PreparedSites(g) for k, g in shown.groupby("kind", sort=False)}
    for k in site_kinds():
        water = colouring is not None and k.name in water_map.WATER_KINDS
        kr = kind_rows(k, by_kind.get(k.name, PreparedSites(shown.iloc[:0])), None, summary,
                       colouring=colouring if water else None, faded=colouring is not None and not water)
        body = kind_script(kr, symbol_size=size, stroke=stroke, line_weight=weight, dots=dots, lib=False) \
            if kr.rows else ""
        script, var = map_component.group_script(len(parts), body)
        parts.append(script)
        overlays.append((f"{k.name}（{len(kr.rows)}）", var))
    if focus_ids:
        parts.append(map_component.folium_group_script(rendered, focus_group(prepared, focus_ids), len(parts)))
    return SITES_LIB + "".join(parts), map_component.layer_control_script(overlays, collapsed=large)  # the room has the legend


FIT_PX = 800  # a map about 1,000 px wide, with a margin


def imagery_view(bounds, datum) -> tuple[tuple[float, float], int]:
    """Centre ([lat, lon], in the basemap's datum) and the finest zoom at which imagery with
    these WGS84 bounds (west, south, east, north) spans at most FIT_PX screen pixels."""
    w, s, e, n = bounds
    merc = math.log(math.tan(math.pi / 4 + math.radians(n) / 2)) - math.log(math.tan(math.pi / 4 + math.radians(s) / 2))
    share = max((e - w) / 360, merc / (2 * math.pi), 1e-9)  # of the world's width at zoom 0 (256 px)
    zoom = int(max(3, min(18, math.floor(math.log2(FIT_PX / (256 * share))))))
    return datum.latlon((s + n) / 2, (w + e) / 2), zoom


def place_view(region: Region, places, datum, shown=None) -> tuple[tuple[float, float], int] | None:
    """Centre and zoom that show the chosen counties (None: none of them has an outline — a
    management zone has none) and the sites shown for them (WGS84). A county without sites of
    its own shows those of its units' tasks, wherever they are (domain.filtering.filter_sites):
    fitted to its outline alone they were all off screen while the figures counted them (user
    trial, province store: 67 sites counted, none on the map)."""
    c = region.counties()
    chosen = c[c["adcode"].astype(str).isin({str(p) for p in places})]
    if chosen.empty:
        return None
    w, s, e, n = (float(v) for v in chosen.total_bounds)
    if shown is not None and len(shown):
        sw, ss, se, sn = (float(v) for v in shown.total_bounds)
        w, s, e, n = min(w, sw), min(s, ss), max(e, se), max(n, sn)
    return imagery_view((w, s, e, n), datum)


def with_references(groups: list[folium.FeatureGroup], datum=None) -> list[folium.FeatureGroup]:
    """The bureau's reference layers (红线, protection zones, rivers, roads) before the site
    groups: drawn beneath them (their own pane), toggled in the same layer control, in the
    basemap's datum (shifted to GCJ-02 for 高德/腾讯 like everything else)."""
    return reference_groups(data.reference_layers(), datum) + groups


def render() -> None:
    region = data.region()
    v = current_view()
    f, tasks_all, sites_all, tasks = v.filters, v.tasks_all, v.sites_all, v.tasks
    bm = basemap_ui.picker()
    datum = bm.datum
    prepared = data.prepared_sites(datum)
    sites = filter_sites(sites_all, f, tasks, v.place_of_site)
    summary = data.site_rollup(f, tasks)

    showing = present.is_on()
    st.markdown(f"### {html.escape(region.name)}生态环境一张图")
    flash()
    illustrative, sample = bool(sites["illustrative"].any()), bool(tasks["sample_events"].any())
    counts = summary.loc[sites["id"], "worst"].value_counts().to_dict() if len(sites) else {}
    wm = water_map.control(f.as_of)
    water_ids = list(sites.loc[sites["kind"].isin(water_map.WATER_KINDS), "id"])
    if showing:  # one line of notice; the legend goes beside the map
        present.notice(data.meta(), illustrative, sample, f.as_of)
        if wm.mode:
            water_map.notice(wm)
            st.markdown(water_map.legend_html(wm, water_ids), unsafe_allow_html=True)
    else:
        data_notice(data.meta(), illustrative, sample, water_sample=bool(wm.mode) and wm.sample)
        status_legend = water_map.legend_html(wm, water_ids) if wm.mode \
            else legend_html(counts, settings.due_soon_days())
        st.markdown(status_legend + kind_legend_html()
                    + reference_legend_html(data.reference_layers()), unsafe_allow_html=True)
        _offline_map_button(f.as_of, bm.id)
    no_match_notice(tasks)
    if not showing:
        basemap_ui.notice(bm)

    focus_ids, focus_ref = _focus(tasks_all)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if focus_ref:
            c1, c2 = st.columns([4, 1])
            c1.info(f"已定位任务：{focus_ref}（虚线圈为其点位）")
            if c2.button("取消定位"):
                st.session_state.pop("focus_task", None)
                st.rerun()
        large = showing
        ids = list(sites["id"])
        extent = st.session_state.get("view_extent")  # a saved view being shown
        focus_center, focus_zoom = focus_view(prepared, focus_ids)
        # a saved extent is WGS84 (the view may be replayed over another basemap)
        center = focus_center or (datum.latlon(*extent["center"]) if extent else None)
        zoom = focus_zoom or (extent["zoom"] if extent else None)
        # the area the saved view showed: on a smaller screen (the meeting room's projector) the map
        # zooms out until all of it is shown, instead of showing less than was saved (user trial)
        area = None
        if not focus_center and extent and extent.get("bounds"):
            (south, west), (north, east) = extent["bounds"]
            area = [list(datum.latlon(south, west)), list(datum.latlon(north, east))]
        if center is None and bm.bounds and st.session_state.get("_bm_fitted") != bm.id:
            # the bureau's own imagery just chosen: show it (a 5 km sheet is a speck at the city's extent)
            center, zoom = imagery_view(bm.bounds, datum)
        st.session_state["_bm_fitted"] = bm.id
        places = tuple(sorted(f.places))
        if center is None and st.session_state.get("_places_fitted", ()) != places:
            # a county just chosen: go to it; the choice cleared: back to the whole region (once: the
            # user's own panning afterwards is left alone)
            fit = place_view(region, places, datum, sites) if places else imagery_view(region.bbox, datum)
            if fit is not None:
                center, zoom = fit
        st.session_state["_places_fitted"] = places
        label_size = 22 if large else 14
        # the base map is the same from one rerun to the next: rendered once per process (ui.map_component)
        base_key = (*_region_key(region), repr(bm), label_size, showing)
        rendered = map_component.base(base_key, lambda: _page_base_map(region, bm, label_size, showing))
        if showing:
            present.fit_frame(PRESENT_HEAD)
        cl = wm.colouring
        key = (base_key, settings.database_url(), data.revision("sites", "refs"), repr(datum), large,
               data.fingerprint(ids, summary, focus_ids or [],
                                    (cl.title, cl.labels, cl.colors, sorted(cl.index.items())) if cl else None))
        groups, control = map_component.layers(key, lambda: _layer_scripts(
            rendered, prepared, ids, summary, focus_ids, large=large, colouring=cl, datum=datum))
        out = map_component.show(rendered, key="onemap", height=720 if large else MAP_HEIGHT,
                                 feature_group=groups, layer_control=control, center=center, zoom=zoom, area=area,
                                 returned_objects=["last_active_drawing", "center", "zoom", "bounds"])
        if out and out.get("center") and out.get("zoom"):
            lon, lat = datum.back(out["center"]["lng"], out["center"]["lat"])
            st.session_state["map_view_extent"] = {"center": [lat, lon], "zoom": out["zoom"],
                                                   "bounds": _bounds(out.get("bounds"), datum)}
    clicked = (out or {}).get("last_active_drawing") or {}
    site_id = html.unescape((clicked.get("properties") or {}).get("i", "")) or None
    if site_id and site_id != st.session_state.get("_last_clicked"):
        st.session_state["_last_clicked"] = site_id
        st.session_state["site_id"] = site_id
    with right:
        render_site_panel(st.session_state.get("site_id"), sites_all, tasks_all, tasks, region,
                          legend_counts=counts if showing else None, water_month=wm.month)


def _bounds(b, datum) -> list[list[float]] | None:
    """streamlit-folium's {_southWest, _northEast} → [[south, west], [north, east]] in WGS84 (None if absent)."""
    try:
        sw, ne = b["_southWest"], b["_northEast"]
        (w, s), (e, n) = datum.back(float(sw["lng"]), float(sw["lat"])), datum.back(float(ne["lng"]), float(ne["lat"]))
        return [[s, w], [n, e]]
    except (KeyError, TypeError, ValueError):
        return None


def _focus(tasks_all: pd.DataFrame) -> tuple[list[str], str]:
    tid = st.session_state.get("focus_task")
    if tid is None:
        return [], ""
    row = tasks_all[tasks_all["id"] == tid]
    if row.empty:
        return [], ""
    return list(row.iloc[0]["site_ids"]), row.iloc[0]["ref"]


def render_site_panel(site_id, sites_all, tasks_all, tasks_shown, region, legend_counts=None,
                      water_month: str | None = None) -> None:
    """legend_counts: presentation mode — the panel is read-only and carries the legend;
    water_month: the month a section's or water source's water quality is read for."""
    showing = legend_counts is not None
    if not site_id or site_id not in set(sites_all["id"]):
        if not showing:
            st.info("点击地图上的点位，查看点位信息和相关任务。")
        top = tasks_shown
        if showing:
            present.figures([("项任务", str(len(top))), ("逾期", str(int((top["flag"] == "逾期").sum()))),
                             ("临期", str(int((top["flag"] == "临期").sum()))),
                             ("已销号", str(int((top["status"] == "已销号").sum())))])
            present.legend(legend_counts, settings.due_soon_days())
            return
        st.metric("筛选范围内的任务", f"{len(top)} 项")
        c1, c2, c3 = st.columns(3)
        c1.metric("逾期", int((top["flag"] == "逾期").sum()))
        c2.metric("临期", int((top["flag"] == "临期").sum()))
        c3.metric("已销号", int((top["status"] == "已销号").sum()))
        return
    s = sites_all[sites_all["id"] == site_id].iloc[0]
    county = next((c.name for c in region.places.counties if c.code == s["county_code"]), "")
    head, close = st.columns([3, 1])  # [5, 1] cut 关闭 to "关." beside a long name at 1280×720 (user trial)
    head.markdown(f"#### {html.escape(s['name'])}")
    if close.button("关闭", key="close_panel"):
        st.session_state.pop("site_id", None)
        st.rerun()
    st.caption(html.escape(f"{s['kind']} · {county} · 编号 {s['id']}" + (" · 示意位置" if s["illustrative"] else "")))
    kind = next((k for k in site_kinds() if k.name == s["kind"]), None)
    attrs = []
    for a in (kind.attributes if kind else ()):
        if s["attrs"].get(a.key) not in (None, ""):
            attrs.append(f"- **{a.label}**：{html.escape(str(s['attrs'][a.key]))}")
    if s["aliases"]:
        attrs.append(f"- **别名**：{html.escape('、'.join(s['aliases']))}")
    if s["source"]:
        attrs.append(f"- **来源**：{html.escape(s['source'])}")
    rep = s.geometry.representative_point()
    attrs.append(f"- **坐标**：{rep.x:.5f}, {rep.y:.5f}（WGS84；原坐标系 {html.escape(s['source_crs'])}）")
    st.markdown("\n".join(attrs))
    linked = tasks_all[tasks_all["parent_id"].isna() & tasks_all["site_ids"].map(lambda ids: site_id in ids)]
    if s["kind"] in water_map.WATER_KINDS:
        water_panel.render(site_id, water_month, linked)
    st.markdown(f"**相关任务（{len(linked)} 项）**")
    if showing:  # read-only in front of the room: no status forms
        st.html("<ul>" + "".join(f"<li>{status_badge(t['status'], t['flag'])} {html.escape(t['ref'])}："
                                 f"{html.escape(t['title'])}</li>" for _, t in linked.iterrows()) + "</ul>")
        return
    names = dict(zip(sites_all["id"], sites_all["name"], strict=True))
    for _, t in linked.iterrows():
        label = f"{t['ref']} · {t['status']}{'·' + t['flag'] if t['flag'] else ''} · {t['title'][:28]}"
        # keyed: the panel stays open when its label changes with the task's status
        with st.expander(label, key=f"map_task_{t['id']}"):
            render_task(t, tasks_all, names, key=f"map_{t['id']}")
    inspection_history(site_id)
    if len(linked) and nav.has("ledger") and st.button("在任务台账中查看这些任务"):
        st.session_state["f_q"] = s["name"]
        nav.go("ledger")


def inspection_history(site_id: str) -> None:
    from store import queries
    from store.db import reader

    with reader() as s:
        found = queries.findings_frame(s, site_id)
    if found.empty:
        return
    st.markdown(f"**现场检查记录（{len(found)} 条）**")
    st.markdown("\n".join(
        f"- {cn_date(r['day'])} {html.escape(r['title'])}（{html.escape(r['inspectors'] or r['recorded_by'])}）："
        f"{html.escape(r['text'])}" + (f"〔照片 {len(r['photos'])} 张〕" if r["photos"] else "")
        for _, r in found.iterrows()))


def _offline_map_button(as_of, basemap: str) -> None:
    """The whole map as one HTML file that opens without network or server (for a USB stick)."""
    import tempfile
    from pathlib import Path

    from onemap import services

    if not perm.allowed(auth.current(), perm.EXPORT):
        return
    if st.sidebar.button("生成单文件离线地图（HTML）", key="standalone_make"):
        with tempfile.TemporaryDirectory() as tmp:
            st.session_state["standalone_bytes"] = services.standalone_html(
                auth.current(), Path(tmp) / "map.html", as_of=as_of, basemap=basemap).read_bytes()
    if st.session_state.get("standalone_bytes"):
        st.sidebar.download_button("下载离线地图", st.session_state["standalone_bytes"],
                                   file_name=f"一张图_{as_of.isoformat()}.html", mime="text/html")
