"""现场检查: choose sites (filters, drawing on the map, one by one), plan the order and
days, take the route and checklist to the field, and record what was found."""

from __future__ import annotations

import html
import logging
import tempfile
from datetime import date, time, timedelta
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from folium.map import FitBounds
from folium.plugins import Draw
from shapely.geometry import shape
from streamlit_folium import st_folium

from domain import permissions as perm
from domain import status as st_status
from domain.dates import cn_date
from exports.field import GCJ02, WGS84, checklist_pdf, checklist_xlsx, file_stem, gpx_text, kml_text
from geo.routing import fit_view
from layers.reference import reference_groups
from onemap import inspections, services
from onemap.field_trip import TripParams, plan_trip, sites_in_drawn_area, stop_tasks, to_trip
from store import queries
from store.db import reader
from ui import basemap as basemap_ui
from ui import data
from ui.boundary import guarded
from ui.common import example_place
from ui.filters import current_view, filter_sites
from ui.uploads import uploaded_files
from ui.views.map_view import base_map
from ui.workflow import flash, operator

NO_CHANGE = "（不变更状态）"
WHOLE_SITE = 0  # the task choice "the site as a whole"
TABS = ["规划检查", "登记检查结果"]
log = logging.getLogger(__name__)


def _label(sites: pd.DataFrame, names: dict[str, str]):
    rows = sites.set_index("id")
    return lambda sid: f"{rows.at[sid, 'name']}（{rows.at[sid, 'kind']}，{names.get(rows.at[sid, 'county_code'], '')}）"


def render() -> None:
    region = data.region()
    v = current_view()
    st.markdown("### 现场检查")
    with st.container():  # always present, so the tabs below keep their place when a message shows
        flash()
    st.caption("按左侧筛选、在地图上框选或逐个添加点位，规划路线与日程，导出到手机和纸质检查表；检查后在下方登记发现。")
    # stateful tabs: a rerun (a save, a download) keeps the tab the user is working in
    basemap_ui.picker()  # the maps of both tabs are drawn on it (ui.basemap.chosen)
    tabs = st.tabs(TABS, key="field_tab", on_change="rerun")
    with tabs[0]:
        plan_tab(region, v)
    with tabs[1]:
        record_tab(region, v)


# ----------------------------------------------------------------------------- plan
def plan_tab(region, v) -> None:
    names = {c.code: c.name for c in region.places.counties}
    sites = v.sites_all
    label = _label(sites, names)
    prepared = data.prepared_sites().frame  # WGS84: what the trip is computed from
    bm = basemap_ui.chosen()
    datum = bm.datum
    shown = data.prepared_sites(datum).frame  # as drawn over the basemap (GCJ-02 for 高德/腾讯)
    filtered = filter_sites(sites, v.filters, v.tasks, v.place_of_site)
    # set through the Session State API on every run, like the filters (ui/filters._init):
    # a run cut short above this page must not make the browser forget the chosen stops
    st.session_state["trip_sites"] = st.session_state.get("trip_sites", [])
    c1, c2 = st.columns([1, 1])
    if c1.button(f"按左侧筛选选取（{len(filtered)} 个点位）", key="trip_from_filters"):
        st.session_state["trip_sites"] = list(filtered["id"])
    if c2.button("清空选择", key="trip_clear"):
        st.session_state["trip_sites"] = []
    basemap_ui.notice(bm)
    m = base_map(region, bm)
    # 红线, rivers, roads while choosing the stops too, not only on the route (user trial)
    refs = reference_groups(data.reference_layers(), datum)
    for fg in refs:
        fg.add_to(m)
    if refs:
        folium.LayerControl(collapsed=True).add_to(m)
    for sid in sites["id"]:
        if sid in shown.index:
            chosen = sid in st.session_state["trip_sites"]
            folium.CircleMarker([shown.at[sid, "lat"], shown.at[sid, "lon"]], radius=6 if chosen else 4,
                                color="#1a1a1a", weight=1, fill=True, fill_opacity=0.9,
                                fill_color="#D55E00" if chosen else "#8C8C8C",
                                tooltip=html.escape(label(sid))).add_to(m)
    Draw(draw_options={"polyline": False, "circle": False, "circlemarker": False, "marker": False},
         edit_options={"edit": False}).add_to(m)
    st.caption("在地图上画矩形或多边形框选点位；点击地图空白处可设为起终点。橙色为已选点位。")
    out = st_folium(m, key="trip_map", height=420, use_container_width=True,
                    returned_objects=["last_active_drawing", "last_clicked"])
    drawn = (out or {}).get("last_active_drawing") or {}
    geom = drawn.get("geometry") or {}
    if geom.get("type") in ("Polygon", "MultiPolygon") and st.button("添加框选范围内的点位", key="trip_add_drawn"):
        # drawn in the basemap's datum (GCJ-02 on 高德/腾讯): back to WGS84 before the store selects
        inside = sites_in_drawn_area(datum.geometry_back(shape(geom)), list(shown.index))
        st.session_state["trip_sites"] = list(dict.fromkeys([*st.session_state["trip_sites"], *inside]))
        st.rerun()
    chosen = st.multiselect("检查点位（可逐个增减）", list(sites["id"]), key="trip_sites", format_func=label,
                            placeholder="在地图上框选，或在此选择点位")
    bureau = region.meta.get("bureau") or {}
    click = (out or {}).get("last_clicked")
    options = [f"{bureau.get('name', '单位驻地')}（配置）"] + (["地图上点击的位置"] if click else [])
    base_choice = st.radio("起点和终点", options, horizontal=True, key="trip_base")
    if base_choice == "地图上点击的位置" and click:
        lon, lat = datum.back(click["lng"], click["lat"])  # stored and routed in WGS84
        base, base_name = (round(lon, 6), round(lat, 6)), "地图选点"
    else:
        base, base_name = (bureau.get("lon", region.bbox[0]), bureau.get("lat", region.bbox[1])), bureau.get("name", "起点")
    p1, p2, p3, p4 = st.columns(4)
    params = TripParams(
        first_day=p1.date_input("出发日期", value=date.today() + timedelta(days=1), key="trip_day"),
        road_factor=p2.number_input("道路系数（实际路程/直线距离）", 1.0, 3.0, 1.3, 0.1, key="trip_road"),
        speed_kmh=p3.number_input("平均车速（公里/小时）", 10.0, 100.0, 40.0, 5.0, key="trip_speed"),
        service_min=p4.number_input("每个点位停留（分钟）", 10.0, 240.0, 45.0, 5.0, key="trip_service"),
        day_start=st.session_state.get("trip_t0", time(8, 30)), day_end=st.session_state.get("trip_t1", time(17, 30)))
    t0, t1, t2 = st.columns([1, 1, 2])
    params.day_start = t0.time_input("每天出发", value=time(8, 30), key="trip_t0")
    params.day_end = t1.time_input("每天返回不晚于", value=time(17, 30), key="trip_t1")
    title = t2.text_input("检查任务名称", value="", key="trip_title", placeholder=f"如 {example_place(region)[0]}矿山修复点现场核查")
    if st.button("规划路线", type="primary", disabled=not chosen, key="trip_plan"):
        st.session_state["trip_result"] = plan_trip(chosen, prepared, base_name, base, params)
        st.session_state.pop("trip_save_msg", None)  # a new plan, not yet saved
        st.session_state.pop("trip_order_editor", None)
    plan = st.session_state.get("trip_result")
    if plan is None:
        return
    show_plan(plan, region, v, title, label)


def show_plan(plan, region, v, title: str, label) -> None:
    bm = basemap_ui.chosen()
    datum = bm.datum
    prepared = data.prepared_sites().frame  # WGS84: what the trip is computed from
    shown = data.prepared_sites(datum).frame  # drawn over the basemap, in its datum
    sched = plan.schedule
    names = {c.code: c.name for c in region.places.counties}
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("点位", len(sched.visits))
    c2.metric("总里程", f"{sched.distance_m / 1000:.0f} 公里")
    c3.metric("行车时间", f"{sched.drive_min / 60:.1f} 小时")
    c4.metric("天数", sched.days)
    if sched.unplaceable:
        st.warning("以下点位一天之内无法往返，未排入日程：" + "、".join(label(plan.site_ids[len(sched.visits) + k])
                                                            for k in range(len(sched.unplaceable))))
    m = base_map(region, bm)  # fitted to the route below
    refs = reference_groups(data.reference_layers(), datum)  # 红线, rivers, roads beneath the route
    for fg in refs:
        fg.add_to(m)
    home = datum.latlon(plan.base[1], plan.base[0])  # the start is stored in WGS84
    coords = [home]
    for k, visit in enumerate(sched.visits, start=1):
        sid = plan.site_ids[k - 1]
        lat, lon = float(shown.at[sid, "lat"]), float(shown.at[sid, "lon"])
        if k > 1 and visit.day != sched.visits[k - 2].day:
            coords.append(home)
        coords.append((lat, lon))
        folium.Marker([lat, lon], icon=folium.DivIcon(
            html=f'<div class="onemap-stop" style="transform:translate(-50%,-50%);width:24px;height:24px;'
                 f'border-radius:12px;background:#0072B2;color:#fff;font-weight:700;text-align:center;'
                 f'line-height:24px;border:2px solid #fff">{k}</div>'),
            tooltip=html.escape(f"{k}. {label(sid)}，第{visit.day}天 {visit.arrive:%H:%M} 到达")).add_to(m)
    coords.append(home)
    folium.PolyLine(coords, color="#D55E00", weight=4, opacity=0.8).add_to(m)
    folium.Marker(list(home), icon=folium.DivIcon(
        html='<div style="transform:translate(-50%,-50%);font-size:20px">★</div>'),
        tooltip=html.escape(f"起终点：{plan.base_name}")).add_to(m)
    # open on the stops, not the city: the base map's fit to the region (and any fitBounds,
    # which runs before the frame has its size) gives way to a view computed from the stops
    stops = [(float(shown.at[sid, "lat"]), float(shown.at[sid, "lon"]))
             for sid in plan.site_ids[: len(sched.visits)]] or coords  # not the base between days
    centre, zoom = fit_view([c[1] for c in stops], [c[0] for c in stops])
    for name, child in list(m._children.items()):
        if isinstance(child, FitBounds):
            del m._children[name]
    m.location, m.options["zoom"] = list(centre), zoom
    if refs:
        folium.LayerControl(collapsed=True).add_to(m)
    st_folium(m, key="trip_route_map", height=420, use_container_width=True, returned_objects=[],
              center=centre, zoom=zoom)
    table = pd.DataFrame({
        "顺序": list(range(1, len(sched.visits) + 1)),
        "点位": [label(plan.site_ids[k]) for k in range(len(sched.visits))],
        "日程": [f"第{vis.day}天" for vis in sched.visits],
        "到达": [vis.arrive.strftime("%H:%M") for vis in sched.visits],
        "离开": [vis.depart.strftime("%H:%M") for vis in sched.visits],
        "路段（公里）": [round(vis.leg_m / 1000, 1) for vis in sched.visits],
        "编号": plan.site_ids[: len(sched.visits)],
    })
    st.caption("可修改“顺序”列手动调整先后，里程和日程随之重算。")
    edited = st.data_editor(table, key="trip_order_editor", hide_index=True, width="stretch",
                            disabled=["点位", "日程", "到达", "离开", "路段（公里）", "编号"],
                            column_config={"编号": None})
    if not edited["顺序"].equals(table["顺序"]):
        new_order = list(edited.sort_values("顺序", kind="stable")["编号"])
        st.session_state["trip_result"] = plan_trip(new_order, prepared, plan.base_name, plan.base, plan.params,
                                                  order=new_order)
        st.session_state.pop("trip_order_editor", None)
        st.rerun()
    trip = to_trip(plan, title, v.sites_all, prepared, v.tasks_all, names)
    downloads(trip)
    save_trip(trip, plan)


def downloads(trip) -> None:
    """The files to take to the field, named by trip and date, built only when clicked
    (on_click="ignore": a download does not rerun the page, so quick clicks do not cancel
    each other)."""
    st.markdown("**带到现场**")
    stem = file_stem(trip)

    def built(fn, suffix: str):
        def make() -> bytes:
            with tempfile.TemporaryDirectory() as tmp:
                return fn(trip, Path(tmp) / f"c{suffix}").read_bytes()
        return make

    files = [
        ("GPX（WGS84）", lambda: gpx_text(trip, WGS84), f"{stem}_WGS84.gpx", "application/gpx+xml", "gpx_wgs"),
        ("GPX（GCJ-02 导航用）", lambda: gpx_text(trip, GCJ02), f"{stem}_GCJ02.gpx", "application/gpx+xml",
         "gpx_gcj"),
        ("KML（WGS84，奥维/Google Earth）", lambda: kml_text(trip, WGS84), f"{stem}_WGS84.kml",
         "application/vnd.google-earth.kml+xml", "kml_wgs"),
        ("KML（GCJ-02）", lambda: kml_text(trip, GCJ02), f"{stem}_GCJ02.kml",
         "application/vnd.google-earth.kml+xml", "kml_gcj"),
        ("检查表 XLSX", built(checklist_xlsx, ".xlsx"), f"{stem}.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("检查表 PDF（打印）", built(checklist_pdf, ".pdf"), f"{stem}.pdf", "application/pdf", "pdf"),
    ]
    for k, (label, make, name, mime, key) in enumerate(files):
        if k % 3 == 0:  # rows of three, so on a phone they stack in reading order
            cols = st.columns(3)
        cols[k % 3].download_button(label, make, name, mime, key=f"trip_dl_{key}", on_click="ignore",
                                    width="stretch")
    st.caption("GCJ-02 版本已按国内地图加偏，仅供高德、腾讯等导航软件使用；GIS 软件与奥维地图请用 WGS84 版本。")


def save_trip(trip, plan) -> None:
    if not perm.allowed(operator(), perm.PLAN_TRIP):
        st.caption("检查计划由填报人员或业务管理员保存。")
        return
    sched = plan.schedule
    st.text_input("检查人员", key="trip_inspectors", placeholder="如 张三、李四")
    st.button("保存为检查任务（之后在“登记检查结果”中填报）", key="trip_save", on_click=_save_trip,
              args=(trip, plan.base_name, plan.site_ids[: len(sched.visits)]))
    msg = st.session_state.get("trip_save_msg")  # kept until the next save, see stop_form
    if msg and msg[0] == "ok":
        st.success(msg[1], icon=":material/check_circle:")
    elif msg:
        st.error(msg[1])


def _save_trip(trip, base_name: str, stops: list[str]) -> None:
    try:
        ins_id = inspections.save_inspection(operator(), day=trip.day, title=trip.title,
                                          inspectors=st.session_state.get("trip_inspectors", ""),
                                          base_name=base_name, stops=stops)
    except services.ServiceError as exc:
        st.session_state["trip_save_msg"] = ("error", f"未保存：{exc}")
        return
    data.after_write()
    st.session_state["ins_pick"] = ins_id
    st.session_state["trip_save_msg"] = ("ok", f"已保存检查任务：{trip.title}（{len(stops)} 个点位）。"
                                               "到“登记检查结果”登记检查发现。")


# ----------------------------------------------------------------------------- record
def record_tab(region, v) -> None:
    with reader() as s:
        trips = queries.inspections_frame(s)
    if trips.empty:
        st.info("还没有检查任务：先在“规划检查”中规划并保存。")
        return
    reason = perm.why_not(operator(), perm.PROGRESS)
    if reason:
        st.info(f"{reason}：检查结果由填报人员登记。")
        return
    labels = {int(r["id"]): f"{cn_date(r['day'])} {r['title']}（{r['inspectors'] or '未填检查人员'}）"
              for _, r in trips.iterrows()}
    if st.session_state.get("ins_pick") not in labels:
        st.session_state.pop("ins_pick", None)
    pick = st.selectbox("检查任务", list(labels), key="ins_pick", format_func=lambda i: labels[i])
    ins = trips[trips["id"] == pick].iloc[0]
    names = {c.code: c.name for c in region.places.counties}
    label = _label(v.sites_all, names)
    found = inspections.inspection_findings(int(pick))
    refs = dict(zip(v.tasks_all["id"], v.tasks_all["ref"], strict=False))
    known = set(v.sites_all["id"])
    st.caption(f"共 {len(ins['stops'])} 个点位，已登记 {len(found)} 条检查发现。")
    for k, sid in enumerate(ins["stops"], start=1):
        if sid not in known:
            st.warning(f"{k}. 点位 {sid} 已不在点位图层中，不能登记")
            continue
        done = found[found["site_id"] == sid] if len(found) else found
        key = f"f_{pick}_{sid}"
        with st.expander(f"{k}. {label(sid)}" + (f" · 已登记 {len(done)} 条" if len(done) else ""),
                         key=f"{key}_box", expanded=st.session_state.get("f_last") == key):
            stop_form(int(pick), sid, v.tasks_all, key=key)
            for _, r in done.iterrows():
                what = refs.get(r["task_id"], "点位整体") if r["task_id"] == r["task_id"] and r["task_id"] is not None \
                    else "点位整体"
                st.markdown(f"- {html.escape(r['recorded_by'])}（{html.escape(str(what))}）：{html.escape(r['text'])}"
                            + ("（含状态变更）" if r["event_id"] == r["event_id"] and r["event_id"] is not None else "")
                            + (f"（照片 {len(r['photos'])} 张）" if r["photos"] else ""))


def stop_form(inspection_id: int, site_id: str, tasks: pd.DataFrame, key: str) -> None:
    """The task and the status change stay outside the form (choosing a task refreshes the
    changes it allows); the text, photos and 登记 are a form. The save runs in a callback, so
    a refusal keeps the typed text and a success clears it; either way the stop shows what
    happened."""
    actor = operator()
    # only the tasks this account may report on (the service refuses the others)
    items = [t for t in stop_tasks(site_id, tasks) if services.may_report(actor, t.task_id)]
    by_id = {t.task_id: t for t in items}
    # kept (not popped) until the next save at this stop: a run that showed it may be cut
    # short by the next rerun, and the message must not vanish with it
    msg = st.session_state.get(f"{key}_msg")
    if msg and msg[0] == "ok":
        st.success(msg[1], icon=":material/check_circle:")
    elif msg:
        st.error(msg[1])
    # the option labels must not change while the page is open: Streamlit sends back the label,
    # and a label with the live status in it would no longer name a task once someone else
    # changed it (the status is in the caption below, read from the store)
    names = _task_names(items)
    tid = st.selectbox("任务", [WHOLE_SITE, *by_id], key=f"{key}_task",
                       format_func=lambda i: "（点位整体）" if i == WHOLE_SITE else names.get(i, str(i)))
    options = [NO_CHANGE]
    if tid != WHOLE_SITE:
        try:
            cur, nxt, version = inspections.finding_status_options(int(tid))
        except services.ServiceError as exc:
            st.error(str(exc))
            return
        nxt = [to for to, why in services.allowed_changes(actor, int(tid), nxt, cur).items() if why is None]
        options += nxt
        st.caption(f"当前状态：{cur}；" + (f"可变更为：{'、'.join(nxt)}（按销号程序）" if nxt else "当前没有可登记的状态变更"))
    # the change is pinned to the history it was chosen on: if the task moves on before the
    # click (another user), the save is refused by name instead of the choice silently
    # falling back to 不变更 when the options change
    to = st.selectbox("状态变更（按销号程序）", options, key=f"{key}_to", on_change=_pin_change,
                      args=(key, tid, version if tid != WHOLE_SITE else None))
    need = {st_status.APPLIED: "整改完成情况说明", st_status.RETURNED: "退回理由",
            st_status.ONGOING: "本期进展"}.get(to)
    # the text, the photos and the button are one form: typing sends nothing until 登记, so a
    # press right after typing cannot be taken by the text box's own rerun (a press was lost
    # about 1 in 80 when the box committed its text on blur and the page redrew under the click)
    with st.form(key=f"{key}_form", border=False, enter_to_submit=False):
        st.text_area(f"检查发现（作为{need}，必填）" if need else "检查发现", key=f"{key}_text", height=80)
        st.file_uploader("现场照片", accept_multiple_files=True, type=["jpg", "jpeg", "png", "heic", "pdf"],
                         key=f"{key}_photos_{st.session_state.get(f'{key}_round', 0)}")
        st.form_submit_button("登记", key=f"{key}_save", type="primary", on_click=_save_finding,
                              args=(inspection_id, site_id, key))


def _task_names(items) -> dict[int, str]:
    """The task's 编号; with its title where two tasks of the stop share one."""
    refs = [t.ref for t in items]
    return {t.task_id: t.ref if refs.count(t.ref) == 1 else f"{t.ref} · {t.title[:20]}" for t in items}


def _pin_change(key: str, tid, version: int | None) -> None:
    to = st.session_state.get(f"{key}_to", NO_CHANGE)
    st.session_state[f"{key}_pin"] = (tid, to, version) if to != NO_CHANGE else None


@guarded("登记检查发现（填写的内容已保留）")  # anything unexpected: logged, said in Chinese, text kept
def _save_finding(inspection_id: int, site_id: str, key: str) -> None:
    ss = st.session_state
    ss["f_last"] = key
    tid = ss.get(f"{key}_task", WHOLE_SITE)
    to = ss.get(f"{key}_to", NO_CHANGE)
    pin = ss.get(f"{key}_pin")
    expected = None
    if pin and pin[0] == tid:  # what the user chose, on the history they saw
        to, expected = pin[1], pin[2]
    photos = ss.get(f"{key}_photos_{ss.get(f'{key}_round', 0)}") or []
    if tid != WHOLE_SITE and not isinstance(tid, int):  # a choice the page no longer offers
        ss[f"{key}_msg"] = ("error", "未登记：所选任务已不在本点位的任务中，请重新选择任务。填写的内容已保留。")
        return
    try:
        with uploaded_files(photos) as paths:
            saved = inspections.record_finding(operator(), inspection_id, site_id,
                                            task_id=None if tid == WHOLE_SITE else int(tid),
                                            text=ss.get(f"{key}_text", ""), photos=paths,
                                            to_status=None if to == NO_CHANGE else to,
                                            expected_version=expected)
    except services.ServiceError as exc:
        ss[f"{key}_msg"] = ("error", f"未登记：{exc}。填写的内容已保留。")
        if expected is not None and "请刷新后重试" in str(exc):  # choose again on the new history
            ss[f"{key}_pin"] = None
            ss[f"{key}_to"] = NO_CHANGE
        return
    data.after_write()
    ss[f"{key}_msg"] = ("ok", saved.message())
    ss[f"{key}_text"] = ""
    ss[f"{key}_to"] = NO_CHANGE
    ss[f"{key}_pin"] = None
    ss[f"{key}_round"] = ss.get(f"{key}_round", 0) + 1  # a fresh photo box
